"""Importing KPI observations from CSV or Excel (.xlsx): strict, friendly, and free of Django.

The import is done in two steps, so that the caller can show a preview and write nothing when any row is bad:

1. :func:`read_rows` turns the uploaded bytes into :class:`RawRow` objects (one per non-empty data row, each
   with the *physical* line number it starts on) plus file-level and cell-level :class:`Problem` objects.
2. :func:`validate` checks the rows against the KPIs of the vision and turns them into
   :class:`CleanObservation` objects, reporting every bad row with a reason code.

:func:`import_file` does both and merges the problems. Every problem names a line (1-based; file-level problems
name line 1 or the line where the trouble starts) and a code from :data:`PROBLEM_CODES`; ``detail`` holds
JSON-friendly parameters (strings and integers) for the message the Django layer writes.

Numbers and dates are read the way Japanese offices write them:

* numbers: 全角数字 (１２３), thousands separators (1,234 / １，２３４; groups of three only, so a European
  "12,5" is refused rather than read as 125), percentages (12.3% / １２．３％), minus signs -, −, －, ▲ and △
  (▲/△ mean negative in Japanese accounting), accounting parentheses (123), spaces and 全角スペース around
  the number and its sign. A value of 12.3% is returned as ``Decimal("12.3")`` and flagged as a percentage.
* dates: 2026-04-01, 2026/4/1, 2026.4.1, 20260401, 2026年4月1日, 令和8年4月1日 / R8.4.1 (also 平成 / H and
  昭和 / S, and 元年), months (2026-04, 2026/04, 2026年4月, 令和8年4月 → the first day of the month), fiscal
  years (2026年度, FY2026, 令和8年度 → **the last day of the fiscal year, March 31 of the following year**,
  because a yearly figure is the figure at 年度末), Excel date cells and Excel serial numbers in numeric cells.

Re-importing a file changes nothing as long as the caller upserts on (KPI, date); duplicates *within* a file
are refused.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from kyoso.common.domain.fiscal import fiscal_year_bounds
from kyoso.visions.domain.units import value_problems

# --------------------------------------------------------------------------- problems

#: Every reason code a :class:`Problem` can carry, with what it means (for the translators of the codes).
PROBLEM_CODES: dict[str, str] = {
    "file_type": "Not a .csv or .xlsx file, or the content does not match the extension (detail: reason).",
    "encoding": "A CSV file that is neither UTF-8 nor Shift_JIS (cp932), or that contains binary data.",
    "empty": "The file, or every sheet of the workbook, has no header or no data rows.",
    "missing_column": "A required column (detail: column) is not in the header row.",
    "duplicate_column": "Two header cells name the same column (detail: column, headers).",
    "csv_syntax": "Broken CSV quoting, e.g. a quote that is never closed (detail: message).",
    "too_many_rows": "More data rows than allowed (detail: max_rows); reading stopped there.",
    "extra_cells": "A CSV row has more cells than the header, e.g. an unquoted 1,234 (detail: expected, found).",
    "formula": "A formula, or text starting with '=', or a formula without a saved result (detail: column).",
    "missing_value": "A required cell is empty (detail: column).",
    "unknown_kpi": "The KPI code is not one of this vision's KPIs (detail: value).",
    "bad_number": "The value is not a number (detail: value, reason).",
    "bad_date": "The date is not a date in a known format (detail: value, reason).",
    "unit_mismatch": "The unit differs from the KPI's unit, or a percentage where none is expected or the "
                     "reverse (detail: unit, expected, reason).",
    "not_integer": "A fraction for a KPI counted in whole numbers, e.g. 2.5 件 (detail: value, unit).",
    "negative_value": "A negative value where the KPI's unit cannot be negative (detail: value, unit).",
    "not_allowed": "The uploader may not record this KPI's values (detail: kpi). Added by the service.",
    "official_value": "The row would overwrite a value from official statistics (detail: kpi, date). "
                      "Added by the service.",
    "date_out_of_range": "The date is before/after the KPI's period or in the future (detail: date, reason).",
    "duplicate": "The same KPI and date appear twice in the file (detail: first_line, kpi, date).",
}


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the file or a row: ``line`` (1-based, physical), ``code``, machine-readable detail."""

    line: int
    code: str
    detail: dict = field(default_factory=dict)


class ImportProblem(Exception):
    """A problem that stops reading the whole file (wrong type, undecodable, empty, ...)."""

    def __init__(self, code: str, detail: dict | None = None, line: int = 1):
        super().__init__(code)
        self.code = code
        self.detail = detail or {}
        self.line = line

    def as_problem(self) -> Problem:
        return Problem(self.line, self.code, self.detail)


class NumberError(ValueError):
    """A value that is not a number; ``reason`` says why (empty, format, thousands, exponent, formula, ...)."""

    def __init__(self, reason: str, value: object = ""):
        super().__init__(f"not a number ({reason}): {value!r}")
        self.reason = reason


