"""Project-wide checks: migrations in step with models, production settings pass check --deploy."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_missing_migrations():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_production_settings_pass_check_deploy(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},  # set by browser tests
        "DJANGO_SETTINGS_MODULE": "kyoso.settings.production",
        "SECRET_KEY": "x" * 20 + "-production-like-secret-key-for-the-check-" + "y" * 20,
        "ALLOWED_HOSTS": "kyoso.example.lg.jp",
        "KYOSO_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    result = subprocess.run([sys.executable, "-m", "kyoso", "check", "--deploy", "--fail-level", "WARNING"],
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SECRET_KEY")}
    env.update(DJANGO_SETTINGS_MODULE="kyoso.settings.production", KYOSO_VAR_DIR=str(tmp_path))
    result = subprocess.run([sys.executable, "-m", "kyoso", "check"], env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_kyoso_command_maps_hyphens_to_django_commands(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "kyoso.settings.test"}
    result = subprocess.run([sys.executable, "-m", "kyoso", "load-reference", "--help"], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "load_reference" in result.stdout
