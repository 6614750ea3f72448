"""Browser tests for the joint-research portfolio pages (first slice of the portfolio issue)."""

from __future__ import annotations

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
    expect(page.locator(".k-signal")).to_have_count(5)
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
