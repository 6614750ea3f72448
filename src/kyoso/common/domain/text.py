"""Normalising Japanese text for search: width, case and kana."""

from __future__ import annotations

import unicodedata

_KATAKANA_START, _KATAKANA_END = ord("ァ"), ord("ヶ")
_KANA_OFFSET = ord("ァ") - ord("ぁ")


def to_hiragana(text: str) -> str:
    """Katakana → hiragana (ハママツ → はままつ); everything else unchanged."""
    return "".join(
        chr(ord(ch) - _KANA_OFFSET) if _KATAKANA_START <= ord(ch) <= _KATAKANA_END else ch for ch in text
    )


def normalize_query(text: str) -> str:
    """NFKC (全角英数 → 半角, 半角ｶﾅ → 全角), collapse white space (incl. 全角スペース), trim."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def query_terms(text: str, limit: int = 8) -> list[str]:
    """The search terms of a query: normalised, split on white space, at most ``limit``."""
    return normalize_query(text).split(" ")[:limit] if normalize_query(text) else []


def plain_decimal(value: object) -> str:
    """A Decimal as plain text without exponent or trailing zeros: Decimal("40.0000") → "40", 12.50 → "12.5"."""
    from decimal import Decimal

    number = value if isinstance(value, Decimal) else Decimal(str(value))
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "") else text
