"""The portfolio REST API: members read, observers never write, the project's participants and the
secretariat record commitments, provision, outputs and reports, the secretariat writes reviews (which become
decision drafts of the venue); lists are filtered like the portfolio page and take a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from kyoso.common.domain.fiscal import fiscal_year
from kyoso.portfolio.models import Commitment, Output, Project, Report, Review
from kyoso.regions.models import Organization
from kyoso.venues.models import Decision

from .secret_project import SLUG, build_secret_project

pytestmark = pytest.mark.django_db


def api(username: str | None = None) -> APIClient:
    client = APIClient()
    if username:
        client.force_authenticate(get_user_model().objects.get(username=username))
    return client


@pytest.fixture
def secret(users):
    return build_secret_project()


def test_members_read_projects_with_signals_and_others_get_nothing(secret):
    body = api("observer").get("/api/v1/projects/", {"venue": SLUG, "limit": 100}).json()
    assert body["count"] == Project.objects.filter(venue__slug=SLUG).count()
    row = next(r for r in body["results"] if r["id"] == secret.project.pk)
    assert {"resource_shortfall", "orphaned"} <= {s["code"] for s in row["fired_signals"]}
    assert api("resident").get("/api/v1/projects/", {"venue": SLUG}).status_code == 403
    assert api().get(f"/api/v1/projects/{secret.project.pk}/").status_code in (401, 403)
    assert api("observer").get("/api/v1/projects/").status_code == 400  # the venue is required


def test_project_detail_has_every_part_the_venue_reviews(secret):
    detail = api("secretariat").get(f"/api/v1/projects/{secret.project.pk}/").json()
    assert {p["role"] for p in detail["participants"]} == {"company_lead", "pi"}
    assert {(c["kind"], c["overdue"]) for c in detail["ledger"]} == {("cash", True), ("staff", True)}
    cash = next(c for c in detail["ledger"] if c["kind"] == "cash")
    assert cash["fiscal_year_label"].startswith(f"{cash['fiscal_year']}年度")
    assert [s["code"] for s in detail["signals"]] == ["resource_shortfall", "kpi_stalled", "researcher_convenience",
                                                      "stale_reporting", "orphaned", "past_end_date"]
    assert all(r["text"] for s in detail["signals"] for r in s["reasons"])
    for key in ("expected_kpis", "outputs", "reports", "milestones", "reviews", "summary_internal"):
        assert key in detail


def test_filters_are_those_of_the_portfolio_page(secret):
    client = api("ura")

    def ids(**query: object) -> set[int]:
        body = client.get("/api/v1/projects/", {"venue": SLUG, "limit": 100, **query}).json()
        return {r["id"] for r in body["results"]}

    assert ids(q="秘密保持") == {secret.project.pk}
    assert secret.project.pk in ids(partner=secret.commitment.partner_id)
    assert secret.project.pk in ids(signal="resource_shortfall")
    assert secret.project.pk not in ids(stage="basic_research")
    out = ids(region="out")
    assert out and secret.project.pk not in out
    assert client.get("/api/v1/projects/", {"venue": SLUG, "stage": "nonsense"}).status_code == 400


def test_participants_and_the_secretariat_record_and_observers_never_write(secret):
    today = timezone.localdate()
    partner = Organization.objects.get(reference_key="sample:enshu-seimitsu")
    new = {"project": secret.project.pk, "partner": partner.pk, "fiscal_year": fiscal_year(today), "kind": "equipment",
           "amount": "2"}
    for username in ("observer", "bank", "ura"):
        assert api(username).post("/api/v1/commitments/", new, format="json").status_code == 403, username
        assert api(username).post(f"/api/v1/commitments/{secret.commitment.pk}/provision/",
                                  {"amount": "1", "provided_on": today.isoformat()}, format="json").status_code == 403
    created = api("company").post("/api/v1/commitments/", new, format="json")
    assert created.status_code == 201, created.content
    provided = api("researcher").post(f"/api/v1/commitments/{created.json()['id']}/provision/",
                                      {"amount": "1", "provided_on": today.isoformat(), "evidence": "受領書"},
                                      format="json")
    assert provided.status_code == 201 and provided.json()["provided"] == "1.00" and provided.json()["ratio"] == 50
    future = api("company").post(f"/api/v1/commitments/{created.json()['id']}/provision/",
                                 {"amount": "1", "provided_on": (today + dt.timedelta(days=3)).isoformat()},
                                 format="json")
    assert future.status_code == 400 and "provided_on" in future.json()
    output = api("secretariat").post("/api/v1/outputs/", {"project": secret.project.pk, "kind": "field_trial",
                                                           "title": "実証実験ベータ", "date": today.isoformat()},
                                     format="json")
    assert output.status_code == 201 and Output.objects.filter(title="実証実験ベータ").exists()
    assert api("observer").post("/api/v1/outputs/", {"project": secret.project.pk, "kind": "paper", "title": "x",
                                                      "date": today.isoformat()}, format="json").status_code == 403
    report = api("researcher").post("/api/v1/reports/", {"project": secret.project.pk, "period_end": "2025-03-31",
                                                          "progress": "試作を完了"}, format="json")
    assert report.status_code == 201 and Report.objects.filter(project=secret.project).count() == 1
    assert Commitment.objects.filter(project=secret.project).count() == 3


def test_a_review_by_the_secretariat_becomes_a_decision_draft(secret):
    body = {"project": secret.project.pk, "assessment": "資金の提供が不足。", "recommendation": "pause"}
    assert api("company").post("/api/v1/reviews/", body, format="json").status_code == 403
    assert api("observer").post("/api/v1/reviews/", body, format="json").status_code == 403
    response = api("secretariat").post("/api/v1/reviews/", body, format="json")
    assert response.status_code == 201, response.content
    review = Review.objects.get(pk=response.json()["id"])
    assert review.decision.status == Decision.Status.DRAFT
    assert response.json()["decision"]["id"] == review.decision_id
    assert any(s["code"] == "resource_shortfall" and s["fired"] for s in response.json()["signals"])
    listed = api("bank").get("/api/v1/reviews/", {"project": secret.project.pk}).json()
    assert [r["id"] for r in listed["results"]] == [review.pk]


def test_lists_take_a_fixed_number_of_queries(secret, django_assert_max_num_queries):
    client = api("bank")
    client.get("/api/v1/projects/", {"venue": SLUG})  # warm caches (content types, sessions)
    for path in ("/api/v1/projects/", "/api/v1/commitments/", "/api/v1/outputs/", "/api/v1/reports/",
                 "/api/v1/reviews/"):
        with django_assert_max_num_queries(30):
            assert client.get(path, {"venue": SLUG, "limit": 200}).status_code == 200
    with django_assert_max_num_queries(30):
        assert client.get(f"/api/v1/projects/{secret.project.pk}/").status_code == 200


def test_openapi_schema_lists_the_portfolio_endpoints_without_warnings(client, tmp_path):
    body = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content.decode()
    for path in ("/api/v1/projects/{id}/", "/api/v1/commitments/{id}/provision/", "/api/v1/reviews/"):
        assert path in body
    call_command("spectacular", validate=True, fail_on_warn=True, file=str(tmp_path / "schema.yaml"))