class DateError(ValueError):
    """A value that is not a date; ``reason`` says why (empty, format, calendar, era, serial, type)."""

    def __init__(self, reason: str, value: object = ""):
        super().__init__(f"not a date ({reason}): {value!r}")
        self.reason = reason


# --------------------------------------------------------------------------- rows and results


@dataclass(slots=True)
class RawRow:
    """One data row as read: text for CSV, typed cell values for Excel. ``line`` is where the row starts."""

    line: int
    kpi: str
    date: object  # str, or date/datetime/int/float from Excel
    value: object  # str, or int/float from Excel
    unit: str = ""
    note: str = ""
    percent_format: bool = False  # an Excel number cell formatted as a percentage (0.123 shown as 12.3%)


@dataclass(slots=True)
class ParsedFile:
    rows: list[RawRow]
    problems: list[Problem]
    encoding: str | None = None  # CSV only: "utf-8-sig", "utf-8" or "cp932"
    sheet: str | None = None  # Excel only: the title of the sheet that was read
    header_line: int | None = None
    columns: dict[str, str] = field(default_factory=dict)  # field → header text as written in the file
    ignored_columns: list[str] = field(default_factory=list)  # header cells that name no known column


@dataclass(frozen=True, slots=True)
class KpiSpec:
    """What the validator needs to know about a KPI. Dates are inclusive bounds; None means unbounded."""

    code: str
    unit: str = ""
    is_percent: bool = False
    min_date: dt.date | None = None
    max_date: dt.date | None = None


@dataclass(frozen=True, slots=True)
class CleanObservation:
    line: int
    kpi_code: str
    date: dt.date
    value: Decimal
    note: str = ""


@dataclass(slots=True)
class ValidationResult:
    observations: list[CleanObservation]
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(slots=True)
class ImportReport:
    """The outcome of :func:`import_file`. ``observations`` are the clean rows (for the preview); write
    :attr:`writable`, which is empty unless the whole file is clean."""

    observations: list[CleanObservation]
    problems: list[Problem]
    row_count: int
    encoding: str | None = None
    sheet: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def writable(self) -> list[CleanObservation]:
        return self.observations if self.ok else []


# --------------------------------------------------------------------------- numbers

# Minus signs that NFKC leaves alone (NFKC already turns － U+FF0D and ﹣ U+FE63 into "-"); △ means ▲.
_SIGN_TABLE = str.maketrans({"\u2212": "-", "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-",
                             "\u25b3": "\u25b2"})
_SIMPLE_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_DIGITS = re.compile(r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)?(?:\.[0-9]+)?")
_LOOSE_DIGITS = re.compile(r"[0-9][0-9,]*(?:\.[0-9]+)?|\.[0-9]+")
_EXPONENT = re.compile(r"[0-9.,]*[0-9][eE][-+]?[0-9]+")
# How Japanese statistics tables write "no figure"; refused with a reason of their own so the message can say
# "leave the row out" instead of "not a number".
_PLACEHOLDERS = frozenset({"-", "ー", "―", "—", "…", "...", "*", "***", "x", "X", "n/a", "N/A", "NA", "#N/A",
                           "不明", "なし", "無", "該当なし", "未集計", "秘匿"})


def _tidy(number: Decimal) -> Decimal:
    """No negative zero, no exponent notation for whole numbers (5E+1 → 50)."""
    if not number:
        return Decimal(0)
    if number.as_tuple().exponent > 0:  # type: ignore[operator]
        return Decimal(int(number))
    return number


def parse_quantity(text: object) -> tuple[Decimal, bool]:
    """A number as written and whether it was a percentage: "１２．３％" → (Decimal("12.3"), True).

    Accepts the formats in the module docstring; ints, floats and Decimals pass through (not bool). Raises
    :class:`NumberError` (a ValueError) otherwise, e.g. for "abc", "1.2.3", "", "=SUM(A1)", "12,5", "1E+3".
    """
    if isinstance(text, bool):
        raise NumberError("type", text)
    if isinstance(text, dt.date | dt.time | dt.timedelta):  # Excel turned "1-2" or "3/4" into a date
        raise NumberError("date_cell", text)
    if isinstance(text, int):
        return Decimal(text), False
    if isinstance(text, float | Decimal):
        number = Decimal(repr(text)) if isinstance(text, float) else text
        if not number.is_finite():
            raise NumberError("not_finite", text)
        return _tidy(number), False
    if not isinstance(text, str):
        raise NumberError("type", text)
    if _SIMPLE_NUMBER.fullmatch(text):  # the common case, kept fast; text never has an exponent
        number = Decimal(text)
        return (number if number else Decimal(0)), False
    s = unicodedata.normalize("NFKC", text).translate(_SIGN_TABLE).strip()
    if s.startswith("'"):  # Excel's "treat as text" prefix, also written by our own exports
        s = s[1:].strip()
    if not s:
        raise NumberError("empty", text)
    if s.startswith("="):
        raise NumberError("formula", text)
    if s in _PLACEHOLDERS:
        raise NumberError("placeholder", text)
    negative = percent = False
    if s.endswith("%"):
        percent, s = True, s[:-1].rstrip()
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1].strip()
        if not percent and s.endswith("%"):
            percent, s = True, s[:-1].rstrip()
    if s[:1] in ("-", "+", "▲"):
        if negative:  # "(-5)" or "(▲5)": two signs, refuse rather than guess
            raise NumberError("format", text)
        negative, s = s[0] != "+", s[1:].lstrip()
    if not s or not _DIGITS.fullmatch(s):
        if _EXPONENT.fullmatch(s):
            raise NumberError("exponent", text)
        if _LOOSE_DIGITS.fullmatch(s) and "," in s:
            raise NumberError("thousands", text)
        raise NumberError("format", text)
    try:
        number = Decimal(s.replace(",", ""))
    except InvalidOperation as exc:  # pragma: no cover - the pattern above only lets valid numbers through
        raise NumberError("format", text) from exc
    if not number:
        return Decimal(0), percent
    return (-number if negative else number), percent


