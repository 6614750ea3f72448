"""The file-import toolkit every importer shares (KPI observations, researcher profiles, the new apps' tables).

Pure Python, no Django. An importer reads the uploaded bytes with these pieces and reports what is wrong as
:class:`Problem` records; the Django layer turns the codes into translated messages and writes nothing
unless the whole file is clean.

* **Problems** — :class:`Problem` (a reason ``code`` and where: ``line`` (1-based, physical), ``column`` (the
  field or spreadsheet column), ``path`` (a JSON/XML path such as ``$[2].records[1].title``), and JSON-friendly
  ``detail``); :class:`ImportProblem`, the exception for a problem that stops reading the whole file.
* **Bytes** — :func:`decode_text`: UTF-8 with a BOM, UTF-8, then Shift_JIS as Excel writes it (cp932); binary
  data is refused. :func:`file_extension`, :func:`sniff_container` (a workbook renamed .csv).
* **CSV** — :func:`csv_rows`: the non-blank rows with the physical line each starts on (quoted cells may span
  lines), comma or tab separated, broken quoting reported as "csv_syntax".
* **Excel** — :func:`open_workbook`: an .xlsx checked before openpyxl sees it (not a zip, an old .xls, a zip
  bomb, a broken workbook all become "file_type" problems); :func:`cell_text`, :func:`is_percent_format`,
  :func:`row_is_blank`, :func:`serial_shift` (the 1904 date system), :func:`excel_serial_date`.
* **Text** — :func:`clean_text` (one line, spaces collapsed, NFC or NFKC), :func:`normalize_code` (NFKC, so
  that ２０２４ reads as 2024), :func:`header_key` (header names compared loosely).
* **Numbers** — :func:`parse_quantity` / :func:`parse_number` / :func:`cell_quantity`: 全角数字 (１２３), thousands
  separators (1,234 / １，２３４; groups of three only, so a European "12,5" is refused rather than read as 125),
  percentages (12.3% / １２．３％), minus signs -, −, －, ▲ and △ (▲/△ mean negative in Japanese accounting),
  accounting parentheses (123), spaces and 全角スペース around the number and its sign. A value of 12.3% is
  returned as ``Decimal("12.3")`` and flagged as a percentage. The placeholders of Japanese statistics tables
  (－, ***, 秘匿, …) are refused with a reason of their own.
* **Dates** — :func:`parse_date`: 2026-04-01, 2026/4/1, 2026.4.1, 20260401, 2026年4月1日, 令和8年4月1日 / R8.4.1
  (also 平成 / H and 昭和 / S, and 元年), months (2026-04, 2026/04, 2026年4月, 令和8年4月 → the first day of the
  month), fiscal years (2026年度, FY2026, 令和8年度 → **the last day of the fiscal year, March 31 of the
  following year**, because a yearly figure is the figure at 年度末), Excel date cells and Excel serial numbers.
  A date outside its era (令和元年4月, 平成32年) is refused. :func:`parse_year`: the year in a looser value.
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
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from kyoso.common.domain.fiscal import fiscal_year_bounds

# --------------------------------------------------------------------------- problems


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a file or a row: a reason ``code`` and where it is.

    ``line`` is 1-based and physical (a CSV row whose quoted cell spans lines starts on its first line);
    ``column`` names the field or column; ``path`` is a JSON or XML path for structured formats. ``detail``
    holds JSON-friendly parameters (strings, integers, lists) for the message.
    """

    code: str
    line: int | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    path: str = ""
    column: str = ""

    def as_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {"code": self.code, "line": self.line, "path": self.path, "detail": dict(self.detail)}
        if self.column:
            found["column"] = self.column
        return found


class ImportProblem(Exception):
    """A problem that stops reading the whole file (wrong type, undecodable, empty, ...)."""

    def __init__(self, code: str, detail: dict[str, Any] | None = None, line: int = 1):
        super().__init__(code)
        self.code = code
        self.detail = detail or {}
        self.line = line

    def as_problem(self) -> Problem:
        return Problem(self.code, self.line, self.detail)


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


# --------------------------------------------------------------------------- bytes

BOM = b"\xef\xbb\xbf"
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls (and password-protected workbooks)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
LINE_BREAK = re.compile(r"\r\n|\r|\n")


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 with a BOM ("utf-8-sig"), UTF-8, then Shift_JIS as Excel writes it ("cp932").

    Raises ImportProblem("encoding") when none decodes or the text holds control characters (binary data);
    ``detail`` names the likelier encoding (the one that got further) and ``line`` where decoding failed.
    """
    if data.startswith(BOM):
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
            line = len(LINE_BREAK.findall(text, 0, bad.start())) + 1
            raise ImportProblem("encoding", {"reason": "control_characters", "encoding": encoding}, line)
        return text, encoding
    assert furthest is not None
    line = data.count(b"\n", 0, furthest.start) + 1
    raise ImportProblem("encoding", {"reason": "undecodable", "tried": list(attempts), "likely": likely,
                                     "byte_offset": furthest.start}, line)


def file_extension(filename: str) -> str:
    """".csv" for "C:\\data\\KPI.CSV"; "" without one."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip().lower()
    return "." + name.rsplit(".", 1)[1] if "." in name else ""


