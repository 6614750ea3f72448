"""Every user-facing string is translatable, and the English catalogue is complete and current."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import translation

from kyoso.common.management.commands.compile_translations import parse_po

LOCALE = Path(__file__).resolve().parent.parent / "src" / "kyoso" / "locale"
EN_PO = LOCALE / "en" / "LC_MESSAGES" / "django.po"


def po_entries(path: Path) -> list[tuple[str, str, bool]]:
    """(msgid, msgstr, fuzzy) of every entry but the header, fuzzy ones included."""
    entries, msgid, msgstr, fuzzy, mode = [], None, [], False, None
    import ast

    def flush():
        if msgid:
            entries.append((msgid, "\0".join(msgstr), fuzzy))

    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#,"):
            flush()
            msgid, msgstr, mode = None, [], None
            fuzzy = "fuzzy" in line
        elif line.startswith("msgid "):
            if mode == "str":
                flush()
                fuzzy = False if not line.startswith("#,") else fuzzy
            msgid, msgstr, mode = ast.literal_eval(line[6:]), [], "id"
        elif line.startswith("msgid_plural"):
            mode = "plural"
        elif line.startswith("msgstr"):
            msgstr.append(ast.literal_eval(line.split(" ", 1)[1]))
            mode = "str"
        elif line.startswith('"') and mode == "id":
            msgid += ast.literal_eval(line)
        elif line.startswith('"') and mode == "str":
            msgstr[-1] += ast.literal_eval(line)
        elif not line.strip():
            if mode == "str":
                flush()
                msgid, msgstr, fuzzy, mode = None, [], False, None
    flush()
    return entries


def test_english_catalogue_is_complete():
    entries = po_entries(EN_PO)
    assert len(entries) > 100
    untranslated = [msgid for msgid, msgstr, _ in entries if not msgstr.replace("\0", "").strip()]
    fuzzy = [msgid for msgid, _, is_fuzzy in entries if is_fuzzy]
    assert not untranslated, f"untranslated: {untranslated[:10]}"
    assert not fuzzy, f"fuzzy: {fuzzy[:10]}"


def test_compiled_catalogue_matches_the_po_file():
    compiled = parse_po(EN_PO)
    assert compiled["組織ディレクトリ"]
    with translation.override("en"):
        assert translation.gettext("組織ディレクトリ") == compiled["組織ディレクトリ"] != "組織ディレクトリ"
    with translation.override("ja"):
        assert translation.gettext("組織ディレクトリ") == "組織ディレクトリ"


def test_catalogue_is_current_with_the_source(tmp_path):
    """makemessages finds no msgid that the English catalogue lacks."""
    if shutil.which("xgettext") is None:
        if os.environ.get("CI"):
            pytest.fail("GNU gettext (xgettext) is required in CI")
        pytest.skip("xgettext not installed")
    package = LOCALE.parent
    copy = tmp_path / "kyoso"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo", "vendor"))
    # Point LOCALE_PATHS at the copy, so that the real catalogue is never written to.
    (tmp_path / "copy_settings.py").write_text(
        f"from kyoso.settings.test import *\nLOCALE_PATHS = [{str(copy / 'locale')!r}]\n", encoding="utf-8"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "copy_settings",
           "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run(
        [sys.executable, "-m", "kyoso", "makemessages", "-l", "en", "--no-obsolete", "--ignore", "*/tests/*",
         "--ignore", "static/vendor/*"],
        cwd=copy, env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    fresh = {msgid for msgid, _, _ in po_entries(copy / "locale" / "en" / "LC_MESSAGES" / "django.po")}
    current = {msgid for msgid, _, _ in po_entries(EN_PO)}
    assert not fresh - current, f"strings missing from the catalogue (run makemessages): {sorted(fresh - current)[:10]}"
