"""Browser tests for consultations (意見募集): a visitor without an account votes, adds a statement and meets the rate
limit; the secretariat moderates, publishes the opinion map and answers through an agenda item; axe-core finds no
WCAG 2.1 A/AA violation on the public consultation pages."""

from __future__ import annotations

import pathlib

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import login, status_message, watch_console

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PUBLIC = "/v/hamamatsu-sample/consultations"
VENUE = "/venues/hamamatsu-sample/consultations"
OPEN_TITLE = "これからの地域の移動手段（サンプル）"
FLAGGED = "この意見は通報されて自動で非表示になった例です（サンプル）"
REPLY = "意見マップで一致した「免許返納の支援」を次回の会議で取り上げます。"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page: Page) -> list[str]:
    """Run the vendored axe-core on the page (evaluated through the DevTools protocol, so the strict CSP stays)."""
    found = sorted(pathlib.Path(__file__).parent.glob("vendor/axe-core-*/axe.min.js"))
    assert found, "axe-core is vendored under tests/browser/vendor/axe-core-<version>/"
    page.evaluate(found[-1].read_text(encoding="utf-8"))
    result = page.evaluate("async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))"
                           ".violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))",
                           WCAG)
    return [f"{page.url} {v}" for v in result]


def open_consultation():
    from kyoso.consultations.models import Consultation

    return Consultation.objects.get(venue__slug="hamamatsu-sample", title=OPEN_TITLE)


def test_visitor_votes_adds_a_statement_and_meets_the_rate_limit(page: Page, live_server, users, settings):
    settings.KYOSO_CONSULTATION_RATE_LIMITS = {"statement": (1, 100, 600)}
    base = live_server.url
    errors = watch_console(page)
    violations: list[str] = []

    page.goto(f"{base}{PUBLIC}/")
    violations += axe_violations(page)
    page.get_by_role("link", name=OPEN_TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(OPEN_TITLE)
    violations += axe_violations(page)

    # Vote on the next statement (htmx swaps in the one after it)
    card = page.locator("#k-next-statement")
    first = card.locator("q").inner_text()
    card.get_by_role("button", name="賛成", exact=True).click()
    expect(page.get_by_text("投票しました。次の意見です。")).to_be_visible()
    expect(page.locator("#k-next-statement q")).not_to_have_text(first)
    page.locator("#k-next-statement").get_by_role("button", name="反対", exact=True).click()
    expect(page.get_by_text("投票しました。次の意見です。")).to_be_visible()
    page.reload()
    expect(page.get_by_text("あなたの投票：賛成")).to_have_count(1)
    expect(page.get_by_text("あなたの投票：反対")).to_have_count(1)

    # Add a statement; it is listed as a participant's; a second one within the window is refused with a message
    page.get_by_label("あなたの意見").fill("<b>バス停</b>に屋根とベンチを増やしてほしい 🚏")
    page.get_by_role("button", name="意見を追加").click()
    expect(status_message(page)).to_contain_text("意見を追加しました")
    added = page.locator("li.k-card", has_text="<b>バス停</b>に屋根とベンチを増やしてほしい 🚏")
    expect(added.get_by_text("参加者の意見")).to_be_visible()
    page.get_by_label("あなたの意見").fill("夜の便を増やしてほしい（二件目）")
    page.get_by_role("button", name="意見を追加").click()
    expect(page.get_by_role("alert")).to_contain_text("しばらく待ってからもう一度お試しください")
    expect(page.locator("li.k-card", has_text="夜の便を増やしてほしい（二件目）")).to_have_count(0)
    expect(page.get_by_label("あなたの意見")).to_have_value("夜の便を増やしてほしい（二件目）")  # kept for later
    violations += axe_violations(page)  # the page with the error message

    # The published map and the answered consultation
    page.goto(f"{base}{PUBLIC}/")
    page.get_by_role("link", name="意見マップ").first.click()
    expect(page.get_by_role("img", name=f"意見マップ：{OPEN_TITLE}")).to_be_visible()
    expect(page.get_by_role("table", name="グループA", exact=False)).to_be_visible()
    violations += axe_violations(page)
    page.goto(f"{base}{PUBLIC}/")
    page.get_by_role("link", name="浜名湖周辺の実証フィールドの使い方（サンプル）").click()
    expect(page.get_by_role("heading", name="場からの回答")).to_be_visible()
    expect(page.get_by_role("link", name="実証フィールドの利用予定の事前公開（サンプル）", exact=False)).to_be_visible()
    violations += axe_violations(page)
    page.get_by_label("言語（Language）").select_option("en")  # the same pages in English
    page.get_by_role("button", name="切り替え").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    violations += axe_violations(page)
    page.goto(f"{base}{PUBLIC}/{open_consultation().pk}/map/")
    violations += axe_violations(page)
    assert violations == [], "\n".join(violations)
    # The refused statement is answered with 429 Too Many Requests, which Chromium logs; nothing else may be.
    assert [e for e in errors if "status of 429" not in e] == [], errors


def test_secretariat_moderates_publishes_the_map_and_answers_through_an_agenda_item(page: Page, live_server, users):
    from kyoso.consultations import services

    consultation = open_consultation()
    services.map_publish(actor=None, consultation=consultation, published=False)
    base = live_server.url
    errors = watch_console(page)
    violations: list[str] = []
    login(page, base, "secretariat")

    page.goto(f"{base}{VENUE}/")
    page.get_by_role("link", name=OPEN_TITLE).click()
    violations += axe_violations(page)
    page.get_by_role("link", name="モデレーション", exact=False).click()
    violations += axe_violations(page)
    flagged = page.locator(".k-card", has_text=FLAGGED)
    expect(flagged.get_by_text("非表示", exact=False).first).to_be_visible()
    flagged.get_by_role("button", name="再表示する").click()
    expect(status_message(page)).to_contain_text("確認の結果を記録しました")
    expect(page.get_by_role("table", name="非表示・再表示の記録（新しい順、50件まで）")
           .get_by_role("row").filter(has_text="事務局が再表示")).to_have_count(1)

    page.goto(f"{base}{VENUE}/{consultation.pk}/")
    page.get_by_role("button", name="意見マップを再計算").click()
    expect(status_message(page)).to_contain_text("意見マップの計算を依頼しました")
    page.get_by_role("button", name="意見マップを公開").click()
    expect(status_message(page)).to_contain_text("意見マップを公開しました")

    page.get_by_role("button", name="結果を会議の議題にする").click()
    expect(status_message(page)).to_contain_text("結果を会議の議題に追加しました")
    expect(page.get_by_text("議題：", exact=False).first).to_be_visible()
    page.get_by_role("textbox", name="場からの回答").fill(REPLY)
    page.get_by_label("つながった決定事項").select_option(index=1)
    page.get_by_role("button", name="回答を記録").click()
    expect(status_message(page)).to_contain_text("場からの回答を記録しました")

    # What the public sees: the map, the reply and the chain to the agenda item
    page.context.clear_cookies()
    page.goto(f"{base}{PUBLIC}/{consultation.pk}/")
    expect(page.get_by_text(REPLY)).to_be_visible()
    expect(page.get_by_text(f"意見募集の結果：{OPEN_TITLE}", exact=False)).to_be_visible()
    expect(page.locator("li.k-card", has_text=FLAGGED)).to_be_visible()  # published again
    page.get_by_role("link", name="意見マップを見る").click()
    expect(page.get_by_role("img", name=f"意見マップ：{OPEN_TITLE}")).to_be_visible()
    assert violations == [], "\n".join(violations)
    assert errors == [], errors
