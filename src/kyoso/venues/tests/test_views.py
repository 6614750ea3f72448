"""Venue pages and exports, through the views: visibility, search, exports, calendar, conflicts."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kyoso.venues import services
from kyoso.venues.models import Decision, Venue

pytestmark = pytest.mark.django_db
SLUG = "hamamatsu-sample"


@pytest.fixture
def venue(users):
    return Venue.objects.get(slug=SLUG)


def test_public_sees_only_public_finalised_decisions(client, venue):
    response = client.get(reverse("venues:decision_list", args=[SLUG]))
    shown = list(response.context["page_obj"].object_list)
    assert shown and all(d.status == "finalised" and d.is_public for d in shown)
    draft = venue.decisions.filter(status="draft").first()
    assert client.get(reverse("venues:decision_detail", args=[SLUG, draft.pk])).status_code == 404
    assert client.get(reverse("venues:meeting_list", args=[SLUG])).status_code == 302


def test_members_see_drafts_and_the_home(client, venue, users):
    client.force_login(users["observer"])
    response = client.get(reverse("venues:decision_list", args=[SLUG]))
    assert any(d.status == "draft" for d in response.context["page_obj"].object_list)
    home = client.get(reverse("venues:venue_detail", args=[SLUG]))
    assert home.context["home"].overdue_actions


def test_japanese_search_finds_words_inside_compounds(client, users):
    client.force_login(users["ura"])
    response = client.get(reverse("venues:decision_list", args=[SLUG]), {"q": "実証"})
    titles = [d.title for d in response.context["page_obj"].object_list]
    assert any("実証実験" in t for t in titles)
    assert all("実証" in (d.title + d.text + d.rationale + d.applies_to)
               for d in response.context["page_obj"].object_list)


def test_filter_by_endorsing_sector_and_status(client, users):
    client.force_login(users["ura"])
    response = client.get(reverse("venues:decision_list", args=[SLUG]), {"sector": "finance", "status": "finalised"})
    decisions = list(response.context["page_obj"].object_list)
    assert decisions and all(d.status == "finalised" for d in decisions)


def test_csv_and_excel_exports(client, users, venue):
    client.force_login(users["ura"])
    csv_response = client.get(reverse("venues:decision_export_csv", args=[SLUG]), {"status": "finalised"})
    body = csv_response.content.decode("utf-8")
    assert body.startswith("\ufeff") and "運営規約の制定（サンプル）" in body
    xlsx = client.get(reverse("venues:decision_export_xlsx", args=[SLUG]))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    titles = [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(titles) == venue.decisions.count()


def test_export_neutralises_formulas(client, users, venue):
    services.decision_create(actor=users["secretariat"], venue=venue, title="=HYPERLINK(\"x\")", text="t")
    client.force_login(users["ura"])
    body = client.get(reverse("venues:decision_export_csv", args=[SLUG])).content.decode("utf-8")
    assert "'=HYPERLINK" in body


def test_calendar_feed_needs_membership_or_token(client, venue, users):
    url = reverse("venues:meeting_calendar", args=[SLUG])
    assert client.get(url).status_code == 404
    assert client.get(url, {"token": "wrong"}).status_code == 404
    response = client.get(url, {"token": venue.feed_token})
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/calendar")
    assert body.count("BEGIN:VEVENT") == venue.meetings.count() and "第1回 全体会議" in body


def test_other_venue_internals_are_hidden(client, users):
    other = services.venue_create(actor=users["admin"], name="別の場", slug="other", is_public=False)
    client.force_login(users["ura"])
    assert client.get(reverse("venues:venue_detail", args=[other.slug])).status_code == 404
    public_other = services.venue_create(actor=users["admin"], name="公開の場", slug="public-other")
    assert client.get(reverse("venues:meeting_list", args=[public_other.slug])).status_code == 404


def test_finalised_decision_edit_page_refuses(client, users, venue):
    decision = venue.decisions.filter(status="finalised").first()
    client.force_login(users["secretariat"])
    response = client.post(reverse("venues:decision_update", args=[SLUG, decision.pk]), {"title": "x", "text": "y"})
    assert response.status_code == 302
    assert Decision.objects.get(pk=decision.pk).title == decision.title


def test_minutes_conflict_shows_both_versions(client, users, venue):
    meeting = venue.meetings.get(minutes_status="draft")
    url = reverse("venues:minutes_edit", args=[SLUG, meeting.pk])
    version = meeting.minutes_version
    client.force_login(users["ura"])
    assert client.post(url, {"minutes": "URAの修正", "version": version}).status_code == 302
    client.force_login(users["company"])
    response = client.post(url, {"minutes": "企業の修正", "version": version})
    assert response.status_code == 409
    body = response.content.decode()
    assert "URAの修正" in body and "企業の修正" in body


def test_endorse_through_the_page(client, users, venue):
    decision = services.decision_create(actor=users["secretariat"], venue=venue, title="頁から賛同", text="本文")
    services.decision_propose(actor=users["secretariat"], decision=decision)
    client.force_login(users["company"])
    url = reverse("venues:decision_endorse", args=[SLUG, decision.pk])
    client.post(url, {"stance": "endorse"})
    client.force_login(users["observer"])
    assert client.post(url, {"stance": "endorse"}).status_code == 403
    decision.refresh_from_db()
    assert decision.proposal.endorsements.count() == 1
    assert decision.proposal.endorsements.get().representative.person.user == users["company"]


def test_my_actions_lists_only_venues_the_user_still_belongs_to(client, users, venue):
    from kyoso.venues.models import VenueRole

    client.force_login(users["ura"])
    mine = client.get(reverse("venues:my_actions")).context["actions"]
    assert mine and all(a.venue_id == venue.pk for a in mine)
    VenueRole.objects.filter(user=users["ura"], venue=venue).delete()
    assert client.get(reverse("venues:my_actions")).context["actions"] == []
