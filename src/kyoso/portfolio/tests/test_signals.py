"""Review signals of the joint-research portfolio: hand-built cases, boundaries and a benchmark (no database)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from kyoso.portfolio.domain import signals as S
from kyoso.portfolio.domain.bench import synthetic_portfolio
from kyoso.portfolio.domain.signals import (
    DEFAULT_THRESHOLDS,
    SIGNAL_CODES,
    CommitmentFact,
    KpiFact,
    MilestoneFact,
    OutputFact,
    ProjectFacts,
    Reason,
    ReportFact,
    Thresholds,
    evaluate,
    evaluate_portfolio,
    explain_en,
    report_period_ends,
)

TODAY = date(2025, 6, 1)
CITY, BANK, MAKER = "city", "bank", "maker"


def project(**kw) -> ProjectFacts:
    """A project two years old that serves an agreed theme and has no reporting schedule, unless told."""
    defaults = {"project_id": "P1", "start": date(2023, 4, 1), "themes_agreed": 1, "report_interval_months": 0}
    defaults.update(kw)
    return ProjectFacts(**defaults)


def cash(partner, committed, provided, fy=2024, **kw) -> CommitmentFact:
    return CommitmentFact(partner, partner.title(), fy, "cash", committed, provided, **kw)


def signal(p: ProjectFacts, code: str, today: date = TODAY, thresholds: Thresholds = DEFAULT_THRESHOLDS):
    return evaluate(p, today, thresholds).signal(code)


def out(kind, day, *kpis) -> OutputFact:
    return OutputFact(kind, day, tuple(kpis))


# --- resource shortfall ---------------------------------------------------------------------------


class TestResourceShortfall:
    def test_no_commitments_yet(self):
        s = signal(project(), S.RESOURCE_SHORTFALL)
        assert (s.fired, s.severity, s.reason_codes) == (False, "info", ("no_commitments",))

    def test_commitment_not_yet_due_never_short(self):
        # FY2025 is due on 2026-03-31; nothing provided yet is not a shortfall in June 2025.
        s = signal(project(commitments=(cash(CITY, 1_000_000, 0, fy=2025),)), S.RESOURCE_SHORTFALL)
        assert not s.fired
        assert s.reason_codes == ("nothing_due_yet",)
        assert s.reasons[0].params == {"commitments": 1, "next_due": "2026-03-31", "grace_days": 30}

    def test_due_date_defaults_to_end_of_fiscal_year(self):
        assert cash(CITY, 1, 0, fy=2024).due == date(2025, 3, 31)
        assert cash(CITY, 1, 0, fy=2024, due=date(2024, 9, 30)).due == date(2024, 9, 30)

    def test_grace_period_boundary(self):
        p = project(commitments=(cash(CITY, 1_000_000, 0, fy=2024),))  # due 2025-03-31
        assert not signal(p, S.RESOURCE_SHORTFALL, today=date(2025, 4, 30)).fired  # last day of grace
        assert signal(p, S.RESOURCE_SHORTFALL, today=date(2025, 5, 1)).fired

    def test_explicit_due_date_is_used(self):
        p = project(commitments=(cash(CITY, 100, 0, fy=2025, due=date(2025, 4, 15)),))
        assert not signal(p, S.RESOURCE_SHORTFALL, today=date(2025, 5, 15)).fired
        assert signal(p, S.RESOURCE_SHORTFALL, today=date(2025, 5, 16)).fired

    def test_exactly_at_threshold_is_fine_just_below_fires(self):
        at = signal(project(commitments=(cash(CITY, 1_000_000, 700_000),)), S.RESOURCE_SHORTFALL)
        assert not at.fired
        assert at.reason_codes == ("provided_enough",)
        assert at.reasons[0].params["ratio"] == 0.7

        below = signal(project(commitments=(cash(CITY, 1_000_000, 699_999),)), S.RESOURCE_SHORTFALL)
        assert below.fired and below.severity == "warning"
        params = below.reasons[0].params
        assert params["partner_id"] == CITY and params["partner_name"] == "City"
        assert (params["kind"], params["unit"]) == ("cash", "yen")
        assert (params["committed"], params["provided"], params["missing"]) == (1_000_000, 699_999, 300_001)
        assert params["ratio"] == pytest.approx(0.699999)
        assert params["shortfall_ratio"] == 0.7
        assert params["fiscal_years"] == [2024]

    def test_float_and_decimal_amounts_compare_exactly(self):
        staff = CommitmentFact(MAKER, "Maker", 2024, "staff", 10.0, 7.0)
        assert not signal(project(commitments=(staff,)), S.RESOURCE_SHORTFALL).fired
        staff = CommitmentFact(MAKER, "Maker", 2024, "staff", Decimal("10"), Decimal("6.99"))
        s = signal(project(commitments=(staff,)), S.RESOURCE_SHORTFALL)
        assert s.fired
        assert s.reasons[0].params["unit"] == "person_months"
        assert s.reasons[0].params["provided"] == 6.99
        assert s.reasons[0].params["missing"] == pytest.approx(3.01)

    def test_over_provider_neither_hides_another_shortfall_nor_fires_itself(self):
        p = project(commitments=(cash(BANK, 1_000_000, 3_000_000), cash(CITY, 1_000_000, 0)))
        s = signal(p, S.RESOURCE_SHORTFALL)
        assert s.fired  # together 4M of 2M were provided, but the city gave nothing
        assert [r.params["partner_id"] for r in s.reasons] == [CITY]
        assert s.severity == "critical"

        alone = signal(project(commitments=(cash(BANK, 1_000_000, 3_000_000),)), S.RESOURCE_SHORTFALL)
        assert not alone.fired
        assert alone.reasons[0].params["ratio"] == 3.0
        assert alone.reasons[0].params["missing"] == 0

    def test_kinds_are_checked_separately(self):
        p = project(
            commitments=(
                CommitmentFact(MAKER, "Maker", 2024, "cash", 1_000, 5_000),
                CommitmentFact(MAKER, "Maker", 2024, "staff", 12, 6),
            )
        )
        s = signal(p, S.RESOURCE_SHORTFALL)
        assert s.fired
        assert [(r.params["kind"], r.params["ratio"]) for r in s.reasons] == [("staff", 0.5)]

    def test_in_kind_items(self):
        field_trial_site = CommitmentFact(CITY, "City", 2024, "field", 1, 0)
        s = signal(project(commitments=(field_trial_site,)), S.RESOURCE_SHORTFALL)
        assert s.fired and s.reasons[0].params["unit"] == "items"
        given = CommitmentFact(CITY, "City", 2024, "field", 1, 1)
        assert not signal(project(commitments=(given,)), S.RESOURCE_SHORTFALL).fired

    def test_due_years_add_up_per_partner_and_not_due_years_are_left_out(self):
        p = project(
            commitments=(
                cash(CITY, 100, 0, fy=2023),
                cash(CITY, 100, 200, fy=2024),  # caught up the next year
                cash(CITY, 500, 0, fy=2025),  # not due yet
            )
        )
        s = signal(p, S.RESOURCE_SHORTFALL)
        assert not s.fired
        params = s.reasons[0].params
        assert (params["committed"], params["provided"], params["fiscal_years"]) == (200, 200, [2023, 2024])
        assert params["by_fiscal_year"] == [
            {"fiscal_year": 2023, "committed": 100, "provided": 0},
            {"fiscal_year": 2024, "committed": 100, "provided": 200},
        ]
        short = signal(
            project(commitments=(cash(CITY, 100, 0, fy=2023), cash(CITY, 100, 130, fy=2024))), S.RESOURCE_SHORTFALL
        )
        assert short.fired and short.reasons[0].params["ratio"] == 0.65

    def test_lower_and_higher_tolerance(self):
        p = project(commitments=(cash(CITY, 100, 60),))
        assert signal(p, S.RESOURCE_SHORTFALL).fired
        assert not signal(p, S.RESOURCE_SHORTFALL, thresholds=Thresholds(shortfall_ratio=0.5)).fired
        lenient = Thresholds(shortfall_ratio=0.6, shortfall_critical_ratio=0.3)
        assert not signal(p, S.RESOURCE_SHORTFALL, thresholds=lenient).fired  # exactly at the bar
        strict = signal(
            project(commitments=(cash(CITY, 100, 85),)),
            S.RESOURCE_SHORTFALL,
            thresholds=Thresholds(shortfall_ratio=0.9),
        )
        assert strict.fired and strict.reasons[0].params["shortfall_ratio"] == 0.9

    def test_critical_below_critical_ratio(self):
        assert signal(project(commitments=(cash(CITY, 100, 30),)), S.RESOURCE_SHORTFALL).severity == "warning"
        assert signal(project(commitments=(cash(CITY, 100, 29),)), S.RESOURCE_SHORTFALL).severity == "critical"

    def test_zero_commitment_is_not_checked(self):
        s = signal(project(commitments=(cash(CITY, 0, 0), cash(BANK, 100, 100))), S.RESOURCE_SHORTFALL)
        assert not s.fired
        assert [r.params["partner_id"] for r in s.reasons] == [BANK]

    def test_reasons_are_sorted_by_partner(self):
        p = project(commitments=(cash("z", 100, 0), cash("a", 100, 10), cash("m", 100, 50)))
        assert [r.params["partner_id"] for r in signal(p, S.RESOURCE_SHORTFALL).reasons] == ["a", "m", "z"]

    @pytest.mark.parametrize(
        "kwargs",
        [
            {"kind": "money"},
            {"committed": -1},
            {"provided": float("nan")},
            {"committed": True},
        ],
    )
    def test_invalid_commitments_are_refused(self, kwargs):
        base = {"partner_id": 1, "partner_name": "X", "fiscal_year": 2024, "kind": "cash", "committed": 1}
        with pytest.raises((ValueError, TypeError)):
            CommitmentFact(**{**base, **kwargs})


# --- KPI contribution stalled ---------------------------------------------------------------------

OFF = KpiFact("k1", "Elderly people using on-demand transport", "off_track")
RISK = KpiFact("k2", "Start-ups founded", "at_risk")
FINE = KpiFact("k3", "Joint-research contracts", "on_track")
NODATA = KpiFact("k4", "Residents' satisfaction", "no_data")


class TestKpiStalled:
    def test_project_that_just_started_is_exempt(self):
        p = project(start=TODAY - timedelta(days=179), expected_kpis=(OFF,))
        s = signal(p, S.KPI_STALLED)
        assert not s.fired
        assert s.reasons == (Reason("too_early", {"start": "2024-12-04", "age_days": 179, "new_project_days": 180}),)
        assert signal(replace(p, start=TODAY - timedelta(days=180)), S.KPI_STALLED).fired

    def test_no_expected_kpis(self):
        assert signal(project(), S.KPI_STALLED).reason_codes == ("no_expected_kpis",)

    def test_off_track_kpi_without_any_output_fires(self):
        s = signal(project(expected_kpis=(OFF,)), S.KPI_STALLED)
        assert s.fired and s.severity == "critical"
        assert s.reasons[0].code == "kpi_without_output"
        assert s.reasons[0].params == {
            "kpi_id": "k1",
            "kpi_name": OFF.name,
            "status": "off_track",
            "lookback_days": 365,
            "window_start": "2024-06-01",
            "outputs_in_window": 0,
            "last_output_date": None,
        }

    def test_output_tied_within_window_keeps_it_quiet(self):
        s = signal(project(expected_kpis=(OFF,), outputs=(out("field_trial", date(2025, 1, 10), "k1"),)), S.KPI_STALLED)
        assert not s.fired
        assert s.reason_codes == ("lagging_kpi_with_output",)
        assert s.reasons[0].params["outputs_in_window"] == 1

    def test_lookback_window_boundary(self):
        edge = TODAY - timedelta(days=365)
        assert not signal(project(expected_kpis=(OFF,), outputs=(out("paper", edge, "k1"),)), S.KPI_STALLED).fired
        s = signal(
            project(expected_kpis=(OFF,), outputs=(out("paper", edge - timedelta(days=1), "k1"),)), S.KPI_STALLED
        )
        assert s.fired
        assert s.reasons[0].params["last_output_date"] == "2024-05-31"
        longer = Thresholds(stalled_lookback_days=366)
        assert not signal(
            project(expected_kpis=(OFF,), outputs=(out("paper", edge - timedelta(days=1), "k1"),)),
            S.KPI_STALLED,
            thresholds=longer,
        ).fired

    def test_output_tied_to_another_kpi_or_to_none_does_not_count(self):
        p = project(
            expected_kpis=(OFF,), outputs=(out("product", date(2025, 3, 1), "k3"), out("paper", date(2025, 3, 1)))
        )
        assert signal(p, S.KPI_STALLED).fired

    def test_future_output_does_not_count(self):
        p = project(expected_kpis=(OFF,), outputs=(out("product", TODAY + timedelta(days=1), "k1"),))
        assert signal(p, S.KPI_STALLED).fired

    def test_at_risk_counts_only_when_configured(self):
        p = project(expected_kpis=(RISK, FINE))
        s = signal(p, S.KPI_STALLED)
        assert not s.fired and s.reason_codes == ("no_lagging_kpis",)
        assert s.reasons[0].params == {"kpis": 2, "lagging_statuses": ["off_track"]}
        wider = signal(p, S.KPI_STALLED, thresholds=Thresholds(stalled_includes_at_risk=True))
        assert wider.fired and wider.severity == "warning"  # one of two expected KPIs
        assert [r.params["kpi_id"] for r in wider.reasons] == ["k2"]

    def test_no_data_is_never_lagging(self):
        p = project(expected_kpis=(NODATA,))
        assert not signal(p, S.KPI_STALLED, thresholds=Thresholds(stalled_includes_at_risk=True)).fired

    def test_only_the_stalled_kpis_are_named_and_severity_follows_their_share(self):
        off2 = KpiFact("k5", "Visitors to the demonstration site", "off_track")
        p = project(expected_kpis=(OFF, off2), outputs=(out("service", date(2025, 2, 1), "k5"),))
        s = signal(p, S.KPI_STALLED)
        assert s.fired and s.severity == "warning"
        assert [r.params["kpi_id"] for r in s.reasons] == ["k1"]
        assert signal(replace(p, outputs=()), S.KPI_STALLED).severity == "critical"

    def test_invalid_status_is_refused(self):
        with pytest.raises(ValueError):
            KpiFact("k", "x", "late")


# --- researcher convenience -----------------------------------------------------------------------


def outputs(**counts) -> tuple[OutputFact, ...]:
    result = []
    for kind, n in counts.items():
        result += [out(kind, date(2024, 1, 1) + timedelta(days=10 * i)) for i in range(n)]
    return tuple(result)


class TestResearcherConvenience:
    def test_young_project_is_exempt(self):
        p = project(start=TODAY - timedelta(days=100), outputs=outputs(paper=10))
        assert signal(p, S.RESEARCHER_CONVENIENCE).reason_codes == ("too_early",)

    def test_ratio_boundary(self):
        s = signal(project(outputs=outputs(paper=4, presentation=2, prototype=2)), S.RESEARCHER_CONVENIENCE)
        assert s.fired and s.severity == "warning"
        assert s.reasons[0].code == "academic_dominates"
        assert s.reasons[0].params == {
            "academic": 6,
            "implementation": 2,
            "patents": 0,
            "other": 0,
            "ratio": 3.0,
            "convenience_ratio": 3.0,
            "min_academic": 4,
        }
        s = signal(project(outputs=outputs(paper=5, prototype=2)), S.RESEARCHER_CONVENIENCE)
        assert not s.fired
        assert s.reason_codes == ("output_mix_ok", "no_overdue_partner_milestones")

    def test_minimum_number_of_academic_outputs(self):
        assert signal(project(outputs=outputs(paper=4)), S.RESEARCHER_CONVENIENCE).fired
        assert not signal(project(outputs=outputs(paper=3)), S.RESEARCHER_CONVENIENCE).fired
        assert not signal(
            project(outputs=outputs(paper=4)),
            S.RESEARCHER_CONVENIENCE,
            thresholds=Thresholds(convenience_min_academic=5),
        ).fired

    def test_tolerance_is_tunable(self):
        p = project(outputs=outputs(paper=8, field_trial=4))
        assert not signal(p, S.RESEARCHER_CONVENIENCE).fired
        assert signal(p, S.RESEARCHER_CONVENIENCE, thresholds=Thresholds(convenience_ratio=2)).fired

    def test_field_trials_count_as_implementation(self):
        assert not signal(project(outputs=outputs(paper=8, field_trial=3)), S.RESEARCHER_CONVENIENCE).fired

    def test_patents_count_as_neither(self):
        # as implementation, 5 papers against 1 prototype + 1 patent would stay under 3×
        s = signal(project(outputs=outputs(paper=5, prototype=1, patent=1)), S.RESEARCHER_CONVENIENCE)
        assert s.fired and s.reasons[0].params["patents"] == 1 and s.reasons[0].params["implementation"] == 1
        # as academic, 3 papers + 1 patent would reach the minimum of 4
        assert not signal(project(outputs=outputs(paper=3, patent=1)), S.RESEARCHER_CONVENIENCE).fired

    def test_unknown_kinds_are_shown_as_other(self):
        s = signal(project(outputs=outputs(paper=2, dataset=3)), S.RESEARCHER_CONVENIENCE)
        assert not s.fired and s.reasons[0].params["other"] == 3

    def test_future_outputs_are_not_counted(self):
        future = tuple(out("paper", TODAY + timedelta(days=i + 1)) for i in range(4))
        assert not signal(project(outputs=future), S.RESEARCHER_CONVENIENCE).fired

    def test_partner_milestone_overdue_while_papers_keep_coming(self):
        m = MilestoneFact("Field trial with the city bus operator", date(2025, 3, 31), partner_facing=True)
        p = project(milestones=(m,), outputs=(out("paper", date(2025, 4, 20)), out("prototype", date(2024, 1, 1))))
        s = signal(p, S.RESEARCHER_CONVENIENCE)
        assert s.fired and s.severity == "warning"
        assert s.reason_codes == ("partner_milestones_overdue",)
        assert s.reasons[0].params == {
            "milestones": [{"title": m.title, "due": "2025-03-31", "days_overdue": 62}],
            "overdue": 1,
            "since": "2025-03-31",
            "academic_since": 1,
            "min_academic": 1,
            "grace_days": 30,
        }

    def test_overdue_milestone_without_papers_since_is_not_convenience(self):
        m = MilestoneFact("Field trial", date(2025, 3, 31), partner_facing=True)
        s = signal(project(milestones=(m,), outputs=(out("paper", date(2025, 3, 31)),)), S.RESEARCHER_CONVENIENCE)
        assert not s.fired
        assert s.reason_codes == ("output_mix_ok", "overdue_milestones_without_academic")

    @pytest.mark.parametrize(
        ("milestone", "today", "fires"),
        [
            (MilestoneFact("m", date(2025, 3, 31), partner_facing=True), date(2025, 4, 30), False),  # grace
            (MilestoneFact("m", date(2025, 3, 31), partner_facing=True), date(2025, 5, 1), True),
            (MilestoneFact("m", date(2025, 3, 31), partner_facing=False), date(2025, 5, 1), False),  # internal
            (MilestoneFact("m", date(2025, 3, 31), done=True, partner_facing=True), date(2025, 5, 1), False),
        ],
    )
    def test_which_milestones_count(self, milestone, today, fires):
        p = project(milestones=(milestone,), outputs=(out("presentation", date(2025, 4, 10)),))
        assert signal(p, S.RESEARCHER_CONVENIENCE, today=today).fired is fires

    def test_both_rules_make_it_critical(self):
        m = MilestoneFact("Prototype for the maker", date(2024, 1, 15), partner_facing=True)  # 8 papers since
        s = signal(project(milestones=(m,), outputs=outputs(paper=10)), S.RESEARCHER_CONVENIENCE)
        assert s.fired and s.severity == "critical"
        assert s.reason_codes == ("academic_dominates", "partner_milestones_overdue")
        assert s.reasons[1].params["academic_since"] == 8

    def test_exempt_stage(self):
        p = project(stage="basic_research", outputs=outputs(paper=10))
        assert signal(p, S.RESEARCHER_CONVENIENCE).fired
        s = signal(p, S.RESEARCHER_CONVENIENCE, thresholds=Thresholds(convenience_exempt_stages=("basic_research",)))
        assert not s.fired and s.reasons == (Reason("stage_exempt", {"stage": "basic_research"}),)


# --- stale reporting ------------------------------------------------------------------------------

# Starts 1 April 2025, reports every 6 months: the first period ends 2025-09-30, its report is due
# 2025-10-30 and counts as late from 2025-11-30.
START = date(2025, 4, 1)


def reporting(*reports: ReportFact, **kw) -> ProjectFacts:
    return project(start=START, report_interval_months=6, reports=reports, **kw)


class TestStaleReporting:
    def test_period_ends(self):
        assert report_period_ends(START, None, 3, date(2026, 3, 31)) == (
            date(2025, 6, 30),
            date(2025, 9, 30),
            date(2025, 12, 31),
            date(2026, 3, 31),
        )
        # a project ending mid-period files a final report for the period ending on its end date
        assert report_period_ends(START, date(2025, 12, 15), 6, date(2030, 1, 1)) == (
            date(2025, 9, 30),
            date(2025, 12, 15),
        )
        assert report_period_ends(START, date(2026, 3, 31), 6, date(2030, 1, 1)) == (
            date(2025, 9, 30),
            date(2026, 3, 31),
        )
        assert report_period_ends(START, None, 0, date(2030, 1, 1)) == ()

    def test_no_schedule(self):
        assert signal(project(), S.STALE_REPORTING).reason_codes == ("no_schedule",)

    def test_before_the_first_report_is_late(self):
        s = signal(reporting(), S.STALE_REPORTING, today=date(2025, 11, 29))
        assert not s.fired
        assert s.reasons[0].code == "none_due_yet"
        assert s.reasons[0].params == {
            "first_period_end": "2025-09-30",
            "first_due": "2025-10-30",
            "late_from": "2025-11-30",
            "interval_months": 6,
        }

    def test_missing_report_fires_once_grace_is_over(self):
        s = signal(reporting(), S.STALE_REPORTING, today=date(2025, 11, 30))
        assert s.fired and s.severity == "warning"
        assert s.reasons == (
            Reason(
                "report_missing",
                {"period_end": "2025-09-30", "due": "2025-10-30", "days_overdue": 31, "grace_days": 30},
            ),
        )

    def test_record_without_submission_is_missing(self):
        assert signal(reporting(ReportFact(date(2025, 9, 30))), S.STALE_REPORTING, today=date(2025, 12, 1)).fired

    def test_submitted_just_in_time_vs_stale(self):
        today = date(2026, 1, 10)
        on_due_day = reporting(ReportFact(date(2025, 9, 30), date(2025, 10, 30)))
        s = signal(on_due_day, S.STALE_REPORTING, today=today)
        assert not s.fired
        assert s.reasons[0] == Reason(
            "reports_up_to_date",
            {
                "period_end": "2025-09-30",
                "due": "2025-10-30",
                "submitted_on": "2025-10-30",
                "grace_days": 30,
                "reports_due": 1,
            },
        )
        last_grace_day = reporting(ReportFact(date(2025, 9, 30), date(2025, 11, 29)))
        assert not signal(last_grace_day, S.STALE_REPORTING, today=today).fired
        late = signal(reporting(ReportFact(date(2025, 9, 30), date(2025, 11, 30))), S.STALE_REPORTING, today=today)
        assert late.fired and late.severity == "warning"
        assert late.reason_codes == ("report_late",)
        assert late.reasons[0].params["days_late"] == 31
        assert late.reasons[0].params["submitted_on"] == "2025-11-30"

    def test_submission_dated_after_today_does_not_count(self):
        p = reporting(ReportFact(date(2025, 9, 30), date(2025, 12, 5)))
        assert signal(p, S.STALE_REPORTING, today=date(2025, 12, 1)).reason_codes == ("report_missing",)

    def test_record_a_day_off_the_schedule_still_counts(self):
        # each record belongs to the scheduled period end nearest to its own (2025-09-30, 2026-03-31)
        for shift in (1, -1):
            p = reporting(
                ReportFact(date(2025, 9, 30) + timedelta(days=shift), date(2025, 10, 20)),
                ReportFact(date(2026, 3, 31) + timedelta(days=shift), date(2026, 4, 20)),
            )
            s = signal(p, S.STALE_REPORTING, today=date(2026, 6, 1))
            assert not s.fired, shift
            assert s.reasons[0].params["reports_due"] == 2

    def test_earlier_missing_report_stays_visible(self):
        p = reporting(ReportFact(date(2026, 3, 31), date(2026, 4, 20)))
        s = signal(p, S.STALE_REPORTING, today=date(2026, 6, 1))
        assert s.fired
        assert [r.params["period_end"] for r in s.reasons] == ["2025-09-30"]

    def test_earlier_late_report_is_history(self):
        p = reporting(
            ReportFact(date(2025, 9, 30), date(2026, 1, 15)),  # late
            ReportFact(date(2026, 3, 31), date(2026, 4, 20)),  # on time
        )
        s = signal(p, S.STALE_REPORTING, today=date(2026, 6, 1))
        assert not s.fired
        assert s.reasons[0].params["period_end"] == "2026-03-31"

    def test_two_missing_reports_are_critical(self):
        s = signal(reporting(), S.STALE_REPORTING, today=date(2026, 6, 1))
        assert s.fired and s.severity == "critical"
        assert [r.params["period_end"] for r in s.reasons] == ["2025-09-30", "2026-03-31"]
        assert (
            signal(
                reporting(), S.STALE_REPORTING, today=date(2026, 6, 1), thresholds=Thresholds(stale_critical_missing=3)
            ).severity
            == "warning"
        )

    def test_pending_report_within_grace_is_shown_but_not_fired(self):
        p = reporting(ReportFact(date(2025, 9, 30), date(2025, 10, 1)))
        s = signal(p, S.STALE_REPORTING, today=date(2026, 5, 15))
        assert not s.fired
        assert s.reason_codes == ("reports_up_to_date", "report_pending")
        assert s.reasons[1].params == {"period_end": "2026-03-31", "due": "2026-04-30", "late_from": "2026-05-31"}

    def test_final_report_after_project_end(self):
        p = reporting(ReportFact(date(2025, 9, 30), date(2025, 10, 1)), end=date(2025, 12, 15))
        s = signal(p, S.STALE_REPORTING, today=date(2026, 3, 1))
        assert s.fired and s.reasons[0].params["period_end"] == "2025-12-15"
        # nothing is expected after the end
        done = replace(p, reports=(*p.reports, ReportFact(date(2025, 12, 15), date(2026, 1, 10))))
        assert not signal(done, S.STALE_REPORTING, today=date(2027, 1, 1)).fired

    def test_tunable_due_days_and_grace(self):
        today = date(2025, 11, 30)
        assert signal(reporting(), S.STALE_REPORTING, today=today).fired
        assert not signal(reporting(), S.STALE_REPORTING, today=today, thresholds=Thresholds(report_due_days=31)).fired
        assert not signal(reporting(), S.STALE_REPORTING, today=today, thresholds=Thresholds(grace_days=31)).fired


# --- orphaned -------------------------------------------------------------------------------------


class TestOrphaned:
    def test_serving_no_agreed_theme_fires(self):
        s = signal(project(themes_agreed=0), S.ORPHANED)
        assert (s.fired, s.severity) == (True, "warning")
        assert s.reasons == (Reason("serves_no_agreed_theme", {"themes_agreed": 0}),)

    def test_serving_an_agreed_theme_is_fine(self):
        s = signal(project(themes_agreed=2), S.ORPHANED)
        assert (s.fired, s.severity) == (False, "info")
        assert s.reasons == (Reason("serves_agreed_themes", {"themes_agreed": 2}),)


# --- whole reviews --------------------------------------------------------------------------------


def troubled_project() -> ProjectFacts:
    """A project on which every signal fires."""
    return project(
        project_id=7,
        themes_agreed=0,
        commitments=(cash(CITY, 1_000_000, 200_000), cash(BANK, 500_000, 900_000)),
        expected_kpis=(OFF, RISK),
        outputs=outputs(paper=9, prototype=1),
        milestones=(MilestoneFact("Demonstration in Hamamatsu", date(2024, 3, 31), partner_facing=True),),
        report_interval_months=6,
        end=date(2025, 3, 31),
    )


class TestEvaluate:
    def test_every_signal_is_returned_in_order_fired_or_not(self):
        review = evaluate(project(), TODAY)
        assert review.project_id == "P1"
        assert tuple(s.code for s in review.signals) == SIGNAL_CODES
        assert review.fired == ()
        assert review.severity == "info"
        assert all(s.severity == "info" and s.reasons for s in review.signals)

    def test_a_project_that_just_started(self):
        p = project(
            start=TODAY - timedelta(days=10),
            commitments=(cash(CITY, 1_000_000, 0, fy=2025),),
            expected_kpis=(OFF,),
            outputs=outputs(paper=5),
            report_interval_months=6,
        )
        review = evaluate(p, TODAY)
        assert review.fired == ()
        assert [s.reason_codes[0] for s in review.signals] == [
            "nothing_due_yet",
            "too_early",
            "too_early",
            "none_due_yet",
            "serves_agreed_themes",
            "no_end_date",
        ]

    def test_a_troubled_project_fires_everything_and_explains_it(self):
        review = evaluate(troubled_project(), TODAY)
        assert {s.code for s in review.fired} == set(SIGNAL_CODES)
        assert review.severity == "critical"
        text = [explain_en(r) for s in review.signals for r in s.reasons]
        assert (
            "City provided 200,000 of 1,000,000 yen of cash committed for FY2024 (20.0 %, below the 70 % "
            "threshold); 800,000 yen missing." in text
        )
        assert not any("Bank" in t for t in text)
        assert all("n/a" not in t for t in text)
        json.dumps(review.to_dict())  # JSON-serialisable as it is

    def test_percent_is_never_rounded_up_to_the_threshold(self):
        s = signal(project(commitments=(cash(CITY, 1_000_000, 699_999),)), S.RESOURCE_SHORTFALL)
        assert "69.9 %" in explain_en(s.reasons[0])

    def test_every_reason_code_has_an_english_sentence(self):
        codes = {value for name, value in vars(S).items() if name.startswith("R_")}
        assert codes == set(S._TEMPLATES_EN)

    def test_today_must_be_a_date(self):
        with pytest.raises(TypeError):
            evaluate(project(), datetime(2025, 6, 1, 12, 0))  # noqa: DTZ001

    def test_thresholds_are_validated_and_listed(self):
        with pytest.raises(ValueError):
            Thresholds(shortfall_ratio=1.5)
        with pytest.raises(ValueError):
            Thresholds(shortfall_ratio=0.2, shortfall_critical_ratio=0.3)
        with pytest.raises(ValueError):
            Thresholds(grace_days=-1)
        with pytest.raises(ValueError):
            Thresholds(convenience_exempt_stages="basic_research")
        params = Thresholds().as_params()
        assert params["shortfall_ratio"] == 0.7 and params["convenience_exempt_stages"] == []
        json.dumps(params)

    def test_project_facts_are_validated(self):
        with pytest.raises(ValueError):
            project(end=date(2020, 1, 1))

    def test_portfolio_keeps_order(self):
        reviews = evaluate_portfolio([troubled_project(), project()], TODAY)
        assert [r.project_id for r in reviews] == [7, "P1"]
        assert len(reviews[0].fired) == len(SIGNAL_CODES) and reviews[1].fired == ()


# --- benchmark ------------------------------------------------------------------------------------


def test_a_portfolio_of_1000_projects_is_evaluated_and_every_signal_both_fires_and_stays_quiet():
    """The portfolio of the budget (1,000 projects, 10,000 commitments, 20,000 outputs); its speed is measured
    by `python -m kyoso.portfolio.domain.bench`, not asserted here."""
    projects = synthetic_portfolio()
    assert len(projects) == 1000
    assert sum(len(p.commitments) for p in projects) == 10_000
    assert sum(len(p.outputs) for p in projects) == 20_000
    reviews = evaluate_portfolio(projects, TODAY)
    assert len(reviews) == 1000
    for code in SIGNAL_CODES:
        states = {r.signal(code).fired for r in reviews}
        assert states == {True, False}, code


# --- 6. past its end date ----------------------------------------------------------------------------


class TestPastEndDate:
    def test_a_running_project_past_its_end_date_fires_from_the_day_after(self):
        ended = project(end=date(2025, 5, 31))
        s = signal(ended, S.PAST_END_DATE)
        assert s.fired and s.severity == "warning" and s.reason_codes == ("past_end_date",)
        assert s.reasons[0].params == {"end": "2025-05-31", "days_since": 1, "status": "active", "grace_days": 0}
        assert "close it or extend it" in explain_en(s.reasons[0])
        on_the_day = signal(ended, S.PAST_END_DATE, today=date(2025, 5, 31))
        assert not on_the_day.fired and on_the_day.reasons[0].params["days_left"] == 0

    def test_paused_projects_fire_too_closed_ones_and_open_ended_ones_never(self):
        assert signal(project(end=date(2024, 3, 31), status="paused"), S.PAST_END_DATE).fired
        for status in ("completed", "stopped"):
            s = signal(project(end=date(2024, 3, 31), status=status), S.PAST_END_DATE)
            assert not s.fired and s.reason_codes == ("closed",)
        assert signal(project(), S.PAST_END_DATE).reason_codes == ("no_end_date",)

    def test_the_grace_and_the_critical_limit_are_the_venues(self):
        p = project(end=date(2025, 5, 1))  # 31 days ago
        assert not signal(p, S.PAST_END_DATE, thresholds=Thresholds(overrun_grace_days=31)).fired
        assert signal(p, S.PAST_END_DATE, thresholds=Thresholds(overrun_grace_days=30)).fired
        assert signal(p, S.PAST_END_DATE, thresholds=Thresholds(overrun_critical_days=30)).severity == "critical"
        assert signal(project(end=date(2024, 6, 1)), S.PAST_END_DATE).severity == "critical"  # 365 > 180
        with pytest.raises(ValueError):
            Thresholds(overrun_grace_days=-1)


# --- the chart and the list say the same (domain/progress.py) ----------------------------------------


def test_the_chart_never_calls_a_project_with_a_shortfall_well_resourced():
    """One partner over-provides, another falls short: the mean of the rates (0.7) used to put the project
    among 「資源も進捗も順調」 while the list flagged 「資源の提供不足」."""
    from kyoso.portfolio.domain.progress import progress_point, quadrant

    p = project(commitments=(cash(CITY, 1_000_000, 1_000_000), cash(BANK, 1_000_000, 400_000)),
                milestones=(MilestoneFact("m", date(2024, 6, 1), done=True),))
    point = progress_point(p, TODAY)
    assert signal(p, S.RESOURCE_SHORTFALL).fired
    assert point.shortfall is True and point.provision == pytest.approx(0.4)
    assert quadrant(point) == "progress_despite_shortfall"


def test_chart_and_shortfall_agree_on_every_project_of_a_portfolio_and_for_any_threshold():
    from kyoso.portfolio.domain.progress import progress_point, quadrant

    for thresholds in (DEFAULT_THRESHOLDS, Thresholds(shortfall_ratio=0.9, shortfall_critical_ratio=0.5)):
        for facts in synthetic_portfolio()[:300]:
            point = progress_point(facts, TODAY, thresholds)
            fired = evaluate(facts, TODAY, thresholds).signal(S.RESOURCE_SHORTFALL).fired
            assert bool(point.shortfall) == fired
            if point.provision is not None:
                assert (point.provision < thresholds.shortfall_ratio) == fired
            group = quadrant(point, thresholds.shortfall_ratio)
            if group is not None:
                assert (group in ("on_track", "resources_without_progress")) == (not fired)


def test_a_ratio_from_hidden_amounts_is_told_only_as_a_ten_point_band():
    from kyoso.portfolio.domain.disclosure import percent_band, position_in_band

    assert [percent_band(r) for r in (0.0, 0.0999, 0.1, 0.4926828551290899, 0.7, 0.999, 1.0, 1.8)] == [
        0, 0, 10, 40, 70, 90, 100, 100]
    assert position_in_band(0.4926828551290899) == pytest.approx(0.45) and position_in_band(1.2) == 1.0
    with pytest.raises(ValueError):
        percent_band(float("nan"))


def test_hidden_figures_are_found_in_every_notation_and_ratios_only_by_their_exact_percent():
    from decimal import Decimal

    from kyoso.portfolio.domain.disclosure import amounts_in_text, reveals

    assert amounts_in_text("800万円、0.08億円、8,000千円、８００万") == {Decimal(8_000_000)}
    assert reveals("約束の800万円に対し", [Decimal(8_000_000)])
    assert not reveals("約束の900万円に対し", [Decimal(8_000_000)])
    assert reveals("提供率は37%", [], [0.3712]) and reveals("提供率は３７％", [], [0.3712])
    assert not reveals("提供率は30〜40%", [], [0.3712])  # the band is what every member may read
