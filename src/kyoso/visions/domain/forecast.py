"""A robust straight-line forecast of a KPI to a vision's horizon, with an uncertainty band.

Plain Python (no Django, no numpy); deterministic for a given ``seed``.

Method
======

1. **Cleaning.** Observations with a non-finite value are dropped; ``datetime`` values are
   reduced to their date; several observations on the same date are averaged into one; the
   result is sorted by date.

2. **Time axis.** Time is measured in *decimal years*: ``decimal_year(d) = year + (day of year
   - 1) / days in that year`` (so 1 January is a whole number).  The fitted line is expressed
   relative to an ``origin`` (the first date used), ``value(d) = intercept + slope_per_year *
   (decimal_year(d) - decimal_year(origin))``, which keeps the intercept a meaningful KPI value.

3. **Downsampling.** If more than ``max_points`` observations remain (e.g. 30 years of monthly
   or any daily series), the time span is cut into ``max_points`` equal-width periods and the
   observations of each non-empty period are averaged (mean time, mean value).  The fit uses
   these averages; ``n_used`` counts the points actually fitted.

4. **Fit: Theil–Sen.**  The slope is the median of the pairwise slopes
   ``(y_j - y_i) / (t_j - t_i)``; the intercept is the median of ``y_i - slope * t_i``
   (Sen's median intercept).  Up to ``ALL_PAIRS_MAX_N`` (200) points every pair is used.
   Above that a deterministic, lag-stratified subsample keeps the cost O(n·k): for
   ``k = SUBSAMPLE_LAGS`` lags spread evenly over 1..n-1 every pair ``(i, i + lag)`` is used,
   which mirrors how often each lag occurs among all pairs.  The estimator tolerates up to
   ~29 % of wild points, where least squares would be dragged by a single outlier.

5. **Band: residual bootstrap.**  With the residuals ``e_i`` of the fit, each of ``n_boot``
   replicates resamples the residuals with replacement, builds ``y*_i = fit_i + e*_i``, refits
   Theil–Sen on it, and evaluates the refitted line at each forecast date *plus one residual
   drawn at random* (so the band covers a future observation, not only the line).  ``low`` and
   ``high`` are the ``(1 - level) / 2`` and ``(1 + level) / 2`` quantiles (linear
   interpolation) of the replicates; ``value`` is the point forecast of the original fit and
   the band is widened if needed so that ``low <= value <= high`` always holds.
   Two standard corrections keep the band honest for short yearly series: residuals are
   inflated by ``sqrt(n / (n - 2))`` (fitted residuals are smaller than the true errors), and
   each resampled residual gets a small normal jitter of width ``SMOOTHING * 1.4826 * MAD *
   n^(-1/5)`` (smoothed bootstrap: without it, ties among resampled residuals make the median
   slope too stable).  In simulations (straight line + N(0, 1) noise, 80 % band) a new
   observation fell inside the band 79 % of the time with 10 or 20 yearly points and 78 % with
   240 monthly points (71 % with only 5 points, where any method struggles).
   To stay fast, beyond ``BOOTSTRAP_MAX_POINTS`` (24) fitted points the refits run on that
   many evenly spaced points and their deviations from the fit are scaled by ``sqrt(24 / n)``
   (an m-out-of-n bootstrap; a line's slope and intercept errors shrink like ``1 / sqrt(n)``).
   When the series was downsampled, the residual added to each forecast is drawn from the
   residuals of the raw observations (a future observation is a raw one, not a period
   average).  20 years of monthly data with ``n_boot=500`` takes about 25 ms of CPU on a
   modest server (the bootstrap dominates; the fit itself about 2 ms).

6. **Counts and quantities that cannot be negative.**  ``integer=True`` (a KPI counted in whole
   numbers, e.g. 件) rounds every point: the value to the nearest whole number (halves up), the
   band outwards (``low`` down, ``high`` up), so the band still covers the rounded value.
   ``non_negative=True`` (a unit that cannot be negative, see ``units.py``) clamps values and
   bands at zero; when anything had to be clamped, ``clamped`` is True so that the chart and the
   status can say that the straight line would have gone below zero.  :func:`trend_value`
   applies the same rules to the fitted line.

7. **Special cases.**
   * fewer than ``MIN_POINTS`` (3) distinct dates: no forecast, ``reason="too_few_points"``,
     ``method="none"``, no slope;
   * all values equal: ``method="flat"``, slope 0, zero-width band;
   * exact straight line (residuals within floating-point noise): the bootstrap would only
     reproduce the line, so the band has zero width;
   * horizon not after the last observation: the line is fitted but there are no points
     (``reason="horizon_not_after_last_observation"``).

Forecast dates
==============

One point per fiscal-year end (31 March) *strictly after the last observation*, up to and
including the horizon, plus the horizon itself when it is not a 31 March.  So an observation
from June 2024 (FY2024) gives a first point on 2025-03-31, the end of the fiscal year still in
progress; an observation made on 2025-03-31 gives 2026-03-31.  The end of the current fiscal
year is included because targets are set per fiscal year and the status rules need the
forecast at the end of the target's fiscal year, which may be the current one.

In addition ``anchor`` is the fitted value (with its band) at the date of the last
observation, so that :func:`value_at` can interpolate anywhere from the last observation to
the horizon.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from itertools import repeat
from operator import add, itemgetter, mul, sub
from statistics import NormalDist, median

from kyoso.common.domain.fiscal import fiscal_year, fiscal_year_end

__all__ = [
    "ALL_PAIRS_MAX_N",
    "BOOTSTRAP_MAX_POINTS",
    "METHOD_FLAT",
    "METHOD_NONE",
    "METHOD_THEIL_SEN",
    "MIN_POINTS",
    "REASON_HORIZON_PASSED",
    "REASON_TOO_FEW_POINTS",
    "SMOOTHING",
    "SUBSAMPLE_LAGS",
    "Forecast",
    "ForecastPoint",
    "build_forecast",
    "clean_observations",
    "decimal_year",
    "fiscal_year",
    "fiscal_year_end",
    "point_at",
    "theil_sen",
    "trend_value",
    "value_at",
]

METHOD_THEIL_SEN = "theil_sen"
METHOD_FLAT = "flat"
METHOD_NONE = "none"

REASON_TOO_FEW_POINTS = "too_few_points"
REASON_HORIZON_PASSED = "horizon_not_after_last_observation"

MIN_POINTS = 3
ALL_PAIRS_MAX_N = 200
SUBSAMPLE_LAGS = 64
BOOTSTRAP_MAX_POINTS = 24
SMOOTHING = 1.0
# 64 equiprobable standard-normal quantiles, drawn from for the smoothing jitter.
_NORMAL_GRID = tuple(NormalDist().inv_cdf((k + 0.5) / 64) for k in range(64))

Observation = tuple[dt.date, float]


@dataclass(frozen=True, slots=True)
class ForecastPoint:
    """Forecast ``value`` on ``date`` with its uncertainty band ``low <= value <= high``."""

    date: dt.date
    value: float
    low: float
    high: float


@dataclass(frozen=True, slots=True)
class Forecast:
    """The result of :func:`build_forecast`.

    ``reason`` is None for a usable forecast; otherwise a stable code saying why there are no
    points (``"too_few_points"``, ``"horizon_not_after_last_observation"``).
    The fitted line is ``intercept + slope_per_year * (decimal_year(d) - decimal_year(origin))``.
    """

    points: tuple[ForecastPoint, ...]
    slope_per_year: float | None
    intercept: float | None
    method: str
    reason: str | None
    n_used: int
    origin: dt.date | None = None
    last_observed: Observation | None = None
    anchor: ForecastPoint | None = None
    level: float = 0.8
    horizon: dt.date | None = None
    integer: bool = False
    non_negative: bool = False
    clamped: bool = False

    @property
    def has_trend(self) -> bool:
        """Whether a line was fitted (slope and intercept are known)."""
        return self.slope_per_year is not None and self.intercept is not None and self.origin is not None


def decimal_year(day: dt.date) -> float:
    """``2024-01-01`` → 2024.0, ``2024-07-02`` → 2024.5 (leap years have 366 days)."""
    start = dt.date(day.year, 1, 1).toordinal()
    length = dt.date(day.year + 1, 1, 1).toordinal() - start
    return day.year + (day.toordinal() - start) / length


def clean_observations(observations: Sequence[tuple[dt.date, float]]) -> list[Observation]:
    """Drop non-finite values, average same-date observations, sort by date."""
    by_day: dict[dt.date, list[float]] = {}
    for day, raw in observations:
        if raw is None:
            continue
        value = float(raw)
        if not math.isfinite(value):
            continue
        if isinstance(day, dt.datetime):
            day = day.date()
        by_day.setdefault(day, []).append(value)
    return [(day, math.fsum(values) / len(values)) for day, values in sorted(by_day.items())]


def _getter(indices: Sequence[int]) -> Callable[[Sequence[float]], tuple[float, ...]]:
    """``itemgetter`` that always returns a tuple (it returns a bare item for one index)."""
    if len(indices) == 1:
        only = indices[0]
        return lambda seq: (seq[only],)
    return itemgetter(*indices)


def _pairs(n: int) -> tuple[list[int], list[int]]:
    """Index pairs (i, j), i < j: all of them up to ALL_PAIRS_MAX_N points, else lag-stratified."""
    if n <= ALL_PAIRS_MAX_N:
        lags: Sequence[int] = range(1, n)
    else:
        k = SUBSAMPLE_LAGS
        lags = sorted({1 + round(r * (n - 2) / (k - 1)) for r in range(k)})
    first: list[int] = []
    second: list[int] = []
    for lag in lags:
        first.extend(range(n - lag))
        second.extend(range(lag, n))
    return first, second


def theil_sen(times: Sequence[float], values: Sequence[float]) -> tuple[float, float]:
    """(slope, intercept) of the Theil–Sen line through points with distinct ``times``.

    The intercept is the value at time 0 (shift the times to choose the origin).
    """
    if len(times) != len(values) or len(times) < 2:
        raise ValueError("need at least two points, as many times as values")
    first, second = _pairs(len(times))
    slope = _median_slope(times, values, first, second)
    intercept = median(map(sub, values, map(mul, times, repeat(slope))))
    return slope, intercept


def _median_slope(times: Sequence[float], values: Sequence[float], first: list[int], second: list[int]) -> float:
    get_i, get_j = _getter(first), _getter(second)
    inverse = [1.0 / d for d in map(sub, get_j(times), get_i(times))]
    return float(median(map(mul, map(sub, get_j(values), get_i(values)), inverse)))


def _downsample(times: list[float], values: list[float], max_points: int) -> tuple[list[float], list[float]]:
    """Average the points within ``max_points`` equal-width periods of the time span."""
    if len(times) <= max_points:
        return times, values
    start = times[0]
    width = (times[-1] - start) / max_points
    sums: dict[int, list[float]] = {}
    for t, y in zip(times, values, strict=True):
        period = min(int((t - start) / width), max_points - 1)
        acc = sums.setdefault(period, [0.0, 0.0, 0.0])
        acc[0] += t
        acc[1] += y
        acc[2] += 1
    out_t: list[float] = []
    out_y: list[float] = []
    for period in sorted(sums):
        t_sum, y_sum, count = sums[period]
        out_t.append(t_sum / count)
        out_y.append(y_sum / count)
    return out_t, out_y


def _forecast_dates(last: dt.date, horizon: dt.date) -> list[dt.date]:
    """Fiscal-year ends strictly after ``last`` up to ``horizon``, plus ``horizon`` itself."""
    dates: list[dt.date] = []
    year = fiscal_year(last)
    if fiscal_year_end(year) <= last:
        year += 1
    while fiscal_year_end(year) <= horizon:
        dates.append(fiscal_year_end(year))
        year += 1
    if horizon > last and (not dates or dates[-1] != horizon):
        dates.append(horizon)
    return dates


def _quantile(ordered: Sequence[float], q: float) -> float:
    """Quantile of sorted data with linear interpolation between order statistics."""
    position = (len(ordered) - 1) * q
    lower = math.floor(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (position - lower) * (ordered[upper] - ordered[lower])


def build_forecast(
    observations: Sequence[tuple[dt.date, float]],
    horizon: dt.date,
    *,
    level: float = 0.8,
    n_boot: int = 500,
    seed: int = 0,
    max_points: int = 240,
    integer: bool = False,
    non_negative: bool = False,
) -> Forecast:
    """Forecast a KPI series to ``horizon`` (see the module docstring for the method).

    ``level`` is the coverage of the band (0 < level < 1); ``n_boot`` the number of bootstrap
    replicates (0 gives a zero-width band); ``seed`` fixes the random resampling;
    ``max_points`` caps the number of points fitted (longer series are averaged per period);
    ``integer`` and ``non_negative`` round and clamp the points (method, section 6).
    """
    forecast = _build_forecast(observations, horizon, level=level, n_boot=n_boot, seed=seed, max_points=max_points)
    if not (integer or non_negative):
        return forecast
    points, clamped = _constrain(forecast.points, integer, non_negative)
    anchors, anchor_clamped = _constrain((forecast.anchor,) if forecast.anchor else (), integer, non_negative)
    return replace(forecast, points=points, anchor=anchors[0] if anchors else None, integer=integer,
                   non_negative=non_negative, clamped=clamped or anchor_clamped)


def _round_half_up(value: float) -> float:
    return float(math.floor(value + 0.5))


def _constrain(points: Sequence[ForecastPoint], integer: bool,
               non_negative: bool) -> tuple[tuple[ForecastPoint, ...], bool]:
    """Points rounded to whole numbers (band outwards) and/or clamped at zero; and whether any was clamped."""
    out: list[ForecastPoint] = []
    clamped = False
    for point in points:
        value, low, high = point.value, point.low, point.high
        if integer:
            value, low, high = _round_half_up(value), float(math.floor(low)), float(math.ceil(high))
        if non_negative and min(value, low) < 0:
            clamped = True
            value, low, high = max(value, 0.0), max(low, 0.0), max(high, 0.0)
        out.append(ForecastPoint(point.date, value, min(low, value), max(high, value)))
    return tuple(out), clamped


def _build_forecast(
    observations: Sequence[tuple[dt.date, float]],
    horizon: dt.date,
    *,
    level: float,
    n_boot: int,
    seed: int,
    max_points: int,
) -> Forecast:
    if not 0.0 < level < 1.0:
        raise ValueError("level must be between 0 and 1")
    if n_boot < 0:
        raise ValueError("n_boot must not be negative")
    if max_points < MIN_POINTS:
        raise ValueError(f"max_points must be at least {MIN_POINTS}")
    if isinstance(horizon, dt.datetime):
        horizon = horizon.date()

    clean = clean_observations(observations)
    last_observed = clean[-1] if clean else None
    if len(clean) < MIN_POINTS:
        return Forecast(
            points=(),
            slope_per_year=None,
            intercept=None,
            method=METHOD_NONE,
            reason=REASON_TOO_FEW_POINTS,
            n_used=len(clean),
            last_observed=last_observed,
            level=level,
            horizon=horizon,
        )

    origin = clean[0][0]
    t_origin = decimal_year(origin)
    raw_times = [decimal_year(day) - t_origin for day, _ in clean]
    raw_values = [value for _, value in clean]
    times, values = _downsample(raw_times, raw_values, max_points)
    n = len(times)
    last_day = clean[-1][0]
    eval_dates = [last_day, *_forecast_dates(last_day, horizon)]
    eval_times = [decimal_year(day) - t_origin for day in eval_dates]
    reason = None if len(eval_dates) > 1 else REASON_HORIZON_PASSED

    if min(raw_values) == max(raw_values):
        flat = raw_values[0]
        points = [ForecastPoint(day, flat, flat, flat) for day in eval_dates]
        return Forecast(
            points=tuple(points[1:]),
            slope_per_year=0.0,
            intercept=flat,
            method=METHOD_FLAT,
            reason=reason,
            n_used=n,
            origin=origin,
            last_observed=last_observed,
            anchor=points[0],
            level=level,
            horizon=horizon,
        )

    first, second = _pairs(n)
    slope = _median_slope(times, values, first, second)
    intercept = median(map(sub, values, map(mul, times, repeat(slope))))
    fitted_eval = [intercept + slope * t for t in eval_times]
    residuals = [y - (intercept + slope * t) for t, y in zip(times, values, strict=True)]
    scale = max(1.0, max(abs(y) for y in values))
    exact = max(abs(e) for e in residuals) <= 1e-12 * scale

    if exact or n_boot == 0:
        lows, highs = fitted_eval, fitted_eval
    else:
        lows, highs = _bootstrap_band(
            times=times,
            eval_times=eval_times,
            slope=slope,
            intercept=intercept,
            residuals=residuals,
            noise=(
                residuals
                if n == len(raw_times)
                else [y - (intercept + slope * t) for t, y in zip(raw_times, raw_values, strict=True)]
            ),
            level=level,
            n_boot=n_boot,
            seed=seed,
        )
    points = [
        ForecastPoint(day, value, min(low, value), max(high, value))
        for day, value, low, high in zip(eval_dates, fitted_eval, lows, highs, strict=True)
    ]
    return Forecast(
        points=tuple(points[1:]),
        slope_per_year=slope,
        intercept=intercept,
        method=METHOD_THEIL_SEN,
        reason=reason,
        n_used=n,
        origin=origin,
        last_observed=last_observed,
        anchor=points[0],
        level=level,
        horizon=horizon,
    )


def _bootstrap_band(
    *,
    times: list[float],
    eval_times: list[float],
    slope: float,
    intercept: float,
    residuals: list[float],
    noise: list[float],
    level: float,
    n_boot: int,
    seed: int,
) -> tuple[list[float], list[float]]:
    """Residual-bootstrap quantiles (low, high) at each of ``eval_times``.

    With ``y* = a + b·t + e*`` the refitted slope is ``b + median((e*_j - e*_i) / (t_j - t_i))``
    and the refitted intercept ``a + median(e*_i - (b* - b)·t_i)``: only the residuals move.
    Beyond ``BOOTSTRAP_MAX_POINTS`` points the refit runs on that many evenly spaced points
    and its deviations are scaled by ``sqrt(m / n)`` (m-out-of-n bootstrap).
    """
    n, m = len(times), len(eval_times)
    size = min(n, BOOTSTRAP_MAX_POINTS)
    design = times if size == n else [times[round(k * (n - 1) / (size - 1))] for k in range(size)]
    shrink = math.sqrt(size / n)
    first, second = _pairs(size)
    get_i, get_j = _getter(first), _getter(second)
    inverse = [1.0 / d for d in map(sub, get_j(design), get_i(design))]
    rng = random.Random(seed)
    # Residuals of a fit are smaller than the errors: inflate by sqrt(n / (n - 2)).  Medians
    # of resampled residuals suffer from ties, so each draw is also jittered (smoothed
    # bootstrap) by a normal kernel of width SMOOTHING * robust spread * n^(-1/5).
    inflate = math.sqrt(n / (n - 2)) if n > 2 else 1.0
    kernel = SMOOTHING * 1.4826 * median(abs(e) for e in residuals) * n**-0.2
    draws = list(
        map(
            add,
            map(mul, rng.choices(residuals, k=size * n_boot), repeat(inflate)),
            map(mul, rng.choices(_NORMAL_GRID, k=size * n_boot), repeat(kernel)),
        )
    )
    noise_inflate = math.sqrt(len(noise) / (len(noise) - 2)) if len(noise) > 2 else 1.0
    extra = list(map(mul, rng.choices(noise, k=m * n_boot), repeat(noise_inflate)))
    rows: list[list[float]] = []
    for b in range(n_boot):
        errors = draws[b * size : (b + 1) * size]
        delta = median(map(mul, map(sub, get_j(errors), get_i(errors)), inverse))
        shift = median(map(sub, errors, map(mul, design, repeat(delta))))
        boot_slope = slope + shrink * delta
        boot_intercept = intercept + shrink * shift
        boot_line = [boot_intercept + boot_slope * t for t in eval_times]
        rows.append(list(map(add, boot_line, extra[b * m : (b + 1) * m])))
    q_low, q_high = (1.0 - level) / 2.0, (1.0 + level) / 2.0
    lows: list[float] = []
    highs: list[float] = []
    for column in zip(*rows, strict=True):
        sample = sorted(column)
        lows.append(_quantile(sample, q_low))
        highs.append(_quantile(sample, q_high))
    return lows, highs


def trend_value(forecast: Forecast, day: dt.date) -> float | None:
    """The fitted line's value on any ``day`` (extrapolating), or None when there is no line."""
    slope, intercept, origin = forecast.slope_per_year, forecast.intercept, forecast.origin
    if slope is None or intercept is None or origin is None:
        return None
    value = intercept + slope * (decimal_year(day) - decimal_year(origin))
    if forecast.integer:
        value = _round_half_up(value)
    return max(value, 0.0) if forecast.non_negative else value


def point_at(forecast: Forecast, day: dt.date) -> ForecastPoint | None:
    """Value and band on ``day``, interpolated linearly between the neighbouring points.

    Defined from the last observation (``anchor``) to the last forecast point; None outside
    that range or when there are no points.
    """
    if forecast.anchor is None or not forecast.points:
        return None
    nodes = (forecast.anchor, *forecast.points)
    if day < nodes[0].date or day > nodes[-1].date:
        return None
    for before, after in zip(nodes, nodes[1:], strict=False):
        if day == before.date:
            return before
        if day == after.date:
            return after
        if before.date < day < after.date:
            share = (day - before.date).days / (after.date - before.date).days
            return ForecastPoint(
                day,
                before.value + share * (after.value - before.value),
                before.low + share * (after.low - before.low),
                before.high + share * (after.high - before.high),
            )
    return None  # unreachable: day lies within [first node, last node]


def value_at(forecast: Forecast, day: dt.date) -> float | None:
    """Forecast value on ``day`` (linear interpolation, see :func:`point_at`), or None."""
    point = point_at(forecast, day)
    return None if point is None else point.value
