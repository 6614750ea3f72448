"""Browser tests (Playwright driving Debian's Chromium) for the regional vision's pages."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import field, login, sector_row, status_message, switch_user, watch_console

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAMPLE = "/venues/hamamatsu-sample"
VISION_TITLE = "浜松・遠州 地域ビジョン2035（サンプル）"
INDUSTRY_GOAL = "ものづくりの高度化と新産業（サンプル）"














def endorse(page: Page, organization: str) -> None:
    expect(page.get_by_text(f"{organization} の代表者として意思表示します。")).to_be_visible()
    page.get_by_label("賛同", exact=True).check()
    page.get_by_role("button", name="意思表示する").click()
    expect(status_message(page)).to_contain_text("意思表示を記録しました")


def _top_layer_endorses() -> None:
    from kyoso.venues import services as venue_services
    from kyoso.venues.models import Proposal, Representative

    proposal = Proposal.objects.filter(venue__slug="hamamatsu-sample").order_by("-pk").first()
    top = Representative.objects.filter(membership__venue__slug="hamamatsu-sample", layer="top").first()
    venue_services.endorsement_record(actor=None, proposal=proposal, representative=top, stance="endorse")


def vision_url() -> str:
    from kyoso.visions.models import Vision

    vision = Vision.objects.get(venue__slug="hamamatsu-sample", title=VISION_TITLE)
    return f"{SAMPLE}/visions/{vision.pk}"


def kpi_url(code: str) -> str:
    from kyoso.visions.models import Kpi

    return f"{vision_url()}/kpis/{Kpi.objects.get(vision__title=VISION_TITLE, code=code).pk}"


def observations(code: str) -> dict[dt.date, str]:
    from kyoso.visions.models import Observation

    return {o.date: f"{o.value.normalize():f}" for o in Observation.objects.filter(kpi__code=code)}


def latest_value(page: Page):
    """The 「最新の実績」 entry of the KPI page's description list."""
    return page.locator("dl.k-dl > dt", has_text="最新の実績").locator("xpath=following-sibling::dd[1]")


def history_row(page: Page, day: str):
    """A row of the KPI page's data table (inside the 「グラフのデータ（表）」 disclosure)."""
    return page.get_by_role("table", name="実績").get_by_role("row").filter(
        has=page.get_by_role("rowheader", name=day, exact=True))


# --- 1. Revise the vision and agree on a new version ----------------------------------------------


