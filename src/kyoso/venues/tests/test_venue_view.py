"""The one venue-scoped access decorator (``kyoso.venues.access.venue_view``)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse

from kyoso.common.access import SECRETARIAT, VENUE_PARTICIPANT, declared_policy
from kyoso.sample.region import VENUE_SLUG
from kyoso.venues import views
from kyoso.venues.access import CONTRIBUTOR, MEMBER, venue_view


@venue_view(read=MEMBER, write=CONTRIBUTOR)
def page(request, slug):
    return HttpResponse(f"{request.venue.slug} {sorted(request.venue_rights.roles)}")


@venue_view(SECRETARIAT)
def settings_page(request, slug):
    return HttpResponse("ok")


def test_the_policy_is_declared_for_the_middleware_and_the_permission_test():
    assert declared_policy(page).read is VENUE_PARTICIPANT and declared_policy(page).write is VENUE_PARTICIPANT
    assert declared_policy(settings_page).read is SECRETARIAT
    assert str(declared_policy(views.venue_update)) == "secretariat"
    assert str(declared_policy(views.meeting_list)) == "venue_participant"
    with pytest.raises(ValueError):
        venue_view("resident")


@pytest.mark.django_db
def test_the_role_in_that_venue_decides(rf, users, regions):
    from kyoso.venues.models import Venue

    get = rf.get("/")
    get.user = users["observer"]
    assert page(get, slug=VENUE_SLUG).content.decode() == f"{VENUE_SLUG} ['observer']"
    post = rf.post("/")
    post.user = users["observer"]
    with pytest.raises(PermissionDenied, match="オブザーバー"):
        page(post, slug=VENUE_SLUG)
    post.user = users["company"]
    assert page(post, slug=VENUE_SLUG).status_code == 200
    with pytest.raises(PermissionDenied, match="事務局"):
        settings_page(post, slug=VENUE_SLUG)
    post.user = users["secretariat"]
    assert settings_page(post, slug=VENUE_SLUG).status_code == 200

    other = Venue.objects.create(name="別の場（サンプル）", slug="other-sample", is_public=True)
    get.user = users["secretariat"]  # secretariat of the sample venue, nothing in this one
    with pytest.raises(Http404):
        page(get, slug=other.slug)
    with pytest.raises(PermissionDenied):
        settings_page(get, slug=other.slug)
    with pytest.raises(Http404):
        page(get, slug="no-such-venue")
