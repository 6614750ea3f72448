"""One-time form tokens (common.submission): a create form sent twice, or fifty times at once, creates one object."""

from __future__ import annotations

import re
import threading
from http import HTTPStatus

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.urls import reverse

from kyoso.common.submission import FIELD, KEPT_FOR, add_tokens, prune

SLUG = "hamamatsu-sample"
TOKEN = re.compile(rf'name="{FIELD}" value="([^"]+)"')


def _meeting_form(client) -> tuple[str, dict]:
    url = reverse("venues:meeting_create", args=[SLUG])
    page = client.get(url).content.decode()
    tokens = TOKEN.findall(page)
    assert tokens, "the create form carries a one-time token"
    data = {FIELD: tokens[-1], "title": "二重送信の確認（サンプル）", "starts_at": "2026-07-01T10:00",
            "ends_at": "2026-07-01T12:00", "place": "浜松市役所", "status": "scheduled", "agenda": "議題1"}
    return url, data


def _meetings():
    from kyoso.venues.models import Meeting

    return Meeting.objects.filter(venue__slug=SLUG, title="二重送信の確認（サンプル）")


def test_every_post_form_gets_its_own_token_and_get_forms_none():
    html = (b'<form method="post" action="/a"><input name="x"></form><form method="get"></form>'
            b"<FORM class='f' METHOD='POST'></FORM>")
    out = add_tokens(html).decode()
    tokens = TOKEN.findall(out)
    assert len(tokens) == 2 and tokens[0] != tokens[1]
    assert out.index(tokens[0]) < out.index("</form>") and '<form method="get"></form>' in out


@pytest.mark.django_db
def test_repeated_post_creates_one_meeting_and_shows_the_first(client, users):
    client.force_login(users["secretariat"])
    url, data = _meeting_form(client)
    first = client.post(url, data)
    assert first.status_code == HTTPStatus.FOUND
    again = client.post(url, data)  # the back button, then 送信 again
    assert again.status_code == HTTPStatus.FOUND and again["Location"] == first["Location"]
    assert _meetings().count() == 1
    notices = [str(m) for m in get_messages(again.wsgi_request)]
    assert "このフォームはすでに送信済みです。最初の送信の結果を表示しています。" in notices


@pytest.mark.django_db
def test_a_form_sent_back_with_errors_can_be_corrected_and_sent(client, users):
    client.force_login(users["secretariat"])
    url, data = _meeting_form(client)
    wrong = client.post(url, {**data, "title": ""})
    assert wrong.status_code == HTTPStatus.OK and _meetings().count() == 0
    assert client.post(url, data).status_code == HTTPStatus.FOUND
    assert _meetings().count() == 1


@pytest.mark.django_db
def test_every_create_page_of_the_sample_venue_carries_a_token(client, users):
    """Each POST form on the create pages gets a token, however its template renders the form."""
    client.force_login(users["secretariat"])
    from kyoso.visions.models import Vision

    vision = Vision.objects.filter(venue__slug=SLUG).first()
    urls = [reverse("venues:meeting_create", args=[SLUG]), reverse("venues:decision_create", args=[SLUG]),
            reverse("visions:vision_create", args=[SLUG]), reverse("visions:goal_create", args=[SLUG, vision.pk]),
            reverse("portfolio:project_create", args=[SLUG])]
    for url in urls:
        body = client.get(url).content.decode()
        forms = re.findall(r"<form\b[^>]*method=\"post\"[^>]*>(.{0,200})", body, re.IGNORECASE | re.DOTALL)
        assert forms, url
        assert all(f'name="{FIELD}"' in form for form in forms), url


@pytest.mark.django_db(transaction=True)
def test_fifty_parallel_identical_posts_create_one_meeting(users):
    main = Client()
    main.force_login(users["secretariat"])
    url, data = _meeting_form(main)
    barrier = threading.Barrier(50)
    statuses: list[int] = []
    retries: list[int] = []

    def send() -> None:
        client = Client(raise_request_exception=False)
        client.cookies = main.cookies
        try:
            barrier.wait()
            status = client.post(url, data).status_code
            # The in-memory SQLite test database (shared cache) answers "table is locked" at once instead of
            # waiting like the file database does; such a request is sent again, as a browser's retry would be.
            for _attempt in range(20):
                if status != HTTPStatus.INTERNAL_SERVER_ERROR or connection.vendor != "sqlite":
                    break
                retries.append(1)
                status = client.post(url, data).status_code
            statuses.append(status)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert _meetings().count() == 1
    assert statuses == [HTTPStatus.FOUND] * 50
    if connection.vendor != "sqlite":
        assert not retries


@pytest.mark.django_db
def test_old_submissions_are_forgotten():
    from django.utils import timezone

    from kyoso.common.models import SubmissionToken

    old = SubmissionToken.objects.create(key="1:old", path="/a")
    recent = SubmissionToken.objects.create(key="1:new", path="/a")
    SubmissionToken.objects.filter(pk=old.pk).update(created_at=timezone.now() - KEPT_FOR - KEPT_FOR / 7)
    assert prune() == 1
    assert list(SubmissionToken.objects.values_list("pk", flat=True)) == [recent.pk]
