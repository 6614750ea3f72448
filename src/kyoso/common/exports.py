"""Spreadsheet exports (CSV and Excel) that cannot run formulas: every export writes its cells through here.

A spreadsheet treats text beginning with ``=``, ``+``, ``-`` or ``@`` (and a leading tab or carriage return, which
some programs strip before reading the rest) as a formula, so a title or note such as ``=HYPERLINK(...)`` typed
into the product would run on the reader's machine (OWASP "CSV Injection"). Such text is prefixed with an
apostrophe, the spreadsheet convention for "this is text"; numbers, dates and empty cells are written as they are,
so a negative amount stored as a number stays a number.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` as a spreadsheet may hold it without evaluating it (only text is ever changed)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    """A row of cells, each through :func:`safe_cell` (for ``csv.writer.writerow`` and ``sheet.append``)."""
    return [safe_cell(value) for value in values]
