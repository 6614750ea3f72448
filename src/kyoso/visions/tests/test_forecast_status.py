"""Forecast (Theil–Sen + residual bootstrap) and KPI status rules: plain Python, no database."""

from __future__ import annotations

import json
import math
import random
import statistics
from datetime import date

import pytest

from kyoso.visions.domain.forecast import (
    REASON_HORIZON_PASSED,
    REASON_TOO_FEW_POINTS,
    Forecast,
    ForecastPoint,
    build_forecast,
    decimal_year,
    fiscal_year,
    fiscal_year_end,
    point_at,
    theil_sen,
    trend_value,
    value_at,
)
from kyoso.visions.domain.status import RULES, Assessment, Status, assess, explain_en


def yearly(first_year: int, values: list[float], month: int = 1, day: int = 1) -> list[tuple[date, float]]:
    return [(date(first_year + k, month, day), v) for k, v in enumerate(values)]


def monthly(first_year: int, count: int, value) -> list[tuple[date, float]]:
    out = []
    for m in range(count):
        day = date(first_year + m // 12, m % 12 + 1, 15)
        out.append((day, value(day)))
    return out


def assert_band_ordered(forecast: Forecast) -> None:
    for point in forecast.points:
        assert point.low <= point.value <= point.high, point


# --------------------------------------------------------------------------- fiscal years


def test_fiscal_year_boundaries():
    assert fiscal_year(date(2026, 3, 31)) == 2025
    assert fiscal_year(date(2026, 4, 1)) == 2026
    assert fiscal_year(date(2026, 1, 1)) == 2025
    assert fiscal_year_end(2025) == date(2026, 3, 31)


def test_decimal_year():
    assert decimal_year(date(2024, 1, 1)) == 2024.0
    assert decimal_year(date(2024, 7, 2)) == 2024.5  # day 183 of a 366-day year
    assert decimal_year(date(2023, 12, 31)) == pytest.approx(2023 + 364 / 365)


# --------------------------------------------------------------------------- forecast


def test_perfect_line_exact_slope_exact_forecast_zero_band():
    observations = yearly(2015, [2 * k + 1 for k in range(10)])  # y = 2x + 1, x = years since 2015
    fc = build_forecast(observations, date(2030, 12, 31))
    assert fc.reason is None
    assert fc.method == "theil_sen"
    assert fc.slope_per_year == 2.0
    assert fc.intercept == 1.0
    assert fc.origin == date(2015, 1, 1)
    assert fc.n_used == 10
    assert fc.last_observed == (date(2024, 1, 1), 19.0)
    # One point per fiscal-year end after the last observation, then the horizon itself.
    assert [p.date for p in fc.points] == [date(y, 3, 31) for y in range(2024, 2031)] + [date(2030, 12, 31)]
    for p in fc.points:
        assert p.value == 1.0 + 2.0 * (decimal_year(p.date) - 2015)
        assert p.low == p.value == p.high
    # Independent check of one value: 2028-03-31 is day 91 of a leap year.
    assert value_at(fc, date(2028, 3, 31)) == pytest.approx(1 + 2 * (13 + 90 / 366), abs=1e-12)


def test_outlier_does_not_move_theil_sen_but_moves_least_squares():
    xs = list(range(11))
    ys = [3.0 * x + 10.0 for x in xs]
    ys[8] += 1000.0
    ols = statistics.linear_regression(xs, ys).slope
    assert abs(ols - 3.0) > 10  # the fixture really breaks least squares
    slope, intercept = theil_sen([float(x) for x in xs], ys)
    assert slope == pytest.approx(3.0, abs=1e-12)
    assert intercept == pytest.approx(10.0, abs=1e-12)

    fc = build_forecast(yearly(2015, ys), date(2030, 3, 31))
    assert fc.slope_per_year == pytest.approx(3.0, abs=1e-12)
    end = fc.points[-1]
    assert end.value == pytest.approx(10 + 3 * (decimal_year(end.date) - 2015), abs=1e-9)
    assert_band_ordered(fc)


def test_flat_series_flat_forecast_zero_band():
    fc = build_forecast(yearly(2018, [42.5] * 6), date(2030, 3, 31))
    assert fc.method == "flat"
    assert fc.reason is None
    assert fc.slope_per_year == 0.0
    assert fc.points
    assert all(p.value == p.low == p.high == 42.5 for p in fc.points)


def test_noisy_series_band_contains_truth_and_is_reproducible():
    rng = random.Random(20240401)

    def truth(day: date) -> float:
        return 100.0 - 1.2 * (decimal_year(day) - 2016)

    observations = monthly(2016, 120, lambda d: truth(d) + rng.gauss(0, 1.5))
    horizon = date(2035, 3, 31)
    fc = build_forecast(observations, horizon, seed=7)
    assert fc.reason is None
    assert fc.slope_per_year == pytest.approx(-1.2, abs=0.3)
    assert len(fc.points) == 10  # FY2025 … FY2034 ends; the horizon is itself a fiscal-year end
    for p in fc.points:
        assert p.low <= p.value <= p.high
        assert p.low < p.high
        assert p.low <= truth(p.date) <= p.high
    # The band is for a future *observation*: it covers new noisy values about 80 % of the time.
    inside = total = 0
    for p in fc.points:
        for _ in range(50):
            total += 1
            inside += p.low <= truth(p.date) + rng.gauss(0, 1.5) <= p.high
    assert 0.65 <= inside / total <= 0.95
    # Uncertainty grows with the distance to the data.
    assert fc.points[-1].high - fc.points[-1].low > fc.points[0].high - fc.points[0].low
    # Same seed, same result; another seed changes the band but not the point forecast.
    assert build_forecast(observations, horizon, seed=7) == fc
    other = build_forecast(observations, horizon, seed=8)
    assert [p.value for p in other.points] == [p.value for p in fc.points]
    assert [p.low for p in other.points] != [p.low for p in fc.points]
    # A higher level gives a wider band.
    wide = build_forecast(observations, horizon, level=0.95).points[-1]
    narrow = build_forecast(observations, horizon, level=0.5).points[-1]
    assert wide.high - wide.low > narrow.high - narrow.low


def test_missing_years_use_real_time_not_index():
    observations = [(date(y, 1, 1), 100.0 - 2.0 * (y - 2010)) for y in (2010, 2011, 2014, 2015, 2019)]
    fc = build_forecast(observations, date(2025, 3, 31))
    assert fc.slope_per_year == -2.0  # by index it would be -4.5 per step
    assert fc.points[0].date == date(2019, 3, 31)
    assert fc.points[-1].value == pytest.approx(100 - 2 * (decimal_year(date(2025, 3, 31)) - 2010), abs=1e-9)
    assert all(p.low == p.value == p.high for p in fc.points)


def test_monthly_twenty_years_is_fast():
    rng = random.Random(3)
    observations = monthly(
        2005,
        240,
        lambda d: 50 + 0.5 * (decimal_year(d) - 2005) + math.sin(d.month / 12 * 2 * math.pi) + rng.gauss(0, 1),
    )
    fc = build_forecast(observations, date(2040, 3, 31))  # speed: see `kyoso bench-vision`, not a timed test
    assert fc.n_used == 240
    assert fc.slope_per_year == pytest.approx(0.5, abs=0.1)
    assert_band_ordered(fc)


def test_long_series_are_downsampled_and_stay_fast():
    rng = random.Random(4)
    observations = monthly(1996, 360, lambda d: 10 + 0.3 * (decimal_year(d) - 1996) + rng.gauss(0, 1))
    fc = build_forecast(observations, date(2035, 3, 31))
    assert 200 < fc.n_used <= 240
    assert fc.slope_per_year == pytest.approx(0.3, abs=0.05)
    coarse = build_forecast(observations, date(2035, 3, 31), max_points=24)
    assert coarse.n_used <= 24
    assert coarse.slope_per_year == pytest.approx(0.3, abs=0.05)

    daily = [(date.fromordinal(date(2010, 1, 1).toordinal() + k), 5 + 0.001 * k + rng.gauss(0, 1)) for k in range(3650)]
    fc_daily = build_forecast(daily, date(2030, 3, 31))
    assert fc_daily.n_used <= 240
    assert fc_daily.slope_per_year == pytest.approx(0.001 * 365.25, abs=0.05)
    assert_band_ordered(fc_daily)


def test_more_than_200_points_uses_pair_subsample_and_stays_exact_on_a_line():
    observations = monthly(2000, 300, lambda d: 7.0 + 2.0 * (decimal_year(d) - 2000))
    fc = build_forecast(observations, date(2030, 3, 31))
    assert fc.n_used == 240  # 300 monthly points averaged into at most 240 periods
    assert fc.slope_per_year == pytest.approx(2.0, abs=1e-9)
    assert all(p.low == p.value == p.high for p in fc.points)
    # A line whose values carry floating-point rounding (origin 2000-01-15, not 2000.0) still has no band.
    rounded = monthly(2000, 120, lambda d: 0.1 + 0.7 * (decimal_year(d) - 2000))
    fc_rounded = build_forecast(rounded, date(2020, 3, 31))
    assert fc_rounded.slope_per_year == pytest.approx(0.7, abs=1e-12)
    assert all(p.low == p.value == p.high for p in fc_rounded.points)
    times = [decimal_year(d) - 2000 for d, _ in observations]
    slope, intercept = theil_sen(times, [7.0 + 2.0 * t for t in times])  # 300 points, no downsampling
    assert slope == pytest.approx(2.0, abs=1e-9)
    assert intercept == pytest.approx(7.0, abs=1e-9)


def test_fewer_than_three_points_gives_no_forecast():
    for observations in (
        [],
        [(date(2020, 1, 1), 1.0)],
        [(date(2020, 1, 1), 1.0), (date(2021, 1, 1), 2.0)],
        [(date(2020, 1, 1), 1.0), (date(2020, 1, 1), 3.0), (date(2021, 1, 1), 2.0)],  # two distinct dates
        [(date(2020, 1, 1), 1.0), (date(2021, 1, 1), float("nan")), (date(2022, 1, 1), 2.0)],
    ):
        fc = build_forecast(observations, date(2030, 3, 31))
        assert fc.reason == REASON_TOO_FEW_POINTS
        assert fc.method == "none"
        assert fc.points == ()
        assert fc.slope_per_year is None
        assert value_at(fc, date(2025, 3, 31)) is None
        assert trend_value(fc, date(2025, 3, 31)) is None
    three = build_forecast(yearly(2020, [1.0, 2.0, 3.0]), date(2030, 3, 31))
    assert three.reason is None
    assert three.slope_per_year == 1.0


def test_forecast_dates_start_after_last_observation():
    line = [1.0, 2.0, 4.0]
    during_year = build_forecast(yearly(2022, line, month=6, day=30), date(2027, 3, 31))
    assert [p.date for p in during_year.points] == [date(y, 3, 31) for y in range(2025, 2028)]
    on_year_end = build_forecast(yearly(2023, line, month=3, day=31), date(2027, 3, 31))
    assert [p.date for p in on_year_end.points] == [date(y, 3, 31) for y in range(2026, 2028)]
    short = build_forecast(yearly(2022, line, month=6, day=30), date(2024, 12, 1))
    assert [p.date for p in short.points] == [date(2024, 12, 1)]
    passed = build_forecast(yearly(2022, line, month=6, day=30), date(2024, 6, 30))
    assert passed.reason == REASON_HORIZON_PASSED
    assert passed.points == ()
    assert passed.slope_per_year is not None


def test_value_at_interpolates_between_points():
    fc = build_forecast(yearly(2015, [2 * k + 1 for k in range(10)]), date(2030, 3, 31))
    mid = date(2026, 9, 30)
    before, after = date(2026, 3, 31), date(2027, 3, 31)
    share = (mid - before).days / (after - before).days
    expected = value_at(fc, before) + share * (value_at(fc, after) - value_at(fc, before))
    assert value_at(fc, mid) == pytest.approx(expected, abs=1e-12)
    # From the last observation (anchor) to the first fiscal-year end as well.
    assert value_at(fc, date(2024, 1, 1)) == 19.0
    assert value_at(fc, date(2024, 2, 1)) == pytest.approx(trend_value(fc, date(2024, 2, 1)), abs=1e-2)
    assert value_at(fc, date(2023, 12, 31)) is None
    assert value_at(fc, date(2030, 4, 1)) is None

    rng = random.Random(5)
    noisy = build_forecast(yearly(2012, [10 + k + rng.gauss(0, 1) for k in range(12)]), date(2030, 3, 31))
    a, b = noisy.points[2], noisy.points[3]
    halfway = date.fromordinal((a.date.toordinal() + b.date.toordinal()) // 2)
    p = point_at(noisy, halfway)
    share = (halfway - a.date).days / (b.date - a.date).days
    assert p.low == pytest.approx(a.low + share * (b.low - a.low))
    assert p.high == pytest.approx(a.high + share * (b.high - a.high))


# --------------------------------------------------------------------------- status

TODAY = date(2026, 7, 1)


def fixed_forecast(end_value: float, end: date = date(2031, 3, 31), anchor_value: float = 150.0) -> Forecast:
    """A hand-made forecast whose value at ``end`` is exactly ``end_value``."""
    anchor = ForecastPoint(date(2026, 6, 30), anchor_value, anchor_value, anchor_value)
    return Forecast(
        points=(ForecastPoint(end, end_value, end_value - 10, end_value + 10),),
        slope_per_year=(end_value - anchor_value) / 4.75,
        intercept=anchor_value,
        method="theil_sen",
        reason=None,
        n_used=5,
        origin=date(2026, 6, 30),
        last_observed=(date(2026, 6, 30), anchor_value),
        anchor=anchor,
    )


def test_no_observations_and_stale():
    a = assess("higher", 10.0, {2030: 20.0}, [], None, TODAY)
    assert (a.status, a.rule) == (Status.NO_DATA, "no_observations")
    a = assess("higher", 10.0, {2030: 20.0}, [(date(2025, 1, 1), float("nan"))], None, TODAY)
    assert (a.status, a.rule) == (Status.NO_DATA, "no_observations")

    observations = [(date(2023, 1, 1), 30.0), (date(2024, 1, 1), 31.0)]  # would meet the target
    fresh = assess("higher", 10.0, {2030: 20.0}, observations, None, date(2025, 2, 4))  # 400 days
    assert fresh.rule == "meets_target"
    exactly = assess("higher", 10.0, {2030: 31.0}, observations, None, date(2025, 2, 4))
    assert exactly.rule == "meets_target"  # equal to the target counts as meeting it
    assert assess("lower", 40.0, {2030: 31.0}, observations, None, date(2025, 2, 4)).rule == "meets_target"
    stale = assess("higher", 10.0, {2030: 20.0}, observations, None, date(2025, 2, 5))  # 401 days
    assert (stale.status, stale.rule) == (Status.NO_DATA, "stale")
    assert stale.explanation_params["days_since_latest"] == 401
    longer = assess("higher", 10.0, {2030: 20.0}, observations, None, date(2025, 2, 5), stale_after_days=500)
    assert longer.rule == "meets_target"


def test_target_met_early_is_on_track():
    observations = yearly(2023, [50.0, 55.0, 62.0], month=10)
    rising = fixed_forecast(70.0, anchor_value=62.0)  # met, and the trend keeps it met
    a = assess("higher", 40.0, {2030: 60.0}, observations, rising, TODAY)
    assert (a.status, a.rule) == (Status.ON_TRACK, "meets_target")
    falling = fixed_forecast(10.0, anchor_value=62.0)  # met today, but the trend falls below it by FY2030
    assert assess("higher", 40.0, {2030: 60.0}, observations, falling, TODAY).rule == "trend_crosses_target"
    a = assess("higher", 40.0, {2030: 60.0}, observations, None, TODAY)
    assert a.explanation_params["target_fiscal_year"] == 2030
    assert a.explanation_params["latest_value"] == 62.0
    assert a.explanation_params["latest_date"] == "2025-10-01"


def test_nearest_target_at_or_after_latest_fiscal_year_applies():
    observations = [(date(2025, 6, 1), 15.0)]
    a = assess("higher", 0.0, {2024: 10.0, 2026: 20.0, 2030: 40.0}, observations, None, TODAY)
    assert a.explanation_params["target_fiscal_year"] == 2026
    assert a.explanation_params["target"] == 20.0
    assert a.explanation_params["target_date"] == "2027-03-31"


def test_fiscal_year_boundary_selects_the_target():
    targets = {2025: 100.0, 2026: 110.0}
    march = assess("higher", 90.0, targets, [(date(2026, 3, 31), 105.0)], None, TODAY)
    assert march.rule == "meets_target"
    assert march.explanation_params["target_fiscal_year"] == 2025
    april = assess("higher", 90.0, targets, [(date(2026, 4, 1), 105.0)], None, TODAY)
    assert april.rule != "meets_target"
    assert april.explanation_params["target_fiscal_year"] == 2026


def test_forecast_tolerance_boundary_higher():
    observations = [(date(2026, 6, 30), 150.0)]
    targets = {2030: 200.0}  # assessed at 2031-03-31; allowance 0.25 × |200 − 100| = 25

    def rule(end_value: float, baseline: float | None = 100.0) -> tuple[Status, str]:
        a = assess("higher", baseline, targets, observations, fixed_forecast(end_value), TODAY, tolerance=0.25)
        return a.status, a.rule

    assert rule(200.0) == (Status.ON_TRACK, "forecast_meets_target")
    assert rule(175.0) == (Status.AT_RISK, "forecast_near_target")
    assert rule(174.99) == (Status.OFF_TRACK, "forecast_misses_target")
    # Without a baseline the allowance is 0.25 × |200| = 50.
    assert rule(150.0, baseline=None) == (Status.AT_RISK, "forecast_near_target")
    assert rule(149.99, baseline=None) == (Status.OFF_TRACK, "forecast_misses_target")

    a = assess("higher", 100.0, targets, observations, fixed_forecast(180.0), TODAY, tolerance=0.25)
    params = a.explanation_params
    assert params["forecast_value"] == 180.0
    assert params["gap"] == 20.0
    assert params["allowed_gap"] == 25.0
    assert params["forecast_date"] == "2031-03-31"
    assert (params["forecast_low"], params["forecast_high"]) == (170.0, 190.0)
    # Default tolerance 5 %: allowance 5, so 20 short is off track.
    assert assess("higher", 100.0, targets, observations, fixed_forecast(180.0), TODAY).rule == "forecast_misses_target"


def test_forecast_tolerance_boundary_lower():
    observations = [(date(2026, 6, 30), 95.0)]
    targets = {2030: 80.0}  # lower is better; allowance 0.25 × |80 − 100| = 5

    def rule(end_value: float) -> str:
        forecast = fixed_forecast(end_value, anchor_value=95.0)
        return assess("lower", 100.0, targets, observations, forecast, TODAY, tolerance=0.25).rule

    assert rule(80.0) == "forecast_meets_target"
    assert rule(60.0) == "forecast_meets_target"
    assert rule(85.0) == "forecast_near_target"
    assert rule(85.01) == "forecast_misses_target"


def test_lower_is_better_kpi_with_real_forecasts():
    falling = yearly(2016, [100.0 - 2.0 * k for k in range(10)], month=10)  # 100 → 82
    rising = yearly(2016, [100.0 + 1.0 * k for k in range(10)], month=10)  # 100 → 109
    targets = {2030: 75.0}
    today = date(2026, 1, 15)
    fc_falling = build_forecast(falling, date(2031, 3, 31))
    on = assess("lower", 100.0, targets, falling, fc_falling, today)
    assert (on.status, on.rule) == (Status.ON_TRACK, "forecast_meets_target")
    assert on.explanation_params["forecast_value"] < 75.0
    off = assess("lower", 100.0, targets, rising, build_forecast(rising, date(2031, 3, 31)), today)
    assert (off.status, off.rule) == (Status.OFF_TRACK, "forecast_misses_target")
    # The same falling series is bad news when higher is better.
    flipped = assess("higher", 100.0, {2030: 120.0}, falling, fc_falling, today)
    assert (flipped.status, flipped.rule) == (Status.OFF_TRACK, "forecast_misses_target")


def test_forecast_not_reaching_the_target_year_uses_the_fitted_line():
    observations = yearly(2016, [10.0 + k for k in range(10)], month=10)  # +1 per year, latest 19 (FY2025)
    short = build_forecast(observations, date(2027, 3, 31))
    a = assess("higher", 10.0, {2030: 24.0}, observations, short, date(2026, 1, 15))
    assert a.rule == "forecast_meets_target"
    assert a.explanation_params["forecast_value"] == pytest.approx(trend_value(short, date(2031, 3, 31)))
    assert a.explanation_params["forecast_low"] is None


def test_linear_path_without_forecast():
    today = date(2025, 6, 1)
    targets = {2029: 200.0}  # path from 100 on 2020-04-01 to 200 on 2030-03-31
    share = (date(2025, 4, 1) - date(2020, 4, 1)).days / (date(2030, 3, 31) - date(2020, 4, 1)).days
    path = 100.0 + share * 100.0

    def check(latest: float, forecast: Forecast | None, direction: str = "higher") -> Assessment:
        observations = [(date(2024, 4, 1), 140.0), (date(2025, 4, 1), latest)]
        return assess(direction, 100.0, targets, observations, forecast, today, baseline_date=date(2020, 4, 1))

    too_few = build_forecast([(date(2025, 4, 1), 151.0)], date(2030, 3, 31))
    assert too_few.reason == "too_few_points"
    on = check(151.0, too_few)
    assert (on.status, on.rule) == (Status.AT_RISK, "on_linear_path")
    assert on.explanation_params["path_value"] == pytest.approx(path)
    # Allowance 5 % of |200 − 100| = 5 below the path still counts as on the path.
    assert check(path - 4.9, None).rule == "on_linear_path"
    behind = check(path - 5.1, None)
    assert (behind.status, behind.rule) == (Status.OFF_TRACK, "behind_linear_path")
    assert behind.explanation_params["gap"] == pytest.approx(5.1)

    # Lower is better: path from 100 down to 50.
    lower = assess(
        "lower", 100.0, {2029: 50.0}, [(date(2025, 4, 1), 70.0)], None, today, baseline_date=date(2020, 4, 1)
    )
    assert lower.rule == "on_linear_path"  # path ≈ 75, 70 is ahead
    lower_behind = assess(
        "lower", 100.0, {2029: 50.0}, [(date(2025, 4, 1), 85.0)], None, today, baseline_date=date(2020, 4, 1)
    )
    assert lower_behind.rule == "behind_linear_path"


def test_target_year_passed():
    observations = [(date(2025, 10, 1), 40.0)]
    missed = assess("higher", 30.0, {2020: 50.0}, observations, None, TODAY)
    assert (missed.status, missed.rule) == (Status.OFF_TRACK, "target_year_passed")
    met = assess("higher", 30.0, {2020: 50.0}, [(date(2025, 10, 1), 55.0)], None, TODAY)
    assert met.rule == "meets_target"


def test_no_targets_status_from_trend():
    up = yearly(2022, [1.0, 2.0, 3.0, 4.0], month=10)
    down = yearly(2022, [4.0, 3.0, 2.0, 1.0], month=10)
    horizon = date(2030, 3, 31)
    improving = assess("higher", None, {}, up, build_forecast(up, horizon), TODAY)
    assert (improving.status, improving.rule) == (Status.ON_TRACK, "improving_no_target")
    worsening = assess("higher", None, {}, down, build_forecast(down, horizon), TODAY)
    assert (worsening.status, worsening.rule) == (Status.AT_RISK, "worsening_no_target")
    assert assess("lower", None, {}, down, build_forecast(down, horizon), TODAY).rule == "improving_no_target"
    assert assess("lower", None, {}, up, build_forecast(up, horizon), TODAY).rule == "worsening_no_target"
    flat = yearly(2022, [2.0] * 4, month=10)
    assert assess("higher", None, {}, flat, build_forecast(flat, horizon), TODAY).rule == "stable_no_target"
    # Without a forecast: latest against the baseline, else against the first observation.
    assert assess("higher", 5.0, {}, [(date(2025, 10, 1), 3.0)], None, TODAY).rule == "worsening_no_target"
    assert assess("higher", None, {}, up[-2:], None, TODAY).rule == "improving_no_target"
    lone = assess("higher", None, {}, [(date(2025, 10, 1), 3.0)], None, TODAY)
    assert (lone.status, lone.rule) == (Status.NO_DATA, "no_trend_no_target")


def test_invalid_arguments():
    with pytest.raises(ValueError):
        assess("up", None, {}, [], None, TODAY)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        build_forecast([], TODAY, level=1.0)


def test_every_rule_has_an_english_sentence_and_json_params():
    observations = [(date(2026, 6, 30), 150.0)]
    scenarios = [
        assess("higher", 10.0, {2030: 20.0}, [], None, TODAY),
        assess("higher", 10.0, {2030: 20.0}, [(date(2020, 1, 1), 1.0)], None, TODAY),
        assess("higher", None, {}, yearly(2023, [1.0, 2.0, 3.0], month=10), None, TODAY),
        assess("higher", None, {}, yearly(2023, [3.0, 2.0, 1.0], month=10), None, TODAY),
        assess("higher", None, {}, yearly(2024, [3.0, 3.0], month=10), None, TODAY),
        assess("higher", None, {}, [(date(2025, 10, 1), 3.0)], None, TODAY),
        assess("higher", 100.0, {2030: 140.0}, observations, None, TODAY),
        assess("higher", 100.0, {2020: 200.0}, observations, None, TODAY),
        assess("higher", 100.0, {2030: 200.0}, observations, fixed_forecast(210.0), TODAY),
        assess("higher", 100.0, {2030: 200.0}, observations, fixed_forecast(197.0), TODAY),
        assess("higher", 100.0, {2030: 200.0}, observations, fixed_forecast(180.0), TODAY),
        assess(
            "higher", 100.0, {2030: 200.0}, [(date(2026, 6, 30), 160.0)], None, TODAY, baseline_date=date(2020, 4, 1)
        ),
        assess(
            "higher", 100.0, {2030: 200.0}, [(date(2026, 6, 30), 101.0)], None, TODAY, baseline_date=date(2020, 4, 1)
        ),
        assess("higher", 100.0, {2030: 140.0}, observations, fixed_forecast(120.0), TODAY),
    ]
    assert {a.rule for a in scenarios} == set(RULES)
    for a in scenarios:
        assert a.status == RULES[a.rule]
        sentence = explain_en(a)
        assert sentence.endswith(".")
        assert "{" not in sentence and "n/a" not in sentence, sentence
        json.dumps(a.explanation_params)
    near = scenarios[9]
    assert explain_en(near) == (
        "At risk: the trend forecasts 197 by 2031-03-31, 3 short of the FY2030 target of 200 (within the tolerated 5)."
    )
