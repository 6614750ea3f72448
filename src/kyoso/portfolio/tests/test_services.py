"""Services and queries of the portfolio through the database, on the sample venue ("hamamatsu-sample") built by
the ``users`` fixture: its vision (KPIs aging-rate, labour-participation, joint-research, spinouts; two R&D
themes; version 1 agreed) and the sample portfolio of ``kyoso.sample.portfolio_content``."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kyoso.common.models import AuditEvent
from kyoso.portfolio import services
from kyoso.portfolio.domain.signals import (
    ACADEMIC_KINDS,
    COMMITMENT_KINDS,
    IMPLEMENTATION_KINDS,
    PATENT_KINDS,
    SIGNAL_CODES,
    evaluate,
)
from kyoso.portfolio.models import Commitment, Output, Participant, Project, Provision, Report, Review
from kyoso.portfolio.queries import portfolio_reviews, project_facts, projects_of
from kyoso.regions.models import Organization
from kyoso.sample.portfolio_content import build_portfolio_content
from kyoso.venues import services as venue_services
from kyoso.venues.models import Decision, Venue
from kyoso.visions import services as vision_services
from kyoso.visions.models import Kpi, ResearchTheme

pytestmark = pytest.mark.django_db

SLUG = "hamamatsu-sample"
MAX_QUERIES = 15


def venue() -> Venue:
    return Venue.objects.get(slug=SLUG)


def org(key: str) -> Organization:
    return Organization.objects.get(reference_key=key)


def kpi(code: str) -> Kpi:
    return Kpi.objects.select_related("vision").get(vision__venue__slug=SLUG, code=code)


def fiscal_year(day: dt.date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def new_project(actor, title: str, start_days_ago: int = 1000, **fields) -> Project:
    today = timezone.localdate()
    return services.project_create(actor=actor, venue=venue(), title=title,
                                   start_date=today - dt.timedelta(days=start_days_ago),
                                   lead_organization=org("sample:enshu-seimitsu"), **fields)


def titled(fragment: str) -> Project:
    return Project.objects.get(venue__slug=SLUG, title__contains=fragment)


# --- The sample portfolio ------------------------------------------------------------------------


def test_the_sample_portfolio_fires_every_signal_somewhere_and_not_everywhere(users):
    today = timezone.localdate()
    reviews = portfolio_reviews(venue(), today)
    assert 18 <= len(reviews) <= 22
    for code in SIGNAL_CODES:
        fired = [r.project_id for r in reviews if r.signal(code).fired]
        quiet = [r.project_id for r in reviews if not r.signal(code).fired]
        assert fired, f"{code} fires for no sample project"
        assert quiet, f"{code} fires for every sample project"
    assert any(not r.fired for r in reviews)  # some projects are fine on every count

    by_id = {r.project_id: r for r in reviews}
    shortfall = by_id[titled("湖西地区のオンデマンド").pk].signal("resource_shortfall")
    # the bank over-provided its cash; the company's missing staff still shows, and only that
    assert shortfall.fired and [(r.params["partner_name"], r.params["kind"]) for r in shortfall.reasons] == [
        (org("sample:tenryu-robotics").name, "staff")]
    assert by_id[titled("自動給餌装置").pk].signal("resource_shortfall").severity == "critical"
    assert by_id[titled("配車エンジンの事業化").pk].signal("kpi_stalled").fired
    assert by_id[titled("赤潮予測モデルの高度化").pk].signal("researcher_convenience").fired
    assert by_id[titled("自動運転バス").pk].signal("stale_reporting").reason_codes == ("report_missing",) * 2
    assert by_id[titled("水揚げ予測").pk].signal("stale_reporting").reason_codes == ("report_late",)
    assert by_id[titled("工作機械の予知保全").pk].signal("orphaned").fired


def test_the_sample_portfolio_uses_every_kind_and_is_written_through_the_services(users):
    projects = Project.objects.filter(venue__slug=SLUG)
    assert all(p.is_sample and "サンプル" in p.title for p in projects)
    commitments = Commitment.objects.filter(project__in=projects)
    assert set(commitments.values_list("kind", flat=True)) == set(COMMITMENT_KINDS)
    assert commitments.filter(kind="cash", is_confidential=True).exists()
    assert commitments.filter(kind="cash", indirect_cost_ratio__isnull=False).exists()
    kinds = set(Output.objects.filter(project__in=projects).values_list("kind", flat=True))
    assert kinds == set(ACADEMIC_KINDS | IMPLEMENTATION_KINDS | PATENT_KINDS)
    assert Output.objects.filter(project__in=projects, kpis__isnull=False).exists()
    assert Participant.objects.filter(project__in=projects, in_region=False,
                                      organization__reference_key="sample:national-programme").exists()
    assert not Provision.objects.filter(provided_on__gt=timezone.localdate()).exists()
    assert projects.filter(themes__isnull=True).exists()  # some serve no theme
    for model in (Project, Commitment, Provision, Output, Report, Participant):
        assert AuditEvent.objects.filter(object_type=model._meta.label_lower,
                                         action="create").count() == model.objects.count()
    assert build_portfolio_content(venue(), users["admin"]) is False  # idempotent
    assert Project.objects.filter(venue__slug=SLUG).count() == projects.count()


# --- Queries -------------------------------------------------------------------------------------


def _count_fact_queries(today: dt.date) -> int:
    projects = list(projects_of(venue()))
    with CaptureQueriesContext(connection) as captured:
        facts = project_facts(projects, today)
    assert len(facts) == len(projects)
    return len(captured)


def test_project_facts_uses_a_fixed_number_of_queries_however_many_projects(users, django_assert_max_num_queries):
    actor = users["secretariat"]
    today = timezone.localdate()
    before = _count_fact_queries(today)
    theme = ResearchTheme.objects.filter(issue__vision__venue__slug=SLUG).first()
    for i in range(10):
        project = new_project(actor, f"追加のプロジェクト{i}", themes=[theme],
                              expected_kpis=[(kpi("spinouts"), ""), (kpi("joint-research"), "")])
        services.participant_add(actor=actor, project=project, organization=org("sample:national-programme"),
                                 role="coordinator")
        for partner in ("sample:enshu-seimitsu", "sample:enshu-mirai-bank"):
            commitment = services.commitment_add(actor=actor, project=project, partner=org(partner),
                                                 fiscal_year=fiscal_year(today) - 2, kind="cash", amount=Decimal(100))
            services.provision_record(actor=actor, commitment=commitment, amount=Decimal(50),
                                      provided_on=today - dt.timedelta(days=400))
        services.output_add(actor=actor, project=project, kind="startup", title="起業", date=today,
                            kpis=[kpi("spinouts")])
        services.report_submit(actor=actor, project=project, period_end=today - dt.timedelta(days=100),
                               progress="進捗")
    projects = list(projects_of(venue()))
    assert len(projects) >= 30
    with django_assert_max_num_queries(MAX_QUERIES):
        project_facts(projects, today)
    assert _count_fact_queries(today) == before <= MAX_QUERIES


# --- Commitments and provision -------------------------------------------------------------------


def test_provision_record_refuses_a_future_date(users):
    commitment = Commitment.objects.filter(project__venue__slug=SLUG).first()
    before = Provision.objects.count()
    with pytest.raises(ValidationError) as error:
        services.provision_record(actor=users["secretariat"], commitment=commitment, amount=Decimal(1),
                                  provided_on=timezone.localdate() + dt.timedelta(days=1))
    assert "provided_on" in error.value.message_dict
    assert Provision.objects.count() == before
    services.provision_record(actor=users["secretariat"], commitment=commitment, amount=Decimal(1),
                              provided_on=timezone.localdate())  # today is fine


@pytest.mark.parametrize("amount", [Decimal(0), Decimal(-5)])
def test_a_commitment_amount_must_be_positive(users, amount):
    project = titled("工作機械の予知保全")
    before = Commitment.objects.count()
    with pytest.raises(ValidationError):
        services.commitment_add(actor=users["secretariat"], project=project, partner=org("sample:enshu-seimitsu"),
                                fiscal_year=2025, kind="cash", amount=amount)
    assert Commitment.objects.count() == before


def test_one_partner_over_providing_does_not_hide_another_partners_shortfall(users):
    actor = users["secretariat"]
    today = timezone.localdate()
    theme = ResearchTheme.objects.filter(issue__vision__venue__slug=SLUG).first()
    project = new_project(actor, "過剰と不足", themes=[theme])
    year = fiscal_year(today) - 2  # due and past its grace on any day
    for partner, committed, provided in (("sample:enshu-mirai-bank", 1_000_000, 2_000_000),
                                         ("sample:enshu-seimitsu", 1_000_000, 400_000)):
        commitment = services.commitment_add(actor=actor, project=project, partner=org(partner), fiscal_year=year,
                                             kind="cash", amount=Decimal(committed))
        services.provision_record(actor=actor, commitment=commitment, amount=Decimal(provided),
                                  provided_on=dt.date(year, 10, 1), evidence="振込記録")
    review = next(r for r in portfolio_reviews(venue(), today) if r.project_id == project.pk)
    signal = review.signal("resource_shortfall")
    assert signal.fired and signal.severity == "warning"
    (reason,) = signal.reasons
    assert reason.code == "shortfall"
    assert (reason.params["partner_name"], reason.params["committed"], reason.params["provided"],
            reason.params["missing"], reason.params["ratio"]) == (org("sample:enshu-seimitsu").name, 1_000_000,
                                                                  400_000, 600_000, 0.4)


# --- Reviews -------------------------------------------------------------------------------------


def test_a_review_snapshots_the_signals_and_puts_its_recommendation_to_the_venue_as_a_draft(users):
    today = timezone.localdate()
    project = titled("自動給餌装置")
    review = services.review_create(actor=users["secretariat"], project=project, assessment="資金の提供が遅れている。",
                                    recommendation="adjust", today=today)
    stored = Review.objects.select_related("decision").get(pk=review.pk)
    snapshot = json.loads(json.dumps(stored.signals))
    assert snapshot["project_id"] == project.pk
    signals = {s["code"]: s for s in snapshot["signals"]}
    assert list(signals) == list(SIGNAL_CODES)
    shortfall = signals["resource_shortfall"]
    assert shortfall["fired"] and shortfall["severity"] == "critical"
    (reason,) = shortfall["reasons"]
    assert reason["code"] == "shortfall" and reason["params"]["ratio"] == pytest.approx(0.2)
    assert reason["params"]["partner_name"] == org("sample:enshu-seimitsu").name
    without = snapshot.pop("signals_without_confidential")
    assert snapshot == evaluate(project_facts([project], today)[0], today).to_dict()
    assert without == evaluate(project_facts([project], today, sees=set())[0], today).to_dict()["signals"]
    assert stored.reviewer == users["secretariat"] and stored.recommendation == "adjust"

    decision = stored.decision
    assert decision is not None and decision.status == Decision.Status.DRAFT
    assert decision.venue_id == project.venue_id and project.title in decision.applies_to
    assert decision.text == "資金の提供が遅れている。"
    assert Decision.objects.get(pk=decision.pk).review == stored
    assert AuditEvent.objects.filter(object_type="portfolio.review", object_id=str(review.pk)).exists()


def test_an_invalid_recommendation_creates_neither_review_nor_decision(users):
    decisions, reviews = Decision.objects.count(), Review.objects.count()
    with pytest.raises(ValidationError):
        services.review_create(actor=users["secretariat"], project=titled("自動給餌装置"), assessment="x",
                               recommendation="celebrate")
    assert Decision.objects.count() == decisions and Review.objects.count() == reviews


# --- Themes and KPIs belong to the project's venue -----------------------------------------------


@pytest.fixture
def other_vision(users):
    other = venue_services.venue_create(actor=users["admin"], name="別の場", slug="other-venue")
    vision = vision_services.vision_create(actor=users["admin"], venue=other, title="別のビジョン", horizon_year=2035)
    goal = vision_services.goal_create(actor=users["admin"], vision=vision, title="別の目標")
    other_kpi = vision_services.kpi_create(actor=users["admin"], goal=goal, code="other", name="別のKPI", unit="件")
    issue = vision_services.issue_create(actor=users["admin"], vision=vision, title="別の課題", kpis=[other_kpi])
    theme = vision_services.theme_create(actor=users["admin"], issue=issue, title="別のテーマ")
    return theme, other_kpi


def test_themes_and_kpis_of_another_venue_are_refused(users, other_vision):
    theme, other_kpi = other_vision
    actor = users["secretariat"]
    count = Project.objects.count()
    with pytest.raises(ValidationError) as error:
        new_project(actor, "他の場のテーマ", themes=[theme])
    assert "themes" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        new_project(actor, "他の場のKPI", expected_kpis=[(other_kpi, "")])
    assert "expected_kpis" in error.value.message_dict
    assert Project.objects.count() == count

    project = titled("工作機械の予知保全")
    outputs = Output.objects.count()
    with pytest.raises(ValidationError) as error:
        services.output_add(actor=actor, project=project, kind="paper", title="論文", date=timezone.localdate(),
                            kpis=[other_kpi])
    assert "kpis" in error.value.message_dict
    assert Output.objects.count() == outputs
