"""Japanese fiscal years (April to March) and era names, for display and grouping."""

from __future__ import annotations

import datetime as dt

# (first fiscal year of the era, era name in kanji, era name in romaji)
ERAS: tuple[tuple[int, str, str], ...] = (
    (2019, "令和", "Reiwa"),
    (1989, "平成", "Heisei"),
    (1926, "昭和", "Showa"),
)


def fiscal_year(day: dt.date) -> int:
    """The fiscal year a day belongs to: 2026-03-31 is in FY2025, 2026-04-01 in FY2026."""
    return day.year if day.month >= 4 else day.year - 1


def fiscal_year_bounds(year: int) -> tuple[dt.date, dt.date]:
    """First and last day of fiscal year ``year``."""
    return dt.date(year, 4, 1), dt.date(year + 1, 3, 31)


def fiscal_year_end(year: int) -> dt.date:
    """Last day (31 March) of fiscal year ``year``: ``fiscal_year_end(2025) == 2026-03-31``."""
    return fiscal_year_bounds(year)[1]


def era_year(year: int) -> tuple[str, int] | None:
    """The era and its year for a (fiscal) year, e.g. 2026 → ("令和", 8); None before Shōwa.

    A fiscal year is named after the era in force on its first day, except that FY2019
    (which began in Heisei 31) is officially called 令和元年度.
    """
    for first, name, _romaji in ERAS:
        if year >= first:
            return name, year - first + 1
    return None


def fiscal_year_label(year: int, language: str = "ja") -> str:
    """``2026年度（令和8年度）`` in Japanese, ``FY2026`` in English."""
    if not language.startswith("ja"):
        return f"FY{year}"
    era = era_year(year)
    if era is None:
        return f"{year}年度"
    name, number = era
    return f"{year}年度（{name}{'元' if number == 1 else number}年度）"
