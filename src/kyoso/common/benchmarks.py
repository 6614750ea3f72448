"""Shared set-up of the benchmark commands: a throw-away database shaped like the configured one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.test.utils import setup_test_environment, teardown_test_environment


@contextmanager
def throwaway_database() -> Iterator[str]:
    """Create a test database (a file, for SQLite, so it is measured as deployed), yield its vendor, drop it.

    The configured database is never touched.
    """
    setup_test_environment()
    if connection.vendor == "sqlite":
        Path(settings.VAR_DIR).mkdir(parents=True, exist_ok=True)
        connection.settings_dict.setdefault("TEST", {})["NAME"] = str(Path(settings.VAR_DIR) / "benchmark.sqlite3")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        yield f"{connection.vendor} ({connection.settings_dict['NAME']})"
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
