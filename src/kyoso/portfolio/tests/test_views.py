"""Portfolio pages through the test client, on the sample venue: forms that record commitments, provision,
outputs, reports and milestones; a review that becomes a venue decision and, once finalised, changes the project;
filters, the projects × KPIs matrix, the resources-vs-progress chart, and the venue's own thresholds."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kyoso.portfolio.domain.progress import progress_point, progress_rate, provision_rate, quadrant
from kyoso.portfolio.domain.signals import CommitmentFact, MilestoneFact, ProjectFacts
from kyoso.portfolio.models import Commitment, Milestone, Output, PortfolioSettings, Project, ProjectChange, Review
from kyoso.regions.models import Organization
from kyoso.venues import services as venue_services
from kyoso.venues.models import Decision

pytestmark = pytest.mark.django_db

SLUG = "hamamatsu-sample"


def client_for(users, name: str) -> Client:
    client = Client()
    client.force_login(users[name])
    return client


def sample_project() -> Project:
    return Project.objects.get(venue__slug=SLUG, title__startswith="浜名湖の水質センサー網")


def url(name: str, project: Project | None = None, **kwargs) -> str:
    args = [SLUG] + ([project.pk] if project else []) + list(kwargs.values())
    return reverse(f"portfolio:{name}", args=args)


def test_participant_records_a_commitment_and_its_provision_and_the_shortfall_fires(users):
    project = sample_project()
    client = client_for(users, "company")  # the company lead of this project
    partner = Organization.objects.get(reference_key="sample:enshu-seimitsu")
    last_fy = (timezone.localdate() - dt.timedelta(days=400)).year
    response = client.post(url("commitment_add", project), {
        "partner": partner.pk, "fiscal_year": last_fy - (0 if timezone.localdate().month >= 4 else 1),
        "kind": "staff", "amount": "１２", "description": "設計技術者の従事",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    commitment = Commitment.objects.get(project=project, kind="staff", partner=partner)
    assert commitment.amount == Decimal("12")
    response = client.post(url("provision_add", project, commitment=commitment.pk),
                           {"amount": "2", "provided_on": (timezone.localdate() - dt.timedelta(days=30)).isoformat(),
                            "evidence": "作業日報"})
    assert response.status_code == 302
    page = client.get(project.get_absolute_url()).content.decode()
    assert "遠州精密" in page or partner.display_name in page
    assert "約束 12 に対し提供 2" in page  # the shortfall reason with its numbers
    assert "期限超過" in page


def test_bad_amount_gets_a_translated_message_and_writes_nothing(users):
    project = sample_project()
    client = client_for(users, "secretariat")
    before = Commitment.objects.count()
    response = client.post(url("commitment_add", project), {
        "partner": project.lead_organization_id, "fiscal_year": 2025, "kind": "cash", "amount": "たくさん"})
    assert response.status_code == 200
    assert "数値として読めません" in response.content.decode()
    assert Commitment.objects.count() == before


def test_observer_and_non_participants_cannot_record(users):
    project = sample_project()
    for name in ("observer", "bank", "ura"):
        response = client_for(users, name).post(url("output_add", project), {
            "kind": "paper", "title": "x", "date": "2026-01-01"})
        assert response.status_code == 403, name
    assert not Output.objects.filter(title="x").exists()


def test_review_becomes_a_decision_and_its_finalisation_changes_the_project(users):
    project = Project.objects.get(venue__slug=SLUG, title__startswith="ドローンによる赤潮の広域観測")
    client = client_for(users, "secretariat")
    page = client.get(url("review_add", project)).content.decode()
    assert "報告の遅れ" in page  # the fired signals are shown to the reviewer
    response = client.post(url("review_add", project), {
        "assessment": "報告が出ていないため、体制を立て直すまで一時停止する。", "recommendation": "pause"})
    assert response.status_code == 302
    review = Review.objects.get(project=project)
    assert review.decision.status == Decision.Status.DRAFT
    assert review.signals["signals"]  # snapshot of the signals at that moment
    project.refresh_from_db()
    assert project.status == Project.Status.ACTIVE  # nothing changes before the venue decides
    venue_services.decision_finalise(actor=users["secretariat"], decision=review.decision)
    project.refresh_from_db()
    assert project.status == Project.Status.PAUSED
    change = ProjectChange.objects.get(review=review)
    assert change.decision_id == review.decision_id
    assert change.before == {"status": "active"} and change.after == {"status": "paused"}
    page = client.get(project.get_absolute_url()).content.decode()
    assert "一時停止中" in page and review.decision.title in page and "反映した変更" in page


def test_adjust_review_with_a_new_stage_and_end_date(users):
    project = sample_project()
    client = client_for(users, "secretariat")
    new_end = timezone.localdate() + dt.timedelta(days=700)
    response = client.post(url("review_add", project), {
        "assessment": "実装段階へ進める。", "recommendation": "adjust", "proposed_stage": "implementation",
        "proposed_end_date": new_end.isoformat()})
    assert response.status_code == 302
    review = Review.objects.get(project=project)
    assert "社会実装" in review.decision.text
    venue_services.decision_finalise(actor=users["secretariat"], decision=review.decision)
    project.refresh_from_db()
    assert project.stage == "implementation" and project.end_date == new_end
    # finalising twice is refused by the venue; the change is recorded once
    assert ProjectChange.objects.filter(review=review).count() == 1


def test_stage_change_needs_an_adjust_recommendation(users):
    response = client_for(users, "secretariat").post(url("review_add", sample_project()), {
        "assessment": "継続", "recommendation": "continue", "proposed_stage": "implementation"})
    assert response.status_code == 200
    assert "「見直し」の提言" in response.content.decode()
    assert not Review.objects.filter(project=sample_project()).exists()


def test_sample_has_a_decided_review_in_the_history(users):
    change = ProjectChange.objects.select_related("review", "decision").get(project__venue__slug=SLUG)
    assert change.decision.status == Decision.Status.FINALISED and "end_date" in change.after
    page = client_for(users, "ura").get(change.project.get_absolute_url()).content.decode()
    assert change.decision.title in page and "終了日" in page


def test_milestone_done_and_rule_b_of_researcher_convenience(users):
    project = Project.objects.get(venue__slug=SLUG, title__startswith="赤潮予測モデルの高度化")
    client = client_for(users, "researcher")
    page = client.get(project.get_absolute_url()).content.decode()
    assert "連携先に関わるマイルストーン" in page or "partner" in page or "マイルストーン" in page
    overdue = Milestone.objects.get(project=project, done_on__isnull=True, partner_facing=True)
    response = client.post(url("milestone_done", project, item=overdue.pk),
                           {"done_on": timezone.localdate().isoformat()})
    assert response.status_code == 302
    overdue.refresh_from_db()
    assert overdue.done_on == timezone.localdate()
    response = client.post(url("milestone_done", project, item=overdue.pk),
                           {"done_on": (timezone.localdate() + dt.timedelta(days=3)).isoformat()})
    overdue.refresh_from_db()
    assert overdue.done_on == timezone.localdate()  # a future date is refused


def test_filters_narrow_the_portfolio(users):
    client = client_for(users, "ura")
    all_rows = client.get(url("portfolio")).context["total"]
    assert all_rows >= 15
    by_stage = client.get(url("portfolio"), {"stage": "basic_research"}).context
    assert 0 < by_stage["total"] < all_rows
    assert all(r["project"].stage == "basic_research" for r in by_stage["rows"])
    out = client.get(url("portfolio"), {"region": "out"}).context
    assert 0 < out["total"] < all_rows
    by_signal = client.get(url("portfolio"), {"signal": "stale_reporting"}).context
    assert 0 < by_signal["total"] < all_rows
    assert all(any(s["code"] == "stale_reporting" for s in r["signals"]) for r in by_signal["rows"])
    # the matrix and the chart select the same projects as the list, signal filter included
    listed = {r["project"].pk for r in by_signal["rows"]}
    for page in ("matrix", "chart"):
        shown = {r["project"].pk for r in client.get(url(page), {"signal": "stale_reporting"}).context["rows"]}
        assert listed <= shown and len(shown) == by_signal["total"], page  # the list is paginated
    found = client.get(url("portfolio"), {"q": "赤潮"}).context
    assert found["total"] >= 2 and all("赤潮" in r["project"].title or "赤潮" in r["project"].summary_public
                                       or "赤潮" in r["project"].summary_internal for r in found["rows"])
    partial = client.get(url("portfolio"), {"q": "赤潮"}, HTTP_HX_REQUEST="true")
    assert b"<html" not in partial.content and b'id="results"' in partial.content


def test_matrix_counts_confidential_outputs_only_for_those_who_may_see_them(users):
    project = Project.objects.filter(venue__slug=SLUG, outputs__is_confidential=True,
                                     outputs__kpis__isnull=False).distinct().first()
    assert project is not None, "the sample has a confidential output linked to a KPI"
    hidden = Output.objects.filter(project=project, is_confidential=True, kpis__isnull=False).first()
    kpi_id = hidden.kpis.first().pk

    def cell(name: str) -> int:
        context = client_for(users, name).get(url("matrix")).context
        column = [k["id"] for k in context["kpis"]].index(kpi_id)
        row = next(r for r in context["rows"] if r["project"].pk == project.pk)
        return row["cells"][column]["outputs"]

    assert cell("secretariat") == cell("observer") + Output.objects.filter(
        project=project, is_confidential=True, kpis=kpi_id).count()


def test_chart_shows_every_project_in_its_table_and_plots_those_with_numbers(users):
    response = client_for(users, "bank").get(url("chart"))
    context = response.context
    assert len(context["rows"]) == Project.objects.filter(venue__slug=SLUG).count()
    assert context["plotted"] == sum(1 for r in context["rows"] if r["group"])
    assert context["plotted"] > 0
    assert response.content.decode().count('class="k-chart-point') == context["plotted"]


def test_venue_thresholds_change_the_signals(users):
    client = client_for(users, "secretariat")
    before = client.get(url("portfolio"), {"signal": "resource_shortfall"}).context["total"]
    form = client.get(url("settings")).context["form"]
    data = {name: form.initial[name] for name in form.fields}
    data["shortfall_ratio"] = 0.05
    data["shortfall_critical_ratio"] = 0.01
    assert client.post(url("settings"), data).status_code == 302
    assert PortfolioSettings.objects.get(venue__slug=SLUG).thresholds["shortfall_ratio"] == 0.05
    after = client.get(url("portfolio"), {"signal": "resource_shortfall"}).context["total"]
    assert after < before
    data["shortfall_critical_ratio"] = 0.5  # above the shortfall ratio: refused, nothing saved
    response = client.post(url("settings"), data)
    assert response.status_code == 200 and "閾値が正しくありません" in response.content.decode()
    assert PortfolioSettings.objects.get(venue__slug=SLUG).thresholds["shortfall_critical_ratio"] == 0.01


def test_secretariat_creates_a_project_with_themes_and_kpis(users):
    client = client_for(users, "secretariat")
    form = client.get(url("project_create")).context["form"]
    theme = form.fields["themes"].queryset.first()
    kpi = form.fields["expected_kpis"].queryset.first()
    response = client.post(url("project_create"), {
        "title": "新しい共同研究", "stage": "applied_research", "start_date": "2026-04-01",
        "lead_organization": Organization.objects.get(reference_key="mext:F122110106224").pk,
        "report_interval_months": 6, "themes": [theme.pk], "expected_kpis": [kpi.pk], "contribution": "寄与"})
    assert response.status_code == 302, response.context["form"].errors
    project = Project.objects.get(title="新しい共同研究")
    assert list(project.themes.all()) == [theme] and project.expected_kpis.get().contribution == "寄与"
    response = client.post(url("project_update", project), {
        "title": "新しい共同研究（改）", "stage": "applied_research", "start_date": "2026-04-01",
        "end_date": "2026-03-01", "lead_organization": project.lead_organization_id, "report_interval_months": 6})
    assert response.status_code == 200 and "終了日は開始日より後" in response.content.decode()


# --- domain: resources provided vs progress (pure) -------------------------------------------------


TODAY = dt.date(2026, 12, 1)


def test_provision_rate_is_the_lowest_capped_partner_kind_rate_of_due_commitments():
    commitments = [
        CommitmentFact(1, "A", 2024, "cash", Decimal(100), Decimal(150)),  # over-provided: capped at 1
        CommitmentFact(2, "B", 2024, "staff", Decimal(10), Decimal(2)),  # 0.2
        CommitmentFact(2, "B", 2026, "staff", Decimal(10), Decimal(0)),  # not due yet: ignored
    ]
    rate, groups, short = provision_rate(commitments, TODAY)
    assert groups == 2 and rate == pytest.approx(0.2) and short is True
    assert provision_rate(commitments[:1], TODAY) == (1.0, 1, False)
    assert provision_rate(commitments[2:], TODAY) == (None, 0, None)
    assert provision_rate([], TODAY) == (None, 0, None)


def test_progress_rate_counts_only_due_milestones():
    milestones = [MilestoneFact("a", dt.date(2026, 1, 1), True), MilestoneFact("b", dt.date(2026, 6, 1)),
                  MilestoneFact("c", dt.date(2027, 1, 1))]
    assert progress_rate(milestones, TODAY) == (0.5, 2, 1)
    assert progress_rate(milestones[2:], TODAY) == (None, 0, 0)


def test_quadrants():
    facts = ProjectFacts(1, dt.date(2024, 4, 1),
                         commitments=(CommitmentFact(1, "A", 2024, "cash", Decimal(100), Decimal(100)),),
                         milestones=(MilestoneFact("a", dt.date(2025, 1, 1)),))
    point = progress_point(facts, TODAY)
    assert (point.provision, point.progress) == (1.0, 0.0)
    assert quadrant(point) == "resources_without_progress"
    assert quadrant(progress_point(ProjectFacts(2, dt.date(2024, 4, 1)), TODAY)) is None


def test_resources_page_totals_per_partner_and_year_and_hides_confidential_cash(users):
    confidential = Commitment.objects.filter(project__venue__slug=SLUG, kind="cash", is_confidential=True).first()
    partner, year = confidential.partner.name, confidential.fiscal_year

    def row(name: str) -> dict:
        context = client_for(users, name).get(url("resources")).context
        return next(r for r in context["ledger"] if r["partner"] == partner and r["fiscal_year"] == year
                    and r["kind"] == "cash")

    secretariat, observer = row("secretariat"), row("observer")
    assert secretariat["hidden"] == 0 and observer["hidden"] >= 1
    assert observer["committed"] == secretariat["committed"] - sum(
        c.amount for c in Commitment.objects.filter(project__venue__slug=SLUG, kind="cash", is_confidential=True,
                                                    partner=confidential.partner, fiscal_year=year))
    overdue = client_for(users, "secretariat").get(url("resources")).context["overdue"]
    assert overdue and all(o["provided"] < o["committed"] for o in overdue)
    hidden_ids = {c.pk for c in Commitment.objects.filter(project__venue__slug=SLUG, kind="cash",
                                                          is_confidential=True)}
    seen = client_for(users, "observer").get(url("resources")).context["overdue"]
    masked = [o for o in seen if o["commitment_id"] in hidden_ids]
    assert masked and all(o["hidden"] and o["committed"] is None and o["provided"] is None for o in masked)


def test_report_schedule_marks_missing_periods_as_the_signal_counts_them(users):
    project = Project.objects.get(venue__slug=SLUG, title__startswith="中山間地の自動運転バス")
    context = client_for(users, "ura").get(project.get_absolute_url()).context
    missing = [row for row in context["schedule"] if row["state"] == "missing"]
    stale = next(s for s in context["signals"] if s["code"] == "stale_reporting")
    assert stale["fired"] and len(missing) == 2 == len(stale["reasons"])
    assert all(row["submitted_on"] for row in context["schedule"] if row["state"] == "submitted")


# --- the chart and the list agree; a project past its end date is flagged and can be closed ----------------


def test_the_chart_never_puts_a_project_flagged_for_a_shortfall_among_the_well_resourced(users):
    for name in ("secretariat", "bank"):
        client = client_for(users, name)
        chart = client.get(url("chart")).context["rows"]
        flagged = {row["project"].pk for row in client.get(url("portfolio"), {"signal": "resource_shortfall"})
                   .context["rows"]}
        assert flagged, "the sample portfolio has shortfalls"
        for row in chart:
            if row["group"] is not None:
                assert (row["group"] in ("on_track", "resources_without_progress")) == (
                    row["project"].pk not in flagged), (name, row["project"].title, row["group"])


def past_end_project(users) -> Project:
    from kyoso.portfolio import services

    project = sample_project()
    end = timezone.localdate() - dt.timedelta(days=3)
    return services.project_update(actor=users["secretariat"], project=Project.objects.get(pk=project.pk),
                                   end_date=max(end, project.start_date))


def test_a_project_past_its_end_date_gets_a_signal_and_the_secretariat_a_prompt_to_close_it(users):
    project = past_end_project(users)
    page = client_for(users, "secretariat").get(project.get_absolute_url())
    signal = next(s for s in page.context["signals"] if s["code"] == "past_end_date")
    assert signal["fired"] and signal["name"] == "終了日超過" and "事務局は終了するか" in signal["reasons"][0]
    body = page.content.decode()
    assert 'id="past-end-date"' in body and "?recommendation=complete" in body and "?recommendation=adjust" in body
    member_page = client_for(users, "ura").get(project.get_absolute_url()).content.decode()
    assert 'id="past-end-date"' in member_page and "?recommendation=complete" not in member_page
    listed = client_for(users, "ura").get(url("portfolio"), {"signal": "past_end_date"}).context["rows"]
    assert project.pk in [row["project"].pk for row in listed]
    # the prompt's link prefills the review, whose decision closes the project once the venue finalises it
    client = client_for(users, "secretariat")
    form = client.get(url("review_add", project) + "?recommendation=complete").context["form"]
    assert form.initial["recommendation"] == "complete"
    response = client.post(url("review_add", project), {"assessment": "計画どおり完了した。",
                                                        "recommendation": "complete"})
    assert response.status_code == 302
    review = Review.objects.get(project=project)
    venue_services.decision_finalise(actor=users["secretariat"], decision=review.decision)
    project.refresh_from_db()
    assert project.status == Project.Status.COMPLETED
    page = client.get(project.get_absolute_url())
    assert not next(s for s in page.context["signals"] if s["code"] == "past_end_date")["fired"]
    assert 'id="past-end-date"' not in page.content.decode()


def test_new_projects_get_the_venues_reporting_interval(users):
    from kyoso.portfolio import services

    venue = sample_project().venue
    PortfolioSettings.objects.update_or_create(venue=venue, defaults={"report_interval_months": 3})
    form = client_for(users, "secretariat").get(url("project_create")).context["form"]
    assert form.initial["report_interval_months"] == 3
    project = services.project_create(actor=users["secretariat"], venue=venue, title="間隔の確認",
                                      start_date=timezone.localdate(),
                                      lead_organization=sample_project().lead_organization)
    assert project.report_interval_months == 3