def parse_number(text: object) -> Decimal:
    """The number in ``text``; a percentage is returned as written (12.3% → Decimal("12.3"))."""
    return parse_quantity(text)[0]


def cell_quantity(value: object, percent_format: bool = False) -> tuple[Decimal, bool]:
    """Like :func:`parse_quantity`, but an Excel number in a percent-formatted cell (0.123 shown as 12.3%)
    becomes (Decimal("12.3"), True)."""
    number, percent = parse_quantity(value)
    if percent_format and not isinstance(value, str):
        return _tidy(number.scaleb(2)), True
    return number, percent


# --------------------------------------------------------------------------- dates

_EXCEL_1900 = dt.date(1899, 12, 30)  # serial 0 with Excel's 1900 leap-year bug accounted for above serial 60
_MAX_SERIAL = 2958465  # 9999-12-31

# era → (first calendar year, first day, last day or None while current)
_ERAS: dict[str, tuple[int, dt.date, dt.date | None]] = {
    "令和": (2019, dt.date(2019, 5, 1), None),
    "平成": (1989, dt.date(1989, 1, 8), dt.date(2019, 4, 30)),
    "昭和": (1926, dt.date(1926, 12, 25), dt.date(1989, 1, 7)),
}
_ERA_LETTERS = {"R": "令和", "H": "平成", "S": "昭和"}
_ERA = r"(令和|平成|昭和|R|H|S)(元|[0-9]{1,2})"

_TIME_SUFFIX = re.compile(r"(?:T|\s+)(?:[01]?[0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{1,6})?)?$")
_WEEKDAY_SUFFIX = re.compile(r"\([月火水木金土日](?:曜日?)?\)$")
_SPACES = re.compile(r"\s+")
_DATE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple((kind, re.compile(pattern)) for kind, pattern in (
    ("ymd", r"([0-9]{4})([-/.])([0-9]{1,2})\2([0-9]{1,2})"),
    ("ymd_kanji", r"([0-9]{4})年([0-9]{1,2})月([0-9]{1,2})日"),
    ("ymd_compact", r"([0-9]{4})([0-9]{2})([0-9]{2})"),
    ("ym", r"([0-9]{4})[-/.]([0-9]{1,2})"),
    ("ym_kanji", r"([0-9]{4})年([0-9]{1,2})月"),
    ("fy", r"([0-9]{4})年度"),
    ("fy", r"FY([0-9]{4})"),
    ("era_ymd", _ERA + r"年([0-9]{1,2})月([0-9]{1,2})日"),
    ("era_ymd_sep", _ERA + r"([-/.])([0-9]{1,2})\3([0-9]{1,2})"),
    ("era_ym", _ERA + r"年([0-9]{1,2})月"),
    ("era_fy", _ERA + r"年度"),
))


def _day(year: int, month: int, day: int, value: object) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise DateError("calendar", value) from exc


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)


def _era_year(name: str, number: str) -> tuple[int, dt.date, dt.date | None]:
    first_year, first_day, last_day = _ERAS[_ERA_LETTERS.get(name, name)]
    return first_year + (1 if number == "元" else int(number)) - 1, first_day, last_day


def _check_era(start: dt.date, end: dt.date, first_day: dt.date, last_day: dt.date | None, value: object) -> None:
    """The period [start, end] must overlap the era (令和元年4月 and 平成32年 do not exist)."""
    if end < first_day or (last_day is not None and start > last_day):
        raise DateError("era", value)


def excel_serial_date(serial: float | int | Decimal) -> dt.date:
    """The day of an Excel (1900 date system) serial number: 46113 → 2026-04-01; fractions (times) dropped."""
    whole = int(serial)
    if whole < 1 or whole > _MAX_SERIAL or whole == 60:  # 60 is Excel's imaginary 1900-02-29
        raise DateError("serial", serial)
    return _EXCEL_1900 + dt.timedelta(days=whole if whole > 60 else whole + 1)


