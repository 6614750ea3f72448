"""Visibility in the querysets: a non-public decision's, a meeting's and an action's unique title never reaches
anonymous visitors or non-members in any page, API answer, export or feed (the marker-string test)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from kyoso.venues import services
from kyoso.venues.domain.actions import is_overdue
from kyoso.venues.models import ActionItem, Decision, Meeting, Representative, Venue

pytestmark = pytest.mark.django_db

MARKERS = ("MARKER-HIDDEN-DECISION-7f3a", "MARKER-DRAFT-DECISION-7f3a", "MARKER-MEETING-7f3a",
           "MARKER-AGENDA-7f3a", "MARKER-ACTION-7f3a")


@pytest.fixture
def hidden(users):
    venue = Venue.objects.get(is_sample=True)
    hidden = services.decision_create(actor=None, venue=venue, title=MARKERS[0], text="非公開の決定", is_public=False)
    hidden = services.decision_finalise(actor=None, decision=hidden)
    services.decision_create(actor=None, venue=venue, title=MARKERS[1], text="案", is_public=True)
    # A public decision that amends the hidden one: its page must not name what it amends.
    amending = services.decision_create(actor=None, venue=venue, title="公開の改正（テスト）", text="改正",
                                        is_public=True, previous=hidden, relation="amends")
    amending = services.decision_finalise(actor=None, decision=amending)
    meeting = services.meeting_create(actor=None, venue=venue, title=MARKERS[2], agenda=[MARKERS[3]],
                                      starts_at=timezone.now() + dt.timedelta(days=3))
    owner = Representative.objects.filter(membership__venue=venue).first().person
    services.action_create(actor=None, decision=amending, title=MARKERS[4], owner_person=owner,
                           due_date=timezone.localdate() - dt.timedelta(days=3))
    return {"venue": venue, "hidden": hidden, "amending": amending, "meeting": meeting}


def _pages(venue, hidden, amending, meeting):
    slug = venue.slug
    return [
        reverse("venues:venue_list"), reverse("venues:venue_detail", args=[slug]),
        reverse("venues:member_list", args=[slug]), reverse("venues:decision_list", args=[slug]),
        reverse("venues:decision_list", args=[slug]) + "?q=MARKER",
        reverse("venues:decision_detail", args=[slug, amending.pk]),
        reverse("venues:decision_detail", args=[slug, hidden.pk]),
        reverse("venues:decision_export_csv", args=[slug]),
        reverse("venues:meeting_calendar", args=[slug]),
        reverse("venues:meeting_detail", args=[slug, meeting.pk]),
        reverse("venues:meeting_list", args=[slug]), reverse("venues:action_list", args=[slug]),
        reverse("venues:action_list", args=[slug]) + "?status=overdue", reverse("venues:my_actions"),
        f"/api/v1/decisions/?venue={slug}", f"/api/v1/decisions/?venue={slug}&q=MARKER",
        f"/api/v1/decisions/{amending.pk}/", f"/api/v1/decisions/{hidden.pk}/",
        f"/api/v1/meetings/?venue={slug}", f"/api/v1/meetings/{meeting.pk}/",
        f"/api/v1/action-items/?venue={slug}", "/api/v1/action-items/?mine=1", f"/api/v1/venues/{slug}/",
    ]


def _text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        sheet = load_workbook(io.BytesIO(body)).active
        return " ".join(str(c.value) for row in sheet.iter_rows() for c in row)
    return body.decode("utf-8", errors="replace")


@pytest.mark.parametrize("visitor", [None, "resident"])
def test_markers_never_reach_outsiders(hidden, users, visitor):
    client, api = Client(), APIClient()
    if visitor:
        client.force_login(users[visitor])
        api.force_authenticate(users[visitor])
    urls = _pages(**hidden) + [reverse("venues:decision_export_xlsx", args=[hidden["venue"].slug])]
    for url in urls:
        response = (api if url.startswith("/api/") else client).get(url)
        text = _text(response)
        for marker in MARKERS:
            assert marker not in text, f"{marker} leaked to {visitor or 'anonymous'} at {url}"
    # The public amendment itself is public.
    assert "公開の改正（テスト）" in _text(client.get(reverse("venues:decision_list", args=[hidden["venue"].slug])))


def test_members_see_them_and_querysets_agree(hidden, users):
    client = Client()
    client.force_login(users["observer"])
    venue = hidden["venue"]
    assert MARKERS[0] in _text(client.get(reverse("venues:decision_export_csv", args=[venue.slug])))
    assert MARKERS[2] in _text(client.get(reverse("venues:meeting_calendar", args=[venue.slug])))
    assert MARKERS[4] in _text(client.get(reverse("venues:action_list", args=[venue.slug]) + "?status=overdue"))
    anonymous = AnonymousUser()
    assert hidden["hidden"] not in Decision.objects.visible_to(anonymous)
    assert hidden["amending"] in Decision.objects.visible_to(anonymous)
    assert hidden["hidden"] in Decision.objects.visible_to(users["observer"])
    # Meetings of a public venue are public (title, date, agenda); their minutes only once published.
    assert not Meeting.objects.public_minutes().exists()
    assert not ActionItem.objects.visible_to(anonymous).exists()
    # "Overdue" is one rule: the queryset returns exactly the actions the domain function calls overdue.
    today = timezone.localdate()
    flagged = {a.pk for a in ActionItem.objects.all() if is_overdue(a.status, a.due_date, today)}
    assert set(ActionItem.objects.overdue(today).values_list("pk", flat=True)) == flagged and flagged


def test_pages_flag_overdue_by_the_one_rule(hidden, users):
    """The action table and the action page mark 期限超過 from ActionItem.is_overdue, not their own comparison."""
    action = ActionItem.objects.get(title=MARKERS[4])
    assert action.is_overdue
    client = Client()
    client.force_login(users["secretariat"])
    page = client.get(action.get_absolute_url()).content.decode()
    assert "期限超過" in page
    services.action_progress(actor=None, action=action, status="done", note="完了")
    assert not ActionItem.objects.get(pk=action.pk).is_overdue
    assert "期限超過" not in client.get(action.get_absolute_url()).content.decode()
