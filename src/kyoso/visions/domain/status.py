"""KPI status against targets, with the rule that decided it and the numbers behind it.

Plain Python (no Django).  :func:`assess` returns an :class:`Assessment`: a :class:`Status`,
a stable ``rule`` code and ``explanation_params`` (JSON-serialisable numbers, dates as ISO
strings) from which a UI writes a translated sentence; :func:`explain_en` writes the English
one.

Rules, applied in this order
============================

``direction`` is ``"higher"`` (more is better) or ``"lower"`` (less is better); "meets" means
``value >= target`` for higher and ``value <= target`` for lower, and a *shortfall* is how far
a value is on the wrong side of the target (negative or zero when it meets it).

1. No usable observation (none, or only non-finite values) → ``no_data`` / ``no_observations``.
2. Freshness of the latest observation (:func:`freshness`).  With the KPI's update
   ``frequency`` (``monthly``, ``quarterly``, ``yearly``, ``census``) the next value is *due*
   one update interval plus the publication lag after the latest one
   (:data:`UPDATE_INTERVAL_DAYS` + :data:`PUBLICATION_LAG_DAYS`: 91 days for monthly, 182 for
   quarterly, 766 for yearly, 2,227 for census figures) and the data is *stale* once a second
   update is missed too (interval × 2 + lag).  Without a frequency, data older than
   ``stale_after_days`` (400) is stale and nothing is ever due.
   Stale data → ``no_data`` / ``stale``: the status cannot be judged from current figures, but
   the data exists, so pages label it 「古いデータ」, never 「データなし」 (the
   :attr:`Assessment.freshness` is ``"stale"``).  Data that is due but not stale is assessed by
   the rules below as usual, with freshness ``"due"`` (pages add 「更新待ち」).
3. No targets → status from the trend alone (the forecast's slope; without one, latest minus
   the baseline, or minus the earliest observation): improving → ``on_track`` /
   ``improving_no_target``; worsening → ``at_risk`` / ``worsening_no_target``; exactly flat →
   ``on_track`` / ``stable_no_target``; no way to tell (a single observation, no baseline, no
   fitted line) → ``no_data`` / ``no_trend_no_target``.
4. The applicable target is the one of the nearest target fiscal year at or after the fiscal
   year of the latest observation (April–March: 2026-03-31 is in FY2025).  If every target
   year is already over, the last target applies.
5. The latest observation already meets the applicable target → ``on_track`` /
   ``meets_target`` (also when met years early) — unless the target's year is still ahead and
   the fitted trend (as in rule 7) no longer meets it at the end of that year: a ceiling that a
   lower-is-better KPI is still under, or a floor a higher-is-better one is still above, but
   that the trend crosses before the target year → ``at_risk`` / ``trend_crosses_target``
   (with ``crossing_date``, the day the fitted line reaches the target).
6. The target's fiscal year is over and it was not met → ``off_track`` /
   ``target_year_passed``.
7. With a fitted forecast, take its value at the end of the target's fiscal year (31 March of
   year + 1; interpolated between forecast points, or read off the fitted line when the
   forecast does not reach that date):

   * it meets the target → ``on_track`` / ``forecast_meets_target``;
   * its shortfall is at most ``tolerance × |target − baseline|`` (``× |target|`` when there is
     no baseline or it equals the target) → ``at_risk`` / ``forecast_near_target``;
   * otherwise → ``off_track`` / ``forecast_misses_target``.

8. Without a fitted forecast (``None`` or too few points): the latest value is compared with
   the straight path from the baseline (value at ``baseline_date``; by default the baseline is
   the earliest observation's value and date) to the target at the end of its fiscal year,
   evaluated at the latest observation's date.  Its shortfall against that path is at most the
   same allowance → ``at_risk`` / ``on_linear_path`` (on course, but too little data to
   confirm it with a forecast, so never ``on_track``); otherwise → ``off_track`` /
   ``behind_linear_path``.

Whenever a forecast value is used and the forecast had to be clamped at zero (a count or other
quantity that cannot be negative, see ``forecast.py``), ``explanation_params`` holds
``forecast_clamped: True`` so that the explanation can say so.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, Literal

from kyoso.visions.domain.forecast import (
    Forecast,
    clean_observations,
    decimal_year,
    fiscal_year,
    fiscal_year_end,
    point_at,
    trend_value,
)

__all__ = [
    "PUBLICATION_LAG_DAYS",
    "RULES",
    "UPDATE_INTERVAL_DAYS",
    "Assessment",
    "Direction",
    "Status",
    "assess",
    "explain_en",
    "freshness",
    "freshness_limits",
]

Direction = Literal["higher", "lower"]


class Status(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    NO_DATA = "no_data"


RULE_NO_OBSERVATIONS = "no_observations"
RULE_STALE = "stale"
RULE_TREND_CROSSES_TARGET = "trend_crosses_target"
RULE_IMPROVING_NO_TARGET = "improving_no_target"
RULE_WORSENING_NO_TARGET = "worsening_no_target"
RULE_STABLE_NO_TARGET = "stable_no_target"
RULE_NO_TREND_NO_TARGET = "no_trend_no_target"
RULE_MEETS_TARGET = "meets_target"
RULE_TARGET_YEAR_PASSED = "target_year_passed"
RULE_FORECAST_MEETS_TARGET = "forecast_meets_target"
RULE_FORECAST_NEAR_TARGET = "forecast_near_target"
RULE_FORECAST_MISSES_TARGET = "forecast_misses_target"
RULE_ON_LINEAR_PATH = "on_linear_path"
RULE_BEHIND_LINEAR_PATH = "behind_linear_path"

#: Every rule code and the status it gives.
RULES: Mapping[str, Status] = {
    RULE_NO_OBSERVATIONS: Status.NO_DATA,
    RULE_STALE: Status.NO_DATA,
    RULE_IMPROVING_NO_TARGET: Status.ON_TRACK,
    RULE_WORSENING_NO_TARGET: Status.AT_RISK,
    RULE_STABLE_NO_TARGET: Status.ON_TRACK,
    RULE_NO_TREND_NO_TARGET: Status.NO_DATA,
    RULE_MEETS_TARGET: Status.ON_TRACK,
    RULE_TREND_CROSSES_TARGET: Status.AT_RISK,
    RULE_TARGET_YEAR_PASSED: Status.OFF_TRACK,
    RULE_FORECAST_MEETS_TARGET: Status.ON_TRACK,
    RULE_FORECAST_NEAR_TARGET: Status.AT_RISK,
    RULE_FORECAST_MISSES_TARGET: Status.OFF_TRACK,
    RULE_ON_LINEAR_PATH: Status.AT_RISK,
    RULE_BEHIND_LINEAR_PATH: Status.OFF_TRACK,
}


@dataclass(frozen=True)
class Assessment:
    """The status, the rule code that decided it, and the numbers the rule used.

    ``explanation_params`` always holds ``direction``; apart from ``no_observations`` it holds
    ``latest_value`` and ``latest_date``.  ``stale`` adds ``days_since_latest`` and
    ``stale_after_days``; the no-target rules add ``slope_per_year`` or ``change``; target
    rules add ``target``, ``target_fiscal_year``, ``target_date``, ``baseline``,
    ``tolerance`` and ``gap`` (shortfall: > 0 means on the wrong side of the target or path);
    forecast and path rules add ``allowed_gap``; forecast rules add ``forecast_value``,
    ``forecast_low``, ``forecast_high`` (None when read off the line), ``forecast_date`` and
    ``slope_per_year``; path rules add ``path_value``, ``path_start_value`` and
    ``path_start_date``.  Dates are ISO strings; everything is JSON-serialisable.
    """

    status: Status
    rule: str
    explanation_params: dict[str, Any] = field(default_factory=dict)
    #: "none" (no observation), "current", "due" (the next value is expected by now: 更新待ち) or "stale".
    freshness: str = "current"


#: Days between two values, by update frequency.
UPDATE_INTERVAL_DAYS: Mapping[str, int] = {"monthly": 31, "quarterly": 92, "yearly": 366, "census": 1827}
#: Days from a value's reference date to its publication (official statistics take about a year).
PUBLICATION_LAG_DAYS: Mapping[str, int] = {"monthly": 60, "quarterly": 90, "yearly": 400, "census": 400}


def freshness_limits(frequency: str) -> tuple[int, int]:
    """(due_after_days, stale_after_days) for an update frequency (see rule 2)."""
    interval = UPDATE_INTERVAL_DAYS[frequency]
    lag = PUBLICATION_LAG_DAYS[frequency]
    return interval + lag, 2 * interval + lag


def freshness(latest: dt.date, today: dt.date, frequency: str | None = None,
              stale_after_days: int | None = None) -> str:
    """``"current"``, ``"due"`` or ``"stale"`` for data whose latest value is dated ``latest`` (rule 2)."""
    age = (today - latest).days
    if frequency is not None and frequency in UPDATE_INTERVAL_DAYS:
        due_after, stale_after = freshness_limits(frequency)
        if stale_after_days is not None:
            stale_after = stale_after_days
    else:
        due_after, stale_after = None, (400 if stale_after_days is None else stale_after_days)
    if age > stale_after:
        return "stale"
    if due_after is not None and age > due_after:
        return "due"
    return "current"


def _shortfall(direction: Direction, value: float, target: float) -> float:
    """How far ``value`` is on the wrong side of ``target`` (<= 0 when it meets it)."""
    return target - value if direction == "higher" else value - target


def _allowance(tolerance: float, target: float, baseline: float | None) -> float:
    span = abs(target - baseline) if baseline is not None else 0.0
    return tolerance * (span if span > 0 else abs(target))


def _result(rule: str, params: dict[str, Any], fresh: str = "current") -> Assessment:
    return Assessment(RULES[rule], rule, params, fresh)


def _crossing_date(forecast: Forecast, target: float) -> dt.date | None:
    """The day the fitted line reaches ``target`` (None when it is flat or has no line)."""
    slope, intercept, origin = forecast.slope_per_year, forecast.intercept, forecast.origin
    if not slope or intercept is None or origin is None:
        return None
    years = (target - intercept) / slope
    start = decimal_year(origin)
    moment = start + years
    year = math.floor(moment)
    if not dt.MINYEAR <= year <= dt.MAXYEAR - 1:
        return None
    length = dt.date(year + 1, 1, 1).toordinal() - dt.date(year, 1, 1).toordinal()
    return dt.date(year, 1, 1) + dt.timedelta(days=math.floor((moment - year) * length))


def _forecast_at(forecast: Forecast | None, day: dt.date) -> tuple[float | None, Any]:
    """The forecast value on ``day`` (interpolated point, else the fitted line) and the point, if any."""
    if forecast is None or forecast.slope_per_year is None:
        return None, None
    point = point_at(forecast, day)
    return (point.value if point is not None else trend_value(forecast, day)), point


def assess(
    direction: Direction,
    baseline: float | None,
    targets: Mapping[int, float],
    observations: Sequence[tuple[dt.date, float]],
    forecast: Forecast | None,
    today: dt.date,
    stale_after_days: int | None = None,
    tolerance: float = 0.05,
    *,
    baseline_date: dt.date | None = None,
    frequency: str | None = None,
) -> Assessment:
    """Status of a KPI on ``today`` (see the module docstring for the rules)."""
    if direction not in ("higher", "lower"):
        raise ValueError(f"direction must be 'higher' or 'lower', not {direction!r}")
    if tolerance < 0:
        raise ValueError("tolerance must not be negative")
    clean = clean_observations(observations)
    params: dict[str, Any] = {"direction": direction}
    if not clean:
        return _result(RULE_NO_OBSERVATIONS, params, "none")

    latest_date, latest = clean[-1]
    age = (today - latest_date).days
    params.update(latest_value=latest, latest_date=latest_date.isoformat())
    fresh = freshness(latest_date, today, frequency, stale_after_days)
    if frequency in UPDATE_INTERVAL_DAYS:
        params["frequency"] = frequency
    if fresh != "current":
        limit = stale_after_days if frequency is None or frequency not in UPDATE_INTERVAL_DAYS or (
            stale_after_days is not None) else freshness_limits(frequency)[1]
        params.update(days_since_latest=age, stale_after_days=400 if limit is None else limit)
    if fresh == "stale":
        return _result(RULE_STALE, params, fresh)
    if forecast is not None and forecast.clamped:
        params["forecast_clamped"] = True
    result = _assess_data(direction, baseline, targets, clean, forecast, tolerance, baseline_date, params)
    return replace(result, freshness=fresh)


def _assess_data(
    direction: Direction,
    baseline: float | None,
    targets: Mapping[int, float],
    clean: list[tuple[dt.date, float]],
    forecast: Forecast | None,
    tolerance: float,
    baseline_date: dt.date | None,
    params: dict[str, Any],
) -> Assessment:
    """Rules 3-8 on data that is not stale."""
    latest_date, latest = clean[-1]
    if not targets:
        return _assess_trend(direction, baseline, clean, forecast, params)

    latest_year = fiscal_year(latest_date)
    upcoming = [year for year in targets if year >= latest_year]
    target_year = min(upcoming) if upcoming else max(targets)
    target = float(targets[target_year])
    target_date = fiscal_year_end(target_year)
    params.update(
        target=target,
        target_fiscal_year=target_year,
        target_date=target_date.isoformat(),
        baseline=baseline,
        tolerance=tolerance,
    )
    gap_now = _shortfall(direction, latest, target)
    if gap_now <= 0:
        params["gap"] = gap_now
        forecast_value, _point = _forecast_at(forecast, target_date) if upcoming else (None, None)
        if forecast is not None and forecast_value is not None and _shortfall(direction, forecast_value, target) > 0:
            crossing = _crossing_date(forecast, target)
            params.update(forecast_value=forecast_value, forecast_date=target_date.isoformat(),
                          slope_per_year=forecast.slope_per_year,
                          crossing_date=crossing.isoformat() if crossing else None)
            return _result(RULE_TREND_CROSSES_TARGET, params)
        return _result(RULE_MEETS_TARGET, params)
    if not upcoming:
        params["gap"] = gap_now
        return _result(RULE_TARGET_YEAR_PASSED, params)

    allowed = _allowance(tolerance, target, baseline)
    params["allowed_gap"] = allowed
    if forecast is not None and forecast.slope_per_year is not None:
        forecast_value, point = _forecast_at(forecast, target_date)
        if forecast_value is not None:
            gap = _shortfall(direction, forecast_value, target)
            params.update(
                forecast_value=forecast_value,
                forecast_low=None if point is None else point.low,
                forecast_high=None if point is None else point.high,
                forecast_date=target_date.isoformat(),
                slope_per_year=forecast.slope_per_year,
                gap=gap,
            )
            if gap <= 0:
                return _result(RULE_FORECAST_MEETS_TARGET, params)
            if gap <= allowed:
                return _result(RULE_FORECAST_NEAR_TARGET, params)
            return _result(RULE_FORECAST_MISSES_TARGET, params)

    start_value = baseline if baseline is not None else clean[0][1]
    start_date = baseline_date if baseline_date is not None else clean[0][0]
    total_days = (target_date - start_date).days
    share = 1.0 if total_days <= 0 else min(1.0, max(0.0, (latest_date - start_date).days / total_days))
    path_value = start_value + share * (target - start_value)
    gap = _shortfall(direction, latest, path_value)
    params.update(path_value=path_value, path_start_value=start_value, path_start_date=start_date.isoformat(), gap=gap)
    if gap <= allowed:
        return _result(RULE_ON_LINEAR_PATH, params)
    return _result(RULE_BEHIND_LINEAR_PATH, params)


def _assess_trend(
    direction: Direction,
    baseline: float | None,
    clean: list[tuple[dt.date, float]],
    forecast: Forecast | None,
    params: dict[str, Any],
) -> Assessment:
    latest = clean[-1][1]
    change: float | None
    if forecast is not None and forecast.slope_per_year is not None:
        change = forecast.slope_per_year
        params["slope_per_year"] = change
    elif baseline is not None:
        change = latest - baseline
        params.update(baseline=baseline, change=change)
    elif len(clean) >= 2:
        change = latest - clean[0][1]
        params.update(first_value=clean[0][1], first_date=clean[0][0].isoformat(), change=change)
    else:
        change = None
    if change is None or math.isnan(change):
        return _result(RULE_NO_TREND_NO_TARGET, params)
    improvement = change if direction == "higher" else -change
    if improvement > 0:
        return _result(RULE_IMPROVING_NO_TARGET, params)
    if improvement < 0:
        return _result(RULE_WORSENING_NO_TARGET, params)
    return _result(RULE_STABLE_NO_TARGET, params)


def _num(value: Any) -> str:
    """A number for an English sentence: ``1,234,567``, ``28.6``, ``0.0123``."""
    if value is None:
        return "n/a"
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        if value == round(value) and abs(value) < 1e15:
            return f"{value:,.0f}"
        if abs(value) >= 1000:
            return f"{value:,.1f}"
        return f"{value:.4g}"
    return str(value)


_TEMPLATES_EN: Mapping[str, str] = {
    RULE_NO_OBSERVATIONS: "No data: nothing has been observed for this indicator yet.",
    RULE_STALE: (
        "Old data: the latest value ({latest_value}, {latest_date}) is {days_since_latest} days old, "
        "more than the {stale_after_days} days allowed."
    ),
    RULE_IMPROVING_NO_TARGET: "On track: there is no target, and the indicator is improving (latest {latest_value}).",
    RULE_WORSENING_NO_TARGET: "At risk: there is no target, and the indicator is worsening (latest {latest_value}).",
    RULE_STABLE_NO_TARGET: "On track: there is no target, and the indicator is stable (latest {latest_value}).",
    RULE_NO_TREND_NO_TARGET: (
        "Not enough data: there is no target and a single value ({latest_value}, {latest_date}) shows no trend."
    ),
    RULE_MEETS_TARGET: (
        "On track: the latest value {latest_value} ({latest_date}) already meets "
        "the FY{target_fiscal_year} target of {target}."
    ),
    RULE_TREND_CROSSES_TARGET: (
        "At risk: the latest value {latest_value} ({latest_date}) meets the FY{target_fiscal_year} target of "
        "{target} today, but the trend crosses it around {crossing_date} and forecasts {forecast_value} "
        "by {forecast_date}."
    ),
    RULE_TARGET_YEAR_PASSED: (
        "Off track: FY{target_fiscal_year} is over and the latest value {latest_value} ({latest_date}) "
        "misses its target of {target} by {gap}."
    ),
    RULE_FORECAST_MEETS_TARGET: (
        "On track: the trend forecasts {forecast_value} by {forecast_date}, "
        "meeting the FY{target_fiscal_year} target of {target}."
    ),
    RULE_FORECAST_NEAR_TARGET: (
        "At risk: the trend forecasts {forecast_value} by {forecast_date}, {gap} short of the "
        "FY{target_fiscal_year} target of {target} (within the tolerated {allowed_gap})."
    ),
    RULE_FORECAST_MISSES_TARGET: (
        "Off track: the trend forecasts {forecast_value} by {forecast_date}, {gap} short of the "
        "FY{target_fiscal_year} target of {target} (more than the tolerated {allowed_gap})."
    ),
    RULE_ON_LINEAR_PATH: (
        "At risk: the latest value {latest_value} ({latest_date}) is on the straight path to the "
        "FY{target_fiscal_year} target of {target} (path value {path_value}), but there are too few "
        "data points for a forecast."
    ),
    RULE_BEHIND_LINEAR_PATH: (
        "Off track: the latest value {latest_value} ({latest_date}) is {gap} behind the straight path to the "
        "FY{target_fiscal_year} target of {target} (path value {path_value})."
    ),
}


def explain_en(assessment: Assessment) -> str:
    """An English sentence for ``assessment`` (the web layer translates its own templates)."""
    template = _TEMPLATES_EN.get(assessment.rule)
    if template is None:
        return f"{assessment.status.value}: {assessment.rule}"

    class _Params(dict[str, Any]):
        def __missing__(self, key: str) -> str:
            return "n/a"

    return template.format_map(_Params({key: _num(value) for key, value in assessment.explanation_params.items()}))