def test_revise_the_vision_and_agree_on_version_2(page: Page, live_server, users):
    """The issue's flow: edit, add a KPI with targets, save v2, ask for endorsement, 産・学・官 agree, diff."""
    base = live_server.url
    errors = watch_console(page)
    login(page, base, "secretariat")

    page.goto(f"{base}{SAMPLE}/visions/")
    expect(page.get_by_role("heading", level=1)).to_have_text("地域ビジョン")
    page.get_by_role("link", name=VISION_TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(VISION_TITLE)
    expect(page.get_by_role("link", name="第1版に合意済み")).to_be_visible()
    dashboard = page.url

    # 1. Change the future image
    page.get_by_role("link", name="ビジョンを編集").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"「{VISION_TITLE}」を編集")
    image = field(page, "目指す将来像（Markdown）")
    image.fill(image.input_value() + "\n- 浜名湖の水産業で、赤潮を予測するサービスが使われている（テスト）\n")
    page.get_by_role("button", name="保存").click()
    expect(status_message(page)).to_contain_text("地域ビジョンを更新しました")
    expect(page.get_by_role("region", name="目指す将来像")).to_contain_text("赤潮を予測するサービス")

    # 2. Add a KPI with targets per fiscal year under the industry goal
    # the goal is named in visually hidden text (Chromium joins it with a space)
    page.get_by_role("link", name=re.compile(rf"^KPIを追加\s*（{re.escape(INDUSTRY_GOAL)}）$")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("KPIを追加")
    expect(field(page, "目標").locator("option:checked")).to_have_text(INDUSTRY_GOAL)
    field(page, "KPIコード").fill("patents")
    field(page, "KPI名").fill("地域企業の特許出願件数（テスト）")
    field(page, "単位").fill("件")
    field(page, "望ましい方向").select_option(label="高いほどよい")
    field(page, "年度ごとの目標値").fill("2030: 50\n2035年度：８０")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("地域企業の特許出願件数（テスト）")
    expect(status_message(page)).to_contain_text("KPI「地域企業の特許出願件数（テスト）」を追加しました")
    expect(page.get_by_text("2030年度：50件、2035年度：80件")).to_be_visible()
    expect(page.locator(".k-page-header .k-status")).to_have_text("データなし")

    # 3. Save the current content as version 2 (a draft) and ask every sector to endorse it
    page.goto(dashboard)
    page.get_by_role("link", name="版と合意の履歴").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("版と合意の履歴")
    field(page, "改訂の要点").fill("特許出願件数のKPIを追加（テスト）")
    page.get_by_role("button", name="現在の内容を版として保存").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{VISION_TITLE} 第2版")
    expect(status_message(page)).to_contain_text("現在の内容を第2版（案）として保存しました")
    header = page.locator(".k-page-header")
    expect(header).to_contain_text("案")
    expect(page.get_by_role("table", name="「ものづくりの高度化と新産業（サンプル）」のKPIと目標値")).to_contain_text(
        "地域企業の特許出願件数（テスト）")
    page.get_by_role("button", name="各セクターに賛同を求める").click()
    expect(status_message(page)).to_contain_text("第2版について、各セクターの構成員代表に賛同を求めました")
    expect(header).to_contain_text("賛同受付中")
    expect(page.get_by_role("button", name="各セクターに賛同を求める")).to_have_count(0)  # frozen now
    version_url = page.url

    # 4. 産 and 学 endorse; the version waits for 官
    switch_user(page, base, "company")
    page.goto(version_url)
    endorse(page, "遠州精密工業株式会社（サンプル）")
    expect(sector_row(page, "産（企業）")).to_contain_text("合意")
    expect(page.get_by_role("button", name="意思表示する")).to_have_count(0)  # once only

    switch_user(page, base, "ura")
    page.goto(version_url)
    endorse(page, "サンプル工業大学")
    expect(sector_row(page, "学（大学・研究機関）")).to_contain_text("合意")
    expect(sector_row(page, "官（行政）")).to_contain_text("未確定")
    expect(header).to_contain_text("賛同受付中")

    # 5. 官 endorses: version 2 is agreed, version 1 is superseded
    switch_user(page, base, "secretariat")
    page.goto(version_url)
    endorse(page, "遠州サンプル市")
    expect(sector_row(page, "官（行政）")).to_contain_text("合意")
    # Every sector agreed, but a vision version also needs a top-layer endorsement (the venue's default)
    expect(header).to_contain_text("賛同受付中")
    expect(page.get_by_text("必要（まだありません）")).to_be_visible()
    _top_layer_endorses()  # the sample company's president, who has no login in the demo
    page.reload()
    expect(header).to_contain_text("合意")
    expect(page.get_by_text("必要なセクターがすべて賛同し、この版に合意しました。")).to_be_visible()

    page.get_by_role("navigation", name="パンくずリスト").get_by_role("link", name="版と合意の履歴").click()
    versions = page.get_by_role("table", name="地域ビジョンの版の一覧（新しい順）")
    v2 = versions.get_by_role("row").filter(has=page.get_by_role("link", name="第2版", exact=True))
    v1 = versions.get_by_role("row").filter(has=page.get_by_role("link", name="第1版", exact=True))
    expect(v2).to_contain_text("合意")
    expect(v2).to_contain_text("特許出願件数のKPIを追加（テスト）")
    expect(v1).to_contain_text("改訂済み")

    # 6. Compare version 1 with version 2
    compare = page.get_by_role("form", name="版を比べる")
    compare.get_by_label("比べる元").select_option("1")
    compare.get_by_label("比べる先").select_option("2")
    compare.get_by_role("button", name="比べる").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("第1版と第2版の比較")
    diff = page.get_by_role("list", name="違い")
    added_kpi = diff.get_by_role("listitem").filter(has_text="[patents] 地域企業の特許出願件数（テスト）")
    expect(added_kpi).to_have_count(1)
    expect(added_kpi).to_contain_text("追加")
    expect(added_kpi.locator("ins")).to_be_visible()
    added_target = diff.get_by_role("listitem").filter(has_text=re.compile(r"目標値 FY2030: 50(\.0+)?$"))
    expect(added_target.filter(has_text="追加")).to_have_count(1)
    expect(diff.get_by_role("listitem").filter(has_text="赤潮を予測するサービス")).to_contain_text("追加")
    expect(diff.get_by_role("listitem").filter(has_text="65歳以上人口の割合").first).not_to_contain_text("追加")

    # the dashboard now names version 2 as the agreed one
    page.goto(dashboard)
    expect(page.get_by_role("link", name="第2版に合意済み")).to_be_visible()
    assert errors == [], errors


# --- 2. Import observations from Excel ------------------------------------------------------------


def xlsx(rows: list[tuple]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["kpi", "date", "value"])
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_import_observations_from_excel(page: Page, live_server, users):
    base = live_server.url
    errors = watch_console(page)
    before = observations("joint-research")
    assert before[dt.date(2026, 3, 31)] == "34"  # the sample's latest value, replaced by the import
    login(page, base, "ura")
    page.goto(f"{base}{vision_url()}/")
    page.get_by_role("link", name="実績をファイルから取り込む").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("実績をファイルから取り込む")
    content = xlsx([
        ("joint-research", dt.date(2025, 3, 31), 31),  # unchanged
        ("joint-research", dt.date(2026, 3, 31), 36),  # changed (34 → 36)
        ("spinouts", dt.date(2026, 3, 31), 6),          # changed (5 → 6)
        ("spinouts", "2025-09-30", 7),                  # new (mid-year), as text
    ])
    field(page, "ファイル（CSV または Excel）").set_input_files(files=[{
        "name": "共同研究件数_2025年度.xlsx", "buffer": content,
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}])
    page.get_by_role("button", name="アップロードして確認する").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("取込の確認：共同研究件数_2025年度.xlsx")
    status = page.locator("#import-status")
    expect(status.locator("strong")).to_have_text("取込可能", timeout=15_000)  # htmx polls while pending
    expect(status).to_contain_text("問題は見つかりませんでした。")
    expect(page.locator(".k-stats div").filter(has_text="新しい実績").get_by_role("definition")).to_have_text("1")
    expect(page.locator(".k-stats div").filter(has_text="値が変わる実績").get_by_role("definition")).to_have_text("2")
    expect(page.locator(".k-stats div").filter(has_text="変わらない実績").get_by_role("definition")).to_have_text("1")
    preview = page.get_by_role("table", name="内容の一部")
    expect(preview.locator("tbody tr")).to_have_count(4)
    changed = preview.locator("tbody tr").filter(has_text="joint-research").filter(has_text="36")
    expect(changed).to_contain_text("変更（前の値：34）")
    expect(preview.locator("tbody tr").filter(has_text="2025-09-30")).to_contain_text("新規")
    assert observations("joint-research") == before  # nothing written before the confirmation

    page.get_by_role("button", name="この内容で取り込む").click()
    expect(status.locator("strong")).to_have_text("取込済み", timeout=15_000)
    expect(status).to_contain_text("新しい実績を 1 件登録し、2 件の値を更新しました。")
    assert observations("joint-research")[dt.date(2026, 3, 31)] == "36"
    assert observations("spinouts")[dt.date(2025, 9, 30)] == "7"

    # the KPI page: chart, status with its reason, and the new value in the data table
    page.goto(f"{base}{vision_url()}/")
    page.get_by_role("link", name="地域企業との共同研究件数（サンプル）").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("地域企業との共同研究件数（サンプル）")
    figure = page.get_by_role("figure")
    chart = figure.get_by_role("img", name="地域企業との共同研究件数（サンプル）")
    expect(chart).to_have_count(1)
    expect(chart).to_have_accessible_name(re.compile("最新の実績：.*36"))  # title and description
    badge = page.locator(".k-page-header .k-status")
    expect(badge).to_have_text(re.compile("^(順調|注意|遅れ|データなし)$"))
    reason = page.locator("p.k-lead")
    expect(reason).to_contain_text(re.compile(r"[。]$"))
    expect(reason).not_to_have_text(re.compile(r"^[a-z_]+$"))  # a sentence, not a rule code
    expect(latest_value(page)).to_contain_text("36件")
    page.get_by_text("グラフのデータ（表）").click()
    expect(history_row(page, "2026/03/31")).to_contain_text("36")
    assert errors == [], errors


# --- 3. A malformed CSV ---------------------------------------------------------------------------


def test_malformed_csv_lists_every_problem_and_imports_nothing(page: Page, live_server, users):
    base = live_server.url
    errors = watch_console(page)
    before = {code: observations(code) for code in ("joint-research", "spinouts")}
    login(page, base, "ura")
    page.goto(f"{base}{vision_url()}/imports/new/")
    csv = ("kpi,date,value\n"
           "joint-research,2026-03-31,99\n"       # line 2: fine on its own
           "no-such-kpi,2026-03-31,5\n"          # line 3: unknown KPI code
           "spinouts,2026-03-31,たくさん\n")      # line 4: not a number
    field(page, "ファイル（CSV または Excel）").set_input_files(files=[{
        "name": "broken.csv", "mimeType": "text/csv", "buffer": csv.encode("utf-8")}])
    page.get_by_role("button", name="アップロードして確認する").click()

    status = page.locator("#import-status")
    expect(status.locator("strong")).to_have_text("エラーあり", timeout=15_000)
    expect(status.locator(".k-alert--error")).to_contain_text("2 件の問題があります。")
    expect(status).to_contain_text("何も取り込まれていません。")
    problems = page.get_by_role("table", name="ファイルの問題の一覧（行番号と内容）")
    rows = problems.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has=page.get_by_role("rowheader", name="3", exact=True))).to_contain_text(
        "KPIコード「no-such-kpi」はこのビジョンにありません。")
    expect(rows.filter(has=page.get_by_role("rowheader", name="4", exact=True))).to_contain_text(
        "値「たくさん」を数値として読めません。")
    expect(page.get_by_role("button", name="この内容で取り込む")).to_have_count(0)
    assert {code: observations(code) for code in before} == before

    page.goto(f"{base}{kpi_url('joint-research')}/")
    expect(latest_value(page)).to_contain_text("34件")
    page.get_by_text("グラフのデータ（表）").click()
    expect(history_row(page, "2026/03/31")).to_contain_text("34")
    expect(page.get_by_role("table", name="実績")).not_to_contain_text("99")
    assert errors == [], errors


