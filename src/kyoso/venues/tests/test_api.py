"""The venue REST API applies the same rules as the pages: who sees what, who may write what."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Max
from django.utils import timezone
from rest_framework.test import APIClient

from kyoso.regions.models import Organization, Person
from kyoso.venues import services
from kyoso.venues.models import ActionItem, Decision, Membership, Representative, Venue, VenueRole

pytestmark = pytest.mark.django_db

SLUG = "hamamatsu-sample"
GOVERNMENT, ACADEMIA, INDUSTRY = "sample:city", "sample:uni", "sample:enshu-seimitsu"


def api(username: str | None = None) -> APIClient:
    """A client for the persona, with a fresh user object (per-request role caches start empty)."""
    client = APIClient()
    if username:
        client.force_authenticate(get_user_model().objects.get(username=username))
    return client


def venue() -> Venue:
    return Venue.objects.get(slug=SLUG)


def represent(username: str, org_key: str, layer: str = "middle") -> Representative:
    """The persona as representative of the organisation in the sample venue (created if missing)."""
    organization = Organization.objects.get(reference_key=org_key)
    membership = (Membership.objects.filter(venue=venue(), organization=organization).first()
                  or services.membership_add(actor=None, venue=venue(), organization=organization))
    person = Person.objects.get(user__username=username)
    return (Representative.objects.filter(membership=membership, person=person).first()
            or services.representative_add(actor=None, membership=membership, person=person, layer=layer))


def core_representatives() -> dict[str, Representative]:
    return {"industry": represent("company", INDUSTRY), "academia": represent("ura", ACADEMIA),
            "government": represent("secretariat", GOVERNMENT, "key_person")}


def draft(title: str = "API テストの決定案", **fields) -> Decision:
    return services.decision_create(actor=None, venue=venue(), title=title, text="本文", **fields)


def finalised(title: str, *, is_public: bool) -> Decision:
    return services.decision_finalise(actor=None, decision=draft(title, is_public=is_public))


def url(decision: Decision, step: str = "") -> str:
    return f"/api/v1/decisions/{decision.pk}/" + (f"{step}/" if step else "")


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


# --- Reading ------------------------------------------------------------------------------------


def test_anonymous_sees_public_finalised_decisions_only_and_no_meetings(users):
    public = finalised("公開の決定", is_public=True)
    internal = finalised("非公開の決定", is_public=False)
    pending = draft("案", is_public=True)
    anonymous = api()

    seen = ids(anonymous.get("/api/v1/decisions/", {"venue": SLUG}))
    assert public.pk in seen and not seen & {internal.pk, pending.pk}
    assert set(Decision.objects.filter(pk__in=seen).values_list("status", "is_public")) == {("finalised", True)}
    body = anonymous.get(url(public)).json()
    assert body["number"] == public.number and body["evaluation"] is None and body["endorsements"] is None
    assert body["agenda_item"] is None and body["meeting"] is None
    assert anonymous.get(url(internal)).status_code == 404
    assert anonymous.get(url(pending)).status_code == 404
    assert anonymous.get("/api/v1/decisions/").status_code == 400  # ?venue= is required

    meeting = services.meeting_create(actor=None, venue=venue(), title="非公開の会議", starts_at=timezone.now())
    assert anonymous.get("/api/v1/meetings/", {"venue": SLUG}).status_code in (401, 403)
    assert anonymous.get(f"/api/v1/meetings/{meeting.pk}/").status_code in (401, 403)
    assert api("resident").get("/api/v1/meetings/", {"venue": SLUG}).status_code == 403


def test_members_see_drafts_and_the_log_filters_like_the_page(users):
    pending = draft("実証フィールドの案")
    done = finalised("運営の決定", is_public=False)
    observer = api("observer")
    assert {pending.pk, done.pk} <= ids(observer.get("/api/v1/decisions/", {"venue": SLUG}))
    drafts = ids(observer.get("/api/v1/decisions/", {"venue": SLUG, "status": "draft"}))
    assert pending.pk in drafts and done.pk not in drafts
    found = ids(observer.get("/api/v1/decisions/", {"venue": SLUG, "q": "実証"}))
    assert pending.pk in found and done.pk not in found
    assert observer.get("/api/v1/decisions/", {"venue": SLUG, "date_from": "not a date"}).status_code == 400
    assert observer.get(url(pending)).json()["is_editable"] is True


def test_venue_internal_fields_and_representative_names_only_for_members(users):
    represent("company", INDUSTRY)
    public = api().get(f"/api/v1/venues/{SLUG}/").json()
    assert public["purpose"] and public["is_member"] is False
    assert public["required_sectors"] is None and public["endorsement_rule"] is None
    member = api("observer").get(f"/api/v1/venues/{SLUG}/").json()
    assert member["is_member"] is True and member["my_roles"] == ["observer"]
    assert set(member["required_sectors"]) == {"industry", "academia", "government"}
    assert member["endorsement_rule"] == "unanimous"

    anonymous_members = api().get(f"/api/v1/venues/{SLUG}/members/").json()
    company = next(m for m in anonymous_members if m["organization"]["name"].startswith("遠州精密"))
    assert company["sector"] == "industry" and company["representatives"]
    assert all(r["person"] is None and r["title"] is None for m in anonymous_members for r in m["representatives"])
    named = api("observer").get(f"/api/v1/venues/{SLUG}/members/").json()
    names = {r["person"]["name"] for m in named for r in m["representatives"]}
    assert Person.objects.get(user__username="company").name in names


def test_meetings_with_agenda_attendance_and_minutes_for_members(users):
    rep = represent("company", INDUSTRY)
    meeting = services.meeting_create(actor=None, venue=venue(), title="API 会議",
                                      starts_at=timezone.now() - dt.timedelta(days=1), agenda=["議題A", "議題B"])
    services.attendance_set(actor=None, meeting=meeting, people=[rep.person])
    services.minutes_save(actor=None, meeting=meeting, text="# 議事録", expected_version=0)
    listed = api("researcher").get("/api/v1/meetings/", {"venue": SLUG})
    assert meeting.pk in ids(listed)
    body = api("observer").get(f"/api/v1/meetings/{meeting.pk}/").json()
    assert [a["title"] for a in body["agenda_items"]] == ["議題A", "議題B"]
    assert body["attendances"] == [{"person": {"id": rep.person.pk, "name": rep.person.name,
                                               "name_en": rep.person.name_en},
                                    "organization": {"id": rep.membership.organization.pk,
                                                     "name": rep.membership.organization.name,
                                                     "name_en": rep.membership.organization.name_en},
                                    "sector": "industry", "layer": "middle"}]
    assert body["minutes"] == "# 議事録" and body["minutes_status"] == "draft" and body["status"] == "held"


# --- Decisions and endorsement ------------------------------------------------------------------


def test_observer_cannot_create_a_decision_and_the_secretariat_can(users):
    payload = {"venue": SLUG, "title": "APIで作る決定", "text": "本文", "is_public": True}
    refused = api("observer").post("/api/v1/decisions/", payload, format="json")
    assert refused.status_code == 403 and "事務局" in refused.json()["detail"]
    assert api("company").post("/api/v1/decisions/", payload, format="json").status_code == 403
    created = api("secretariat").post("/api/v1/decisions/", payload, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["status"] == "draft" and created.json()["number"] is None
    assert Decision.objects.get(pk=created.json()["id"]).venue.slug == SLUG
    invalid = api("secretariat").post("/api/v1/decisions/", {**payload, "method": "vote"}, format="json")
    assert invalid.status_code == 400 and "votes_for" in invalid.json()  # the service's rule, as a 400


def test_proposal_is_agreed_when_every_required_sector_endorsed_then_finalised(users):
    core_representatives()
    secretariat = api("secretariat")
    created = secretariat.post("/api/v1/decisions/", {"venue": SLUG, "title": "共同研究の開始", "text": "本文"},
                               format="json").json()
    decision = Decision.objects.get(pk=created["id"])
    assert api("company").post(url(decision, "propose")).status_code == 403
    proposed = secretariat.post(url(decision, "propose"))
    assert proposed.status_code == 200, proposed.content
    assert proposed.json()["status"] == "proposed" and proposed.json()["evaluation"]["outcome"] == "open"

    industry = api("company").post(url(decision, "endorse"), {"stance": "endorse"}, format="json")
    assert industry.status_code == 200, industry.content
    again = api("company").post(url(decision, "endorse"), {"stance": "endorse"}, format="json")
    assert again.status_code == 400
    academia = api("ura").post(url(decision, "endorse"), {"stance": "endorse"}, format="json").json()
    assert academia["status"] == "proposed" and academia["evaluation"]["outcome"] == "open"
    tallies = {t["sector"]: t for t in academia["evaluation"]["sectors"]}
    assert tallies["industry"] == {"sector": "industry", "required": True, "endorse": 1, "object": 0,
                                   "abstain": 0, "state": "agreed"}
    assert tallies["academia"]["state"] == "agreed" and tallies["government"]["state"] == "pending"
    assert academia["evaluation"]["missing_sectors"] == ["government"]

    government = api("secretariat").post(url(decision, "endorse"), {"stance": "endorse"}, format="json").json()
    assert government["status"] == "agreed" and government["evaluation"]["outcome"] == "agreed"
    assert set(government["endorsed_sectors"]) == {"industry", "academia", "government"}
    assert len(government["endorsements"]) == 3

    last = Decision.objects.filter(venue=venue()).exclude(pk=decision.pk).aggregate(n=Max("number"))["n"] or 0
    assert api("observer").post(url(decision, "finalise")).status_code == 403
    final = secretariat.post(url(decision, "finalise"), {"decided_on": "2025-04-01"}, format="json")
    assert final.status_code == 200, final.content
    assert final.json()["status"] == "finalised" and final.json()["number"] == last + 1
    assert final.json()["reference"] == f"No.{last + 1}" and final.json()["decided_on"] == "2025-04-01"
    closed = api("company").post(url(decision, "endorse"), {"stance": "object", "reason": "遅すぎた"}, format="json")
    assert closed.status_code == 400


def test_objection_needs_a_reason_and_only_representatives_endorse(users):
    core_representatives()
    decision = draft()
    services.decision_propose(actor=None, decision=decision)
    missing = api("company").post(url(decision, "endorse"), {"stance": "object", "reason": "  "}, format="json")
    assert missing.status_code == 400 and "reason" in missing.json()
    objected = api("company").post(url(decision, "endorse"), {"stance": "object", "reason": "費用が不明"},
                                   format="json")
    assert objected.status_code == 200 and objected.json()["status"] == "rejected"
    refused = api("researcher").post(url(decision, "endorse"), {"stance": "endorse"}, format="json")
    assert refused.status_code == 403 and "構成員代表" in refused.json()["detail"]
    not_proposed = draft("まだ提案していない案")
    assert api("company").post(url(not_proposed, "endorse"), {"stance": "endorse"}, format="json").status_code == 400


def test_a_representative_of_several_members_says_which(users):
    first = represent("company", INDUSTRY)
    second = represent("company", "sample:tenryu-robotics")
    decision = draft()
    services.decision_propose(actor=None, decision=decision)
    client = api("company")
    unclear = client.post(url(decision, "endorse"), {"stance": "endorse"}, format="json")
    assert unclear.status_code == 400 and "representative" in unclear.json()
    foreign = represent("ura", ACADEMIA)
    wrong = client.post(url(decision, "endorse"), {"stance": "endorse", "representative": foreign.pk}, format="json")
    assert wrong.status_code == 400 and "representative" in wrong.json()
    chosen = client.post(url(decision, "endorse"), {"stance": "endorse", "representative": second.pk}, format="json")
    assert chosen.status_code == 200
    assert [e["representative"] for e in chosen.json()["endorsements"]] == [second.pk]
    assert not first.endorsements.filter(proposal__decision=decision).exists()


def test_drafts_are_edited_with_versions_and_nothing_else_is_editable(users):
    decision = draft()
    secretariat = api("secretariat")
    edited = secretariat.patch(url(decision), {"title": "直した件名", "version": 1}, format="json")
    assert edited.status_code == 200 and edited.json()["title"] == "直した件名" and edited.json()["version"] == 2
    stale = secretariat.patch(url(decision), {"text": "古い版からの編集", "version": 1}, format="json")
    assert stale.status_code == 409 and stale.json()["current_version"] == 2
    assert stale.json()["mine"] == "古い版からの編集"
    assert api("observer").patch(url(decision), {"title": "x", "version": 2}, format="json").status_code == 403

    services.decision_finalise(actor=None, decision=decision)
    refused = secretariat.patch(url(decision), {"title": "確定後の変更", "version": 2}, format="json")
    assert refused.status_code == 403 and "編集できません" in refused.json()["detail"]
    assert secretariat.put(url(decision), {"title": "x"}, format="json").status_code == 405
    assert secretariat.post(url(decision, "propose")).status_code == 400
    assert secretariat.post(url(decision, "finalise")).status_code == 400
    decision.refresh_from_db()
    assert decision.title == "直した件名" and decision.status == "finalised"


# --- Actions ------------------------------------------------------------------------------------


def _action(owner: str = "company") -> ActionItem:
    decision = finalised("アクションの元になる決定", is_public=False)
    return services.action_create(actor=None, decision=decision, title="試作機の仕様を共有する",
                                  owner_person=Person.objects.get(user__username=owner),
                                  due_date=timezone.localdate() - dt.timedelta(days=3))


def test_action_progress_by_its_owner_and_the_secretariat_not_by_observers(users):
    action = _action("company")
    path = f"/api/v1/action-items/{action.pk}/progress/"
    refused = api("observer").post(path, {"status": "done", "note": "見ているだけ"}, format="json")
    assert refused.status_code == 403 and "担当者" in refused.json()["detail"]
    assert api("researcher").post(path, {"status": "done"}, format="json").status_code == 403
    assert api("company").post(path, {"status": "open"}, format="json").status_code == 400  # nothing to record
    progress = api("company").post(path, {"status": "in_progress", "note": "仕様書の初版を共有"}, format="json")
    assert progress.status_code == 200, progress.content
    assert progress.json()["status"] == "in_progress"
    assert progress.json()["progress_notes"][0]["note"] == "仕様書の初版を共有"
    done = api("secretariat").post(path, {"status": "done", "note": "確認済み"}, format="json").json()
    assert done["status"] == "done" and done["completed_on"] == timezone.localdate().isoformat()
    assert len(done["progress_notes"]) == 2


def test_action_lists_by_venue_or_mine(users):
    action = _action("company")
    assert action.pk in ids(api("observer").get("/api/v1/action-items/", {"venue": SLUG}))
    overdue = ids(api("observer").get("/api/v1/action-items/", {"venue": SLUG, "status": "overdue"}))
    assert action.pk in overdue
    mine = api("company").get("/api/v1/action-items/", {"mine": "1"}).json()["results"]
    assert action.pk in {a["id"] for a in mine} and all(a["owner_person"]["name"].startswith("天竜") for a in mine)
    assert action.pk not in ids(api("ura").get("/api/v1/action-items/", {"mine": "1"}))
    assert api("observer").get("/api/v1/action-items/").status_code == 400
    assert api("resident").get(f"/api/v1/action-items/{action.pk}/").status_code == 403


# --- Venues are separate ------------------------------------------------------------------------


def test_a_user_of_another_venue_gets_404_for_internal_data(users):
    outsider = get_user_model().objects.create_user(username="outsider", password="x-test-only-9")
    other = services.venue_create(actor=outsider, name="別の場", slug="other-venue", is_public=False)
    assert VenueRole.objects.filter(user=outsider, venue=other, role="secretariat").exists()
    meeting = services.meeting_create(actor=None, venue=venue(), title="内部の会議", starts_at=timezone.now())
    pending = draft("内部の案")
    public = finalised("公開の決定", is_public=True)
    action = _action("company")

    client = api("outsider")
    assert client.get("/api/v1/meetings/", {"venue": SLUG}).status_code == 404
    assert client.get(f"/api/v1/meetings/{meeting.pk}/").status_code == 404
    assert client.get(url(pending)).status_code == 404
    assert client.get(f"/api/v1/action-items/{action.pk}/").status_code == 404
    assert client.get("/api/v1/action-items/", {"venue": SLUG}).status_code == 404
    assert client.post(url(pending, "propose")).status_code == 404
    assert client.patch(url(pending), {"title": "x", "version": 1}, format="json").status_code == 404
    assert client.post(f"/api/v1/action-items/{action.pk}/progress/", {"status": "done"},
                       format="json").status_code == 404
    seen = ids(client.get("/api/v1/decisions/", {"venue": SLUG}))  # a public venue: its public log
    assert public.pk in seen and pending.pk not in seen
    assert client.get(f"/api/v1/venues/{SLUG}/").json()["required_sectors"] is None
    refused = client.post("/api/v1/decisions/", {"venue": SLUG, "title": "t", "text": "x"}, format="json")
    assert refused.status_code == 403  # a secretariat, but not of this venue

    secretariat = api("secretariat")  # and the other way round: a private venue does not exist for them
    assert secretariat.get("/api/v1/venues/other-venue/").status_code == 404
    assert "other-venue" not in {v["slug"] for v in secretariat.get("/api/v1/venues/").json()["results"]}
    assert secretariat.get("/api/v1/meetings/", {"venue": "other-venue"}).status_code == 404
    assert secretariat.get("/api/v1/decisions/", {"venue": "other-venue"}).status_code == 404
    payload = {"venue": "other-venue", "title": "t", "text": "x"}
    assert secretariat.post("/api/v1/decisions/", payload, format="json").status_code == 404
    assert api("admin").get("/api/v1/venues/other-venue/").status_code == 200  # staff see every venue


def test_lists_take_a_fixed_number_of_queries(users, django_assert_max_num_queries):
    core_representatives()
    for i in range(6):
        decision = draft(f"案 {i}")
        proposal = services.decision_propose(actor=None, decision=decision)
        services.endorsement_record(actor=None, proposal=proposal, representative=represent("ura", ACADEMIA),
                                    stance="endorse")
        _action("company")
    client = api("observer")
    for path in ("/api/v1/decisions/", "/api/v1/action-items/", "/api/v1/meetings/"):
        with django_assert_max_num_queries(10):
            assert client.get(path, {"venue": SLUG}).status_code == 200
    with django_assert_max_num_queries(8):
        assert len(client.get(f"/api/v1/venues/{SLUG}/members/").json()) >= 3


# --- Schema -------------------------------------------------------------------------------------


def test_openapi_schema_lists_the_venue_endpoints_and_validates_without_warnings(client, tmp_path):
    body = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content.decode()
    for path in ("/api/v1/venues/{slug}/members/", "/api/v1/meetings/", "/api/v1/decisions/{id}/endorse/",
                 "/api/v1/action-items/{id}/progress/"):
        assert path in body
    call_command("spectacular", validate=True, fail_on_warn=True, file=str(tmp_path / "schema.yaml"))