@lru_cache(maxsize=8192)
def _parse_date_text(text: str) -> dt.date:
    s = unicodedata.normalize("NFKC", text).strip()
    if s.startswith("'"):
        s = s[1:].strip()
    if not s:
        raise DateError("empty", text)
    match = _TIME_SUFFIX.search(s)
    if match:
        s = s[:match.start()]
    s = _WEEKDAY_SUFFIX.sub("", _SPACES.sub("", s)).upper()
    for kind, pattern in _DATE_PATTERNS:
        m = pattern.fullmatch(s)
        if m is None:
            continue
        g = m.groups()
        if kind in ("ymd", "ymd_kanji", "ymd_compact"):
            y, mo, d = (int(g[0]), int(g[2]), int(g[3])) if kind == "ymd" else (int(g[0]), int(g[1]), int(g[2]))
            return _day(y, mo, d, text)
        if kind in ("ym", "ym_kanji"):
            return _day(int(g[0]), int(g[1]), 1, text)
        if kind == "fy":
            return fiscal_year_bounds(int(g[0]))[1]
        year, first_day, last_day = _era_year(g[0], g[1])
        if kind == "era_fy":
            start, end = fiscal_year_bounds(year)
            _check_era(start, end, first_day, last_day, text)
            return end
        if kind == "era_ym":
            start = _day(year, int(g[2]), 1, text)
            _check_era(start, _month_end(start.year, start.month), first_day, last_day, text)
            return start
        day = _day(year, int(g[2]), int(g[3]), text) if kind == "era_ymd" else _day(year, int(g[3]), int(g[4]), text)
        _check_era(day, day, first_day, last_day, text)
        return day
    raise DateError("format", text)


def parse_date(value: object) -> dt.date:
    """The day in ``value``: text in the formats of the module docstring, a date or datetime (from openpyxl),
    or an Excel serial number (int/float, e.g. 46113 → 2026-04-01). Fiscal years (2026年度, FY2026, 令和8年度)
    give the fiscal year's last day, March 31 of the following year. Raises :class:`DateError` (a ValueError).
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise DateError("type", value)
    if isinstance(value, int | float | Decimal):
        if not (math.isfinite(value) if isinstance(value, float) else Decimal(value).is_finite()):
            raise DateError("serial", value)
        return excel_serial_date(value)
    if not isinstance(value, str):
        raise DateError("type", value)
    return _parse_date_text(value)


# --------------------------------------------------------------------------- header

FIELDS = ("kpi", "date", "value", "unit", "note")
REQUIRED_FIELDS = ("kpi", "date", "value")

#: Header names that are understood (compared after NFKC, case folding and removing spaces, "_", "-" and "・").
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "kpi": ("kpi", "KPIコード", "指標コード", "code", "kpi code", "kpi_code", "指標", "KPI"),
    "date": ("date", "日付", "年月日", "時点", "年度", "年月", "基準日", "fiscal year", "fy"),
    "value": ("value", "値", "数値", "実績", "実績値"),
    "unit": ("unit", "units", "単位"),
    "note": ("note", "notes", "備考", "メモ", "memo", "comment"),
}
_HEADER_JUNK = re.compile(r"[\s_\-・]+")


def _header_key(text: str) -> str:
    return _HEADER_JUNK.sub("", unicodedata.normalize("NFKC", text).casefold())


_HEADER_INDEX: dict[str, str] = {_header_key(alias): name for name, aliases in HEADER_ALIASES.items()
                                 for alias in aliases}


@dataclass(frozen=True, slots=True)
class _Header:
    positions: dict[str, int]  # field → column index
    columns: dict[str, str]
    ignored: list[str]
    problems: list[tuple[str, dict]]  # (code, detail) to report on the header line


@lru_cache(maxsize=256)
def _map_header(cells: tuple[str, ...]) -> _Header:
    positions: dict[str, int] = {}
    columns: dict[str, str] = {}
    ignored: list[str] = []
    problems: list[tuple[str, dict]] = []
    for index, cell in enumerate(cells):
        name = _HEADER_INDEX.get(_header_key(cell))
        if name is None:
            if cell.strip():
                ignored.append(cell.strip())
        elif name in positions:
            problems.append(("duplicate_column", {"column": name, "headers": [columns[name], cell.strip()]}))
        else:
            positions[name] = index
            columns[name] = cell.strip()
    found = [c.strip() for c in cells if c.strip()]
    for name in REQUIRED_FIELDS:
        if name not in positions:
            problems.append(("missing_column", {"column": name, "accepted": list(HEADER_ALIASES[name]),
                                                "found": found}))
    return _Header(positions, columns, ignored, problems)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ", "minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _shown(value: object, limit: int = 100) -> str:
    """A cell value for a message: text, at most ``limit`` characters."""
    text = value if isinstance(value, str) else _cell_text(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --------------------------------------------------------------------------- reading files

_BOM = b"\xef\xbb\xbf"
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def decode_csv_bytes(data: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 with a BOM, UTF-8, then Shift_JIS as Excel writes it (cp932).

    Raises ImportProblem("encoding") when none decodes or the text holds control characters (binary data);
    ``detail`` names the likelier encoding (the one that got further) and ``line`` where decoding failed.
    """
    if data.startswith(_BOM):
        attempts: Sequence[str] = ("utf-8-sig",)
    else:
        attempts = ("utf-8", "cp932")
    furthest: UnicodeDecodeError | None = None
    likely = attempts[0]
    for encoding in attempts:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            if furthest is None or exc.start > furthest.start:
                furthest, likely = exc, encoding
            continue
        text = text.rstrip("\x1a")  # the DOS end-of-file mark some old tools append
        bad = _CONTROL.search(text)
        if bad:
            line = len(_LINE_BREAK.findall(text, 0, bad.start())) + 1
            raise ImportProblem("encoding", {"reason": "control_characters", "encoding": encoding}, line)
        return text, encoding
    assert furthest is not None
    line = data.count(b"\n", 0, furthest.start) + 1
    raise ImportProblem("encoding", {"reason": "undecodable", "tried": list(attempts), "likely": likely,
                                     "byte_offset": furthest.start}, line)


