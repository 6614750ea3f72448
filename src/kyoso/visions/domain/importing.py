"""Importing KPI observations from CSV or Excel (.xlsx): strict, friendly, and free of Django.

The import is done in two steps, so that the caller can show a preview and write nothing when any row is bad:

1. :func:`read_rows` turns the uploaded bytes into :class:`RawRow` objects (one per non-empty data row, each
   with the *physical* line number it starts on) plus file-level and cell-level :class:`Problem` objects.
2. :func:`validate` checks the rows against the KPIs of the vision and turns them into
   :class:`CleanObservation` objects, reporting every bad row with a reason code.

:func:`import_file` does both and merges the problems. Every problem names a line (1-based; file-level problems
name line 1 or the line where the trouble starts) and a code from :data:`PROBLEM_CODES`; ``detail`` holds
JSON-friendly parameters (strings and integers) for the message the Django layer writes.

Numbers and dates are read the way Japanese offices write them (by the shared toolkit,
:mod:`kyoso.common.domain.fileimport`, which also decodes the bytes and opens workbooks):

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

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

from kyoso.common.domain import fileimport
from kyoso.common.domain.fileimport import (
    DateError,
    ImportProblem,
    NumberError,
    Problem,
    cell_quantity,
    cell_text,
    csv_rows,
    decode_text,
    excel_serial_date,
    file_extension,
    header_key,
    is_percent_format,
    open_workbook,
    parse_date,
    parse_number,
    parse_quantity,
    row_is_blank,
    serial_shift,
    shown,
    sniff_container,
)
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
    "date_out_of_range": "The date is before/after the KPI's period or in the future (detail: date, reason).",
    "duplicate": "The same KPI and date appear twice in the file (detail: first_line, kpi, date).",
}


# Problem, ImportProblem, NumberError and DateError come from the toolkit (re-exported here). A KPI import's
# problems always name a line.

__all__ = ["DateError", "ImportProblem", "NumberError", "Problem", "cell_quantity", "decode_csv_bytes",
           "excel_serial_date", "parse_date", "parse_number", "parse_quantity"]

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
_HEADER_INDEX: dict[str, str] = {header_key(alias): name for name, aliases in HEADER_ALIASES.items()
                                 for alias in aliases}


@dataclass(frozen=True, slots=True)
class _Header:
    positions: dict[str, int]  # field → column index
    columns: dict[str, str]
    ignored: list[str]
    problems: list[tuple[str, dict[str, Any]]]  # (code, detail) to report on the header line


@lru_cache(maxsize=256)
def _map_header(cells: tuple[str, ...]) -> _Header:
    positions: dict[str, int] = {}
    columns: dict[str, str] = {}
    ignored: list[str] = []
    problems: list[tuple[str, dict[str, Any]]] = []
    for index, cell in enumerate(cells):
        name = _HEADER_INDEX.get(header_key(cell))
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


#: The CSV decoder (UTF-8 with a BOM, UTF-8, cp932) under the name the importers and tests know.
decode_csv_bytes = decode_text


def read_rows(filename: str, data: bytes, max_rows: int = 200_000) -> ParsedFile:
    """Read the rows of a .csv or .xlsx file. Never raises for bad input: everything becomes a Problem.

    The first non-empty row is the header; fully empty rows are skipped. Rows with a problem found while
    reading (a formula, extra cells) are reported and left out of ``rows``. After ``max_rows`` data rows,
    reading stops with "too_many_rows" on the line of the first row too many.
    """
    result = ParsedFile(rows=[], problems=[])
    extension = file_extension(filename)
    try:
        if extension == ".csv":
            container = sniff_container(data)
            if container is not None:
                raise ImportProblem("file_type", {"reason": "spreadsheet_named_csv", "extension": extension,
                                                  "detected": container})
            _read_csv(data, max_rows, result)
        elif extension == ".xlsx":
            _read_xlsx(data, max_rows, result)
        else:
            raise ImportProblem("file_type", {"reason": "extension", "extension": extension})
    except ImportProblem as problem:
        result.problems.append(problem.as_problem())
    result.problems.sort(key=lambda p: p.line or 0)
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
            self.result.problems.append(Problem("too_many_rows", line, {"max_rows": self.max_rows}))
            return False
        return True

    def formula(self, line: int, column: str, text: object, reason: str = "formula") -> None:
        self.result.problems.append(Problem("formula", line, {"column": column, "value": shown(text),
                                                              "reason": reason}))


def _start_file(result: ParsedFile, header_cells: Sequence[str], line: int, max_rows: int) -> _RowSink | None:
    header = _map_header(tuple(header_cells))
    result.header_line = line
    result.columns = dict(header.columns)
    result.ignored_columns = list(header.ignored)
    for code, detail in header.problems:
        result.problems.append(Problem(code, line, dict(detail)))
    return None if header.problems else _RowSink(result, header, max_rows)


def _read_csv(data: bytes, max_rows: int, result: ParsedFile) -> None:
    text, encoding = decode_csv_bytes(data)
    result.encoding = encoding
    if not text.strip():
        raise ImportProblem("empty", {"reason": "no_content"})
    sink: _RowSink | None = None
    width = 0
    header_seen = False
    get = _csv_getter
    for row in csv_rows(text, result.problems):
        line, cells = row.line, row.cells
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
            result.problems.append(Problem("extra_cells", line, {"expected": width,
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
        result.problems.append(Problem("empty", (result.header_line or 1) + 1, {"reason": "no_data_rows"}))


def _csv_getter(cells: list[str], n: int, index: int | None) -> str:
    return cells[index] if index is not None and index < n else ""


def _trailing_empty(cells: list[str]) -> int:
    count = 0
    for cell in reversed(cells):
        if cell.strip():
            break
        count += 1
    return count


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


#: Refuse workbooks whose parts unpack to more than this (zip bombs); 100,000 rows take about 10 MB.
MAX_XLSX_UNPACKED_BYTES = fileimport.MAX_XLSX_UNPACKED_BYTES


def _read_xlsx(data: bytes, max_rows: int, result: ParsedFile) -> None:
    # An old .xls renamed, a password-protected workbook, a zip bomb or a broken file: a "file_type" problem.
    with open_workbook(data, max_unpacked=MAX_XLSX_UNPACKED_BYTES) as workbook:
        shift = serial_shift(workbook)
        pending, positions = _read_sheets(workbook, max_rows, result, shift)
    if pending:
        _resolve_formulas(data, result, pending, positions, shift)


# A formula cell waiting for the result Excel saved: (row, field, formula text)
_Pending = tuple[RawRow, str, str]


def _read_sheets(workbook: Any, max_rows: int, result: ParsedFile,
                 serial_shift: int) -> tuple[list[_Pending], dict[str, int]]:
    for sheet in workbook.worksheets:
        # Trust the cells, not the <dimension> tag: some tools claim A1:XFD1048576, and openpyxl would then pad
        # every row to 16,384 cells and add a million empty rows. Missing rows still come as () in place.
        sheet.reset_dimensions()
        rows: Iterator[Any] = iter(sheet.iter_rows())
        for line, row in enumerate(rows, 1):
            if row_is_blank(row):
                continue
            result.sheet = sheet.title
            sink = _start_file(result, [cell_text(cell.value) for cell in row], line, max_rows)
            if sink is None:
                return [], {}
            return _read_sheet_rows(enumerate(rows, line + 1), sink, result, serial_shift), sink.positions
    raise ImportProblem("empty", {"reason": "no_sheet_with_data"})


_XLSX_FIELDS = ("kpi", "date", "value", "unit", "note")


def _read_sheet_rows(rows: Iterable[tuple[int, Any]], sink: _RowSink, result: ParsedFile,
                     serial_shift: int) -> list[_Pending]:
    positions = [(name, sink.positions.get(name)) for name in _XLSX_FIELDS]
    pending: list[_Pending] = []
    bad_rows: set[int] = set()
    for line, row in rows:
        if row_is_blank(row):
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
                percent = is_percent_format(cell.number_format)
            values.append(value)
        kpi, day, value, unit, note = values
        raw = RawRow(line, cell_text(kpi), "" if day is None else day, "" if value is None else value,
                     cell_text(unit), cell_text(note), percent)
        pending.extend((raw, name, text) for name, text in waiting)
        result.rows.append(raw)
    if sink.count == 0:
        result.problems.append(Problem("empty", (result.header_line or 1) + 1, {"reason": "no_data_rows"}))
    if bad_rows:
        result.rows = [r for r in result.rows if r.line not in bad_rows]
    return pending


def _resolve_formulas(data: bytes, result: ParsedFile, pending: list[_Pending], positions: dict[str, int],
                      serial_shift: int) -> None:
    """Replace formula cells by the results Excel saved with the file; a formula without one is a problem."""
    first, last = min(p[0].line for p in pending), max(p[0].line for p in pending)
    try:
        with open_workbook(data, data_only=True, max_unpacked=MAX_XLSX_UNPACKED_BYTES) as workbook:
            sheet = workbook[result.sheet]
            sheet.reset_dimensions()
            cached = {line: tuple(row) for line, row in
                      enumerate(sheet.iter_rows(min_row=first, max_row=last, values_only=True), first)}
    except Exception:  # a second read of a file that read once: only a very broken file gets here
        cached = {}
    bad_rows: set[int] = set()
    for raw, name, formula in pending:
        row = cached.get(raw.line, ())
        index = positions[name]
        value = row[index] if index < len(row) else None
        if value is None:
            result.problems.append(Problem("formula", raw.line, {"column": name, "value": shown(formula),
                                                                 "reason": "no_cached_value"}))
            bad_rows.add(raw.line)
            continue
        if isinstance(value, str) and value.startswith("="):
            result.problems.append(Problem("formula", raw.line, {"column": name, "value": shown(value),
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
            setattr(raw, name, cell_text(value))
    if bad_rows:
        result.rows = [r for r in result.rows if r.line not in bad_rows]
    result.problems.sort(key=lambda p: p.line or 0)


# --------------------------------------------------------------------------- validation

_PERCENT_UNITS = frozenset({"%", "パーセント", "percent", "pct"})


_SPACES = re.compile(r"\s+")


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
            problems.append(Problem("missing_value", line, {"column": "kpi"}))
        else:
            if row.kpi not in lookup:
                lookup[row.kpi] = kpis.get(row.kpi) or by_key.get(_code_key(row.kpi))
            spec = lookup[row.kpi]
            if spec is None:
                problems.append(Problem("unknown_kpi", line, {"value": shown(row.kpi)}))
        day: dt.date | None = None
        if _blank(row.date):
            problems.append(Problem("missing_value", line, {"column": "date"}))
        else:
            try:
                day = parse_date(row.date)
            except DateError as exc:
                problems.append(Problem("bad_date", line, {"value": shown(row.date), "reason": exc.reason}))
        number: Decimal | None = None
        percent = False
        if _blank(row.value):
            problems.append(Problem("missing_value", line, {"column": "value"}))
        else:
            try:
                number, percent = cell_quantity(row.value, row.percent_format)
            except NumberError as exc:
                problems.append(Problem("bad_number", line, {"value": shown(row.value), "reason": exc.reason}))
            else:
                reason = _storage_problem(number)
                if reason:
                    problems.append(Problem("bad_number", line, {"value": shown(row.value), "reason": reason}))
                    number = None
        if spec is not None:
            unit_key = ""
            if row.unit:
                unit_key = row_unit_keys.get(row.unit) or row_unit_keys.setdefault(row.unit, _unit_key(row.unit))
            unit_given = bool(unit_key)
            unit_ok = unit_key == unit_keys[spec.code] or (spec.is_percent and unit_key in _PERCENT_UNITS)
            expected = {"unit": row.unit, "expected": spec.unit or "", "is_percent": spec.is_percent}
            if unit_given and not unit_ok:
                problems.append(Problem("unit_mismatch", line, {**expected, "reason": "unit"}))
            elif number is not None and percent and not spec.is_percent:
                problems.append(Problem("unit_mismatch", line, {**expected, "reason": "percent_not_expected"}))
            if number is not None:
                for reason in value_problems(number, spec.unit or ""):
                    code = "not_integer" if reason == "not_integer" else "negative_value"
                    problems.append(Problem(code, line, {"value": shown(row.value), "unit": spec.unit or ""}))
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
                    problems.append(Problem("date_out_of_range", line, {
                        "date": day.isoformat(), "reason": reason, "today": today.isoformat(),
                        "min": spec.min_date.isoformat() if spec.min_date else None,
                        "max": spec.max_date.isoformat() if spec.max_date else None}))
                key = (spec.code, day)
                first = seen.get(key)
                if first is None:
                    seen[key] = line
                else:
                    problems.append(Problem("duplicate", line, {"first_line": first, "kpi": spec.code,
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
    problems = sorted(parsed.problems + checked.problems, key=lambda p: p.line or 0)
    return ImportReport(checked.observations, problems,
                        row_count=len(parsed.rows), encoding=parsed.encoding, sheet=parsed.sheet)
