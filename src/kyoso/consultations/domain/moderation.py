"""Rules for what participants write, and when reported content hides itself (no Django).

* :func:`clean_text` — the text as stored: control characters dropped (tab and newline kept in comments),
  surrounding white space trimmed; nothing else is changed (emoji are kept; HTML is kept as typed and escaped
  wherever it is shown).
* :func:`check_text` — the problem with a text, if any: ``"empty"`` or ``"too_long"`` (in characters, after
  cleaning).
* :func:`statement_key` — the key under which two statements count as the same: NFKC (全角/半角), case folded,
  white space collapsed, trailing sentence punctuation (。．.！!？?) removed; :func:`statement_digest` is its SHA-256.
* :func:`auto_hides` — a published item is hidden automatically when the reports since its last review reach the
  consultation's threshold (Decidim's ``max_reports_before_hiding``, default 3).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
CONTROL_ONE_LINE = re.compile("[\x00-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
TRAILING = "。．.！!？? 　"


def clean_text(text: str, *, multiline: bool = False) -> str:
    """``clean_text(" 賛成です\\x00 ") == "賛成です"``; a statement is one line (newlines become spaces)."""
    if multiline:
        return CONTROL.sub("", text.replace("\r\n", "\n")).strip()
    return " ".join(CONTROL_ONE_LINE.sub(" ", text).split())


def check_text(text: str, max_length: int) -> str | None:
    """``None`` when ``text`` (already cleaned) may be stored, else ``"empty"`` or ``"too_long"``."""
    if not text:
        return "empty"
    if len(text) > max_length:
        return "too_long"
    return None


def statement_key(text: str) -> str:
    """``statement_key("バスを増やす！") == statement_key("ﾊﾞｽを増やす")``."""
    folded = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    return folded.rstrip(TRAILING) or folded


def statement_digest(text: str) -> str:
    """The SHA-256 (hex) of :func:`statement_key`: what the database keeps to refuse duplicates."""
    return hashlib.sha256(statement_key(text).encode("utf-8")).hexdigest()


def auto_hides(report_count: int, threshold: int) -> bool:
    """True when ``report_count`` reports (since the last review) reach ``threshold`` (0 = never automatically)."""
    return threshold > 0 and report_count >= threshold
