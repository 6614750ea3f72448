"""Browser tests (Playwright driving Debian's Chromium) for the foundation's pages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import login, watch_console

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]






def test_login_and_logout(page: Page, live_server, users):
    login(page, live_server.url, "secretariat")
    expect(page.get_by_text("浜松 花子（自治体職員・サンプル）").first).to_be_visible()
    page.get_by_role("button", name="ログアウト").click()
    expect(page.get_by_role("link", name="ログイン")).to_be_visible()


def test_wrong_password_shows_a_clear_message(page: Page, live_server, users):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("ユーザー名").fill("secretariat")
    page.get_by_label("パスワード").fill("wrong-password")
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("alert").first).to_be_visible()


def test_switch_language_to_english_and_back(page: Page, live_server, users):
    page.goto(f"{live_server.url}/regions/22/")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    page.get_by_label(re.compile("言語|Language")).select_option("en")
    page.get_by_role("button", name=re.compile("切り替え|Switch")).click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Shizuoka")
    expect(page.get_by_role("link", name="Hamamatsu City")).to_be_visible()
    page.get_by_label(re.compile("言語|Language")).select_option("ja")
    page.get_by_role("button", name=re.compile("切り替え|Switch")).click()
    expect(page.locator("html")).to_have_attribute("lang", "ja")


def test_search_the_directory_updates_results_without_reload(page: Page, live_server, users):
    errors = watch_console(page)
    page.goto(f"{live_server.url}/organizations/")
    page.get_by_label("キーワード").fill("遠州")
    page.get_by_role("button", name="絞り込む").click()
    results = page.locator("#results")
    expect(results.get_by_role("link", name="遠州みらい銀行（サンプル）")).to_be_visible()
    expect(results.get_by_role("link", name="天竜ロボティクス株式会社（サンプル）")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"q=%E9%81%A0%E5%B7%9E"))
    page.get_by_label("セクター").select_option("finance")
    expect(results.get_by_role("link", name="遠州精密工業株式会社（サンプル）")).to_have_count(0)
    expect(results.get_by_role("link", name="遠州みらい銀行（サンプル）")).to_be_visible()
    assert errors == []


def test_create_an_organisation_through_the_ui_and_see_it_listed(page: Page, live_server, users):
    errors = watch_console(page)
    login(page, live_server.url, "secretariat")
    page.goto(f"{live_server.url}/organizations/")
    page.get_by_role("link", name="組織を登録").click()
    page.get_by_label(re.compile(r"^名称")).fill("浜名湖スマート養殖研究会（テスト）")
    page.get_by_label("セクター").select_option("civil_society")
    page.get_by_label("種別").select_option("npo")
    page.get_by_label("都道府県").select_option(label="静岡県")
    # htmx fills the municipality choices of the chosen prefecture
    expect(page.get_by_label("市区町村")).to_contain_text("湖西市")
    page.get_by_label("市区町村").select_option(label="湖西市")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("浜名湖スマート養殖研究会（テスト）")
    expect(page.get_by_role("status").first).to_contain_text("登録しました")
    page.goto(f"{live_server.url}/organizations/?q=養殖")
    expect(page.locator("#results").get_by_role("link", name="浜名湖スマート養殖研究会（テスト）")).to_be_visible()
    assert errors == []


def test_invalid_organisation_form_marks_the_fields(page: Page, live_server, users):
    login(page, live_server.url, "secretariat")
    page.goto(f"{live_server.url}/organizations/new/")
    page.get_by_label("セクター").select_option("industry")
    page.get_by_label("種別").select_option("regional_bank")
    page.get_by_role("button", name="保存").click()
    name = page.get_by_label(re.compile(r"^名称"))
    expect(name).to_have_attribute("aria-invalid", "true")
    described = name.get_attribute("aria-describedby") or ""
    assert described, "the error must be linked to the field"
    expect(page.locator(f"#{described.split()[-1]}")).to_be_visible()


PAGES = [
    ("/", None),
    ("/organizations/", None),
    ("/regions/", None),
    ("/regions/22/", None),
    ("/regions/22130/", None),
    ("/about/data/", None),
    ("/venues/", None),
    ("/venues/hamamatsu-sample/", None),
    ("/accounts/login/", None),
    ("/accounts/password/reset/", None),
    ("/accounts/password/change/", "ura"),
    ("/organizations/new/", "secretariat"),
]


@pytest.mark.parametrize(("path", "username"), PAGES)
def test_every_page_renders_without_console_errors(page: Page, live_server, users, path, username):
    """Each page has one h1, a main landmark, the sample banner, and breaks no CSP rule."""
    errors = watch_console(page)
    if username:
        login(page, live_server.url, username)
    page.goto(f"{live_server.url}{path}")
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("main#main")).to_be_visible()
    expect(page.get_by_role("note").first).to_contain_text("サンプル")
    assert errors == [], errors


def test_detail_pages_from_the_directory(page: Page, live_server, users):
    errors = watch_console(page)
    page.goto(f"{live_server.url}/organizations/?q=天竜")
    page.locator("#results").get_by_role("link", name="天竜ロボティクス株式会社（サンプル）").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("天竜ロボティクス株式会社（サンプル）")
    page.get_by_role("link", name=re.compile("三方原 聡")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("三方原 聡")
    expect(page.get_by_text("技術顧問（クロスアポイントメント）")).to_be_visible()
    assert errors == []


def test_api_docs_page_loads_offline(page: Page, live_server, users):
    requests: list[str] = []
    page.on("request", lambda req: requests.append(req.url))
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.get_by_text("Kyoso API").first).to_be_visible()
    assert all(url.startswith(live_server.url) or url.startswith("data:") or url.startswith("blob:")
               for url in requests), [u for u in requests if not u.startswith(live_server.url)]
