"""Browser tests for the joint-research portfolio pages (first slice of the portfolio issue)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import login, switch_user, watch_console

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAMPLE = "/venues/hamamatsu-sample/portfolio"


def confidential_project():
    from kyoso.portfolio.models import Project

    return Project.objects.filter(commitments__kind="cash", commitments__is_confidential=True).distinct().first()


def test_portfolio_lists_projects_with_their_signals(page: Page, live_server, users):
    errors = watch_console(page)
    login(page, live_server.url, "ura")
    page.goto(f"{live_server.url}{SAMPLE}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("共同研究ポートフォリオ")
    rows = page.locator("table tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 15
    expect(page.locator("table").get_by_text("資源の提供不足").first).to_be_visible()
    rows.first.get_by_role("link").click()
    expect(page.get_by_role("heading", name="シグナル")).to_be_visible()
    expect(page.locator(".k-signal")).to_have_count(6)  # the six signals of domain/signals.py
    assert errors == []


def test_confidential_cash_is_hidden_from_non_participants(page: Page, live_server, users):
    project = confidential_project()
    assert project is not None, "the sample portfolio has a confidential cash commitment"
    url = f"{live_server.url}{SAMPLE}/{project.pk}/"
    login(page, live_server.url, "observer")
    page.goto(url)
    expect(page.get_by_text("（非公開）").first).to_be_visible()
    switch_user(page, live_server.url, "secretariat")
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text(project.title)
    expect(page.get_by_text("（非公開）")).to_have_count(0)


def test_anonymous_visitors_are_sent_to_login(page: Page, live_server, users):
    page.goto(f"{live_server.url}{SAMPLE}/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/venues/hamamatsu-sample/portfolio/")


def test_commitment_and_provision_fire_a_shortfall_and_a_review_becomes_a_decision_that_updates_the_project(
        page: Page, live_server, users):
    import datetime as dt

    from django.utils import timezone

    from kyoso.portfolio.models import Project

    errors = watch_console(page)
    project = Project.objects.get(venue__slug="hamamatsu-sample", title__startswith="浜名湖の水質センサー網")
    url = f"{live_server.url}{SAMPLE}/{project.pk}/"
    today = timezone.localdate()
    last_fiscal_year = (today.year if today.month >= 4 else today.year - 1) - 1

    # The company lead records what the company promised last fiscal year, and what it gave.
    login(page, live_server.url, "company")
    page.goto(url)
    page.get_by_role("link", name="約束を登録").click()
    page.get_by_label("提供する組織").select_option(label="遠州精密工業株式会社（サンプル）")
    page.get_by_label("年度").fill(str(last_fiscal_year))
    page.get_by_label("種類").select_option("staff")
    page.get_by_label("約束した量").fill("１２")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("status").first).to_contain_text("約束を登録しました")
    row = page.locator("#ledger-heading + * tbody tr, section[aria-labelledby=ledger-heading] tbody tr").filter(
        has_text="人員（人月）").filter(has_text=f"{last_fiscal_year}年度").filter(has_text="遠州精密")
    row.get_by_role("link", name="提供を記録").click()
    page.get_by_label("提供した量").fill("2")
    page.get_by_label("提供日").fill((today - dt.timedelta(days=60)).isoformat())
    page.get_by_label("証跡").fill("作業日報")
    page.get_by_role("button", name="保存").click()
    shortfall = page.locator(".k-signal").filter(has_text="資源の提供不足")
    expect(shortfall).to_contain_text("約束 12 に対し提供 2")

    # The secretariat reviews the project and recommends a pause; the venue finalises the decision.
    switch_user(page, live_server.url, "secretariat")
    page.goto(url)
    page.get_by_role("link", name="評価を書く").click()
    expect(page.locator(".k-signal").filter(has_text="資源の提供不足")).to_be_visible()
    page.get_by_label("評価").fill("企業の人員の提供が約束を大きく下回っている。体制が整うまで一時停止する。")
    page.get_by_label("一時停止").check()
    page.get_by_role("button", name="評価を記録して決定案にする").click()
    expect(page.get_by_role("status").first).to_contain_text("決定案")
    page.get_by_role("link", name=f"「{project.title}」の評価にもとづく提言：一時停止").click()
    page.get_by_role("button", name="確定する").click()
    page.goto(url)
    expect(page.locator(".k-dl").first).to_contain_text("一時停止中")
    history = page.locator("section[aria-labelledby=reviews-heading]")
    expect(history).to_contain_text("反映した変更：状況 実施中 → 一時停止中")
    assert errors == []


def test_matrix_chart_and_filters(page: Page, live_server, users):
    errors = watch_console(page)
    login(page, live_server.url, "ura")
    page.goto(f"{live_server.url}{SAMPLE}/")
    page.get_by_label("段階").select_option(label="基礎研究")
    expect(page).to_have_url(re.compile(r"stage=basic_research"))  # htmx pushes the URL once it swapped
    expect(page.locator("#results tbody tr").first).to_contain_text("基礎研究")
    expect(page.locator("#results tbody tr").filter(has_not_text="基礎研究")).to_have_count(0)
    page.get_by_role("link", name="プロジェクト×KPI").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("プロジェクト×KPI")
    expect(page.locator("table.k-table--matrix")).to_be_visible()
    page.get_by_role("link", name="資源の提供と進捗").click()
    expect(page.locator("svg.k-chart")).to_be_visible()
    expect(page.get_by_role("table").filter(has_text="グラフのデータ")).to_be_visible()
    assert errors == []


def test_reports_download_and_a_large_portfolio_report_is_queued(page: Page, live_server, users, monkeypatch):
    from kyoso.portfolio import export_views

    errors = watch_console(page)
    login(page, live_server.url, "secretariat")
    project = confidential_project()
    page.goto(f"{live_server.url}{SAMPLE}/{project.pk}/")
    with page.expect_download() as download:
        page.get_by_role("link", name="プロジェクト報告（PDF）").click()
    assert download.value.suggested_filename.endswith(".pdf")
    monkeypatch.setattr(export_views, "SYNC_LIMIT", 1)
    page.goto(f"{live_server.url}{SAMPLE}/")
    page.get_by_role("link", name="ポートフォリオ報告（Excel）").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("ポートフォリオ報告を作成")
    page.get_by_role("button", name="報告書の作成を依頼する").click()
    expect(page.locator("#job-status")).to_contain_text("完成")
    with page.expect_download() as download:
        page.get_by_role("link", name="ダウンロード").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    assert errors == []
