"""Shared fixtures: a few real regions, the personas of the sample region, and browser helpers."""

from __future__ import annotations

import copy
import os
import shutil

import pytest

from kyoso.sample.personas import PERSONAS

TEST_PASSWORD = "test-password-123"  # noqa: S105 - test-only password hashed with MD5 in test settings


@pytest.fixture
def regions(db, request):
    """Shizuoka prefecture with Hamamatsu, Iwata and Kosai; Tokyo with Chiyoda (real codes)."""
    if _SAMPLE.serves(request.node):  # built once with the sample region (see _SampleStore)
        return copy.deepcopy(_SAMPLE.regions)
    return _create_regions()


def _create_regions():
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


def _build_sample_region():
    from kyoso.sample.region import build_sample_region

    return build_sample_region(passwords={p.username: TEST_PASSWORD for p in PERSONAS})


@pytest.fixture
def sample_region(_sample_store, regions, request):
    """The sample venue with every persona (see kyoso.sample.personas) holding its role.

    Built once and shared by consecutive tests (each rolled back to it, see :class:`_SampleStore`); built per
    test for transactional tests (live_server, transactional_db), whose database is flushed afterwards.
    """
    if _SAMPLE.serves(request.node):
        return copy.deepcopy(_SAMPLE.report)
    return _build_sample_region()


class _SampleStore:
    """The regions and the sample region, built once inside an outer transaction that the tests share.

    Building the sample region takes seconds; most venue, vision and portfolio tests need it and change it only
    inside their own transaction. So it is built inside an outer ``atomic`` block on the default database, and
    each test's transaction (pytest-django's ``db``: a Django ``TestCase`` atomic) is a savepoint in it, rolled
    back after the test. Tests get deep copies of the built objects, never the pristine ones.

    The outer block is open only while consecutive tests use the sample region without a transactional
    database: before any other database test (which may expect an empty database or create the same regions)
    and before transactional tests (which flush), it is rolled back; the next sample test builds it again.
    The cache is cleared before every test anyway (``_fresh_cache``). Sequences are not rolled back (as with
    per-test transactions): tests must not rely on primary key values.
    """

    TRANSACTIONAL_FIXTURES = ("transactional_db", "live_server", "django_db_reset_sequences",
                              "django_db_serialized_rollback")

    def __init__(self):
        self.blocker = None
        self.atomic = None
        self.item = None
        self.regions = None
        self.report = None
        self.builds = 0

    @classmethod
    def transactional(cls, item) -> bool:
        if any(name in item.fixturenames for name in cls.TRANSACTIONAL_FIXTURES):
            return True
        marker = item.get_closest_marker("django_db")
        return bool(marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")
                                or marker.kwargs.get("serialized_rollback")))

    @classmethod
    def wants(cls, item) -> bool:
        if os.environ.get("KYOSO_TEST_SHARED_SAMPLE") == "0":  # build per test, as before (to compare)
            return False
        return item is not None and "sample_region" in item.fixturenames and not cls.transactional(item)

    @staticmethod
    def uses_database(item) -> bool:
        import unittest

        cls = getattr(item, "cls", None)
        return ("_django_db_helper" in item.fixturenames or item.get_closest_marker("django_db") is not None
                or (cls is not None and issubclass(cls, unittest.TestCase)))

    def serves(self, item) -> bool:
        return self.atomic is not None and self.wants(item)

    def before(self, item) -> None:
        """Called before each test's fixtures: open the shared block for it, or close it."""
        self.item = item
        if self.blocker is None:
            return
        if self.wants(item):
            self.open()
        elif self.uses_database(item):
            self.close()

    def open(self) -> None:
        if self.atomic is not None:
            return
        from django.db import transaction

        with self.blocker.unblock():
            self.atomic = transaction.atomic()
            self.atomic.__enter__()
            self.atomic._from_testcase = True  # like TestCase's own blocks: durable atomics may nest in it
            self.regions = _create_regions()
            self.report = _build_sample_region()
        self.builds += 1

    def close(self) -> None:
        if self.atomic is None:
            return
        from django.db import transaction

        atomic, self.atomic, self.regions, self.report = self.atomic, None, None, None
        with self.blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


_SAMPLE = _SampleStore()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    _SAMPLE.before(item)


@pytest.fixture(scope="session")
def _sample_store(django_db_setup, django_db_blocker):
    """The session's :class:`_SampleStore` (its database set up); the outer block is opened per test."""
    _SAMPLE.blocker = django_db_blocker
    if _SAMPLE.wants(_SAMPLE.item):
        _SAMPLE.open()
    yield _SAMPLE
    _SAMPLE.close()
    _SAMPLE.blocker = None


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
