"""Browser test of free-text clustering (広聴): the secretariat uploads a Shift_JIS CSV of survey answers, picks
the free-text column, sees the topics with their labels and publishes them; a visitor without an account reads
the public result. axe-core finds no WCAG 2.1 A/AA violation on any of these pages.

The clustering task runs when the column is chosen (the test settings' immediate task backend, on commit), with
the shipped USE multilingual model, as a worker would run it.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import field, login, status_message, watch_console
from tests.browser.test_consultations import axe_violations  # the vendored axe-core, run through DevTools

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VENUE = "/venues/hamamatsu-sample"
TITLE = "駅前アンケート 自由記述（サンプル）"
ANSWERS = [
    "バスの本数が少なく、通院に困っています。",
    "路線バスが廃止されて駅まで行けません。",
    "バス停に屋根とベンチがほしい。",
    "終バスが早すぎて夜に帰れない。",
    "コミュニティバスの路線を病院まで延ばしてほしい。",
    "朝の通勤時間だけでもバスを増やしてください。",
    "バスの時刻表が分かりにくい。",
    "保育園に入れず待機児童になりました。",
    "学童保育の定員を増やしてほしい。",
    "保育士の給料を上げて保育園の先生を増やしてほしい。",
    "子育て世帯への支援を手厚くしてほしい。",
    "待機児童の解消を最優先にしてください。",
    "病児保育ができる保育園がほしい。",
    "子育て広場を近所に作ってほしい。<b>太字</b>",
    "南海トラフ地震に備えて避難所の備蓄を増やしてほしい。",
    "津波のときの避難場所がハザードマップで分かりにくい。",
    "古い住宅の耐震化に補助金を出してください。",
    "地域の防災訓練を休日に開いてほしい。",
    "地震で停電したときの避難所の発電機が心配です。",
    "海沿いに津波避難タワーを増やしてください。",
    "家庭の備蓄の目安を防災講座で教えてほしい。",
]


def survey_csv() -> bytes:
    """As Excel saves a CSV in Japan: Shift_JIS (cp932), CRLF, a respondent number, an age band, the answer
    (with one answer left empty)."""
    rows = ["回答番号,年代,ご意見（自由記述）"]
    rows += [f"{i},{20 + 10 * (i % 5)}代,{text}" for i, text in enumerate(ANSWERS, 1)]
    rows.insert(5, "99,30代,")
    return ("\r\n".join(rows) + "\r\n").encode("cp932")


def test_secretariat_clusters_a_shift_jis_survey_and_a_visitor_reads_the_published_topics(page: Page, live_server,
                                                                                          users):
    base = live_server.url
    errors = watch_console(page)
    violations: list[str] = []
    login(page, base, "secretariat")
    page.goto(f"{base}{VENUE}/")
    page.get_by_role("link", name="自由記述の分類").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("自由記述の分類")
    violations += axe_violations(page)
    page.get_by_role("link", name="ファイルを読み込む").click()

    # a malformed file first: the line is named and nothing is stored
    field(page, "名称").fill(TITLE)
    field(page, "ファイル（CSV または Excel）").set_input_files(files=[{
        "name": "broken.csv", "mimeType": "text/csv",
        "buffer": "回答番号,ご意見\r\n1,よい\r\n2,\"閉じていない引用符\r\n".encode("cp932")}])
    page.get_by_role("button", name="読み込んで列を選ぶ").click()
    expect(page.locator(".k-field__errors")).to_contain_text("3 行目：CSVの形式が壊れています")
    violations += axe_violations(page)  # the form with its error
    from kyoso.listening.models import SurveyUpload

    assert not SurveyUpload.objects.exists()

    field(page, "名称").fill(TITLE)
    field(page, "出典・説明").fill("デモ用の架空の回答です（サンプル）。")
    field(page, "ファイル（CSV または Excel）").set_input_files(files=[{
        "name": "駅前アンケート.csv", "mimeType": "text/csv", "buffer": survey_csv()}])
    page.get_by_role("button", name="読み込んで列を選ぶ").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("自由記述の列を選ぶ")
    preview = page.get_by_role("table", name="先頭の行")
    expect(preview).to_contain_text("バスの本数が少なく、通院に困っています。")
    expect(page.get_by_text("cp932")).to_be_visible()
    violations += axe_violations(page)
    page.get_by_label("ご意見（自由記述）").check()
    page.get_by_label("トピックの数").select_option("6")  # 6 topics: also merged into coarse groups (Ward)
    page.get_by_role("button", name="この列で分類する").click()

    status = page.locator("#upload-status")
    expect(status.locator("dl strong").first).to_have_text("完了", timeout=60_000)
    expect(status).to_contain_text(f"{len(ANSWERS)} 件（空欄の 1 行は除外）")
    expect(status).to_contain_text(f"{len(ANSWERS)} 件の回答を 6 のトピックに分類しました。")
    cards = page.locator(".k-card")
    expect(cards.first).to_be_visible()
    labels = " ".join(page.locator(".k-card__title").all_inner_texts())
    for planted in (("バス", "路線", "本数"), ("保育園", "待機児童", "子育て", "学童保育"),
                    ("避難", "地震", "津波", "備蓄", "防災")):
        assert any(term in labels for term in planted), labels
    groups = page.get_by_role("region", name="大きなまとまり（参考）")
    expect(groups.get_by_role("listitem")).to_have_count(2)
    groups.get_by_role("link", name="トピック 1", exact=True).click()
    expect(page).to_have_url(re.compile("#topic-1$"))
    violations += axe_violations(page)

    # every answer, each with its line in the file; markup in an answer shows as text
    page.get_by_role("link", name="すべての回答を見る").click()
    expect(page.get_by_text("子育て広場を近所に作ってほしい。<b>太字</b>")).to_be_visible()
    assert page.locator("td b").count() == 0
    page.go_back()

    # every answer of topic 1, with its line in the file
    page.get_by_role("link", name=re.compile(r"^トピック 1 のすべての回答")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("トピック 1：")
    expect(page.get_by_role("table", name=re.compile("回答の一覧")).locator("tbody tr").first).to_be_visible()
    violations += axe_violations(page)
    page.go_back()

    page.get_by_role("button", name="公開する").click()
    expect(status_message(page)).to_contain_text("公開しました。")
    public_url = page.get_by_role("link", name="公開ページを見る").get_attribute("href")
    assert public_url and public_url.startswith("/v/hamamatsu-sample/listening/")

    # a visitor without an account
    page.context.clear_cookies()
    page.goto(f"{base}/v/hamamatsu-sample/listening/")
    expect(page.get_by_role("heading", level=1)).to_have_text("意見・アンケートの分類結果")
    violations += axe_violations(page)
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator(".k-stats")).to_contain_text(str(len(ANSWERS)))
    public_labels = " ".join(page.locator(".k-card__title").all_inner_texts())
    assert public_labels == labels  # the same topics, in the same order
    shown = page.locator(".k-card li").all_inner_texts()
    assert 0 < len(shown) <= 3 * page.locator(".k-card").count()  # representative answers only
    assert page.locator(".k-card b").count() == 0  # residents' words are text, never markup
    expect(page.get_by_role("link", name=re.compile("すべての回答"))).to_have_count(0)
    violations += axe_violations(page)

    assert violations == [], violations
    assert errors == [], errors
