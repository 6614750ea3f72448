"""The vision REST API applies the same rules as the pages: members read, contributors write numbers,
the secretariat shapes versions, everyone else gets 404 (or 403 at the URL level without any role)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from kyoso.venues import services as venue_services
from kyoso.visions.models import ImportBatch, Kpi, Observation, Vision, VisionVersion

pytestmark = pytest.mark.django_db

SLUG = "hamamatsu-sample"
CONTRIBUTORS = ["secretariat", "ura", "company", "bank", "researcher", "admin"]


def api(username: str | None = None) -> APIClient:
    """A client for the persona, with a fresh user object (per-request role caches start empty)."""
    client = APIClient()
    if username:
        client.force_authenticate(get_user_model().objects.get(username=username))
    return client


def vision() -> Vision:
    return Vision.objects.get(venue__slug=SLUG)


def kpi(code: str) -> Kpi:
    return vision().kpis.get(code=code)


@pytest.fixture
def outsider(users):
    """A user who runs another venue and holds no role in the sample venue."""
    user = get_user_model().objects.create_user(username="outsider", password="x-test-password-1")
    venue_services.venue_create(actor=user, name="別の場", slug="another-venue")
    return user


def upload(client: APIClient, content: bytes, name: str = "observations.csv", vision_id: int | None = None):
    file = SimpleUploadedFile(name, content, content_type="text/csv")
    return client.post("/api/v1/imports/", {"vision": vision_id or vision().pk, "file": file}, format="multipart")


# --- Reading ------------------------------------------------------------------------------------


def test_members_read_the_vision_with_goals_kpis_latest_values_and_statuses(users):
    response = api("observer").get("/api/v1/visions/", {"venue": SLUG})
    assert response.status_code == 200, response.content
    [item] = response.json()["results"]
    assert item["id"] == vision().pk and item["venue"] == SLUG and item["horizon_year"] == 2035
    assert item["prefecture"] == "22"
    assert item["current_version"]["number"] == 1 and item["current_version"]["status"] == "agreed"
    assert [len(goal["kpis"]) for goal in item["goals"]] == [2, 2]
    kpis = {k["code"]: k for goal in item["goals"] for k in goal["kpis"]}
    assert set(kpis) == {"aging-rate", "labour-participation", "joint-research", "spinouts"}
    joint = kpis["joint-research"]
    assert joint["latest"] == {"date": "2026-03-31", "value": "34.0000"}
    assert joint["unit"] == "件" and joint["direction"] == "higher"
    assert {t["fiscal_year"] for t in joint["targets"]} == {2027, 2030, 2035}
    assert set(joint["status"]) == {"status", "rule", "params", "freshness"}
    assert joint["status"]["status"] in {"on_track", "at_risk", "off_track", "no_data"}
    assert joint["status"]["params"]["latest_value"] == 34.0
    assert sum(item["status_counts"].values()) == 4

    detail = api("observer").get(f"/api/v1/visions/{vision().pk}/")
    assert detail.status_code == 200
    assert detail.json()["goals"] == item["goals"]


def test_kpi_list_and_detail_with_observations_forecast_and_assessment(users):
    client = api("researcher")
    listed = client.get("/api/v1/kpis/", {"vision": vision().pk})
    assert listed.status_code == 200, listed.content
    assert [k["code"] for k in listed.json()["results"]] == [
        "aging-rate", "labour-participation", "joint-research", "spinouts"]

    response = client.get(f"/api/v1/kpis/{kpi('aging-rate').pk}/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["code"] == "aging-rate" and body["reference_series"] == "age65_share"
    assert len(body["observations"]) == kpi("aging-rate").observations.count() > 10
    assert {o["source"] for o in body["observations"]} == {"reference"}
    dates = [o["date"] for o in body["observations"]]
    assert dates == sorted(dates)
    assert [t["fiscal_year"] for t in body["targets"]] == [2030, 2035]
    assert body["forecast"]["method"] == "theil_sen"
    assert body["forecast"]["points"][-1]["date"] == "2036-03-31"
    assert all(p["low"] <= p["value"] <= p["high"] for p in body["forecast"]["points"])
    assert body["status"]["rule"] and body["status"]["params"]["direction"] == "lower"


def test_export_returns_the_vision_as_json(users):
    response = api("observer").get(f"/api/v1/visions/{vision().pk}/export/")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == vision().pk and body["venue"] == SLUG
    assert [o["value"] for o in body["observations"]["joint-research"]][-1] == "34.0000"
    assert body["versions"][0]["number"] == 1


def test_versions_list_and_detail_with_snapshot_and_evaluation(users):
    client = api("observer")
    listed = client.get("/api/v1/vision-versions/", {"vision": vision().pk})
    assert listed.status_code == 200
    [first] = listed.json()["results"]
    assert first["number"] == 1 and first["status"] == "agreed" and "snapshot" not in first
    detail = client.get(f"/api/v1/vision-versions/{first['id']}/").json()
    assert detail["snapshot"]["horizon_year"] == 2035
    assert [k["code"] for g in detail["snapshot"]["goals"] for k in g["kpis"]][:2] == [
        "aging-rate", "labour-participation"]
    assert detail["evaluation"]["outcome"] == "agreed"
    assert {e["sector"] for e in detail["endorsements"]} >= {"industry", "academia", "government"}


def test_lists_need_their_parameter(users):
    client = api("ura")
    assert client.get("/api/v1/visions/").status_code == 400
    assert client.get("/api/v1/kpis/").status_code == 400
    assert client.get("/api/v1/kpis/", {"vision": "abc"}).status_code == 400
    assert client.get("/api/v1/vision-versions/").status_code == 400
    assert client.get("/api/v1/imports/").status_code == 400


def test_people_without_a_role_in_the_venue_get_404(users, outsider):
    client = APIClient()
    client.force_authenticate(outsider)
    target = kpi("joint-research")
    batch = ImportBatch.objects.create(vision=vision(), filename="a.csv", content=b"")
    version = vision().versions.get(number=1)
    for url in (f"/api/v1/visions/{vision().pk}/", f"/api/v1/visions/{vision().pk}/export/",
                f"/api/v1/kpis/{target.pk}/", f"/api/v1/imports/{batch.pk}/",
                f"/api/v1/vision-versions/{version.pk}/"):
        assert client.get(url).status_code == 404, url
    assert client.get("/api/v1/visions/", {"venue": SLUG}).status_code == 404
    assert client.get("/api/v1/kpis/", {"vision": vision().pk}).status_code == 404
    before = Observation.objects.count()
    assert client.post(f"/api/v1/kpis/{target.pk}/observations/",
                       {"date": "2026-06-30", "value": "1"}, format="json").status_code == 404
    assert upload(client, b"kpi,date,value\njoint-research,2026-06-30,1\n").status_code == 404
    assert client.post(f"/api/v1/imports/{batch.pk}/apply/").status_code == 404
    assert client.post("/api/v1/vision-versions/", {"vision": vision().pk}, format="json").status_code == 404
    assert client.post(f"/api/v1/vision-versions/{version.pk}/propose/").status_code == 404
    assert Observation.objects.count() == before
    # Their own venue has no vision: an empty list, not someone else's.
    assert client.get("/api/v1/visions/", {"venue": "another-venue"}).json()["results"] == []


def test_visitors_without_any_role_are_refused_at_the_url_level(users):
    assert api().get("/api/v1/visions/", {"venue": SLUG}).status_code in (401, 403)
    assert api("resident").get(f"/api/v1/visions/{vision().pk}/").status_code == 403
    assert api("resident").post(f"/api/v1/kpis/{kpi('spinouts').pk}/observations/").status_code == 403


# --- Observations -----------------------------------------------------------------------------------


def test_the_owner_organisations_people_record_observations_others_may_not(users):
    target = kpi("joint-research")  # owned by the sample university, where the URA works
    url = f"/api/v1/kpis/{target.pk}/observations/"
    response = api("ura").post(url, {"date": "2026-09-30", "value": "36", "note": "半期"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["source"] == "form" and response.json()["value"] == "36.0000"
    stored = target.observations.get(date=dt.date(2026, 9, 30))
    assert stored.value == Decimal("36") and stored.note == "半期"

    for persona in ("company", "bank", "observer"):
        refused = api(persona).post(url, {"date": "2026-09-30", "value": "1"}, format="json")
        assert refused.status_code == 403, persona
        assert refused.json()["detail"] == "このKPIの実績を記録できるのは、担当組織の人と場の事務局だけです。"
    assert target.observations.get(date=dt.date(2026, 9, 30)).value == Decimal("36")

    future = api("ura").post(url, {"date": "2099-01-01", "value": "1"}, format="json")
    assert future.status_code == 400 and "date" in future.json()
    assert not target.observations.filter(date=dt.date(2099, 1, 1)).exists()
    assert api("ura").post(url, {"date": "2026-09-30"}, format="json").status_code == 400


def test_a_city_owned_kpi_is_recorded_by_the_secretariat_and_official_values_by_nobody(users):
    aging = kpi("aging-rate")  # owned by the city, history from official statistics
    url = f"/api/v1/kpis/{aging.pk}/observations/"
    for persona in ("company", "bank", "researcher", "ura"):
        assert api(persona).post(url, {"date": "2026-06-30", "value": "31"}, format="json").status_code == 403
    assert not aging.observations.filter(date=dt.date(2026, 6, 30)).exists()
    official = aging.observations.filter(source="reference").order_by("-date").first()
    assert official is not None
    refused = api("secretariat").post(url, {"date": official.date.isoformat(), "value": "1"}, format="json")
    assert refused.status_code == 400 and "date" in refused.json()
    assert aging.observations.get(pk=official.pk).value == official.value
    fine = api("secretariat").post(url, {"date": "2026-06-30", "value": "31"}, format="json")
    assert fine.status_code == 201, fine.content


def test_a_count_kpi_refuses_fractions_and_negative_values_through_the_api(users):
    url = f"/api/v1/kpis/{kpi('joint-research').pk}/observations/"
    fraction = api("ura").post(url, {"date": "2026-09-30", "value": "2.5"}, format="json")
    assert fraction.status_code == 400 and fraction.json()["value"] == ["単位が「件」のKPIは整数で記録してください。"]
    negative = api("ura").post(url, {"date": "2026-09-30", "value": "-1"}, format="json")
    assert negative.status_code == 400 and negative.json()["value"] == ["単位が「件」のKPIに負の値は記録できません。"]
    assert not kpi("joint-research").observations.filter(date=dt.date(2026, 9, 30)).exists()


# --- Imports ----------------------------------------------------------------------------------------

GOOD = (
    "kpi,date,value,unit,note\n"
    "joint-research,2026-06-30,36,件,四半期\n"
    "spinouts,2026年6月,6,,\n"
    "aging-rate,2026-10-01,31.5%,,\n"
).encode()

BAD = (
    b"kpi,date,value\n"
    b"joint-research,2026-06-30,abc\n"
    b"no-such-kpi,2026-06-30,1\n"
    b"spinouts,2026-06-30,\"1,2\"\n"
    b"spinouts,2099-01-01,3\n"
)


def test_a_bad_file_lists_every_problem_with_its_line_and_writes_nothing(users, django_capture_on_commit_callbacks):
    before = Observation.objects.count()
    client = api("ura")
    with django_capture_on_commit_callbacks(execute=True):
        created = upload(client, BAD)
    assert created.status_code == 201, created.content
    assert created.json()["status"] == "pending"
    response = client.get(f"/api/v1/imports/{created.json()['id']}/")
    body = response.json()
    assert body["status"] == "invalid"
    assert [(p["line"], p["code"]) for p in body["problems"]] == [
        (2, "bad_number"), (3, "unknown_kpi"), (4, "bad_number"), (5, "date_out_of_range")]
    assert all(p["message"] for p in body["problems"])
    assert "no-such-kpi" in body["problems"][1]["message"]
    assert body["summary"] == {"problem_count": 4}

    refused = client.post(f"/api/v1/imports/{body['id']}/apply/")
    assert refused.status_code == 400
    assert Observation.objects.count() == before


def test_a_good_file_is_checked_applied_and_a_second_import_changes_nothing(users,
                                                                            django_capture_on_commit_callbacks):
    client = api("secretariat")
    with django_capture_on_commit_callbacks(execute=True):
        created = upload(client, GOOD)
    batch_id = created.json()["id"]
    checked = client.get(f"/api/v1/imports/{batch_id}/").json()
    assert checked["status"] == "ready", checked["problems"]
    assert checked["problems"] == []
    assert {k: checked["summary"][k] for k in ("rows", "new", "changed", "unchanged")} == {
        "rows": 3, "new": 3, "changed": 0, "unchanged": 0}
    assert [row["change"] for row in checked["summary"]["preview"]] == ["new", "new", "new"]
    assert not Observation.objects.filter(source="import").exists()

    assert api("observer").post(f"/api/v1/imports/{batch_id}/apply/").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        applied = client.post(f"/api/v1/imports/{batch_id}/apply/")
    assert applied.status_code == 202
    done = client.get(f"/api/v1/imports/{batch_id}/").json()
    assert done["status"] == "applied" and done["summary"]["written_new"] == 3
    written = {(o.kpi.code, o.date): o.value for o in Observation.objects.filter(batch_id=batch_id)}
    assert written == {("joint-research", dt.date(2026, 6, 30)): Decimal("36"),
                       ("spinouts", dt.date(2026, 6, 1)): Decimal("6"),
                       ("aging-rate", dt.date(2026, 10, 1)): Decimal("31.5")}
    assert client.post(f"/api/v1/imports/{batch_id}/apply/").status_code == 400  # applied once only

    before = Observation.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        again = upload(client, GOOD)
    second = client.get(f"/api/v1/imports/{again.json()['id']}/").json()
    assert second["status"] == "ready"
    assert {k: second["summary"][k] for k in ("new", "changed", "unchanged")} == {
        "new": 0, "changed": 0, "unchanged": 3}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/api/v1/imports/{second['id']}/apply/")
    assert Observation.objects.count() == before
    assert Observation.objects.filter(batch_id=batch_id).count() == 3  # rows still belong to the first import

    listed = client.get("/api/v1/imports/", {"vision": vision().pk}).json()["results"]
    assert [b["id"] for b in listed] == [second["id"], batch_id]


def test_observers_cannot_upload(users):
    for persona in ("observer", "company"):  # the company owns no KPI of the vision
        response = upload(api(persona), GOOD)
        assert response.status_code == 403, persona
        assert response.json()["detail"] == "実績を取り込めるのは、KPIの担当組織の人と場の事務局だけです。"
    assert not ImportBatch.objects.exists()


def test_an_upload_with_rows_of_kpis_the_uploader_does_not_own_writes_nothing(users,
                                                                            django_capture_on_commit_callbacks):
    client = api("ura")  # may record the university's KPIs, not the city's
    with django_capture_on_commit_callbacks(execute=True):
        created = upload(client, GOOD)
    checked = client.get(f"/api/v1/imports/{created.json()['id']}/").json()
    assert checked["status"] == "invalid"
    assert [(p["line"], p["code"]) for p in checked["problems"]] == [(4, "not_allowed")]
    assert "aging-rate" in checked["problems"][0]["message"]
    assert client.post(f"/api/v1/imports/{created.json()['id']}/apply/").status_code == 400
    assert not Observation.objects.filter(source="import").exists()


def test_an_import_never_overwrites_a_value_from_official_statistics(users, django_capture_on_commit_callbacks):
    official = kpi("aging-rate").observations.filter(source="reference").order_by("-date").first()
    content = f"kpi,date,value\naging-rate,{official.date.isoformat()},1\n".encode()
    client = api("secretariat")
    with django_capture_on_commit_callbacks(execute=True):
        created = upload(client, content)
    checked = client.get(f"/api/v1/imports/{created.json()['id']}/").json()
    assert [(p["line"], p["code"]) for p in checked["problems"]] == [(2, "official_value")]
    assert Observation.objects.get(pk=official.pk).value == official.value


# --- Versions ---------------------------------------------------------------------------------------


def test_secretariat_saves_and_proposes_representatives_endorse_until_agreed(users):
    refused = api("ura").post("/api/v1/vision-versions/", {"vision": vision().pk, "note": "改訂"}, format="json")
    assert refused.status_code == 403 and refused.json()["detail"] == "この操作は場の事務局だけが行えます。"

    saved = api("secretariat").post("/api/v1/vision-versions/", {"vision": vision().pk, "note": "改訂"},
                                    format="json")
    assert saved.status_code == 201, saved.content
    version = saved.json()
    assert version["number"] == 2 and version["status"] == "draft" and version["evaluation"] is None
    url = f"/api/v1/vision-versions/{version['id']}/"

    assert api("ura").post(url + "endorse/", {"stance": "endorse"}, format="json").status_code == 400  # draft
    assert api("ura").post(url + "propose/").status_code == 403
    proposed = api("secretariat").post(url + "propose/")
    assert proposed.status_code == 200 and proposed.json()["status"] == "proposed"
    again = api("secretariat").post(url + "propose/")
    assert again.status_code == 400, again.content

    assert api("researcher").post(url + "endorse/", {"stance": "endorse"}, format="json").status_code == 403
    for username in ("company", "ura"):
        response = api(username).post(url + "endorse/", {"stance": "endorse"}, format="json")
        assert response.status_code == 200, response.content
        assert response.json()["status"] == "proposed"
    waiting = api("secretariat").post(url + "endorse/", {"stance": "endorse"}, format="json").json()
    # Every sector agreed, but a vision version also needs a top-layer endorsement (the venue's setting).
    assert waiting["status"] == "proposed" and waiting["evaluation"]["top_layer_missing"] is True
    from kyoso.venues import services as venue_services
    from kyoso.venues.models import Proposal, Representative

    top = Representative.objects.filter(membership__venue=vision().venue, layer="top").first()
    venue_services.endorsement_record(actor=None, proposal=Proposal.objects.get(pk=waiting["proposal"]["id"]),
                                      representative=top, stance="endorse")
    agreed = api("secretariat").get(url).json()
    assert agreed["status"] == "agreed" and agreed["evaluation"]["outcome"] == "agreed"
    assert vision().versions.get(number=1).status == VisionVersion.Status.SUPERSEDED
    current = api("observer").get(f"/api/v1/visions/{vision().pk}/").json()["current_version"]
    assert current["number"] == 2
