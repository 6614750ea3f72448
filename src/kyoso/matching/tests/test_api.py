"""Matching API: public profiles, the search for venue members, venue-internal shortlists and contacts."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from kyoso.matching.models import ContactNote, Researcher, Shortlist

pytestmark = pytest.mark.django_db
SLUG = "hamamatsu-sample"
NEED = "ブリ養殖の赤潮被害を早期に予測したい"


def api(username: str | None = None) -> APIClient:
    client = APIClient()
    if username:
        client.force_authenticate(get_user_model().objects.get(username=username))
    return client


def test_researchers_are_public_with_their_records(matching_index):
    listing = api().get("/api/v1/researchers/", {"q": "aquaculture"})
    assert listing.status_code == 200
    names = [r["name_en"] for r in listing.json()["results"]]
    assert names == ["Marina Okada (sample)"]
    pk = Researcher.objects.get(name_en="Marina Okada (sample)").pk
    detail = api().get(f"/api/v1/researchers/{pk}/").json()
    assert {r["type"] for r in detail["records"]} == {"paper", "grant"}


def test_search_returns_reasons_gap_and_consortium_for_members_only(matching_index, users):
    body = {"venue": SLUG, "text": NEED}
    response = api("ura").post("/api/v1/matching/search/", body, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    top = data["results"][0]
    assert top["score"] > 0 and top["reasons"]
    assert any(span["hit"] for reason in top["reasons"] for span in reason["snippet"])
    assert {r["in_region"] for r in data["results"]} == {True, False}
    assert data["gap"]["verdict"] in {"covered", "stronger_outside", "look_outside", "not_covered"}
    assert data["consortium"] is None or data["consortium"]["facets"]
    outside = api("ura").post("/api/v1/matching/search/", {**body, "scope": "out"}, format="json").json()
    assert outside["results"] and not any(r["in_region"] for r in outside["results"])
    assert api("resident").post("/api/v1/matching/search/", body, format="json").status_code == 403
    assert api().post("/api/v1/matching/search/", body, format="json").status_code in (401, 403)
    assert api("ura").post("/api/v1/matching/search/", {"venue": SLUG}, format="json").status_code == 400


def test_shortlists_and_contacts_are_venue_internal(matching_index, users):
    ids = [r.pk for r in Researcher.objects.filter(name_en__in=["Marina Okada (sample)", "Ushio Hamana (sample)"])]
    created = api("ura").post("/api/v1/shortlists/", {"venue": SLUG, "title": "API の候補（テスト）", "need_text": NEED,
                                                      "researchers": ids}, format="json")
    assert created.status_code == 201, created.content
    shortlist = Shortlist.objects.get(pk=created.json()["id"])
    assert shortlist.entries.count() == 2 and all(e.score is not None for e in shortlist.entries.all())
    contact = {"researcher": ids[0], "contacted_on": timezone.localdate().isoformat(), "channel": "email",
               "outcome": "interested", "summary": "メールで打診（テスト）"}
    url = f"/api/v1/shortlists/{shortlist.pk}/contacts/"
    assert api("observer").post(url, contact, format="json").status_code == 403
    assert api("ura").post(url, contact, format="json").status_code == 201
    assert ContactNote.objects.get().summary == "メールで打診（テスト）"
    detail = api("observer").get(f"/api/v1/shortlists/{shortlist.pk}/")
    assert detail.status_code == 200 and detail.json()["contacts"][0]["outcome"] == "interested"
    assert api("resident").get(f"/api/v1/shortlists/{shortlist.pk}/").status_code == 403
    assert api().get(f"/api/v1/shortlists/{shortlist.pk}/").status_code in (401, 403)
    listing = api("bank").get("/api/v1/shortlists/", {"venue": SLUG}).json()
    assert [s["title"] for s in listing["results"]] == ["API の候補（テスト）"]
    assert api("observer").post(f"/api/v1/shortlists/{shortlist.pk}/entries/", {"researcher": ids[0]},
                                format="json").status_code == 403


def test_openapi_schema_lists_the_matching_endpoints_and_validates_without_warnings(client, tmp_path, db):
    body = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content.decode()
    for path in ("/api/v1/researchers/", "/api/v1/matching/search/", "/api/v1/shortlists/{id}/contacts/"):
        assert path in body
    call_command("spectacular", validate=True, fail_on_warn=True, file=str(tmp_path / "schema.yaml"))


def test_cross_appointments_are_proposed_and_decided_through_the_api(matching_index, users):
    from kyoso.regions.models import Organization

    outside = Researcher.objects.get(name_en="Marina Okada (sample)")
    inside = Researcher.objects.get(name_en="Ushio Hamana (sample)")
    created = api("ura").post("/api/v1/shortlists/", {"venue": SLUG, "title": "招へい（テスト）",
                                                      "researchers": [outside.pk, inside.pk]}, format="json")
    pk = created.json()["id"]
    host = Organization.objects.get(reference_key="sample:uni")
    body = {"researcher": outside.pk, "organization": host.pk, "effort_share": 30}
    assert api("observer").post(f"/api/v1/shortlists/{pk}/proposals/", body, format="json").status_code == 403
    refused = api("ura").post(f"/api/v1/shortlists/{pk}/proposals/", {**body, "researcher": inside.pk},
                              format="json")
    assert refused.status_code == 400  # in-region researchers are not invited by cross-appointment
    proposed = api("ura").post(f"/api/v1/shortlists/{pk}/proposals/", body, format="json")
    assert proposed.status_code == 201, proposed.content
    decide = {"proposal": proposed.json()["id"], "decision": "accept"}
    assert api("ura").post(f"/api/v1/shortlists/{pk}/decide/", decide, format="json").status_code == 403
    accepted = api("secretariat").post(f"/api/v1/shortlists/{pk}/decide/", decide, format="json")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert accepted.json()["affiliation"] is not None
    again = api("secretariat").post(f"/api/v1/shortlists/{pk}/decide/", decide, format="json")
    assert again.status_code == 400
    detail = api("bank").get(f"/api/v1/shortlists/{pk}/").json()
    assert detail["proposals"][0]["effort_share"] == 30


def test_results_and_profiles_name_researchers_by_their_source_id_and_reasons_are_on_demand(matching_index, users):
    from kyoso.matching.models import ResearcherIdentity

    okada = Researcher.objects.get(name_en="Marina Okada (sample)")
    ResearcherIdentity.objects.create(researcher=okada, kind="researchmap", value="okada_marina_sample")
    okada.source = "researchmap"
    okada.save(update_fields=["source"])
    response = api("ura").post("/api/v1/matching/search/", {"venue": SLUG, "text": NEED, "reasons": 1},
                               format="json")
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert results[0]["reasons"] and all(not r["reasons"] for r in results[1:])
    row = next(r for r in results if r["researcher_id"] == str(okada.pk))
    assert (row["source_id_kind"], row["source_id"]) == ("researchmap", "okada_marina_sample")
    assert row["researcher"]["identities"] == {"researchmap": "okada_marina_sample"}
    none = api("ura").post("/api/v1/matching/search/", {"venue": SLUG, "text": NEED, "reasons": 0}, format="json")
    assert all(not r["reasons"] for r in none.json()["results"])
    profile = api().get(f"/api/v1/researchers/{okada.pk}/").json()
    assert profile["source_id"] == "okada_marina_sample"
    listed = api().get("/api/v1/researchers/", {"q": "Okada"}).json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert rows[0]["source_id_kind"] == "researchmap"