def _extension(filename: str) -> str:
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip().lower()
    return "." + name.rsplit(".", 1)[1] if "." in name else ""


def read_rows(filename: str, data: bytes, max_rows: int = 200_000) -> ParsedFile:
    """Read the rows of a .csv or .xlsx file. Never raises for bad input: everything becomes a Problem.

    The first non-empty row is the header; fully empty rows are skipped. Rows with a problem found while
    reading (a formula, extra cells) are reported and left out of ``rows``. After ``max_rows`` data rows,
    reading stops with "too_many_rows" on the line of the first row too many.
    """
    result = ParsedFile(rows=[], problems=[])
    extension = _extension(filename)
    try:
        if extension == ".csv":
            if data.startswith(_ZIP_MAGIC) or data.startswith(_OLE_MAGIC):
                raise ImportProblem("file_type", {"reason": "spreadsheet_named_csv", "extension": extension,
                                                  "detected": "xlsx" if data.startswith(_ZIP_MAGIC) else "xls"})
            _read_csv(data, max_rows, result)
        elif extension == ".xlsx":
            _read_xlsx(data, max_rows, result)
        else:
            raise ImportProblem("file_type", {"reason": "extension", "extension": extension})
    except ImportProblem as problem:
        result.problems.append(problem.as_problem())
    result.problems.sort(key=lambda p: p.line)
    return result


class _RowSink:
    """Collects data rows after the header: counts them, enforces max_rows, reports formulas."""

    def __init__(self, result: ParsedFile, header: _Header, max_rows: int):
        self.result = result
        self.positions = header.positions
        self.max_rows = max_rows
        self.count = 0

    def admit(self, line: int) -> bool:
        """Count one more data row; False (and a problem) when it is one too many."""
        self.count += 1
        if self.count > self.max_rows:
            self.result.problems.append(Problem(line, "too_many_rows", {"max_rows": self.max_rows}))
            return False
        return True

    def formula(self, line: int, column: str, text: object, reason: str = "formula") -> None:
        self.result.problems.append(Problem(line, "formula", {"column": column, "value": _shown(text),
                                                              "reason": reason}))


def _start_file(result: ParsedFile, header_cells: Sequence[str], line: int, max_rows: int) -> _RowSink | None:
    header = _map_header(tuple(header_cells))
    result.header_line = line
    result.columns = dict(header.columns)
    result.ignored_columns = list(header.ignored)
    for code, detail in header.problems:
        result.problems.append(Problem(line, code, dict(detail)))
    return None if header.problems else _RowSink(result, header, max_rows)