def sniff_container(data: bytes) -> str | None:
    """"xlsx" for a zip (a workbook), "xls" for an OLE file (an old workbook), None for anything else."""
    if data.startswith(ZIP_MAGIC):
        return "xlsx"
    if data.startswith(OLE_MAGIC):
        return "xls"
    return None


# --------------------------------------------------------------------------- CSV


@dataclass(frozen=True, slots=True)
class CsvRow:
    line: int  # the physical line the row starts on
    cells: list[str]


def csv_delimiter(text: str) -> str:
    """A tab when the first non-empty line has tabs and no comma (a table pasted from Excel), else a comma."""
    first_line = next((ln for ln in LINE_BREAK.split(text) if ln.strip()), "")
    return "\t" if "," not in first_line and "\t" in first_line else ","


def csv_rows(text: str, problems: list[Problem], *, delimiter: str | None = None,
             strict: bool = True) -> Iterator[CsvRow]:
    """The non-blank rows of a CSV text, each with the physical line it starts on.

    ``delimiter`` defaults to :func:`csv_delimiter`. Broken quoting (e.g. a quote never closed) appends a
    "csv_syntax" problem (detail: message, last_line) on the line of the row it broke and ends the rows.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter or csv_delimiter(text), strict=strict)
    while True:
        line = reader.line_num + 1  # a row starts on the line after the last one read
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            problems.append(Problem("csv_syntax", line, {"message": str(exc)[:200], "last_line": reader.line_num}))
            return
        if any(cell.strip() for cell in cells):
            yield CsvRow(line, cells)


# --------------------------------------------------------------------------- Excel

#: Refuse workbooks whose parts unpack to more than this (zip bombs); 100,000 rows take about 10 MB.
MAX_XLSX_UNPACKED_BYTES = 256 * 1024 * 1024


@contextmanager
def open_workbook(data: bytes, *, data_only: bool = False, extension: str = ".xlsx",
                  max_unpacked: int = MAX_XLSX_UNPACKED_BYTES) -> Iterator[Any]:
    """An openpyxl workbook (read-only) for the bytes of an .xlsx file, closed on exit.

    Before openpyxl sees the bytes: an old .xls or an encrypted workbook ("xls_or_encrypted"), not a zip
    ("not_zip"), a damaged zip ("not_workbook") and a zip bomb ("too_large": more than ``max_unpacked``
    bytes unpacked, by default :data:`MAX_XLSX_UNPACKED_BYTES`) raise ImportProblem("file_type"); so does a
    zip openpyxl cannot open ("not_workbook") and an error while reading the sheets inside the ``with`` block
    ("corrupt"). openpyxl's warnings about styles and extensions it drops are silenced.
    """
    if data.startswith(OLE_MAGIC):
        raise ImportProblem("file_type", {"reason": "xls_or_encrypted", "extension": extension})
    if not data.startswith(ZIP_MAGIC) or not zipfile.is_zipfile(io.BytesIO(data)):
        raise ImportProblem("file_type", {"reason": "not_zip", "extension": extension})
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(item.file_size for item in archive.infolist())
    except Exception as exc:  # zipfile raises several types for damaged directories
        raise ImportProblem("file_type", {"reason": "not_workbook", "extension": extension}) from exc
    if unpacked > max_unpacked:  # a zip bomb, or a workbook far beyond any table we import
        raise ImportProblem("file_type", {"reason": "too_large", "extension": extension, "bytes": unpacked})
    from openpyxl import load_workbook

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
        except Exception as exc:  # a zip that is not a workbook, or a broken one: openpyxl raises many types
            raise ImportProblem("file_type", {"reason": "not_workbook", "extension": extension}) from exc
        try:
            yield workbook
        except ImportProblem:
            raise
        except Exception as exc:  # broken sheet XML part-way through
            raise ImportProblem("file_type", {"reason": "corrupt", "extension": extension}) from exc
        finally:
            workbook.close()


def serial_shift(workbook: Any) -> int:
    """Days to add to a serial number of this workbook to read it in the 1900 date system (1462 for 1904)."""
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    return 1462 if workbook.epoch == CALENDAR_MAC_1904 else 0


def cell_text(value: object) -> str:
    """A cell value as text: "" for None, 12 for 12.0, ISO dates, other values stripped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ", "minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def shown(value: object, limit: int = 100) -> str:
    """A cell value for a message: text, at most ``limit`` characters."""
    text = value if isinstance(value, str) else cell_text(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


_FORMAT_LITERALS = re.compile(r'"[^"]*"|\\.')


@lru_cache(maxsize=256)
def is_percent_format(number_format: str | None) -> bool:
    """True for Excel formats that multiply by 100 (0.0%), not for a quoted or escaped literal % ("%")."""
    if not number_format or "%" not in number_format:
        return False
    return "%" in _FORMAT_LITERALS.sub("", number_format)


def row_is_blank(row: Sequence[Any]) -> bool:
    """True when no cell of an openpyxl row holds anything but spaces."""
    for cell in row:
        value = cell.value
        if value is not None and (not isinstance(value, str) or value.strip()):
            return False
    return True


# --------------------------------------------------------------------------- text

_SPACES = re.compile(r"\s+")
_HEADER_JUNK = re.compile(r"[\s_\-・]+")


def clean_text(value: object, limit: int = 5000, form: str = "NFC") -> str:
    """A single-line string (spaces collapsed, Unicode ``form``); non-strings other than numbers become ""."""
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int | float):
        value = str(value)
    if not isinstance(value, str):
        return ""
    text = unicodedata.normalize(form, value).replace("\x00", "")  # type: ignore[arg-type]
    return _SPACES.sub(" ", text).strip()[:limit]


