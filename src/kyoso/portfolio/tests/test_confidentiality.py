"""Confidential cash amounts and confidential outputs never reach a non-participant: not through a page, an
API endpoint, an export or a search result; the project's participants and the secretariat (and staff) do see
them. The rule lives in ``kyoso.portfolio.permissions``; every channel is checked here end to end."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from kyoso.portfolio import exports, reporting
from kyoso.portfolio.models import Project
from kyoso.portfolio.permissions import can_see_confidential, confidential_access, mask_params
from kyoso.venues.permissions import venue_access

from .secret_project import (
    INSIDERS,
    OUTSIDERS,
    PUBLIC_OUTPUT,
    SECRET_AMOUNT,
    SECRET_OUTPUT,
    SECRET_PROVIDED,
    SLUG,
    build_secret_project,
    leaks,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def secret(users):
    return build_secret_project()


def page_client(username: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def api(username: str) -> APIClient:
    client = APIClient()
    client.force_authenticate(get_user_model().objects.get(username=username))
    return client


def xlsx_text(body: bytes) -> str:
    book = load_workbook(io.BytesIO(body))
    return "\n".join(str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row
                     if c is not None)


# --- The rule ------------------------------------------------------------------------------------


def test_the_bulk_rule_agrees_with_the_single_rule_and_takes_one_query(secret, users, django_assert_num_queries):
    projects = list(Project.objects.filter(venue__slug=SLUG))
    venue = secret.project.venue
    for username in (*INSIDERS, *OUTSIDERS):
        user = users[username]
        rights = venue_access(user, venue)
        expected = {p.pk for p in projects if can_see_confidential(user, p, rights)}
        with django_assert_num_queries(0 if rights.is_secretariat else 1):
            assert confidential_access(user, projects, rights) == expected
        assert (secret.project.pk in expected) == (username in INSIDERS), username


def test_observers_who_take_part_see_secrets_but_never_write(users):
    from kyoso.portfolio.permissions import can_record

    project = Project.objects.get(venue__slug=SLUG, title__contains="赤潮原因プランクトン")  # the observer takes part
    rights = venue_access(users["observer"], project.venue)
    assert can_see_confidential(users["observer"], project, rights)
    assert not can_record(users["observer"], project, rights)


def test_masked_reason_parameters_keep_only_the_ratios_band_and_drop_every_amount():
    params = {"kind": "cash", "partner_name": "A", "committed": 100, "provided": 10, "missing": 90, "ratio": 0.1,
              "by_fiscal_year": [{"fiscal_year": 2024, "committed": 100, "provided": 10}]}
    masked = mask_params(params, show_amounts=False)
    assert masked["committed"] is masked["provided"] is masked["missing"] is None
    assert masked["by_fiscal_year"] == [{"fiscal_year": 2024, "committed": None, "provided": None}]
    assert masked["ratio"] is None and masked["ratio_band"] == 10 and masked["amounts_hidden"] is True
    assert mask_params(params, show_amounts=True) == params
    assert mask_params({**params, "kind": "staff"}, show_amounts=False)["committed"] == 100


# --- Pages ---------------------------------------------------------------------------------------


def test_pages_hide_the_secrets_from_outsiders_and_show_them_to_insiders(secret):
    detail = reverse("portfolio:project_detail", args=[SLUG, secret.project.pk])
    lists = [reverse("portfolio:portfolio", args=[SLUG]), reverse("portfolio:matrix", args=[SLUG]),
             reverse("portfolio:chart", args=[SLUG]), reverse("portfolio:resources", args=[SLUG])]
    for username in OUTSIDERS:
        client = page_client(username)
        body = client.get(detail).content.decode()
        assert "秘密保持の確認用プロジェクト" in body and PUBLIC_OUTPUT in body
        assert leaks(body) == [], username
        assert "非公開" in body
        for url in lists:
            response = client.get(url)
            assert response.status_code == 200
            assert leaks(response.content.decode()) == [], (username, url)
    for username in INSIDERS:
        body = page_client(username).get(detail).content.decode()
        assert "7,654,321" in body and SECRET_OUTPUT in body, username


def test_search_and_filters_find_the_project_but_never_by_its_secrets(secret):
    url = reverse("portfolio:portfolio", args=[SLUG])
    for username in OUTSIDERS:
        client = page_client(username)
        found = client.get(url, {"q": "秘密保持"}).content.decode()
        assert "秘密保持の確認用プロジェクト" in found and leaks(found) == []
        for query in ("エックスワイゼット", "7654321", "7,654,321"):
            body = client.get(url, {"q": query}).content.decode().replace(query, "")  # the search box echoes it
            assert "秘密保持の確認用プロジェクト" not in body and leaks(body) == [], query
        partner = client.get(url, {"partner": secret.commitment.partner_id, "signal": "resource_shortfall"})
        assert leaks(partner.content.decode()) == []


# --- API -----------------------------------------------------------------------------------------


def test_api_hides_the_amount_and_the_output_from_outsiders(secret):
    pk, cid, oid = secret.project.pk, secret.commitment.pk, secret.output.pk
    for username in OUTSIDERS:
        client = api(username)
        responses = [
            client.get(f"/api/v1/projects/{pk}/"), client.get("/api/v1/projects/", {"venue": SLUG}),
            client.get("/api/v1/projects/", {"venue": SLUG, "q": "秘密保持"}),
            client.get(f"/api/v1/commitments/{cid}/"), client.get("/api/v1/commitments/", {"project": pk}),
            client.get("/api/v1/commitments/", {"venue": SLUG, "limit": 500}),
            client.get("/api/v1/outputs/", {"project": pk}), client.get("/api/v1/outputs/", {"venue": SLUG,
                                                                                           "limit": 500}),
        ]
        for response in responses:
            assert response.status_code == 200, response.content
            assert leaks(response.content.decode()) == [], (username, response.request["PATH_INFO"])
        assert client.get(f"/api/v1/outputs/{oid}/").status_code == 404
        commitment = client.get(f"/api/v1/commitments/{cid}/").json()
        assert commitment["amount"] is None and commitment["amount_hidden"] is True
        # 765,432 of 7,654,321 is 9.99999 %: only its band "0–10 %" is told
        assert commitment["provided"] is None and commitment["ratio"] == 0 and commitment["ratio_coarse"] is True
        assert commitment["provisions"][0]["amount"] is None and commitment["provisions"][0]["evidence"] is None
        detail = client.get(f"/api/v1/projects/{pk}/").json()
        assert detail["confidential_visible"] is False
        assert [o["title"] for o in detail["outputs"]] == [PUBLIC_OUTPUT]
        shortfall = next(s for s in detail["signals"] if s["code"] == "resource_shortfall")
        assert shortfall["fired"]
        cash = next(r for r in shortfall["reasons"] if r["params"]["kind"] == "cash")
        assert cash["params"]["committed"] is None and cash["params"]["amounts_hidden"] is True
        assert "（非公開）" in cash["text"]
        assert cash["params"]["ratio"] is None and cash["params"]["ratio_band"] == 0
        assert "（0〜10%、基準 70% 未満）" in cash["text"]  # the band says how far short, never the amounts


def test_api_shows_the_secrets_to_insiders(secret):
    pk, cid = secret.project.pk, secret.commitment.pk
    for username in INSIDERS:
        client = api(username)
        commitment = client.get(f"/api/v1/commitments/{cid}/").json()
        assert commitment["amount"] == f"{SECRET_AMOUNT}.00" and commitment["amount_hidden"] is False
        detail = client.get(f"/api/v1/projects/{pk}/").json()
        assert detail["confidential_visible"] is True
        assert SECRET_OUTPUT in [o["title"] for o in detail["outputs"]]
        assert client.get(f"/api/v1/outputs/{secret.output.pk}/").status_code == 200
        shortfall = next(s for s in detail["signals"] if s["code"] == "resource_shortfall")
        cash = next(r for r in shortfall["reasons"] if r["params"]["kind"] == "cash")
        assert cash["params"]["committed"] == SECRET_AMOUNT and "7,654,321" in cash["text"]


def test_a_review_snapshot_masks_amounts_for_outsiders(secret):
    response = api("secretariat").post("/api/v1/reviews/", {
        "project": secret.project.pk, "assessment": "提供が大きく不足しています。", "recommendation": "adjust"},
        format="json")
    assert response.status_code == 201, response.content
    assert leaks(response.content.decode())  # the secretariat sees the amounts in the snapshot
    review_id = response.json()["id"]
    for username in OUTSIDERS:
        client = api(username)
        for r in (client.get(f"/api/v1/reviews/{review_id}/"), client.get("/api/v1/reviews/", {"venue": SLUG}),
                  client.get(f"/api/v1/projects/{secret.project.pk}/")):
            assert r.status_code == 200 and leaks(r.content.decode()) == [], username
    assert leaks(api("company").get(f"/api/v1/reviews/{review_id}/").content.decode())


# --- Exports -------------------------------------------------------------------------------------


def test_exports_show_hidden_to_outsiders_and_the_amounts_to_insiders(secret):
    urls = {
        "project_xlsx": reverse("portfolio:project_export_xlsx", args=[SLUG, secret.project.pk]),
        "portfolio_xlsx": reverse("portfolio:portfolio_export_xlsx", args=[SLUG]),
    }
    for username in OUTSIDERS:
        client = page_client(username)
        for name, url in urls.items():
            text = xlsx_text(client.get(url).content)
            assert "秘密保持の確認用プロジェクト" in text
            assert leaks(text) == [], (username, name)
            assert "非公開" in text
        searched = xlsx_text(client.get(urls["portfolio_xlsx"], {"q": "エックスワイゼット"}).content)
        assert "秘密保持の確認用プロジェクト" not in searched
    for username in ("company", "secretariat"):
        text = xlsx_text(page_client(username).get(urls["project_xlsx"]).content)
        assert str(SECRET_AMOUNT) in text and SECRET_OUTPUT in text


def test_pdf_documents_follow_the_same_rule(secret, users):
    venue = secret.project.venue
    project = Project.objects.select_related("venue", "lead_organization").get(pk=secret.project.pk)
    projects = list(Project.objects.filter(venue=venue).select_related("lead_organization"))
    for username, insider in (("bank", False), ("observer", False), ("researcher", True), ("secretariat", True)):
        user = users[username]
        rights = venue_access(user, venue)
        from django.utils import timezone

        today = timezone.localdate()
        project_text = exports.project_document(reporting.project_report(project, user, rights, today)).text()
        portfolio_text = exports.portfolio_document(reporting.portfolio_report(venue, projects, user, rights, today),
                                                    reporting.participant_counts(projects)).text()
        assert bool(leaks(project_text)) is insider, username
        assert ("7,654,321円" in project_text) is insider
        assert leaks(portfolio_text) == [] or insider, username
        response = page_client(username).get(reverse("portfolio:project_export_pdf", args=[SLUG, project.pk]))
        assert response.status_code == 200 and response.content.startswith(b"%PDF")


# --- Derived values: ratios, counts, chart positions, review and decision text ----------------------


def mix_of(signals: list[dict]) -> dict:
    convenience = next(s for s in signals if s["code"] == "researcher_convenience")
    return next(r["params"] for r in convenience["reasons"] if r["code"] in ("output_mix_ok", "academic_dominates"))


def test_signal_counts_are_computed_from_the_outputs_the_reader_may_see(secret):
    pk = secret.project.pk
    for username in OUTSIDERS:
        detail = api(username).get(f"/api/v1/projects/{pk}/").json()
        assert len(detail["outputs"]) == 1
        assert mix_of(detail["signals"])["implementation"] == 0  # the secret prototype is not counted
        page = page_client(username).get(reverse("portfolio:project_detail", args=[SLUG, pk]))
        convenience = next(s for s in page.context["signals"] if s["code"] == "researcher_convenience")
        assert "実装につながる成果 0 件" in " ".join(convenience["reasons"])
    for username in INSIDERS:
        detail = api(username).get(f"/api/v1/projects/{pk}/").json()
        assert mix_of(detail["signals"])["implementation"] == 1


def test_the_shared_overview_gives_outsiders_the_signals_without_hidden_outputs(secret, users):
    """Implementation outputs that only insiders see must not silence a signal for outsiders (nor tell them
    those outputs exist): seven papers and presentations against three secret prototypes fire 「研究者の都合の優先」
    only for those who cannot see the prototypes."""
    from kyoso.portfolio import services

    today = timezone.localdate()
    for i in range(6):
        services.output_add(actor=None, project=secret.project, kind="paper", title=f"公開論文{i}",
                            date=today - dt.timedelta(days=10 + i))
    for i in range(2):
        services.output_add(actor=None, project=secret.project, kind="prototype", title=f"極秘の試作品その{i + 2}",
                            date=today - dt.timedelta(days=5), is_confidential=True)
    url = reverse("portfolio:portfolio", args=[SLUG])
    query = {"signal": "researcher_convenience", "q": "秘密保持"}
    outsider = [r["project"].pk for r in page_client("bank").get(url, query).context["rows"]]
    insider = [r["project"].pk for r in page_client("secretariat").get(url, query).context["rows"]]
    assert outsider == [secret.project.pk] and insider == []
    listed = api("bank").get("/api/v1/projects/", {"venue": SLUG, "q": "秘密保持"}).json()["results"]
    assert "researcher_convenience" in [s["code"] for s in listed[0]["fired_signals"]]


def test_ratios_from_hidden_amounts_are_only_bands_everywhere(secret):
    chart_url = reverse("portfolio:chart", args=[SLUG])
    for username in OUTSIDERS:
        row = next(r for r in page_client(username).get(chart_url).context["rows"]
                   if r["project"].pk == secret.project.pk)
        assert row["provision"] == "0〜10" and row["point"].provision == pytest.approx(0.05)
        assert row["group"] in ("both_lagging", "progress_despite_shortfall", None)
    row = next(r for r in page_client("secretariat").get(chart_url).context["rows"]
               if r["project"].pk == secret.project.pk)
    assert row["point"].provision == 0.0 and row["provision"] == "0"  # the university's staff: none provided
    resources = page_client("bank").get(reverse("portfolio:resources", args=[SLUG])).content.decode()
    assert leaks(resources) == [] and "0〜10%" in resources


def test_a_review_and_its_decision_never_carry_hidden_outputs_or_amounts(secret):
    client = api("secretariat")
    for leaked in (f"提供は {SECRET_PROVIDED:,} 円にとどまる。", f"約束額 {SECRET_AMOUNT} 円",
                   f"不足は {SECRET_AMOUNT - SECRET_PROVIDED:,} 円。", "約束は765.4321万円。",
                   "提供は７６５，４３２円。", f"{SECRET_OUTPUT}が完成した。"):
        response = client.post("/api/v1/reviews/", {"project": secret.project.pk, "assessment": leaked,
                                                    "recommendation": "adjust"}, format="json")
        assert response.status_code == 400, leaked
        assert "assessment" in response.json()
    response = client.post("/api/v1/reviews/", {"project": secret.project.pk, "recommendation": "adjust",
                                                "assessment": "提供が大きく不足しています。"}, format="json")
    assert response.status_code == 201
    review = response.json()
    for username in OUTSIDERS:
        seen = api(username).get(f"/api/v1/reviews/{review['id']}/").json()
        assert leaks(str(seen)) == [] and mix_of(seen["signals"])["implementation"] == 0
    assert mix_of(api("company").get(f"/api/v1/reviews/{review['id']}/").json()["signals"])["implementation"] == 1
    from kyoso.venues.models import Decision

    decision = Decision.objects.get(pk=review["decision"]["id"])
    assert leaks(decision.title + decision.text + decision.applies_to) == []
