"""The demo serves the product's own error pages (not Django's technical page) with its static files; the 403 page
speaks to whoever was refused: an anonymous visitor, a resident (no role anywhere) or a member lacking the role."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.urls import reverse

SLUG = "hamamatsu-sample"
OLD_ADVICE = "所属組織の管理者"


def _demo_settings(monkeypatch):
    monkeypatch.delenv("DEBUG", raising=False)
    import kyoso.settings.demo as demo

    return importlib.reload(demo)


def test_demo_runs_with_debug_off_and_serves_static_files_from_the_apps(monkeypatch):
    demo = _demo_settings(monkeypatch)
    assert demo.DEBUG is False
    assert demo.WHITENOISE_USE_FINDERS is True
    assert "Manifest" not in demo.STORAGES["staticfiles"]["BACKEND"]  # no collectstatic needed for `make demo`


@pytest.mark.django_db
def test_demo_error_page_is_the_products_and_static_files_are_served(monkeypatch):
    demo = _demo_settings(monkeypatch)
    with override_settings(DEBUG=demo.DEBUG, STORAGES=demo.STORAGES, WHITENOISE_USE_FINDERS=True,
                           WHITENOISE_AUTOREFRESH=True):
        client = Client()
        missing = client.get("/no-such-page/")
        assert missing.status_code == 404
        body = missing.content.decode()
        assert "ページが見つかりません" in body and "URLconf" not in body and "urlpatterns" not in body
        css = re.search(r'href="(/static/[^"]+\.css)"', body)
        assert css, "the error page links the design-system stylesheet"
        assert client.get(css.group(1)).status_code == 200


def test_the_demo_target_still_starts_the_server_with_demo_settings():
    makefile = (Path(__file__).parents[4] / "Makefile").read_text(encoding="utf-8")
    assert "DJANGO_SETTINGS_MODULE ?= kyoso.settings.demo" in makefile
    assert "runserver" in makefile.split("demo: install", 1)[1].split("\n\n", 1)[0]


def _refusal(client, user=None) -> str:
    if user is not None:
        client.force_login(user)
    response = client.get(reverse("venues:meeting_create", args=[SLUG]))
    assert response.status_code == 403
    body = response.content.decode()
    assert OLD_ADVICE not in body
    return body


@pytest.mark.django_db
def test_a_resident_is_not_told_to_ask_an_organisation_administrator(client, users):
    body = _refusal(client, users["resident"])
    assert "地域共創の場に参加している組織の方と事務局のためのもの" in body
    assert "事務局にご相談ください" not in body


@pytest.mark.django_db
def test_a_member_lacking_the_role_is_pointed_to_the_secretariat(client, users):
    body = _refusal(client, users["ura"])
    assert "参加している場の事務局にご相談ください" in body


@pytest.mark.django_db
def test_an_anonymous_visitor_is_asked_to_log_in(client, users):
    response = client.get(reverse("venues:meeting_create", args=[SLUG]))
    if response.status_code == 403:
        body = response.content.decode()
        assert "ログインした方だけが表示できます" in body and reverse("accounts:login") in body
    else:
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