def _read_csv(data: bytes, max_rows: int, result: ParsedFile) -> None:
    text, encoding = decode_csv_bytes(data)
    result.encoding = encoding
    if not text.strip():
        raise ImportProblem("empty", {"reason": "no_content"})
    first_line = next((ln for ln in _LINE_BREAK.split(text) if ln.strip()), "")
    delimiter = "\t" if "," not in first_line and "\t" in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    sink: _RowSink | None = None
    width = 0
    header_seen = False
    get = _csv_getter
    while True:
        line = reader.line_num + 1  # a row starts on the line after the last one read
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            result.problems.append(Problem(line, "csv_syntax", {"message": str(exc), "last_line": reader.line_num}))
            return
        if not any(cell.strip() for cell in cells):
            continue
        if not header_seen:
            header_seen, width = True, len(cells)
            sink = _start_file(result, cells, line, max_rows)
            if sink is None:
                return
            positions = sink.positions
            i_kpi, i_date, i_value = positions["kpi"], positions["date"], positions["value"]
            i_unit, i_note = positions.get("unit"), positions.get("note")
            continue
        assert sink is not None
        if not sink.admit(line):
            return
        n = len(cells)
        if n > width and any(cell.strip() for cell in cells[width:]):
            result.problems.append(Problem(line, "extra_cells", {"expected": width,
                                                                 "found": len(cells) - _trailing_empty(cells)}))
            continue
        kpi, day, value = get(cells, n, i_kpi), get(cells, n, i_date), get(cells, n, i_value)
        unit, note = get(cells, n, i_unit), get(cells, n, i_note)
        bad = False
        for column, cell in (("kpi", kpi), ("date", day), ("value", value), ("unit", unit), ("note", note)):
            if cell.startswith("="):
                sink.formula(line, column, cell)
                bad = True
        if not bad:
            result.rows.append(RawRow(line, kpi.strip(), day, value, unit.strip(), note.strip()))
    if not header_seen:
        raise ImportProblem("empty", {"reason": "no_content"})
    if sink is not None and sink.count == 0:
        result.problems.append(Problem((result.header_line or 1) + 1, "empty", {"reason": "no_data_rows"}))


def _csv_getter(cells: list[str], n: int, index: int | None) -> str:
    return cells[index] if index is not None and index < n else ""


def _trailing_empty(cells: list[str]) -> int:
    count = 0
    for cell in reversed(cells):
        if cell.strip():
            break
        count += 1
    return count


_FORMAT_LITERALS = re.compile(r'"[^"]*"|\\.')


@lru_cache(maxsize=256)
def _is_percent_format(number_format: str | None) -> bool:
    """True for Excel formats that multiply by 100 (0.0%), not for a quoted or escaped literal % ("%")."""
    if not number_format or "%" not in number_format:
        return False
    return "%" in _FORMAT_LITERALS.sub("", number_format)


def _row_is_blank(row: Sequence) -> bool:
    for cell in row:
        value = cell.value
        if value is not None and (not isinstance(value, str) or value.strip()):
            return False
    return True


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


#: Refuse workbooks whose parts unpack to more than this (zip bombs); 100,000 rows take about 10 MB.
MAX_XLSX_UNPACKED_BYTES = 256 * 1024 * 1024


def _read_xlsx(data: bytes, max_rows: int, result: ParsedFile) -> None:
    if data.startswith(_OLE_MAGIC):  # an old .xls renamed, or a password-protected workbook
        raise ImportProblem("file_type", {"reason": "xls_or_encrypted", "extension": ".xlsx"})
    if not data.startswith(_ZIP_MAGIC) or not zipfile.is_zipfile(io.BytesIO(data)):
        raise ImportProblem("file_type", {"reason": "not_zip", "extension": ".xlsx"})
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(item.file_size for item in archive.infolist())
    except Exception as exc:  # zipfile raises several types for damaged directories
        raise ImportProblem("file_type", {"reason": "not_workbook", "extension": ".xlsx"}) from exc
    if unpacked > MAX_XLSX_UNPACKED_BYTES:  # a zip bomb, or a workbook far beyond any KPI table
        raise ImportProblem("file_type", {"reason": "too_large", "extension": ".xlsx", "bytes": unpacked})
    from openpyxl import load_workbook
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it drops; irrelevant here
        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        except Exception as exc:  # a zip that is not a workbook, or a broken one: openpyxl raises many types
            raise ImportProblem("file_type", {"reason": "not_workbook", "extension": ".xlsx"}) from exc
        try:
            serial_shift = 1462 if workbook.epoch == CALENDAR_MAC_1904 else 0
            pending, positions = _read_sheets(workbook, max_rows, result, serial_shift)
        except ImportProblem:
            raise
        except Exception as exc:  # broken sheet XML part-way through
            raise ImportProblem("file_type", {"reason": "corrupt", "extension": ".xlsx"}) from exc
        finally:
            workbook.close()
        if pending:
            _resolve_formulas(data, result, pending, positions, serial_shift)


# A formula cell waiting for the result Excel saved: (row, field, formula text)
_Pending = tuple[RawRow, str, str]


def _read_sheets(workbook, max_rows: int, result: ParsedFile,
                 serial_shift: int) -> tuple[list[_Pending], dict[str, int]]:
    for sheet in workbook.worksheets:
        # Trust the cells, not the <dimension> tag: some tools claim A1:XFD1048576, and openpyxl would then pad
        # every row to 16,384 cells and add a million empty rows. Missing rows still come as () in place.
        sheet.reset_dimensions()
        rows: Iterator = iter(sheet.iter_rows())
        for line, row in enumerate(rows, 1):
            if _row_is_blank(row):
                continue
            result.sheet = sheet.title
            sink = _start_file(result, [_cell_text(cell.value) for cell in row], line, max_rows)
            if sink is None:
                return [], {}
            return _read_sheet_rows(enumerate(rows, line + 1), sink, result, serial_shift), sink.positions
    raise ImportProblem("empty", {"reason": "no_sheet_with_data"})


