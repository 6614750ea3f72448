"""Who sees what of the matching data: profiles and records are public, shortlists, contacts and proposals only
for the venue's members (the querysets decide once; pages, API and the vision tree use them)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.test import RequestFactory

from kyoso.matching import queries
from kyoso.matching.models import ContactNote, CrossAppointmentProposal, Researcher, ResearchRecord, Shortlist
from kyoso.matching.tests.objects import permission_objects

pytestmark = pytest.mark.django_db


def outsider():
    return get_user_model().objects.create_user("h8-outsider", password="x")


def test_profiles_and_records_are_public_and_venue_work_is_for_members(users):
    objects = permission_objects()
    anonymous, member = AnonymousUser(), users["ura"]
    assert Researcher.objects.visible_to(anonymous).count() == Researcher.objects.count() > 0
    assert ResearchRecord.objects.visible_to(anonymous).count() == ResearchRecord.objects.count() > 0
    stranger = outsider()  # logged in, but no role in the venue
    for model in (Shortlist, CrossAppointmentProposal):
        assert not model.objects.visible_to(anonymous).exists()
        assert not model.objects.visible_to(stranger).exists()
        assert model.objects.visible_to(member).exists()
    assert not ContactNote.objects.visible_to(stranger).exists()
    staff = get_user_model().objects.create_user("h8-staff", password="x", is_staff=True)
    assert objects["shortlist"] in Shortlist.objects.visible_to(staff)


def test_the_vision_tree_lists_a_venue_shortlist_only_for_its_members(users):
    shortlist = permission_objects()["shortlist"]
    from kyoso.visions.models import RegionalIssue

    issue = RegionalIssue.objects.filter(vision__venue=shortlist.venue).first()
    Shortlist.objects.filter(pk=shortlist.pk).update(issue=issue)
    vision = issue.vision
    assert queries.shortlists_by_target(vision, AnonymousUser()) == {}
    assert queries.shortlists_by_target(vision, users["ura"])[f"issue:{issue.pk}"][0].pk == shortlist.pk
    template = Template("{% load matching_tags %}{% vision_shortlists vision as s %}{{ s.issues|length }}")
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    assert template.render(Context({"vision": vision, "request": request})) == "0"
    request.user = users["ura"]
    assert template.render(Context({"vision": vision, "request": request})) == "1"