# --- 4. The observer reads only -------------------------------------------------------------------


def test_observer_reads_but_cannot_record_or_import(page: Page, live_server, users):
    base = live_server.url
    errors = watch_console(page)
    login(page, base, "observer")
    page.goto(f"{base}{vision_url()}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(VISION_TITLE)
    expect(page.get_by_role("heading", name="KPIの状況")).to_be_visible()
    expect(page.get_by_role("link", name="実績をファイルから取り込む")).to_have_count(0)
    expect(page.get_by_role("link", name="ビジョンを編集")).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile("^KPIを追加"))).to_have_count(0)

    page.get_by_role("link", name="地域企業との共同研究件数（サンプル）").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("地域企業との共同研究件数（サンプル）")
    expect(page.get_by_role("figure").get_by_role("img")).to_have_count(1)
    expect(page.get_by_role("heading", name="実績を記録")).to_have_count(0)
    expect(page.get_by_role("button", name="記録する")).to_have_count(0)
    expect(page.get_by_role("link", name="ファイルから取り込む")).to_have_count(0)
    expect(page.get_by_role("link", name="KPIを編集")).to_have_count(0)
    assert errors == [], errors

    response = page.goto(f"{base}{vision_url()}/imports/new/")
    assert response is not None and response.status == 403


