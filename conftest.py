"""Shared fixtures: a few real regions, the personas of the sample region, and browser helpers."""

from __future__ import annotations

import os
import shutil

import pytest

from kyoso.sample.personas import PERSONAS

TEST_PASSWORD = "test-password-123"  # noqa: S105 - test-only password hashed with MD5 in test settings


@pytest.fixture
def regions(db):
    """Shizuoka prefecture with Hamamatsu, Iwata and Kosai; Tokyo with Chiyoda (real codes)."""
    from kyoso.regions.models import Region

    shizuoka = Region.objects.create(code="22", lg_code="220001", level="prefecture", name="静岡県",
                                     name_kana="しずおかけん", name_en="Shizuoka")
    tokyo = Region.objects.create(code="13", lg_code="130001", level="prefecture", name="東京都",
                                  name_kana="とうきょうと", name_en="Tokyo")
    rows = [
        ("22130", "221309", "浜松市", "はままつし", "Hamamatsu City", "designated_city", shizuoka),
        ("22211", "222119", "磐田市", "いわたし", "Iwata City", "city", shizuoka),
        ("22221", "222216", "湖西市", "こさいし", "Kosai City", "city", shizuoka),
        ("13101", "131016", "千代田区", "ちよだく", "Chiyoda City", "special_ward", tokyo),
    ]
    created = {r.code: r for r in (shizuoka, tokyo)}
    for code, lg, name, kana, en, kind, parent in rows:
        created[code] = Region.objects.create(code=code, lg_code=lg, level="municipality", name=name,
                                              name_kana=kana, name_en=en, municipality_type=kind, parent=parent)
    from kyoso.regions.models import Organization

    # Real public bodies as the reference loader names them (names only).
    for key, name, sector, kind, code in [
        ("jis:22", "静岡県", "government", "prefecture", "22"),
        ("jis:22130", "浜松市", "government", "designated_city", "22130"),
        ("mext:F122110106224", "静岡大学", "academia", "national_university", "22"),
    ]:
        Organization.objects.create(reference_key=key, name=name, sector=sector, kind=kind, region=created[code])
    return created


@pytest.fixture
def sample_region(regions):
    """The sample venue with every persona (see kyoso.sample.personas) holding its role."""
    from kyoso.sample.region import build_sample_region

    return build_sample_region(passwords={p.username: TEST_PASSWORD for p in PERSONAS})


@pytest.fixture
def users(sample_region):
    from django.contrib.auth import get_user_model

    return {u.username: u for u in get_user_model().objects.all()}


# --- Browser tests ------------------------------------------------------------------------------

CHROMIUM = os.environ.get("KYOSO_CHROMIUM", "/usr/bin/chromium")


def _chromium_available() -> bool:
    return os.path.exists(CHROMIUM) or shutil.which("chromium") is not None


@pytest.fixture(scope="session")
def browser():
    if not _chromium_available():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium is required in CI but was not found at {CHROMIUM}")
        pytest.skip(f"Chromium not found at {CHROMIUM}; install Debian's chromium to run browser tests")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium"),
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(locale="ja-JP")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        os.makedirs("test-artifacts", exist_ok=True)
        page.screenshot(path=f"test-artifacts/{request.node.name}.png", full_page=True)
    context.close()


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (the portfolio overview is cached by a fingerprint of its inputs)."""
    from django.core.cache import cache

    cache.clear()
    yield
