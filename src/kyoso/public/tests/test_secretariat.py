"""What the secretariat does for the public site: publish a meeting's minutes (venues' meeting form and service) and
write やさしい日本語 summaries (the editor, its plain-form check and its live check)."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kyoso.common.models import AuditEvent
from kyoso.public.models import EasySummary
from kyoso.venues.models import Meeting
from kyoso.visions.models import Kpi

pytestmark = pytest.mark.django_db

SLUG = "hamamatsu-sample"
HARD = "産学連携による地域イノベーション創出の推進を図るため、大学と地域企業との共同研究開発体制の構築を支援する。"
EASY = "あしたは ごみを だす 日です。ごみは あさ 8じまでに だして ください。"


@pytest.fixture
def secretariat(sample_region, users):
    client = Client()
    client.force_login(users["secretariat"])
    return client


def test_the_meeting_form_publishes_final_minutes_and_only_those(secretariat):
    meeting = Meeting.objects.filter(venue__slug=SLUG, minutes_status="final").order_by("starts_at").first()
    detail = reverse("public:meeting_detail", args=[SLUG, meeting.pk])
    marker = next(line for line in meeting.minutes.splitlines() if "。" in line).lstrip("-*# ")[:12]
    assert marker not in Client().get(detail).content.decode()
    local = timezone.localtime(meeting.starts_at)
    response = secretariat.post(reverse("venues:meeting_update", args=[SLUG, meeting.pk]), {
        "title": meeting.title, "starts_at": local.strftime("%Y-%m-%dT%H:%M"), "place": meeting.place,
        "status": meeting.status, "minutes_public": "on"})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.minutes_public
    event = AuditEvent.objects.filter(object_type__icontains="meeting", object_id=str(meeting.pk)).latest("at")
    assert event.after["minutes_public"] is True and event.before["minutes_public"] is False
    assert marker in Client().get(detail).content.decode()
    # A draft is never shown, whatever the flag says.
    draft = Meeting.objects.filter(venue__slug=SLUG, minutes_status="draft").first()
    Meeting.objects.filter(pk=draft.pk).update(minutes_public=True)
    assert not Meeting.objects.public_minutes().filter(pk=draft.pk).exists()


def _editor(kpi):
    return reverse("public:easy_edit", args=[SLUG]) + "?" + urlencode({"target": f"kpi-{kpi.pk}"})


def test_the_editor_checks_without_saving_then_saves_with_the_score(secretariat):
    kpi = Kpi.objects.get(vision__venue__slug=SLUG, code="joint-research")
    assert secretariat.get(reverse("public:easy_list", args=[SLUG])).status_code == 200
    assert secretariat.get(_editor(kpi)).status_code == 200
    page = secretariat.post(reverse("public:easy_edit", args=[SLUG]),
                            {"target": f"kpi-{kpi.pk}", "text": HARD, "action": "check"}).content.decode()
    assert "読みやすさ（jReadability）" in page and "長い文（40字より長い）" in page and "研究開発" in page
    assert not EasySummary.objects.exists()
    response = secretariat.post(reverse("public:easy_edit", args=[SLUG]),
                                {"target": f"kpi-{kpi.pk}", "text": EASY, "action": "save"})
    assert response.status_code == 302
    summary = EasySummary.objects.get(kind="kpi", object_id=kpi.pk)
    assert summary.text == EASY and summary.score is not None and summary.score >= 3.5
    assert AuditEvent.objects.filter(object_type__icontains="easysummary", action="create").exists()
    # An empty text deletes it.
    secretariat.post(reverse("public:easy_edit", args=[SLUG]),
                     {"target": f"kpi-{kpi.pk}", "text": "", "action": "save"})
    assert not EasySummary.objects.exists()


def test_the_live_check_returns_the_report_fragment(secretariat):
    response = secretariat.post(reverse("public:easy_check", args=[SLUG]), {"text": HARD})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    fragment = response.content.decode()
    assert fragment.lstrip().startswith('<div id="readability-report"') and "<html" not in fragment
    assert "難しい文です" in fragment


def test_bad_input_is_refused_with_a_message_and_nothing_stored(secretariat):
    kpi = Kpi.objects.get(vision__venue__slug=SLUG, code="joint-research")
    page = secretariat.post(reverse("public:easy_edit", args=[SLUG]),
                            {"target": f"kpi-{kpi.pk}", "text": "あ" * 2001, "action": "save"})
    assert page.status_code == 200 and "2000" in page.content.decode()
    assert not EasySummary.objects.exists()
    assert secretariat.get(reverse("public:easy_edit", args=[SLUG]) + "?target=kpi-999999").status_code == 404
    assert secretariat.get(reverse("public:easy_edit", args=[SLUG]) + "?target=nonsense").status_code == 404


def test_only_the_venues_secretariat_writes(sample_region, users):
    kpi = Kpi.objects.get(vision__venue__slug=SLUG, code="joint-research")
    for name in ("ura", "observer", "resident"):
        client = Client()
        client.force_login(users[name])
        response = client.post(reverse("public:easy_edit", args=[SLUG]),
                               {"target": f"kpi-{kpi.pk}", "text": EASY, "action": "save"})
        assert response.status_code == 403, name
    assert not EasySummary.objects.exists()
    assert Client().get(_editor(kpi)).status_code == 302  # anonymous: to the login page
