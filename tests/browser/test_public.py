"""Browser tests of the venue's public site: a visitor reads it in Japanese, やさしい日本語 and English and downloads
a CSV; axe-core finds no WCAG 2.1 A/AA violation on any public page in the three modes at desktop and phone widths;
the secretariat writes a やさしい日本語 summary and sees its readability score (with and without JavaScript)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import login, watch_console

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SLUG = "hamamatsu-sample"
AXE = Path(__file__).parent / "vendor" / "axe-core-4.10.3" / "axe.min.js"
WIDTHS = {"desktop": (1280, 900), "phone": (375, 740)}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture
def public_site(users):
    from kyoso.public.sample import build_public_site
    from kyoso.venues.models import Venue

    venue = Venue.objects.get(slug=SLUG)
    assert build_public_site(venue=venue, actor=None)
    return venue


def axe_violations(page: Page) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations of the page (injected by evaluate: the page's CSP stays strict)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS)
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])}× e.g. {v['nodes'][0]['target']})"
            for v in result["violations"]]


def public_paths() -> list[str]:
    from kyoso.portfolio.models import Project
    from kyoso.venues.models import Decision, Meeting
    from kyoso.visions.models import Kpi

    base = f"/v/{SLUG}"
    kpi = Kpi.objects.public().filter(vision__venue__slug=SLUG).order_by("id").first()
    project = Project.objects.public().filter(venue__slug=SLUG).order_by("id").first()
    decision = Decision.objects.public().filter(venue__slug=SLUG).order_by("id").first()
    meeting = Meeting.objects.public_minutes().filter(venue__slug=SLUG).first()
    return [f"{base}/", f"{base}/kpis/{kpi.pk}/", f"{base}/projects/", f"{base}/projects/{project.pk}/",
            f"{base}/decisions/", f"{base}/decisions/{decision.pk}/", f"{base}/meetings/",
            f"{base}/meetings/{meeting.pk}/", f"{base}/data/"]


def switch_to_english(page: Page) -> None:
    page.get_by_label("言語（Language）").select_option("en")
    page.get_by_role("button", name="切り替え").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_a_visitor_reads_the_public_site_in_plain_japanese_and_english_and_downloads_a_csv(page: Page, live_server,
                                                                                           public_site):
    base = live_server.url
    errors = watch_console(page)
    page.goto(f"{base}/venues/{SLUG}/")
    page.get_by_role("link", name=re.compile("公開サイト")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("公開サイト")
    expect(page.get_by_role("heading", name=re.compile("地域ビジョン"))).to_be_visible()
    first_kpi = page.locator("article.k-card").first
    expect(first_kpi.locator(".k-status").first).to_have_text(re.compile("^(順調|注意|遅れ|データなし|古いデータ)$"))
    expect(first_kpi.get_by_role("img")).to_have_count(1)
    expect(first_kpi).to_contain_text("判定の理由")
    expect(page.get_by_text("大学発ベンチャーの累計社数")).to_have_count(0)  # the internal KPI stays internal

    page.get_by_role("link", name="やさしい日本語で読む").click()
    assert "lang=easy" in page.url
    expect(page.get_by_text("れんしゅう用の 文です", exact=False)).to_be_visible()
    page.get_by_role("link", name=re.compile("共同研究プロジェクト|プロジェクト")).first.click()
    assert "lang=easy" in page.url  # the mode is kept in shareable URLs

    page.goto(f"{base}/v/{SLUG}/")
    switch_to_english(page)
    assert page.url.rstrip("/").endswith(f"/v/{SLUG}")

    page.goto(f"{base}/v/{SLUG}/data/")
    with page.expect_download() as info:
        page.locator("a[href$='/data/kpis.csv']").click()
    content = Path(info.value.path()).read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")
    header = content.decode("utf-8-sig").splitlines()[0]
    assert "全国地方公共団体コード" in header and "KPI名" in header
    assert errors == [], errors


def test_every_public_page_has_no_axe_violation_in_every_mode_and_width(page: Page, live_server, public_site):
    base = live_server.url
    errors = watch_console(page)
    failures = []
    for mode in ("ja", "easy", "en"):
        if mode == "en":
            page.goto(f"{base}/v/{SLUG}/")
            switch_to_english(page)
        for width, (w, h) in WIDTHS.items():
            page.set_viewport_size({"width": w, "height": h})
            for path in public_paths():
                url = f"{base}{path}" + ("?lang=easy" if mode == "easy" else "")
                response = page.goto(url)
                assert response is not None and response.status == 200, url
                expect(page.locator("h1")).to_have_count(1)
                found = axe_violations(page)
                if found:
                    failures.append(f"{mode} {width} {path}: {found}")
    assert not failures, "\n".join(failures)
    assert errors == [], errors


def test_the_secretariat_writes_a_plain_summary_and_sees_its_score(page: Page, live_server, public_site):
    from kyoso.visions.models import Kpi

    base = live_server.url
    errors = watch_console(page)
    login(page, base, "secretariat")
    page.goto(f"{base}/v/{SLUG}/easy/")
    assert axe_violations(page) == []
    kpi = Kpi.objects.get(vision__venue__slug=SLUG, code="joint-research")
    page.get_by_role("link", name=kpi.name).click()
    text = page.get_by_label(re.compile("^やさしい日本語の説明"))
    hard = "産学連携による地域イノベーション創出の推進を図るため、大学と地域企業との共同研究開発体制の構築を支援する。"
    text.fill(hard)
    page.get_by_role("button", name="読みやすさを確かめる").click()  # the plain-form path
    report = page.locator("#readability-report")
    expect(report).to_contain_text("読みやすさ（jReadability）")
    expect(report).to_contain_text("長い文（40字より長い）")
    expect(report).to_contain_text("研究開発")
    expect(report).to_contain_text("難しい文です")
    easy = "あしたは ごみを だす 日です。ごみは あさ 8じまでに だして ください。"
    text.fill(easy)
    expect(report).to_contain_text("目安（中級前半以上）に届いています")  # the live check (htmx)
    expect(report).not_to_contain_text("長い文（")
    assert axe_violations(page) == []
    page.get_by_role("button", name="保存する").click()
    expect(page.get_by_role("status").first).to_contain_text("保存しました")
    page.goto(f"{base}/v/{SLUG}/kpis/{kpi.pk}/?lang=easy")
    expect(page.get_by_text(easy)).to_be_visible()
    assert errors == [], errors
