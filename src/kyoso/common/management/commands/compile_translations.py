"""Compile the .po files under src/kyoso/locale to .mo without needing GNU gettext installed."""

from __future__ import annotations

import ast
import struct
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand


def _unquote(text: str) -> str:
    return ast.literal_eval(text)


def parse_po(path: Path) -> dict[str, str]:
    """msgid → msgstr of a .po file (plural forms joined by NUL as gettext does); fuzzy entries skipped."""
    entries: dict[str, str] = {}
    msgid: list[str] = []
    msgid_plural: list[str] = []
    msgstr: dict[int, list[str]] = {}
    context: list[str] | None = None
    fuzzy = False
    current: list[str] | None = None

    def flush() -> None:
        nonlocal msgid, msgid_plural, msgstr, context, fuzzy
        if msgid or msgstr:
            key = "".join(msgid)
            if msgid_plural:
                key += "\0" + "".join(msgid_plural)
            if context is not None:
                key = "".join(context) + "\x04" + key
            value = "\0".join("".join(msgstr[i]) for i in sorted(msgstr))
            if not fuzzy and (value.replace("\0", "") or key == ""):
                entries[key] = value
        msgid, msgid_plural, msgstr, context, fuzzy = [], [], {}, None, False

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("#,") and "fuzzy" in line:
            if msgid or msgstr:
                flush()
            fuzzy = True
        elif line.startswith("#") or not line:
            continue
        elif line.startswith("msgctxt "):
            if msgid or msgstr:
                flush()
            context = [_unquote(line[8:])]
            current = context
        elif line.startswith("msgid "):
            if msgstr:
                flush()
            msgid = [_unquote(line[6:])]
            current = msgid
        elif line.startswith("msgid_plural "):
            msgid_plural = [_unquote(line[13:])]
            current = msgid_plural
        elif line.startswith("msgstr["):
            index = int(line[7 : line.index("]")])
            msgstr[index] = [_unquote(line[line.index("]") + 2 :])]
            current = msgstr[index]
        elif line.startswith("msgstr "):
            msgstr[0] = [_unquote(line[7:])]
            current = msgstr[0]
        elif line.startswith('"') and current is not None:
            current.append(_unquote(line))
    flush()
    return entries


def write_mo(entries: dict[str, str], path: Path) -> None:
    keys = sorted(entries)
    ids = b""
    strs = b""
    offsets = []
    for key in keys:
        k, v = key.encode("utf-8"), entries[key].encode("utf-8")
        offsets.append((len(ids), len(k), len(strs), len(v)))
        ids += k + b"\0"
        strs += v + b"\0"
    n = len(keys)
    keystart = 7 * 4 + 16 * n
    valuestart = keystart + len(ids)
    koffsets: list[int] = []
    voffsets: list[int] = []
    for o1, l1, o2, l2 in offsets:
        koffsets += [l1, o1 + keystart]
        voffsets += [l2, o2 + valuestart]
    output = struct.pack("Iiiiiii", 0x950412DE, 0, n, 7 * 4, 7 * 4 + n * 8, 0, 0)
    output += struct.pack(f"{len(koffsets)}i", *koffsets)
    output += struct.pack(f"{len(voffsets)}i", *voffsets)
    output += ids + strs
    path.write_bytes(output)


class Command(BaseCommand):
    help = "Compile every .po file in LOCALE_PATHS to .mo (pure Python; GNU gettext not needed)."

    def handle(self, *args, **options):
        count = 0
        for locale_dir in settings.LOCALE_PATHS:
            for po in sorted(Path(locale_dir).glob("*/LC_MESSAGES/*.po")):
                write_mo(parse_po(po), po.with_suffix(".mo"))
                count += 1
        self.stdout.write(f"Compiled {count} translation catalogue(s).")
