"""Browser tests (Playwright driving Debian's Chromium) for the co-creation venue's pages."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import field, login, sector_row, status_message, switch_user, watch_console

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAMPLE = "/venues/hamamatsu-sample"














def add_member(page: Page, organization: str, person: str, layer: str, title: str) -> None:
    """From the member list or the venue home: add an organisation, then its representative."""
    page.get_by_role("link", name="構成員を追加").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("構成員を追加")
    field(page, "組織").select_option(label=organization)
    page.get_by_role("button", name="追加する").click()
    # the view goes straight on to the representative form of the new member
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{organization} の代表者を登録")
    expect(status_message(page)).to_contain_text(f"「{organization}」を構成員に加えました")
    field(page, "人").select_option(label=person)
    field(page, "層").select_option(label=layer)
    field(page, "役職").fill(title)
    page.get_by_role("button", name="登録する").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("構成員")
    expect(status_message(page)).to_contain_text("代表者を登録しました")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=organization, exact=True))
    expect(row).to_contain_text(person)
    expect(row).to_contain_text(layer)


def endorse(page: Page, organization: str) -> None:
    expect(page.get_by_text(f"{organization} の代表者として意思表示します。")).to_be_visible()
    page.get_by_label("賛同", exact=True).check()
    page.get_by_role("button", name="意思表示する").click()
    expect(status_message(page)).to_contain_text("意思表示を記録しました")


def test_create_a_venue_and_reach_a_numbered_decision(page: Page, live_server, users):
    """The issue's main flow: a new venue, its members, a meeting, a decision endorsed by 産・学・官, No.1."""
    base = live_server.url
    errors = watch_console(page)
    login(page, base, "secretariat")

    # 1. A new venue; the required sectors default to 産・学・官
    page.goto(f"{base}/venues/")
    page.get_by_role("link", name="地域共創の場を作成").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("地域共創の場を作成")
    field(page, "名称").fill("浜名湖 共創テストの場")
    field(page, "スラッグ").fill("hamanako-test")
    field(page, "目的").fill("浜名湖周辺の産学官が、養殖の水質予測を共同で研究する。")
    field(page, "対象地域").select_option(label="静岡県 浜松市")
    for sector in ("産（企業）", "学（大学・研究機関）", "官（行政）"):
        expect(page.get_by_label(sector)).to_be_checked()
    expect(page.get_by_label("金（金融機関）")).not_to_be_checked()
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("浜名湖 共創テストの場")
    expect(status_message(page)).to_contain_text("作成しました")
    expect(page).to_have_url(f"{base}/venues/hamanako-test/")
    expect(page.get_by_text("事務局", exact=True)).to_be_visible()  # the creator's role

    # 2. Members of three sectors, each with a representative
    add_member(page, "遠州精密工業株式会社（サンプル）", "天竜 美咲（企業・サンプル）", "ミドル層（管理職）",
               "技術開発部 部長")
    add_member(page, "サンプル工業大学", "遠州 一郎（URA・サンプル）", "キーパーソン", "産学連携 URA")
    add_member(page, "遠州サンプル市", "浜松 花子（自治体職員・サンプル）", "キーパーソン", "産業振興課 主任")
    composition = page.get_by_role("table", name="セクター別の構成員数と代表者数")
    expect(composition.locator("tfoot")).to_contain_text("3")

    # 3. A meeting with an agenda
    page.get_by_role("navigation", name="パンくずリスト").get_by_role("link", name="浜名湖 共創テストの場").click()
    page.get_by_role("link", name="会議を登録").click()
    field(page, "会議名").fill("第1回 設立会議（テスト）")
    field(page, "開始日時").fill("2030-04-01T14:00")
    field(page, "議題").fill("運営規約の制定\n共同研究テーマの検討")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("第1回 設立会議（テスト）")
    agenda = page.get_by_role("region", name="議題")
    expect(agenda.locator("ol > li")).to_have_count(2)

    # 4. A decision recorded from the agenda item
    agenda.get_by_role("link", name=re.compile("この議題で決定を記録.*運営規約の制定")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("決定を記録")
    expect(field(page, "議題").locator("option:checked")).to_have_text("第1回 設立会議（テスト） — 運営規約の制定")
    field(page, "件名").fill("運営規約の制定（テスト）")
    field(page, "決定内容").fill("この場の運営規約を別紙のとおり定める。")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("運営規約の制定（テスト）")
    header = page.locator(".k-page-header")
    expect(header).to_contain_text("案")

    # 5. Ask the sectors for endorsement
    page.get_by_role("button", name="賛同を求める").click()
    expect(status_message(page)).to_contain_text("賛同を求めました")
    expect(header).to_contain_text("賛同受付中")
    expect(page.get_by_role("button", name="確定する")).to_have_count(0)
    decision_url = page.url

    # 6. 産 and 学 endorse: their sectors agree, the decision still waits for 官
    switch_user(page, base, "company")
    page.goto(decision_url)
    endorse(page, "遠州精密工業株式会社（サンプル）")
    expect(sector_row(page, "産（企業）")).to_contain_text("合意")
    expect(page.get_by_role("button", name="意思表示する")).to_have_count(0)  # once only

    switch_user(page, base, "ura")
    page.goto(decision_url)
    endorse(page, "サンプル工業大学")
    expect(sector_row(page, "産（企業）")).to_contain_text("合意")
    expect(sector_row(page, "学（大学・研究機関）")).to_contain_text("合意")
    expect(sector_row(page, "官（行政）")).to_contain_text("未確定")
    expect(header).to_contain_text("賛同受付中")

    # 7. 官 endorses: agreed; the secretariat finalises and the decision gets No.1
    switch_user(page, base, "secretariat")
    page.goto(decision_url)
    endorse(page, "遠州サンプル市")
    expect(sector_row(page, "官（行政）")).to_contain_text("合意")
    expect(header).to_contain_text("合意（確定待ち）")
    page.get_by_role("button", name="確定する").click()
    expect(status_message(page)).to_contain_text("決定を確定しました")
    expect(page.get_by_role("heading", level=1)).to_have_text("No.1 運営規約の制定（テスト）")
    expect(header).to_contain_text("確定")

    # the decision log of the new venue lists it with the sectors that endorsed it
    page.goto(f"{base}/venues/hamanako-test/decisions/")
    row = page.locator("#results tbody tr").filter(has_text="運営規約の制定（テスト）")
    expect(row).to_contain_text("No.1")
    for sector in ("産（企業）", "学（大学・研究機関）", "官（行政）"):
        expect(row).to_contain_text(sector)
    assert errors == [], errors


def test_overdue_action_on_the_venue_home(page: Page, live_server, users):
    errors = watch_console(page)
    login(page, live_server.url, "ura")
    page.goto(f"{live_server.url}{SAMPLE}/")
    overdue = page.get_by_role("region", name="期限を過ぎたアクション")
    row = overdue.get_by_role("row").filter(has_text="住民説明会の会場を確保する（サンプル）")
    expect(row.get_by_text("期限超過")).to_be_visible()
    expect(overdue.get_by_text("試作機の仕様を共有する（サンプル）")).to_have_count(0)  # done, not overdue
    row.get_by_role("link", name="住民説明会の会場を確保する（サンプル）").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("住民説明会の会場を確保する（サンプル）")
    expect(page.get_by_text(re.compile("期限（.+）を過ぎています"))).to_be_visible()
    assert errors == [], errors


def test_attendee_corrects_draft_minutes_and_observer_cannot(page: Page, live_server, users):
    base = live_server.url
    errors = watch_console(page)
    login(page, base, "ura")
    page.goto(f"{base}{SAMPLE}/meetings/")
    page.get_by_role("link", name="第3回 全体会議（サンプル）").click()
    minutes = page.get_by_role("region", name="議事録")
    expect(minutes).to_contain_text("案（修正可）")
    minutes.get_by_role("link", name="議事録を修正").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("第3回 全体会議（サンプル） の議事録")
    text = field(page, "議事録（Markdown）")
    expect(text).to_have_value(re.compile("運営規約の一部改正"))
    text.fill(text.input_value() + "\n## 3. 出席者からの補足\n- **保険の加入**を実証の前に確認する\n")
    page.get_by_role("button", name="保存").click()
    expect(status_message(page)).to_contain_text("議事録を保存しました")
    minutes = page.get_by_role("region", name="議事録")
    # Markdown is rendered (headings shifted below the page's own h1/h2)
    expect(minutes.get_by_role("heading", name="3. 出席者からの補足")).to_be_visible()
    expect(minutes.locator("strong", has_text="保険の加入")).to_be_visible()
    expect(minutes).not_to_contain_text("**保険の加入**")
    expect(page.locator("h1")).to_have_count(1)
    meeting_url = page.url

    switch_user(page, base, "observer")
    page.goto(meeting_url)
    minutes = page.get_by_role("region", name="議事録")
    expect(minutes.locator("strong", has_text="保険の加入")).to_be_visible()
    expect(page.get_by_role("link", name="議事録を修正")).to_have_count(0)
    expect(page.get_by_role("button", name="議事録を確定する")).to_have_count(0)
    assert errors == [], errors


def test_search_the_decision_log_and_export(page: Page, live_server, users):
    errors = watch_console(page)
    login(page, live_server.url, "ura")
    page.goto(f"{live_server.url}{SAMPLE}/decisions/")
    results = page.locator("#results")
    expect(results.get_by_role("link", name="運営規約の制定（サンプル）")).to_be_visible()
    page.evaluate("window.__stillHere = true")
    query = field(page, "キーワード")
    query.fill("実証")
    query.press("End")  # a key press: htmx searches as the user types
    expect(results.get_by_role("link", name="運営規約の制定（サンプル）")).to_have_count(0)
    expect(results.get_by_role("link", name="浜名湖周辺の実証実験フィールドの提供方針（サンプル）")).to_be_visible()
    expect(results.get_by_role("link", name="実証実験の安全管理ガイドライン（案・サンプル）")).to_be_visible()
    expect(page).to_have_url(re.compile(r"q=%E5%AE%9F%E8%A8%BC"))
    assert page.evaluate("window.__stillHere") is True, "the results must update without a page load"

    csv = results.get_by_role("link", name="CSV でダウンロード")
    xlsx = results.get_by_role("link", name="Excel でダウンロード")
    expect(csv).to_have_attribute("href", re.compile(r"/decisions/export\.csv\?q=%E5%AE%9F%E8%A8%BC"))
    expect(xlsx).to_have_attribute("href", re.compile(r"/decisions/export\.xlsx\?q=%E5%AE%9F%E8%A8%BC"))
    with page.expect_download() as info:
        csv.click()
    download = info.value
    assert download.suggested_filename.startswith("hamamatsu-sample-decisions-")
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8-sig") as handle:
        body = handle.read()
    assert "実証実験" in body
    assert "運営規約の制定（サンプル）" not in body
    with page.expect_download() as info:
        xlsx.click()
    assert info.value.suggested_filename.endswith(".xlsx")
    assert errors == [], errors


# --- Every page ----------------------------------------------------------------------------------


def _ids() -> dict[str, int]:
    from kyoso.venues.models import ActionItem, Decision, Meeting, Membership

    venue = {"venue__slug": "hamamatsu-sample"}
    return {
        "draft_meeting": Meeting.objects.get(minutes_status="draft", **venue).pk,
        "proposed": Decision.objects.get(status="proposed", **venue).pk,
        "draft_decision": Decision.objects.get(status="draft", **venue).pk,
        "finalised": Decision.objects.filter(status="finalised", **venue).order_by("number").first().pk,
        "action": ActionItem.objects.filter(title__startswith="住民説明会の会場", **venue).get().pk,
        "member": Membership.objects.get(organization__reference_key="sample:enshu-seimitsu", **venue).pk,
    }


PagePath = Callable[[dict[str, int]], str]

PAGES: list[tuple[str, PagePath, str | None]] = [
    ("venue list", lambda ids: "/venues/", None),
    ("venue list (member)", lambda ids: "/venues/", "ura"),
    ("venue home (member)", lambda ids: f"{SAMPLE}/", "ura"),
    ("venue home (secretariat)", lambda ids: f"{SAMPLE}/", "secretariat"),
    ("public venue page", lambda ids: f"{SAMPLE}/", None),
    ("public decision log", lambda ids: f"{SAMPLE}/decisions/", None),
    ("member list", lambda ids: f"{SAMPLE}/members/", "secretariat"),
    ("add member", lambda ids: f"{SAMPLE}/members/new/", "secretariat"),
    ("add representative", lambda ids: f"{SAMPLE}/members/{ids['member']}/representatives/new/", "secretariat"),
    ("meeting list", lambda ids: f"{SAMPLE}/meetings/", "ura"),
    ("meeting detail", lambda ids: f"{SAMPLE}/meetings/{ids['draft_meeting']}/", "ura"),
    ("meeting detail (secretariat)", lambda ids: f"{SAMPLE}/meetings/{ids['draft_meeting']}/", "secretariat"),
    ("minutes edit", lambda ids: f"{SAMPLE}/meetings/{ids['draft_meeting']}/minutes/", "ura"),
    ("attendance", lambda ids: f"{SAMPLE}/meetings/{ids['draft_meeting']}/attendance/", "secretariat"),
    ("new meeting", lambda ids: f"{SAMPLE}/meetings/new/", "secretariat"),
    ("edit meeting", lambda ids: f"{SAMPLE}/meetings/{ids['draft_meeting']}/edit/", "secretariat"),
    ("decision list", lambda ids: f"{SAMPLE}/decisions/", "ura"),
    ("proposed decision", lambda ids: f"{SAMPLE}/decisions/{ids['proposed']}/", "secretariat"),
    ("finalised decision", lambda ids: f"{SAMPLE}/decisions/{ids['finalised']}/", "ura"),
    ("public finalised decision", lambda ids: f"{SAMPLE}/decisions/{ids['finalised']}/", None),
    ("new decision", lambda ids: f"{SAMPLE}/decisions/new/", "secretariat"),
    ("edit draft decision", lambda ids: f"{SAMPLE}/decisions/{ids['draft_decision']}/edit/", "secretariat"),
    ("new action", lambda ids: f"{SAMPLE}/decisions/{ids['finalised']}/actions/new/", "secretariat"),
    ("action list", lambda ids: f"{SAMPLE}/actions/", "ura"),
    ("overdue actions", lambda ids: f"{SAMPLE}/actions/?status=overdue", "ura"),
    ("action detail", lambda ids: f"{SAMPLE}/actions/{ids['action']}/", "secretariat"),
    ("my actions", lambda ids: "/venues/my-actions/", "ura"),
    ("venue edit", lambda ids: f"{SAMPLE}/edit/", "secretariat"),
    ("new venue", lambda ids: "/venues/new/", "secretariat"),
]


@pytest.mark.parametrize(("name", "path", "username"), PAGES, ids=[p[0] for p in PAGES])
def test_every_venue_page_renders_without_console_errors(page: Page, live_server, users, name, path, username):
    """Each page has one h1, a main landmark, the sample banner, and breaks no CSP rule."""
    errors = watch_console(page)
    if username:
        login(page, live_server.url, username)
    response = page.goto(f"{live_server.url}{path(_ids())}")
    assert response is not None and response.status == 200, (name, response and response.status)
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("main#main")).to_be_visible()
    expect(page.get_by_role("note").first).to_contain_text("サンプル")
    assert errors == [], errors


# --- Permissions ---------------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_login_for_meetings(page: Page, live_server, users):
    page.goto(f"{live_server.url}{SAMPLE}/meetings/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=(%2F|/)venues(%2F|/)hamamatsu-sample(%2F|/)meetings(%2F|/)$"))
    expect(page.get_by_label("ユーザー名")).to_be_visible()


def test_observer_sees_no_secretariat_buttons_on_a_draft(page: Page, live_server, users):
    from kyoso.venues.models import Decision

    draft = Decision.objects.get(status="draft", venue__slug="hamamatsu-sample")
    login(page, live_server.url, "observer")
    page.goto(f"{live_server.url}{SAMPLE}/decisions/{draft.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("住民説明会の開催計画（案・サンプル）")
    expect(page.get_by_role("button", name="賛同を求める")).to_have_count(0)
    expect(page.get_by_role("button", name="確定する")).to_have_count(0)
    expect(page.get_by_role("link", name="編集", exact=True)).to_have_count(0)
    expect(page.get_by_role("heading", name="事務局の操作")).to_have_count(0)