# --- 5. Every vision page -------------------------------------------------------------------------


def _milestone_pk() -> int:
    from kyoso.visions.models import Milestone

    return Milestone.objects.get(title="移動支援の実証開始（サンプル）").pk


def _kpi_pk(code: str) -> int:
    from kyoso.visions.models import Kpi

    return Kpi.objects.get(vision__title=VISION_TITLE, code=code).pk


PAGES = [
    ("vision-list", lambda: f"{SAMPLE}/visions/"),
    ("dashboard", lambda: f"{vision_url()}/"),
    ("vision-edit", lambda: f"{vision_url()}/edit/"),
    ("goal-add", lambda: f"{vision_url()}/goals/new/"),
    ("kpi-add", lambda: f"{vision_url()}/kpis/new/"),
    ("kpi-aging-rate", lambda: f"{vision_url()}/kpis/{_kpi_pk('aging-rate')}/"),
    ("kpi-joint-research", lambda: f"{vision_url()}/kpis/{_kpi_pk('joint-research')}/"),
    ("kpi-edit", lambda: f"{vision_url()}/kpis/{_kpi_pk('joint-research')}/edit/"),
    ("import", lambda: f"{vision_url()}/imports/new/"),
    ("versions", lambda: f"{vision_url()}/versions/"),
    ("version-1", lambda: f"{vision_url()}/versions/1/"),
    ("diff", lambda: f"{vision_url()}/versions/diff/?a=1&b=current"),
    ("milestone-add", lambda: f"{vision_url()}/milestones/new/"),
    ("milestone-edit", lambda: f"{vision_url()}/milestones/{_milestone_pk()}/edit/"),
    ("issue-add", lambda: f"{vision_url()}/issues/new/"),
    ("theme-add", lambda: f"{vision_url()}/themes/new/"),
    ("backcasting-tree", lambda: f"{vision_url()}/backcasting/"),
    ("graph", lambda: f"{vision_url()}/backcasting/graph/"),
]