def normalize_code(value: object, limit: int = 200) -> str:
    """Identifiers, years and codes: NFKC, so that ２０２４ and ２２ read as 2024 and 22."""
    return clean_text(value, limit, "NFKC")


def header_key(text: str) -> str:
    """A header cell for comparison: NFKC, case-folded, without spaces, "_", "-" and "・" (KPI コード = kpi_code)."""
    return _HEADER_JUNK.sub("", unicodedata.normalize("NFKC", text).casefold())


# --------------------------------------------------------------------------- numbers

# Minus signs that NFKC leaves alone (NFKC already turns － U+FF0D and ﹣ U+FE63 into "-"); △ means ▲.
_SIGN_TABLE = str.maketrans({"\u2212": "-", "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-",
                             "\u25b3": "\u25b2"})
_SIMPLE_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_DIGITS = re.compile(r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)?(?:\.[0-9]+)?")
_LOOSE_DIGITS = re.compile(r"[0-9][0-9,]*(?:\.[0-9]+)?|\.[0-9]+")
_EXPONENT = re.compile(r"[0-9.,]*[0-9][eE][-+]?[0-9]+")
#: How Japanese statistics tables write "no figure"; refused with a reason of their own ("placeholder") so the
#: message can say "leave the row out" instead of "not a number".
PLACEHOLDERS = frozenset({"-", "ー", "―", "—", "…", "...", "*", "***", "x", "X", "n/a", "N/A", "NA", "#N/A",
                          "不明", "なし", "無", "該当なし", "未集計", "秘匿"})


def tidy_decimal(number: Decimal) -> Decimal:
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
        return tidy_decimal(number), False
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
    if s in PLACEHOLDERS:
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
        return tidy_decimal(number.scaleb(2)), True
    return number, percent


# --------------------------------------------------------------------------- dates

_EXCEL_1900 = dt.date(1899, 12, 30)  # serial 0 with Excel's 1900 leap-year bug accounted for above serial 60
_MAX_SERIAL = 2958465  # 9999-12-31

#: era → (first calendar year, first day, last day or None while current)
ERAS: dict[str, tuple[int, dt.date, dt.date | None]] = {
    "令和": (2019, dt.date(2019, 5, 1), None),
    "平成": (1989, dt.date(1989, 1, 8), dt.date(2019, 4, 30)),
    "昭和": (1926, dt.date(1926, 12, 25), dt.date(1989, 1, 7)),
}
_ERA_LETTERS = {"R": "令和", "H": "平成", "S": "昭和"}
_ERA = r"(令和|平成|昭和|R|H|S)(元|[0-9]{1,2})"

_TIME_SUFFIX = re.compile(r"(?:T|\s+)(?:[01]?[0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{1,6})?)?$")
_WEEKDAY_SUFFIX = re.compile(r"\([月火水木金土日](?:曜日?)?\)$")
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
    first_year, first_day, last_day = ERAS[_ERA_LETTERS.get(name, name)]
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


_YEAR = re.compile(r"(?<!\d)(19\d\d|20\d\d|2100)(?!\d)")


def parse_year(value: object) -> int | None:
    """The year in 2024, "2024", "2024/05/01", "2024-05" or "2024年度"; None when there is none."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 1900 <= value <= 2100 else None
    match = _YEAR.search(normalize_code(value))
    return int(match.group(1)) if match else None
