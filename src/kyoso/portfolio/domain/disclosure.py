"""How much a reader who may not see an amount is told about numbers derived from it.

Plain Python (no Django). A ratio computed from a hidden amount (provided ÷ committed of a confidential cash
commitment) is never shown with its full precision: from ``0.4926828551290899`` both amounts can be recovered
exactly, and even a whole percent narrows a hidden amount down to 1 % once the other one is known. Such a
reader gets only the 10-point band the ratio falls in (``percent_band``): 0.4926… is "40–50 %". The band is
coarse enough that neither amount can be recovered, and still tells the venue how far a partner fell short.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

__all__ = ["BAND_POINTS", "amounts_in_text", "percents_in_text", "percent_band", "position_in_band",
           "reveals"]

#: Width of a band, in percentage points.
BAND_POINTS = 10


def percent_band(ratio: float) -> int:
    """The lower bound, in %, of the band ``ratio`` falls in; 100 for a ratio of 1 or more (fully provided).

    >>> percent_band(0.4926828551290899), percent_band(0.1), percent_band(0.0999), percent_band(1.3)
    (40, 10, 0, 100)
    """
    if not math.isfinite(ratio) or ratio < 0:
        raise ValueError(f"ratio must be a finite number of at least 0, not {ratio!r}")
    return min(100, math.floor(ratio * 100 / BAND_POINTS) * BAND_POINTS)


def position_in_band(ratio: float) -> float:
    """Where a chart places a ratio it may only show as a band: the band's middle (1.0 for a full band)."""
    low = percent_band(ratio)
    return 1.0 if low >= 100 else (low + BAND_POINTS / 2) / 100


_UNITS = {"千": Decimal(1_000), "万": Decimal(10_000), "億": Decimal(100_000_000)}
_NUMBER = re.compile(r"(\d+(?:[,，]\d{3})*(?:\.\d+)?)\s*(億|万|千)?")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*[%％]")


def _plain(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def amounts_in_text(text: str) -> set[Decimal]:
    """Every amount written in ``text``, as Japanese offices write them: ``7,654,321``, ``７６５万``,
    ``800万円``, ``0.08億``, ``8,000千円`` (full-width digits and grouping commas allowed).

    >>> sorted(amounts_in_text("約束 800万円、提供 0.03億円、差額 5,000千円"))
    [Decimal('3000000'), Decimal('5000000'), Decimal('8000000')]
    """
    found: set[Decimal] = set()
    for number, unit in _NUMBER.findall(_plain(text)):
        try:
            value = Decimal(number.replace(",", "").replace("，", ""))
        except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
            continue
        found.add((value * _UNITS[unit]) if unit else value)
    return found


def percents_in_text(text: str) -> set[int]:
    """Every whole percent written in ``text`` (``37%``, ``３７％``; decimals rounded)."""
    return {round(float(p)) for p in _PERCENT.findall(_plain(text))}


def reveals(text: str, amounts: Iterable[Decimal], ratios: Iterable[float] = ()) -> bool:
    """Whether ``text`` names one of the hidden ``amounts`` (in any of the notations of
    :func:`amounts_in_text`) or one of the hidden ``ratios`` more precisely than its band (its whole percent,
    unless that percent is a band boundary that the band itself tells)."""
    written = amounts_in_text(text)
    if any(Decimal(a) in written for a in amounts if a):
        return True
    percents = percents_in_text(text)
    return any(round(r * 100) in percents and round(r * 100) % BAND_POINTS != 0 for r in ratios)
