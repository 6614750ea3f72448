"""Visibility of the vision area, decided once per object in its queryset (issue 10): public / members /
visible_to for Vision, Goal, Kpi, Observation and Milestone, and a marker-string walk proving that a KPI the
venue did not make public never reaches anyone outside the venue — pages, API or exports — while members
still see it."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from kyoso.venues import services as venue_services
from kyoso.visions import queries, services
from kyoso.visions.models import Goal, Kpi, Milestone, Observation, Vision

pytestmark = pytest.mark.django_db

SLUG = "hamamatsu-sample"
MARKER = "MARKER-h2-非公開KPI-7f3a"


def vision() -> Vision:
    return Vision.objects.select_related("venue").get(venue__slug=SLUG)


@pytest.fixture
def public_vision(users):
    """The sample vision made public, joint-research public, and a non-public KPI named MARKER with data."""
    v = vision()
    v.is_public = True
    v.save(update_fields=["is_public"])
    Kpi.objects.filter(vision=v, code="joint-research").update(is_public=True)
    hidden = services.kpi_create(actor=None, goal=v.goals.first(), code="hidden-marker", name=MARKER, unit="件",
                                 definition=MARKER, data_source=MARKER)
    services.observation_record(actor=None, kpi=hidden, date=hidden.created_at.date(), value=3, note=MARKER)
    return hidden


@pytest.fixture
def outsider(users):
    user = get_user_model().objects.create_user(username="outsider-h2", password="x-test-password-1")
    venue_services.venue_create(actor=user, name="別の場（h2）", slug="another-venue-h2")
    return user


def test_querysets_public_members_and_visible_to(public_vision, users, outsider):
    v = vision()
    joint = Kpi.objects.get(vision=v, code="joint-research")
    anonymous = AnonymousUser()
    assert set(Kpi.objects.filter(vision=v).public()) == {joint}
    assert set(Kpi.objects.filter(vision=v).visible_to(anonymous)) == {joint}
    assert set(Kpi.objects.filter(vision=v).visible_to(outsider)) == {joint}
    assert set(Kpi.objects.filter(vision=v).visible_to(users["resident"])) == {joint}
    assert public_vision in Kpi.objects.visible_to(users["observer"])  # members see everything of their venue
    assert public_vision in Kpi.objects.of_members(users["company"])
    assert not Kpi.objects.of_members(anonymous).exists()
    assert set(Observation.objects.filter(kpi__vision=v).visible_to(anonymous).values_list("kpi_id", flat=True)) \
        == {joint.pk}
    assert Vision.objects.visible_to(anonymous).filter(pk=v.pk).exists()
    assert Goal.objects.visible_to(anonymous).filter(vision=v).count() == v.goals.count()
    assert Milestone.objects.visible_to(anonymous).filter(vision=v).count() == v.milestones.count()

    # A public KPI of a vision that is not public, or of a venue that is not public, is not public.
    Vision.objects.filter(pk=v.pk).update(is_public=False)
    assert not Kpi.objects.filter(vision=v).public().exists()
    assert not Milestone.objects.visible_to(anonymous).filter(vision=v).exists()
    Vision.objects.filter(pk=v.pk).update(is_public=True)
    type(v.venue).objects.filter(pk=v.venue_id).update(is_public=False)
    assert not Kpi.objects.filter(vision=v).visible_to(outsider).exists()
    assert Kpi.objects.filter(vision=v).visible_to(users["ura"]).count() == v.kpis.count()


def test_the_dashboard_counts_only_what_the_reader_sees(public_vision, users, outsider):
    from django.utils import timezone

    board = queries.dashboard(vision(), timezone.localdate(), outsider)
    assert [s.kpi.code for block in board.goals for s in block.states] == ["joint-research"]
    assert sum(board.status_counts.values()) == 1
    member = queries.dashboard(vision(), timezone.localdate(), users["ura"])
    assert sum(member.status_counts.values()) == vision().kpis.count()


def _urls(v: Vision, kpi_ids: list[int]) -> list[str]:
    base = {"slug": SLUG, "pk": v.pk}
    urls = [reverse("visions:vision_list", kwargs={"slug": SLUG})]
    urls += [reverse(f"visions:{name}", kwargs=base) for name in (
        "vision_detail", "tree", "graph", "version_list", "version_diff", "export_json", "export_xlsx",
        "import_create")]
    urls += [reverse("visions:kpi_detail", kwargs={**base, "kpi": k}) for k in kpi_ids]
    urls += [reverse("visions:version_detail", kwargs={**base, "number": n})
             for n in v.versions.values_list("number", flat=True)]
    urls += [f"/venues/{SLUG}/", "/"]
    return urls


def _api_urls(v: Vision, kpi_ids: list[int]) -> list[str]:
    urls = [f"/api/v1/visions/?venue={SLUG}", f"/api/v1/visions/{v.pk}/", f"/api/v1/visions/{v.pk}/export/",
            f"/api/v1/kpis/?vision={v.pk}", f"/api/v1/vision-versions/?vision={v.pk}"]
    urls += [f"/api/v1/kpis/{k}/" for k in kpi_ids]
    return urls


def _text(response) -> str:
    body = response.content
    if body[:2] == b"PK":  # an Excel workbook: read its XML parts
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return "".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    return body.decode("utf-8", "replace")


def _walk(page_client, api_client) -> dict[str, int]:
    v = vision()
    kpi_ids = list(v.kpis.values_list("pk", flat=True))
    seen: dict[str, int] = {}
    for url in _urls(v, kpi_ids):
        response = page_client.get(url)
        seen[url] = response.status_code
        assert MARKER not in _text(response), url
    for url in _api_urls(v, kpi_ids):
        response = api_client.get(url)
        seen[url] = response.status_code
        assert MARKER not in _text(response), url
    return seen


@pytest.mark.parametrize("who", ["anonymous", "resident", "outsider"])
def test_a_kpi_that_is_not_public_never_reaches_anyone_outside_the_venue(public_vision, users, outsider, who):
    page, api = Client(), APIClient()
    if who != "anonymous":
        user = outsider if who == "outsider" else users[who]
        page.force_login(user)
        api.force_authenticate(user)
    seen = _walk(page, api)
    assert seen[f"/venues/{SLUG}/"] == 200


def test_members_see_the_kpi_that_the_walk_looks_for(public_vision, users):
    """The walk is meaningful: the marker is on the pages, the API and the exports for a member."""
    page, api = Client(), APIClient()
    page.force_login(users["ura"])
    api.force_authenticate(users["ura"])
    v = vision()
    base = {"slug": SLUG, "pk": v.pk}
    for url in (reverse("visions:vision_detail", kwargs=base), reverse("visions:export_json", kwargs=base),
                reverse("visions:export_xlsx", kwargs=base),
                reverse("visions:kpi_detail", kwargs={**base, "kpi": public_vision.pk})):
        assert MARKER in _text(page.get(url)), url
    for url in (f"/api/v1/kpis/?vision={v.pk}", f"/api/v1/visions/{v.pk}/export/"):
        assert MARKER in _text(api.get(url)), url
