"""Browser test for seeds–needs matching: from a regional issue to a saved shortlist and a recorded contact."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import field, login, status_message, watch_console

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAMPLE = "/venues/hamamatsu-sample"
ISSUE = "養殖の赤潮被害による損失（サンプル）"


@pytest.fixture
def small_index(users, settings, tmp_path):
    from kyoso.matching import index, services
    from kyoso.matching.tests.objects import make_researchers

    make_researchers()
    settings.KYOSO_MATCHING_INDEX_DIR = tmp_path / "matching-index"
    index.forget()
    services.index_rebuild()
    yield
    index.forget()


def test_from_a_regional_issue_to_a_shortlist_with_a_contact(page: Page, live_server, small_index):
    from kyoso.visions.models import Vision

    vision = Vision.objects.get(venue__slug="hamamatsu-sample")
    errors = watch_console(page)
    login(page, live_server.url, "ura")
    page.goto(f"{live_server.url}{SAMPLE}/visions/{vision.pk}/backcasting/")
    page.get_by_role("link", name=re.compile(r"合う研究者を探す\W*養殖の赤潮被害")).click()

    expect(page.get_by_role("heading", level=2, name="ニーズに合う研究者")).to_be_visible()
    results = page.locator(".k-match-list > li")
    expect(results.first).to_be_visible()
    expect(page.locator(".k-match-list mark").first).to_be_visible()
    expect(results.filter(has_text="Marina Okada (sample)")).to_contain_text("地域外")
    expect(page.get_by_role("heading", name="地域の対応力（キャパシティ・ギャップ）")).to_be_visible()

    # Outside only, through htmx (the page is not reloaded: the results region is replaced).
    field(page, "地域").select_option(label="地域外のみ")
    page.get_by_role("button", name="探す").click()
    expect(results.filter(has_text="地域内")).to_have_count(0)
    expect(results.filter(has_text="Marina Okada (sample)")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"scope=out"))

    field(page, "候補リスト名").fill("赤潮の予測に招く研究者（テスト）")
    page.get_by_role("button", name="候補リストに保存").click()
    expect(status_message(page)).to_contain_text("候補リスト「赤潮の予測に招く研究者（テスト）」を保存しました")
    expect(page.get_by_role("heading", level=1)).to_have_text("赤潮の予測に招く研究者（テスト）")
    expect(page.get_by_role("link", name=ISSUE)).to_be_visible()

    page.get_by_role("link", name="連絡を記録", exact=True).click()
    field(page, "研究者").select_option(label="Marina Okada (sample)")
    field(page, "方法").select_option(label="オンライン会議")
    field(page, "結果").select_option(label="関心あり")
    field(page, "内容").fill("クロスアポイントメントに前向き（テスト）")
    page.get_by_role("button", name="保存").click()
    expect(status_message(page)).to_contain_text("連絡の記録を保存しました")
    contacts = page.get_by_role("table", name="研究者への連絡の記録（新しい順）")
    expect(contacts).to_contain_text("クロスアポイントメントに前向き（テスト）")
    expect(contacts).to_contain_text("関心あり")

    page.goto(f"{live_server.url}{SAMPLE}/visions/{vision.pk}/backcasting/")
    expect(page.get_by_role("link", name="赤潮の予測に招く研究者（テスト）")).to_be_visible()
    assert errors == []
