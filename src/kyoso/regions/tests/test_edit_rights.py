"""Secretariat rights do not cross venues: one rule (``editable_by``) for the directory pages and the API."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from rest_framework.test import APIClient

from kyoso.regions.models import Organization, Person
from kyoso.venues import services as venue_services
from kyoso.venues.models import Venue

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_venue(users, regions):
    """A second venue whose secretariat has nothing to do with the sample venue's members."""
    other = get_user_model().objects.create_user("other-secretariat", password="x-test-password-9")
    own_org = Organization.objects.create(name="別の場の会社（テスト）", sector="industry", kind="sme",
                                          region=regions["13101"])
    venue = venue_services.venue_create(actor=other, name="別の場（テスト）", slug="other-test")
    venue_services.membership_add(actor=other, venue=venue, organization=own_org)
    own_person = Person.objects.create(name="別の場の社員（テスト）")
    own_person.affiliations.create(organization=own_org, effort_share=50)
    return {"user": other, "venue": venue, "org": own_org, "person": own_person}


def _sample_member_and_person() -> tuple[Organization, Person]:
    venue = Venue.objects.get(is_sample=True)
    membership = venue.memberships.select_related("organization").filter(organization__affiliations__isnull=False) \
        .first()
    person = Person.objects.filter(affiliations__organization=membership.organization).first()
    return membership.organization, person


def test_querysets_give_each_secretariat_only_its_own_venues_members(users, other_venue):
    foreign_org, foreign_person = _sample_member_and_person()
    other = other_venue["user"]
    assert set(Organization.objects.editable_by(other)) >= {other_venue["org"]}
    assert foreign_org not in Organization.objects.editable_by(other)
    assert foreign_person not in Person.objects.editable_by(other)
    assert other_venue["person"] in Person.objects.editable_by(other)
    assert foreign_org in Organization.objects.editable_by(users["secretariat"])
    assert other_venue["org"] not in Organization.objects.editable_by(users["secretariat"])
    assert foreign_org in Organization.objects.editable_by(users["admin"])
    assert not Organization.objects.editable_by(users["company"]).exists()


def test_pages_refuse_another_venues_secretariat(client, users, other_venue):
    foreign_org, foreign_person = _sample_member_and_person()
    client.force_login(other_venue["user"])
    assert client.get(reverse("regions:organization_update", args=[foreign_org.pk])).status_code == 403
    response = client.post(reverse("regions:organization_update", args=[foreign_org.pk]),
                           {"name": "乗っ取り", "sector": foreign_org.sector, "kind": foreign_org.kind})
    assert response.status_code == 403
    foreign_org.refresh_from_db()
    assert foreign_org.name != "乗っ取り"
    count = foreign_person.affiliations.count()
    response = client.post(reverse("regions:affiliation_create", args=[foreign_person.pk]),
                           {"organization": other_venue["org"].pk, "effort_share": 10})
    assert response.status_code == 403 and foreign_person.affiliations.count() == count
    assert "organization_update" not in client.get(foreign_org.get_absolute_url()).content.decode()
    # Their own member organisation and its people are theirs to edit.
    own = other_venue["org"]
    assert client.get(reverse("regions:organization_update", args=[own.pk])).status_code == 200
    assert reverse("regions:organization_update", args=[own.pk]) in client.get(own.get_absolute_url()).content \
        .decode()
    assert client.get(reverse("regions:affiliation_create", args=[other_venue["person"].pk])).status_code == 200


def test_api_uses_the_same_rule(users, other_venue):
    foreign_org, foreign_person = _sample_member_and_person()
    client = APIClient()
    client.force_authenticate(other_venue["user"])
    response = client.patch(f"/api/v1/organizations/{foreign_org.pk}/", {"name": "乗っ取り"}, format="json")
    assert response.status_code == 403
    response = client.post(f"/api/v1/people/{foreign_person.pk}/affiliations/",
                           {"organization": other_venue["org"].pk, "effort_share": 10}, format="json")
    assert response.status_code == 403
    own = other_venue["org"]
    response = client.patch(f"/api/v1/organizations/{own.pk}/", {"description": "説明（テスト）"}, format="json")
    assert response.status_code == 200, response.content
    own.refresh_from_db()
    assert own.description == "説明（テスト）"
    response = client.post(f"/api/v1/people/{other_venue['person'].pk}/affiliations/",
                           {"organization": own.pk, "effort_share": 60}, format="json")
    assert response.status_code == 400  # 50 % + 60 % is over 100 %: the service's rule, nothing written
    response = client.post(f"/api/v1/people/{other_venue['person'].pk}/affiliations/",
                           {"organization": foreign_org.pk, "effort_share": 20}, format="json")
    assert response.status_code == 201, response.content
    # The sample venue's secretariat edits its own members through the API, not only through the pages.
    client.force_authenticate(users["secretariat"])
    response = client.patch(f"/api/v1/organizations/{foreign_org.pk}/", {"description": "更新（テスト）"},
                            format="json")
    assert response.status_code == 200, response.content
    assert client.post("/api/v1/people/", {"name": "新しい人"}, format="json").status_code == 403