@pytest.mark.parametrize(("name", "path"), PAGES, ids=[name for name, _ in PAGES])
def test_every_vision_page_renders_without_console_errors(page: Page, live_server, users, name, path):
    """Each page has one h1, a main landmark, the sample banner, and breaks no CSP rule."""
    errors = watch_console(page)
    login(page, live_server.url, "secretariat")
    response = page.goto(f"{live_server.url}{path()}")
    assert response is not None and response.status == 200, (name, response and response.status)
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("main#main")).to_be_visible()
    expect(page.get_by_role("note").first).to_contain_text("サンプル")
    if name == "graph":
        graph = page.get_by_role("region", name="つながりの図（横にスクロールできます）")
        expect(graph.locator("svg")).to_have_count(1)
        expect(graph.locator("svg")).to_have_accessible_name(re.compile("バックキャストの構造"))
    if name in ("kpi-aging-rate", "kpi-joint-research"):
        expect(page.get_by_role("figure").get_by_role("img")).to_have_count(1)
        expect(page.locator(".k-page-header .k-status").first).to_have_text(
            re.compile("^(順調|注意|遅れ|データなし|古いデータ|更新待ち)$"))
    if name == "diff":
        expect(page.get_by_role("heading", level=1)).to_have_text("第1版と現在の内容（未保存）の比較")
        expect(page.get_by_text("違いはありません。")).to_be_visible()
    assert errors == [], errors


def test_export_links_download_the_vision(page: Page, live_server, users):
    base = live_server.url
    errors = watch_console(page)
    login(page, base, "observer")  # reading is enough to download
    page.goto(f"{base}{vision_url()}/")
    downloads = page.get_by_role("region", name="ダウンロード")
    json_link = downloads.get_by_role("link", name="JSON でダウンロード")
    xlsx_link = downloads.get_by_role("link", name="Excel でダウンロード")
    expect(json_link).to_be_visible()
    expect(xlsx_link).to_be_visible()

    response = page.request.get(base + json_link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"].startswith("application/json")
    assert "attachment" in response.headers["content-disposition"]
    data = json.loads(response.text())
    assert data["title"] == VISION_TITLE
    assert {"aging-rate", "joint-research", "spinouts"} <= set(data["observations"])
    assert [v["status"] for v in data["versions"]] == ["agreed"]

    response = page.request.get(base + xlsx_link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(response.body()), read_only=True)
    assert len(book.sheetnames) >= 1
    assert errors == [], errors
