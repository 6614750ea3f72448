"""The KPI status rules that used to mislead (issue 10), each on plain data: a ceiling the trend crosses,
stale data, whole-number and non-negative forecasts, and the unit sanity rules."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from kyoso.visions.domain.forecast import build_forecast, trend_value
from kyoso.visions.domain.status import Status, assess, explain_en, freshness, freshness_limits
from kyoso.visions.domain.units import unit_rules, value_problems

TODAY = date(2026, 7, 1)


def yearly(first_year: int, values: list[float]) -> list[tuple[date, float]]:
    return [(date(first_year + i, 3, 31), v) for i, v in enumerate(values)]


# --- A lower-is-better KPI under its ceiling whose trend crosses it ------------------------------


def test_a_ceiling_that_the_trend_crosses_before_the_target_year_is_a_warning_not_on_track():
    # 待機児童 under the ceiling of 40 today (34), but rising by 3 a year: over 40 around FY2027.
    history = yearly(2022, [22.0, 25.0, 28.0, 31.0, 34.0])
    forecast = build_forecast(history, date(2031, 3, 31), n_boot=0)
    a = assess("lower", 30.0, {2030: 40.0}, history, forecast, TODAY)
    assert (a.status, a.rule) == (Status.AT_RISK, "trend_crosses_target")
    assert a.explanation_params["forecast_value"] > 40.0
    assert "2028-03-01" <= a.explanation_params["crossing_date"] <= "2028-05-31"
    assert "crosses it around 2028" in explain_en(a)


def test_a_ceiling_the_trend_stays_under_is_on_track():
    history = yearly(2022, [34.0, 33.0, 32.0, 31.0, 30.0])
    forecast = build_forecast(history, date(2031, 3, 31), n_boot=0)
    a = assess("lower", 35.0, {2030: 40.0}, history, forecast, TODAY)
    assert (a.status, a.rule) == (Status.ON_TRACK, "meets_target")


def test_a_target_year_that_is_over_is_judged_on_the_data_alone():
    history = yearly(2022, [22.0, 25.0, 28.0, 31.0, 34.0])
    forecast = build_forecast(history, date(2031, 3, 31), n_boot=0)
    assert assess("lower", 30.0, {2024: 40.0}, history, forecast, TODAY).rule == "meets_target"


# --- Stale data is old data, not "no data" --------------------------------------------------------


def test_freshness_follows_the_update_frequency():
    assert freshness_limits("yearly") == (766, 1132)
    assert freshness_limits("monthly") == (91, 122)
    latest = date(2024, 3, 31)
    assert freshness(latest, date(2025, 3, 31), "yearly") == "current"
    assert freshness(latest, latest.fromordinal(latest.toordinal() + 767), "yearly") == "due"
    assert freshness(latest, latest.fromordinal(latest.toordinal() + 1133), "yearly") == "stale"
    assert freshness(latest, date(2024, 7, 15), "monthly") == "due"
    assert freshness(latest, date(2024, 8, 1), "monthly") == "stale"
    assert freshness(latest, date(2024, 8, 1), "census") == "current"
    assert freshness(latest, date(2024, 8, 1)) == "current"  # no frequency: only the 400-day limit
    assert freshness(latest, date(2025, 6, 1)) == "stale"


def test_data_that_is_due_is_assessed_and_marked_due():
    history = yearly(2022, [10.0, 12.0, 14.0])  # latest 2024-03-31, 822 days before TODAY
    a = assess("higher", 10.0, {2030: 30.0}, history, None, TODAY, frequency="yearly")
    assert a.freshness == "due" and a.status != Status.NO_DATA
    assert a.explanation_params["frequency"] == "yearly"
    assert assess("higher", 10.0, {2030: 30.0}, history, None, TODAY, frequency="census").freshness == "current"


def test_stale_data_says_old_data_with_its_age_never_no_observations():
    history = yearly(2020, [10.0, 12.0, 14.0])
    a = assess("higher", 10.0, {2030: 30.0}, history, None, TODAY, frequency="yearly")
    assert (a.rule, a.freshness) == ("stale", "stale")
    assert a.explanation_params["days_since_latest"] == (TODAY - date(2022, 3, 31)).days
    assert a.explanation_params["stale_after_days"] == 1132
    assert explain_en(a).startswith("Old data:")
    empty = assess("higher", 10.0, {2030: 30.0}, [], None, TODAY, frequency="yearly")
    assert (empty.rule, empty.freshness) == ("no_observations", "none")


# --- Counts are whole numbers and never negative ----------------------------------------------------


def test_a_count_forecast_is_whole_numbers_and_clamped_at_zero_with_a_flag():
    falling = yearly(2021, [9.0, 7.0, 4.0, 3.0, 1.0])  # 件, falling by about 2 a year
    plain = build_forecast(falling, date(2031, 3, 31), n_boot=200)
    assert min(p.value for p in plain.points) < 0  # the straight line goes below zero
    counted = build_forecast(falling, date(2031, 3, 31), n_boot=200, integer=True, non_negative=True)
    assert counted.clamped and counted.integer
    for point in counted.points:
        assert point.value == int(point.value) and point.low == int(point.low) and point.high == int(point.high)
        assert 0 <= point.low <= point.value <= point.high
    assert trend_value(counted, date(2035, 3, 31)) == 0.0
    a = assess("higher", 9.0, {2030: 20.0}, falling, counted, TODAY, frequency="yearly")
    assert a.explanation_params["forecast_clamped"] is True
    assert a.explanation_params["forecast_value"] == 0.0


def test_a_rising_count_is_not_flagged():
    rising = yearly(2021, [18.0, 22.0, 25.0, 31.0, 34.0])
    counted = build_forecast(rising, date(2031, 3, 31), n_boot=100, integer=True, non_negative=True)
    assert not counted.clamped
    assert all(p.value == int(p.value) for p in counted.points)


# --- Unit sanity ------------------------------------------------------------------------------------


def test_unit_rules():
    assert unit_rules("件") == unit_rules(" 件 ") == unit_rules("社")
    assert unit_rules("件").integer and unit_rules("件").non_negative
    assert unit_rules("万人").non_negative and not unit_rules("万人").integer
    assert unit_rules("％").percent and not unit_rules("%").non_negative  # a growth rate may be negative
    assert unit_rules("億円") == unit_rules("人/日") == unit_rules("")


def test_value_problems_per_rule():
    assert value_problems(Decimal("12"), "件") == []
    assert value_problems(Decimal("12.0"), "件") == []
    assert value_problems(Decimal("12.5"), "件") == ["not_integer"]
    assert value_problems(Decimal("-1"), "件") == ["negative"]
    assert value_problems(Decimal("-1.5"), "人") == ["not_integer", "negative"]
    assert value_problems(Decimal("12"), "件", written_as_percent=True) == ["percent_not_expected"]
    assert value_problems(Decimal("12.3"), "%", written_as_percent=True) == []
    assert value_problems(Decimal("-3.2"), "%") == []
    assert value_problems(Decimal("-3.2"), "億円") == []
    assert value_problems(Decimal("12.3"), "万人") == []