_XLSX_FIELDS = ("kpi", "date", "value", "unit", "note")


def _read_sheet_rows(rows: Iterable, sink: _RowSink, result: ParsedFile, serial_shift: int) -> list[_Pending]:
    positions = [(name, sink.positions.get(name)) for name in _XLSX_FIELDS]
    pending: list[_Pending] = []
    bad_rows: set[int] = set()
    for line, row in rows:
        if _row_is_blank(row):
            continue
        if not sink.admit(line):
            break
        n = len(row)
        values: list[object] = []
        percent = False
        waiting: list[tuple[str, str]] = []
        for name, index in positions:
            cell = row[index] if index is not None and index < n else None
            value = None if cell is None else cell.value
            if cell is not None and cell.data_type == "f":
                waiting.append((name, str(value)))
            elif isinstance(value, str):
                if value.startswith("="):
                    sink.formula(line, name, value)
                    bad_rows.add(line)
                value = value.strip()
            elif name == "date" and serial_shift and isinstance(value, int | float) and not isinstance(value, bool):
                value = value + serial_shift
            if name == "value" and cell is not None and (cell.data_type == "f" or isinstance(value, int | float)):
                percent = _is_percent_format(cell.number_format)
            values.append(value)
        kpi, day, value, unit, note = values
        raw = RawRow(line, _cell_text(kpi), "" if day is None else day, "" if value is None else value,
                     _cell_text(unit), _cell_text(note), percent)
        pending.extend((raw, name, text) for name, text in waiting)
        result.rows.append(raw)
    if sink.count == 0:
        result.problems.append(Problem((result.header_line or 1) + 1, "empty", {"reason": "no_data_rows"}))
    if bad_rows:
        result.rows = [r for r in result.rows if r.line not in bad_rows]
    return pending


def _resolve_formulas(data: bytes, result: ParsedFile, pending: list[_Pending], positions: dict[str, int],
                      serial_shift: int) -> None:
    """Replace formula cells by the results Excel saved with the file; a formula without one is a problem."""
    from openpyxl import load_workbook

    first, last = min(p[0].line for p in pending), max(p[0].line for p in pending)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = workbook[result.sheet]
            sheet.reset_dimensions()
            cached = {line: tuple(row) for line, row in
                      enumerate(sheet.iter_rows(min_row=first, max_row=last, values_only=True), first)}
        finally:
            workbook.close()
    except Exception:  # a second read of a file that read once: only a very broken file gets here
        cached = {}
    bad_rows: set[int] = set()
    for raw, name, formula in pending:
        row = cached.get(raw.line, ())
        index = positions[name]
        value = row[index] if index < len(row) else None
        if value is None:
            result.problems.append(Problem(raw.line, "formula", {"column": name, "value": _shown(formula),
                                                                 "reason": "no_cached_value"}))
            bad_rows.add(raw.line)
            continue
        if isinstance(value, str) and value.startswith("="):
            result.problems.append(Problem(raw.line, "formula", {"column": name, "value": _shown(value),
                                                                 "reason": "formula"}))
            bad_rows.add(raw.line)
            continue
        if name == "date":
            if serial_shift and isinstance(value, int | float) and not isinstance(value, bool):
                value = value + serial_shift
            raw.date = value.strip() if isinstance(value, str) else value
        elif name == "value":
            raw.value = value.strip() if isinstance(value, str) else value
        else:
            setattr(raw, name, _cell_text(value))
    if bad_rows:
        result.rows = [r for r in result.rows if r.line not in bad_rows]
    result.problems.sort(key=lambda p: p.line)


# --------------------------------------------------------------------------- validation

_PERCENT_UNITS = frozenset({"%", "パーセント", "percent", "pct"})


def _unit_key(unit: str) -> str:
    return _SPACES.sub("", unicodedata.normalize("NFKC", unit).casefold())


def _code_key(code: str) -> str:
    return unicodedata.normalize("NFKC", code).strip().casefold()


#: What the database column holds: 18 digits of which 4 after the decimal point.
MAX_DECIMALS = 4
MAX_ABS_VALUE = Decimal("1e14")


def _storage_problem(number: Decimal) -> str | None:
    """Refuse what would be stored differently from what the file says (never round silently)."""
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > MAX_DECIMALS:
        return "precision"
    if abs(number) >= MAX_ABS_VALUE:
        return "too_large"
    return None


