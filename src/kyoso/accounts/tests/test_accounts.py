from __future__ import annotations

import re

import pytest
from conftest import TEST_PASSWORD
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_login_rotates_the_session_key(client, users):
    client.get(reverse("accounts:login"))
    client.session.save()
    before = client.session.session_key
    response = client.post(reverse("accounts:login"), {"username": "ura", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert client.session.session_key != before


def test_login_is_throttled_after_repeated_failures(client, users):
    for _ in range(5):
        client.post(reverse("accounts:login"), {"username": "ura", "password": "wrong"})
    response = client.post(reverse("accounts:login"), {"username": "ura", "password": TEST_PASSWORD})
    assert response.status_code == 429
    assert "15分後" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_reset_by_email_through_the_task_queue(client, users):
    response = client.post(reverse("accounts:password_reset"), {"email": "ura@example.invalid"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    link = re.search(r"https?://[^\s]+/accounts/password/reset/[^\s]+/", body).group(0)
    path = link.split("testserver", 1)[1]
    response = client.get(path, follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": "Kyoso-new-pass-2026", "new_password2": "Kyoso-new-pass-2026"})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:password_reset_complete")
    response = client.post(reverse("accounts:login"), {"username": "ura", "password": "Kyoso-new-pass-2026"})
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(users["ura"].pk)


def test_unknown_email_gets_the_same_answer_and_no_mail(client, users):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.invalid"})
    assert response.status_code == 302 and mail.outbox == []


def test_logout_needs_post(client, users):
    client.force_login(users["ura"])
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert "_auth_user_id" not in client.session
