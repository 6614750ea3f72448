"""Helpers shared by the browser tests: signing in, watching the console, finding form controls."""

from __future__ import annotations

import re

from conftest import TEST_PASSWORD
from playwright.sync_api import Locator, Page, expect

SECTOR_TABLE = "セクターごとの賛同・反対・棄権の数と状態"


def login(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("ユーザー名").fill(username)
    page.get_by_label("パスワード").fill(TEST_PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("button", name="ログアウト")).to_be_visible()


def switch_user(page: Page, base: str, username: str) -> None:
    """Sign in as someone else (the login page sends a signed-in user away, so drop the session first)."""
    page.context.clear_cookies()
    login(page, base, username)


def watch_console(page: Page) -> list[str]:
    """Console errors and uncaught exceptions (CSP violations show up here)."""
    errors: list[str] = []

    def on_console(msg) -> None:
        if msg.type == "error":
            errors.append(f"{msg.text} ({page.url})")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def field(page: Page, label: str) -> Locator:
    """A form control by its label; required ones show a ※必須 marker after the label text."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}(\s*※必須)?$"))


def status_message(page: Page) -> Locator:
    return page.get_by_role("status").first


def sector_row(page: Page, label: str) -> Locator:
    return page.get_by_role("table", name=SECTOR_TABLE).locator("tbody tr").filter(has_text=label)