def validate(rows: Iterable[RawRow], kpis: Mapping[str, KpiSpec], today: dt.date) -> ValidationResult:
    """Check rows against the vision's KPIs; every problem of every row is reported (not just the first).

    A row yields a :class:`CleanObservation` only when it has no problem. A percentage KPI needs its values
    marked as such: a % sign, a percent-formatted Excel cell, or a unit cell of "%"; a % value for a KPI that
    is not a percentage is refused. Dates after ``today`` are "date_out_of_range" (reason "future"); note that
    a fiscal year (2026年度) means its last day, 2027-03-31.
    """
    by_key = {_code_key(code): spec for code, spec in kpis.items()}
    unit_keys = {spec.code: _unit_key(spec.unit or "") for spec in kpis.values()}
    lookup: dict[str, KpiSpec | None] = {}
    row_unit_keys: dict[str, str] = {}
    seen: dict[tuple[str, dt.date], int] = {}
    observations: list[CleanObservation] = []
    problems: list[Problem] = []
    for row in rows:
        line = row.line
        before = len(problems)
        spec: KpiSpec | None = None
        if not row.kpi:
            problems.append(Problem(line, "missing_value", {"column": "kpi"}))
        else:
            if row.kpi not in lookup:
                lookup[row.kpi] = kpis.get(row.kpi) or by_key.get(_code_key(row.kpi))
            spec = lookup[row.kpi]
            if spec is None:
                problems.append(Problem(line, "unknown_kpi", {"value": _shown(row.kpi)}))
        day: dt.date | None = None
        if _blank(row.date):
            problems.append(Problem(line, "missing_value", {"column": "date"}))
        else:
            try:
                day = parse_date(row.date)
            except DateError as exc:
                problems.append(Problem(line, "bad_date", {"value": _shown(row.date), "reason": exc.reason}))
        number: Decimal | None = None
        percent = False
        if _blank(row.value):
            problems.append(Problem(line, "missing_value", {"column": "value"}))
        else:
            try:
                number, percent = cell_quantity(row.value, row.percent_format)
            except NumberError as exc:
                problems.append(Problem(line, "bad_number", {"value": _shown(row.value), "reason": exc.reason}))
            else:
                reason = _storage_problem(number)
                if reason:
                    problems.append(Problem(line, "bad_number", {"value": _shown(row.value), "reason": reason}))
                    number = None
        if spec is not None:
            unit_key = ""
            if row.unit:
                unit_key = row_unit_keys.get(row.unit) or row_unit_keys.setdefault(row.unit, _unit_key(row.unit))
            unit_given = bool(unit_key)
            unit_ok = unit_key == unit_keys[spec.code] or (spec.is_percent and unit_key in _PERCENT_UNITS)
            expected = {"unit": row.unit, "expected": spec.unit or "", "is_percent": spec.is_percent}
            if unit_given and not unit_ok:
                problems.append(Problem(line, "unit_mismatch", {**expected, "reason": "unit"}))
            elif number is not None and percent and not spec.is_percent:
                problems.append(Problem(line, "unit_mismatch", {**expected, "reason": "percent_not_expected"}))
            if number is not None:
                for reason in value_problems(number, spec.unit or ""):
                    code = "not_integer" if reason == "not_integer" else "negative_value"
                    problems.append(Problem(line, code, {"value": _shown(row.value), "unit": spec.unit or ""}))
            # A plain number for a percentage KPI is read as percentage points (32.1 means 32.1 %): that
            # is how officers type rates, and refusing it would only make them add "%" by hand.
            if day is not None:
                reason = None
                if spec.min_date is not None and day < spec.min_date:
                    reason = "before_min"
                elif spec.max_date is not None and day > spec.max_date:
                    reason = "after_max"
                elif day > today:
                    reason = "future"
                if reason:
                    problems.append(Problem(line, "date_out_of_range", {
                        "date": day.isoformat(), "reason": reason, "today": today.isoformat(),
                        "min": spec.min_date.isoformat() if spec.min_date else None,
                        "max": spec.max_date.isoformat() if spec.max_date else None}))
                key = (spec.code, day)
                first = seen.get(key)
                if first is None:
                    seen[key] = line
                else:
                    problems.append(Problem(line, "duplicate", {"first_line": first, "kpi": spec.code,
                                                                "date": day.isoformat()}))
        if len(problems) == before and spec is not None and day is not None and number is not None:
            observations.append(CleanObservation(line, spec.code, day, number, row.note))
    return ValidationResult(observations, problems)


def import_file(filename: str, data: bytes, kpis: Mapping[str, KpiSpec], today: dt.date,
                max_rows: int = 200_000) -> ImportReport:
    """Read and validate in one go; problems of both steps, sorted by line. Write nothing unless ``ok``
    (use :attr:`ImportReport.writable`)."""
    parsed = read_rows(filename, data, max_rows=max_rows)
    checked = validate(parsed.rows, kpis, today)
    problems = sorted(parsed.problems + checked.problems, key=lambda p: p.line)
    return ImportReport(checked.observations, problems,
                        row_count=len(parsed.rows), encoding=parsed.encoding, sheet=parsed.sheet)
