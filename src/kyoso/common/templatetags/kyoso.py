"""Template helpers shared by every page (loaded as a builtin)."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.translation import get_language

from kyoso.common.domain.fiscal import fiscal_year, fiscal_year_label

register = template.Library()


@register.filter(name="fiscal_year")
def fiscal_year_filter(value: dt.date | int | None) -> str:
    """``{{ some_date|fiscal_year }}`` → 2026年度（令和8年度） / FY2026."""
    if value in (None, ""):
        return ""
    year = value if isinstance(value, int) else fiscal_year(value)
    return fiscal_year_label(year, get_language() or "ja")
