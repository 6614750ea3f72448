"""KPI import (visions/domain/importing): numbers, dates, CSV and Excel reading, validation. No database.

The small files in ``import_corpus/`` are stored byte for byte as Excel and people write them (UTF-8 with BOM,
Shift_JIS, quoted newlines, formulas, ...); workbooks are built here with openpyxl.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import re
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from kyoso.visions.domain.importing import (
    HEADER_ALIASES,
    PROBLEM_CODES,
    CleanObservation,
    DateError,
    ImportProblem,
    KpiSpec,
    NumberError,
    ParsedFile,
    Problem,
    RawRow,
    cell_quantity,
    decode_csv_bytes,
    import_file,
    parse_date,
    parse_number,
    parse_quantity,
    read_rows,
    validate,
)

CORPUS = Path(__file__).parent / "import_corpus"
TODAY = dt.date(2026, 11, 30)
KPIS = {
    "K-001": KpiSpec("K-001", unit="件"),
    "K-002": KpiSpec("K-002", unit="%", is_percent=True),
    "K-003": KpiSpec("K-003", unit="人", min_date=dt.date(2020, 4, 1), max_date=dt.date(2030, 3, 31)),
    "101": KpiSpec("101", unit=""),
}


def excel_datetime(*parts: int) -> dt.datetime:
    """A naive datetime, as openpyxl reads and writes Excel date cells (Excel knows no time zones)."""
    return dt.datetime(*parts)  # noqa: DTZ001


def corpus(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


def codes(problems: list[Problem]) -> list[tuple[int, str]]:
    return [(p.line, p.code) for p in problems]


def assert_well_formed(parsed: ParsedFile) -> None:
    """Every problem names a line and a known code; rows have lines too."""
    for problem in parsed.problems:
        assert isinstance(problem.line, int) and problem.line >= 1, problem
        assert problem.code in PROBLEM_CODES, problem
        assert isinstance(problem.detail, dict)
    assert all(isinstance(row.line, int) and row.line >= 1 for row in parsed.rows)


def csv_bytes(*lines: str, encoding: str = "utf-8") -> bytes:
    return ("\n".join(lines) + "\n").encode(encoding)


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(("text", "number", "percent"), [
    ("123", "123", False),
    ("-5", "-5", False),
    ("3.14", "3.14", False),
    ("0.50", "0.50", False),
    ("１２３", "123", False),
    ("1,234", "1234", False),
    ("1,234,567.89", "1234567.89", False),
    ("１，２３４", "1234", False),
    ("１，２３４．５", "1234.5", False),
    ("12.3%", "12.3", True),
    ("１２．３％", "12.3", True),
    ("12 %", "12", True),
    ("-0.5%", "-0.5", True),
    ("−5", "-5", False),  # U+2212 MINUS SIGN
    ("－5", "-5", False),  # U+FF0D FULLWIDTH HYPHEN-MINUS
    ("‐5", "-5", False),  # U+2010 HYPHEN
    ("▲1,234", "-1234", False),
    ("▲ １２", "-12", False),
    ("△5", "-5", False),
    ("▲12.3%", "-12.3", True),
    ("(123)", "-123", False),
    ("（１２３）", "-123", False),
    ("(12.3%)", "-12.3", True),
    ("(12.3)%", "-12.3", True),
    ("+3", "3", False),
    ("＋３", "3", False),
    (" 42 ", "42", False),
    ("\u3000４２\u3000", "42", False),
    ("- 5", "-5", False),
    (".5", "0.5", False),
    ("0", "0", False),
    ("-0", "0", False),
    ("▲0", "0", False),
    ("'-12", "-12", False),  # the text prefix our own exports (and Excel) use
    ("00123", "123", False),
    ("12345678901234567890.123456789", "12345678901234567890.123456789", False),
])
def test_parse_quantity_accepts_japanese_formats(text, number, percent):
    assert parse_quantity(text) == (Decimal(number), percent)
    assert parse_number(text) == Decimal(number)


@pytest.mark.parametrize(("text", "reason"), [
    ("abc", "format"),
    ("1.2.3", "format"),
    ("", "empty"),
    ("   ", "empty"),
    ("\u3000", "empty"),
    ("=SUM(A1)", "formula"),
    ("＝SUM(A1)", "formula"),
    ("12,5", "thousands"),  # a European decimal comma must not become 125
    ("1,23,456", "thousands"),
    ("1,2345", "thousands"),
    (",123", "format"),
    ("1E+3", "exponent"),  # Excel shows big numbers rounded like this: refuse rather than lose digits
    ("1.23457e11", "exponent"),
    ("-", "placeholder"),
    ("－", "placeholder"),
    ("ー", "placeholder"),
    ("…", "placeholder"),
    ("#N/A", "placeholder"),
    ("不明", "placeholder"),
    ("%", "format"),
    ("+", "format"),
    ("(-5)", "format"),
    ("(▲5)", "format"),
    ("--5", "format"),
    ("5.", "format"),
    ("1 234", "format"),
    ("12円", "format"),
    ("¥100", "format"),
    ("12万", "format"),
    ("0x1F", "format"),
    ("NaN", "format"),
    ("Infinity", "format"),
    ("١٢٣", "format"),  # Arabic-Indic digits: not something a Japanese office writes
    ("5-", "format"),
    ("12%%", "format"),
])
def test_parse_quantity_refuses_everything_else(text, reason):
    with pytest.raises(ValueError) as info:
        parse_quantity(text)
    assert isinstance(info.value, NumberError)
    assert info.value.reason == reason
    with pytest.raises(ValueError):
        parse_number(text)


@pytest.mark.parametrize(("value", "expected"), [
    (5, (Decimal(5), False)),
    (0.1, (Decimal("0.1"), False)),
    (1234.5, (Decimal("1234.5"), False)),
    (Decimal("7.25"), (Decimal("7.25"), False)),
    (1e20, (Decimal("100000000000000000000"), False)),
])
def test_parse_quantity_passes_numbers_through(value, expected):
    assert parse_quantity(value) == expected


@pytest.mark.parametrize(("value", "reason"), [
    (True, "type"), (False, "type"), (None, "type"), (object(), "type"), (float("nan"), "not_finite"),
    (float("inf"), "not_finite"), (Decimal("NaN"), "not_finite"), (dt.date(2026, 4, 1), "date_cell"),
    (excel_datetime(2026, 1, 2), "date_cell"), (dt.time(1, 2), "date_cell"),
])
def test_parse_quantity_refuses_other_types(value, reason):
    with pytest.raises(NumberError) as info:
        parse_quantity(value)
    assert info.value.reason == reason


@pytest.mark.parametrize(("value", "percent_format", "expected"), [
    (0.123, True, (Decimal("12.3"), True)),
    (0.5, True, (Decimal("50"), True)),
    (1, True, (Decimal("100"), True)),
    (0.123, False, (Decimal("0.123"), False)),
    ("12.3%", True, (Decimal("12.3"), True)),  # text in a percent cell is read as written
    ("12.3", True, (Decimal("12.3"), False)),
])
def test_cell_quantity_scales_percent_formatted_cells(value, percent_format, expected):
    number, percent = cell_quantity(value, percent_format)
    assert (number, percent) == expected
    assert "E" not in str(number)


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(("value", "expected"), [
    ("2026-04-01", "2026-04-01"),
    ("2026/4/1", "2026-04-01"),
    ("2026/04/01", "2026-04-01"),
    ("2026.4.1", "2026-04-01"),
    ("20260401", "2026-04-01"),
    ("2026年4月1日", "2026-04-01"),
    ("2026 年 4 月 1 日", "2026-04-01"),
    ("２０２６年４月１日", "2026-04-01"),
    ("２０２６／０４／０１", "2026-04-01"),
    ("2026年4月1日(水)", "2026-04-01"),
    ("2026年4月1日（水曜日）", "2026-04-01"),
    ("2026-04-01 00:00:00", "2026-04-01"),
    ("2026/4/1 9:30", "2026-04-01"),
    ("2026-04-01T00:00:00", "2026-04-01"),
    ("'2026-04-01", "2026-04-01"),
    ("令和8年4月1日", "2026-04-01"),
    ("令和８年４月１日", "2026-04-01"),
    ("R8.4.1", "2026-04-01"),
    ("R08.04.01", "2026-04-01"),
    ("r8/4/1", "2026-04-01"),
    ("Ｒ８．４．１", "2026-04-01"),
    ("㋿8年4月1日", "2026-04-01"),
    ("令和元年5月1日", "2019-05-01"),
    ("令和1年5月1日", "2019-05-01"),
    ("平成31年4月30日", "2019-04-30"),
    ("H31.4.1", "2019-04-01"),
    ("平成元年1月8日", "1989-01-08"),
    ("昭和64年1月7日", "1989-01-07"),
    ("S63.12.31", "1988-12-31"),
    ("2026-04", "2026-04-01"),
    ("2026/04", "2026-04-01"),
    ("2026/4", "2026-04-01"),
    ("2026年4月", "2026-04-01"),
    ("令和8年4月", "2026-04-01"),
    ("平成31年4月", "2019-04-01"),
    ("令和元年5月", "2019-05-01"),
    # fiscal years are recorded on their last day (年度末): FY2026 = 2026-04-01 .. 2027-03-31
    ("2026年度", "2027-03-31"),
    ("２０２６年度", "2027-03-31"),
    ("FY2026", "2027-03-31"),
    ("fy 2026", "2027-03-31"),
    ("令和8年度", "2027-03-31"),
    ("R8年度", "2027-03-31"),
    ("令和元年度", "2020-03-31"),
    ("平成31年度", "2020-03-31"),
    ("2024-02-29", "2024-02-29"),
])
def test_parse_date_text(value, expected):
    assert parse_date(value) == dt.date.fromisoformat(expected)


@pytest.mark.parametrize(("value", "expected"), [
    (excel_datetime(2026, 4, 1, 13, 45), "2026-04-01"),  # openpyxl gives datetimes for date cells
    (dt.date(2026, 4, 1), "2026-04-01"),
    (46113, "2026-04-01"),  # Excel serial number in a numeric cell
    (46113.75, "2026-04-01"),  # with a time of day
    (Decimal(46113), "2026-04-01"),
    (1, "1900-01-01"),
    (59, "1900-02-28"),
    (61, "1900-03-01"),  # Excel believes in 1900-02-29 (serial 60)
    (45658, "2025-01-01"),
])
def test_parse_date_values(value, expected):
    assert parse_date(value) == dt.date.fromisoformat(expected)


@pytest.mark.parametrize(("value", "reason"), [
    ("", "empty"),
    ("  ", "empty"),
    ("abc", "format"),
    ("2026-02-30", "calendar"),
    ("2026-13-01", "calendar"),
    ("2026-00", "calendar"),
    ("2025-02-29", "calendar"),
    ("0000-01-01", "calendar"),
    ("2026-4/1", "format"),  # mixed separators
    ("26/4/1", "format"),  # two-digit years are ambiguous
    ("4/1/2026", "format"),  # month-first (US) is ambiguous with day-first
    ("01.04.2026", "format"),
    ("46113", "format"),  # a serial number only counts in a numeric cell
    ("2026", "format"),
    ("FY26", "format"),
    ("令和元年4月30日", "era"),  # Reiwa began on 2019-05-01
    ("令和元年4月", "era"),
    ("平成31年5月1日", "era"),
    ("平成32年度", "era"),
    ("平成32年1月1日", "era"),
    ("昭和64年1月8日", "era"),
    ("大正15年1月1日", "format"),
    ("令和8年4月31日", "calendar"),
    ("=TODAY()", "format"),
    ("2026-04-01 25:99", "format"),
])
def test_parse_date_refuses(value, reason):
    with pytest.raises(ValueError) as info:
        parse_date(value)
    assert isinstance(info.value, DateError)
    assert info.value.reason == reason


@pytest.mark.parametrize("value", [0, -1, 60, 2958466, float("nan"), float("inf"), 1e300, True, None,
                                   dt.time(12, 0), dt.timedelta(days=1), object()])
def test_parse_date_refuses_odd_values(value):
    with pytest.raises(DateError):
        parse_date(value)


# --------------------------------------------------------------------------- encodings


def test_decode_utf8_with_and_without_bom_and_cp932():
    assert decode_csv_bytes("\ufeffkpi,値\n".encode()) == ("kpi,値\n", "utf-8-sig")
    assert decode_csv_bytes("kpi,値\n".encode()) == ("kpi,値\n", "utf-8")
    assert decode_csv_bytes("kpi,値,１２３,▲\n".encode("cp932")) == ("kpi,値,１２３,▲\n", "cp932")
    assert decode_csv_bytes(b"kpi,value\n") == ("kpi,value\n", "utf-8")


def test_decode_refuses_garbage_and_names_the_line():
    with pytest.raises(ImportProblem) as info:
        decode_csv_bytes(bytes(range(256)) * 10)
    assert info.value.code == "encoding"
    # a cp932 file with one broken byte on its third line
    data = "kpi,date,value\nK-001,2026-04-01,１\n".encode("cp932") + b"K-001,\x81\xff,1\n"
    with pytest.raises(ImportProblem) as info:
        decode_csv_bytes(data)
    assert (info.value.code, info.value.line, info.value.detail["likely"]) == ("encoding", 3, "cp932")
    with pytest.raises(ImportProblem) as info:
        decode_csv_bytes(b"kpi,date,value\n\x00\x01\x02\n")
    assert (info.value.code, info.value.line, info.value.detail["reason"]) == ("encoding", 2, "control_characters")
    with pytest.raises(ImportProblem):  # a BOM promises UTF-8
        decode_csv_bytes(b"\xef\xbb\xbfkpi," + "値".encode("cp932"))


# --------------------------------------------------------------------------- CSV files


def test_utf8_bom_csv():
    parsed = read_rows("実績.csv", corpus("utf8_bom.csv"))
    assert_well_formed(parsed)
    assert parsed.problems == []
    assert parsed.encoding == "utf-8-sig"
    assert parsed.columns == {"kpi": "kpi", "date": "date", "value": "value", "unit": "unit", "note": "note"}
    assert [(r.line, r.kpi, r.date, r.value, r.unit) for r in parsed.rows] == [
        (2, "K-001", "2026-04-01", "1,234", "件"),
        (3, "K-002", "2026-04-01", "12.3%", "%"),
        (4, "K-001", "2026/5/1", "−5", "件"),
    ]
    result = validate(parsed.rows, KPIS, TODAY)
    assert codes(result.problems) == [(4, "negative_value")]  # K-001 counts 件: never below zero
    assert [(o.line, o.kpi_code, o.date, o.value) for o in result.observations] == [
        (2, "K-001", dt.date(2026, 4, 1), Decimal(1234)),
        (3, "K-002", dt.date(2026, 4, 1), Decimal("12.3")),
    ]


def test_cp932_csv_with_japanese_headers_and_fullwidth_numbers():
    parsed = read_rows("実績.CSV", corpus("cp932_japanese.csv"))
    assert_well_formed(parsed)
    assert parsed.encoding == "cp932"
    assert parsed.problems == []
    assert parsed.columns == {"kpi": "KPIコード", "date": "年月日", "value": "実績", "unit": "単位", "note": "備考"}
    result = validate(parsed.rows, KPIS, TODAY)
    assert [(o.line, o.date, o.value) for o in result.observations] == [
        (2, dt.date(2026, 4, 1), Decimal(1234)),
        (4, dt.date(2026, 4, 1), Decimal("12.3")),
        (5, dt.date(2026, 5, 1), Decimal("-5.5")),
    ]
    assert result.observations[0].note == "全角数字と桁区切り"
    assert codes(result.problems) == [(3, "negative_value"), (6, "unit_mismatch"), (7, "bad_number")]
    assert result.problems[0].detail == {"value": "▲１２", "unit": "件"}  # ▲ is read as minus: no negative 件
    assert result.problems[1].detail["unit"] == "人" and result.problems[1].detail["expected"] == "件"
    assert result.problems[2].detail == {"value": "abc", "reason": "format"}


def test_quoted_newlines_keep_physical_line_numbers():
    parsed = read_rows("notes.csv", corpus("quoted_newlines.csv"))
    assert_well_formed(parsed)
    assert parsed.problems == []
    assert [r.line for r in parsed.rows] == [2, 4, 5, 9, 10, 12]
    assert parsed.rows[0].note == "first\nsecond"
    assert parsed.rows[2].note == "a\nb\nc"
    result = validate(parsed.rows, KPIS, TODAY)
    assert codes(result.problems) == [(4, "bad_number"), (9, "bad_date"), (10, "duplicate"), (12, "unknown_kpi")]
    duplicate = result.problems[2]
    assert duplicate.detail == {"first_line": 2, "kpi": "K-001", "date": "2026-04-01"}
    assert [o.line for o in result.observations] == [2, 5]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_line_numbers_for_every_line_ending(newline):
    text = newline.join(["kpi,date,value,note", "K-001,2026-04-01,1,\"a\nb\"", "", "K-001,2026-04-02,x,",
                         "K-001,2026-04-03,3,"]) + newline
    parsed = read_rows("x.csv", text.encode())
    result = validate(parsed.rows, KPIS, TODAY)
    assert [r.line for r in parsed.rows] == [2, 5, 6]
    assert codes(result.problems) == [(5, "bad_number")]


def test_formula_looking_text_in_csv():
    parsed = read_rows("f.csv", corpus("formula_text.csv"))
    assert_well_formed(parsed)
    assert codes(parsed.problems) == [(2, "formula"), (3, "formula")]
    assert parsed.problems[0].detail["column"] == "value"
    assert parsed.problems[1].detail["column"] == "note"
    assert [r.line for r in parsed.rows] == [4]


def test_empty_and_header_only_files():
    for data in (corpus("empty.csv"), b"\xef\xbb\xbf", b"\n\n  \r\n", b",,,\n,,\n"):
        parsed = read_rows("empty.csv", data)
        assert codes(parsed.problems) == [(1, "empty")], data
    parsed = read_rows("h.csv", corpus("header_only.csv"))
    assert codes(parsed.problems) == [(2, "empty")]
    assert parsed.problems[0].detail == {"reason": "no_data_rows"}


def test_missing_and_duplicate_columns_are_reported_on_the_header_line():
    parsed = read_rows("x.csv", csv_bytes("名前,日付,備考", "K-001,2026-04-01,1"))
    assert codes(parsed.problems) == [(1, "missing_column"), (1, "missing_column")]
    assert [p.detail["column"] for p in parsed.problems] == ["kpi", "value"]
    assert parsed.problems[0].detail["found"] == ["名前", "日付", "備考"]
    assert parsed.rows == []
    # no header at all: the first row is data
    parsed = read_rows("x.csv", csv_bytes("K-001,2026-04-01,1"))
    assert {p.detail["column"] for p in parsed.problems} == {"kpi", "date", "value"}
    parsed = read_rows("x.csv", csv_bytes("kpi,date,値,value", "K-001,2026-04-01,1,2"))
    assert codes(parsed.problems) == [(1, "duplicate_column")]
    assert parsed.problems[0].detail == {"column": "value", "headers": ["値", "value"]}
    # a header after blank lines is found where it is
    parsed = read_rows("x.csv", csv_bytes("", ",,", "名前,日付"))
    assert {p.line for p in parsed.problems} == {3}


@pytest.mark.parametrize("header", [
    "kpi,date,value", "KPI,DATE,VALUE", "ＫＰＩ,Ｄａｔｅ,Ｖａｌｕｅ", "KPIコード,日付,値", "ＫＰＩコード,年月日,数値",
    "指標コード,時点,実績", "code,年度,value", "KPI Code,Date,Value", "kpi_code, date ,value", " ｋｐｉ ,日付,実績値",
])
def test_header_names_are_case_and_width_insensitive(header):
    parsed = read_rows("x.csv", csv_bytes(header, "K-001,2026-04-01,1"))
    assert parsed.problems == []
    assert len(parsed.rows) == 1


def test_every_alias_is_understood():
    for name, aliases in HEADER_ALIASES.items():
        for alias in aliases:
            others = [a for a in ("kpi", "date", "value") if a != name]
            parsed = read_rows("x.csv", csv_bytes(",".join([alias, *others]), "K-001,2026-04-01,1"))
            assert name in parsed.columns, alias


def test_unknown_columns_are_ignored_but_listed():
    parsed = read_rows("x.csv", csv_bytes("kpi,KPI名,date,value,担当課", "K-001,件数,2026-04-01,1,企画課"))
    assert parsed.problems == []
    assert parsed.ignored_columns == ["KPI名", "担当課"]
    assert parsed.rows[0].value == "1"


def test_unquoted_thousands_separator_makes_extra_cells():
    parsed = read_rows("x.csv", corpus("unquoted_thousands.csv"))
    assert codes(parsed.problems) == [(2, "extra_cells")]
    assert parsed.problems[0].detail == {"expected": 3, "found": 4}
    assert [r.line for r in parsed.rows] == [3]
    # empty trailing cells (as Excel writes after a deleted column) are fine
    parsed = read_rows("x.csv", csv_bytes("kpi,date,value", "K-001,2026-04-01,1,,"))
    assert parsed.problems == []


def test_unclosed_quote_is_a_syntax_error_on_the_row_where_it_starts():
    parsed = read_rows("x.csv", corpus("unclosed_quote.csv"))
    assert codes(parsed.problems) == [(3, "csv_syntax")]
    assert [r.line for r in parsed.rows] == [2]


def test_tab_separated_text_saved_as_csv():
    parsed = read_rows("x.csv", csv_bytes("kpi\tdate\tvalue", "K-001\t2026-04-01\t1,234"))
    assert parsed.problems == []
    assert parsed.rows[0].value == "1,234"


def test_too_many_rows_stops_reading():
    lines = ["kpi,date,value"] + [f"K-001,2026-04-01,{i}" for i in range(60)]
    parsed = read_rows("big.csv", csv_bytes(*lines), max_rows=50)
    assert codes(parsed.problems) == [(52, "too_many_rows")]
    assert parsed.problems[0].detail == {"max_rows": 50}
    assert len(parsed.rows) == 50
    assert read_rows("ok.csv", csv_bytes(*lines[:51]), max_rows=50).problems == []


@pytest.mark.parametrize(("filename", "data", "reason"), [
    ("data.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "extension"),
    ("data.txt", b"kpi,date,value\n", "extension"),
    ("data", b"kpi,date,value\n", "extension"),
    ("data.csv.exe", b"MZ", "extension"),
    ("data.csv", b"PK\x03\x04" + b"\0" * 100, "spreadsheet_named_csv"),
    ("data.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "spreadsheet_named_csv"),
    ("not_a_zip.xlsx", None, "not_zip"),
    ("old.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "xls_or_encrypted"),
    ("zip.xlsx", None, "not_workbook"),
])
def test_wrong_file_types(filename, data, reason):
    if data is None and filename == "not_a_zip.xlsx":
        data = corpus("not_a_zip.xlsx")
    elif data is None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("hello.txt", "not a workbook")
        data = buffer.getvalue()
    parsed = read_rows(filename, data)
    assert codes(parsed.problems) == [(1, "file_type")]
    assert parsed.problems[0].detail["reason"] == reason


def test_paths_and_upper_case_extensions():
    assert read_rows("C:\\Users\\tanaka\\実績.CSV", csv_bytes("kpi,date,value", "K-001,2026-04-01,1")).rows
    assert read_rows("/tmp/dir.xlsx/実績.csv", csv_bytes("kpi,date,value", "K-001,2026-04-01,1")).rows


def test_binary_garbage_csv_is_a_problem_not_an_exception():
    parsed = read_rows("garbage.csv", bytes(range(256)) * 10)
    assert [p.code for p in parsed.problems] == ["encoding"]
    assert parsed.problems[0].line == 2  # the first control character after the b"\n" at offset 10
    parsed = read_rows("garbage.xlsx", bytes(range(256)) * 10)
    assert codes(parsed.problems) == [(1, "file_type")]


# --------------------------------------------------------------------------- Excel files


def xlsx_bytes(workbook: Workbook, cached: dict[str, str] | None = None) -> bytes:
    """Save a workbook; ``cached`` gives formula cells (by coordinate) the result Excel would have saved."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = buffer.getvalue()
    if not cached:
        return data
    source = zipfile.ZipFile(io.BytesIO(data))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                text = content.decode()
                for coordinate, value in cached.items():
                    kind = "" if re.fullmatch(r"-?[0-9.]+", value) else ' t="str"'  # as Excel marks text results
                    text, count = re.subn(rf'<c r="{coordinate}"([^>]*)><f>(.*?)</f><v\s*/>',
                                          rf'<c r="{coordinate}"\1{kind}><f>\2</f><v>{value}</v>', text)
                    assert count <= 1
                content = text.encode()
            target.writestr(item, content)
    return output.getvalue()


def sample_workbook() -> bytes:
    workbook = Workbook()
    cover = workbook.active
    cover.title = "表紙"  # an empty first sheet
    sheet = workbook.create_sheet("実績")
    sheet.append([])  # row 1 empty: the header is on row 2
    sheet.append(["KPIコード", "日付", "値", "単位", "備考"])
    sheet.append(["K-001", excel_datetime(2026, 4, 1), 1234, "件", "datetime cell"])  # 3
    sheet.append(["K-002", dt.date(2026, 4, 1), 0.123, "%", "percent cell"])  # 4
    sheet["C4"].number_format = "0.0%"
    sheet.append(["K-001", 46143, "=SUM(1,2)", "件", "formula without a saved result"])  # 5
    sheet.append([])  # 6
    sheet.append(["K-001", "2026年6月1日", "=B3", "件", "text that looks like a formula"])  # 7
    sheet["C7"].data_type = "s"
    sheet.append(["K-001", "令和8年7月1日", "=1+2", "件", "formula with a saved result"])  # 8
    sheet.append([101, "2026/8/1", 5.0, None, None])  # 9: numeric KPI code
    sheet.append(["K-002", "2026/8/1", 0.5, None, "percent cell, no unit"])  # 10
    sheet["C10"].number_format = '0"%"'  # a literal %, not a percentage: value 0.5 as written
    sheet.append(["K-001", "2026/9/1", "１，０００", "件", "text number"])  # 11
    # 12: Excel turned the value into a date
    sheet.append(["K-001", excel_datetime(2026, 10, 1), excel_datetime(2026, 1, 2), "件", "date in the value cell"])
    return xlsx_bytes(workbook, cached={"C8": "3"})


def test_xlsx_reads_the_first_non_empty_sheet_with_formulas_dates_and_percentages():
    parsed = read_rows("実績.xlsx", sample_workbook())
    assert_well_formed(parsed)
    assert parsed.sheet == "実績"
    assert parsed.header_line == 2
    assert parsed.encoding is None
    assert codes(parsed.problems) == [(5, "formula"), (7, "formula")]
    assert parsed.problems[0].detail["reason"] == "no_cached_value"
    assert parsed.problems[0].detail["value"] == "=SUM(1,2)"
    assert parsed.problems[1].detail["reason"] == "formula"
    assert [r.line for r in parsed.rows] == [3, 4, 8, 9, 10, 11, 12]
    rows = {r.line: r for r in parsed.rows}
    assert rows[3].date == excel_datetime(2026, 4, 1)
    assert rows[4].percent_format is True
    assert rows[8].value == 3
    assert rows[9].kpi == "101"
    assert rows[10].percent_format is False
    result = validate(parsed.rows, KPIS, TODAY)
    assert [(o.line, o.kpi_code, o.date, o.value) for o in result.observations] == [
        (3, "K-001", dt.date(2026, 4, 1), Decimal(1234)),
        (4, "K-002", dt.date(2026, 4, 1), Decimal("12.3")),
        (8, "K-001", dt.date(2026, 7, 1), Decimal(3)),
        (9, "101", dt.date(2026, 8, 1), Decimal(5)),
        (10, "K-002", dt.date(2026, 8, 1), Decimal("0.5")),  # a plain number for a % KPI: percentage points
        (11, "K-001", dt.date(2026, 9, 1), Decimal(1000)),
    ]
    assert codes(result.problems) == [(12, "bad_number")]
    assert result.problems[0].detail == {"value": "2026-01-02", "reason": "date_cell"}


def test_xlsx_with_an_exaggerated_dimension_tag_reads_quickly():
    """Some tools write <dimension ref="A1:XFD1048576"/>; rows must not be padded to that size."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["kpi", "date", "value"])
    sheet.append(["K-001", "2026-04-01", 1])
    sheet["A5"] = "K-001"
    sheet["B5"] = "2026-04-02"
    sheet["C5"] = 2
    data = xlsx_bytes(workbook)
    source = zipfile.ZipFile(io.BytesIO(data))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                content, count = re.subn(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:XFD1048576"/>', content)
                assert count == 1
            target.writestr(item, content)
    parsed = read_rows("x.xlsx", output.getvalue())
    assert parsed.problems == []
    assert [r.line for r in parsed.rows] == [2, 5]


def test_xlsx_that_unpacks_too_large_is_refused(monkeypatch):
    from kyoso.visions.domain import importing

    monkeypatch.setattr(importing, "MAX_XLSX_UNPACKED_BYTES", 1000)
    parsed = read_rows("x.xlsx", sample_workbook())
    assert codes(parsed.problems) == [(1, "file_type")]
    assert parsed.problems[0].detail["reason"] == "too_large"


def test_xlsx_serial_number_dates_and_1904_workbooks():
    for epoch, serial in ((None, 46113), (CALENDAR_MAC_1904, 46113 - 1462)):
        workbook = Workbook()
        if epoch is not None:
            workbook.epoch = epoch
        sheet = workbook.active
        sheet.append(["kpi", "date", "value"])
        sheet.append(["K-001", serial, 1])
        sheet.append(["K-001", dt.date(2026, 4, 2), 2])
        parsed = read_rows("x.xlsx", xlsx_bytes(workbook))
        result = validate(parsed.rows, KPIS, TODAY)
        assert [o.date for o in result.observations] == [dt.date(2026, 4, 1), dt.date(2026, 4, 2)], epoch


def test_xlsx_with_only_empty_sheets_and_header_only():
    workbook = Workbook()
    workbook.create_sheet("空")
    workbook["空"]["C3"] = "   "  # white space only still counts as empty
    parsed = read_rows("x.xlsx", xlsx_bytes(workbook))
    assert codes(parsed.problems) == [(1, "empty")]
    assert parsed.problems[0].detail == {"reason": "no_sheet_with_data"}
    workbook = Workbook()
    workbook.active.append(["kpi", "date", "value"])
    parsed = read_rows("x.xlsx", xlsx_bytes(workbook))
    assert codes(parsed.problems) == [(2, "empty")]


def test_xlsx_missing_column_and_too_many_rows():
    workbook = Workbook()
    workbook.active.append(["kpi", "value"])
    parsed = read_rows("x.xlsx", xlsx_bytes(workbook))
    assert codes(parsed.problems) == [(1, "missing_column")]
    assert parsed.problems[0].detail["column"] == "date"
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["kpi", "date", "value"])
    for i in range(60):
        sheet.append(["K-001", dt.date(2026, 1, 1) + dt.timedelta(days=i), i])
    parsed = read_rows("x.xlsx", xlsx_bytes(workbook), max_rows=50)
    assert codes(parsed.problems) == [(52, "too_many_rows")]
    assert len(parsed.rows) == 50


def test_xlsx_formula_in_the_date_and_kpi_columns():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["kpi", "date", "value"])
    sheet.append(['="K-"&"001"', "=DATE(2026,4,1)", 1])
    sheet.append(["K-001", "=DATE(2026,4,2)", 2])
    parsed = read_rows("x.xlsx", xlsx_bytes(workbook, cached={"A2": "K-001", "B2": "46113"}))
    assert codes(parsed.problems) == [(3, "formula")]
    assert parsed.problems[0].detail["column"] == "date"
    result = validate(parsed.rows, KPIS, TODAY)
    assert [(o.line, o.kpi_code, o.date) for o in result.observations] == [(2, "K-001", dt.date(2026, 4, 1))]


# --------------------------------------------------------------------------- validation


def row(line, kpi="K-001", date="2026-04-01", value="1", unit="", note="", percent_format=False):
    return RawRow(line, kpi, date, value, unit, note, percent_format)


@pytest.mark.parametrize(("raw", "code", "detail"), [
    (row(2, kpi="K-404"), "unknown_kpi", {"value": "K-404"}),
    (row(2, value="abc"), "bad_number", {"value": "abc", "reason": "format"}),
    (row(2, value="1,2"), "bad_number", {"value": "1,2", "reason": "thousands"}),
    (row(2, value=True), "bad_number", {"value": "True", "reason": "type"}),
    (row(2, date="2026-02-30"), "bad_date", {"value": "2026-02-30", "reason": "calendar"}),
    (row(2, date="そのうち"), "bad_date", {"value": "そのうち", "reason": "format"}),
    (row(2, kpi=""), "missing_value", {"column": "kpi"}),
    (row(2, date=""), "missing_value", {"column": "date"}),
    (row(2, value="  "), "missing_value", {"column": "value"}),
    (row(2, unit="人"), "unit_mismatch", {"unit": "人", "expected": "件", "is_percent": False, "reason": "unit"}),
    (row(2, value="5%"), "unit_mismatch", {"unit": "", "expected": "件", "is_percent": False,
                                           "reason": "percent_not_expected"}),
    (row(2, value=0.5, percent_format=True), "unit_mismatch", {"unit": "", "expected": "件", "is_percent": False,
                                                               "reason": "percent_not_expected"}),
    (row(2, kpi="K-002", value="12.3", unit="人"), "unit_mismatch", {"unit": "人", "expected": "%",
                                                                     "is_percent": True, "reason": "unit"}),
    (row(2, date="2026-12-01"), "date_out_of_range", {"date": "2026-12-01", "reason": "future",
                                                      "today": "2026-11-30", "min": None, "max": None}),
    (row(2, date="2026年度"), "date_out_of_range", {"date": "2027-03-31", "reason": "future",
                                                   "today": "2026-11-30", "min": None, "max": None}),
    (row(2, kpi="K-003", date="2020-03-31", unit="人"), "date_out_of_range", {
        "date": "2020-03-31", "reason": "before_min", "today": "2026-11-30", "min": "2020-04-01",
        "max": "2030-03-31"}),
])
def test_validate_reason_codes(raw, code, detail):
    result = validate([raw], KPIS, TODAY)
    assert result.observations == []
    assert result.problems == [Problem(code, 2, detail)]
    assert not result.ok


def test_validate_after_max():
    late = KpiSpec("K-009", max_date=dt.date(2025, 3, 31))
    result = validate([row(7, kpi="K-009", date="2025-04-01")], {"K-009": late}, TODAY)
    assert codes(result.problems) == [(7, "date_out_of_range")]
    assert result.problems[0].detail["reason"] == "after_max"


@pytest.mark.parametrize(("kpi", "value", "unit"), [
    ("K-001", "1", "件"),
    ("K-001", "1", " 件 "),
    ("K-001", "1", ""),
    ("K-002", "12.3%", ""),
    ("K-002", "12.3%", "%"),
    ("K-002", "12.3", "%"),
    ("K-002", "12.3", "％"),
    ("K-002", "12.3", "パーセント"),
    ("K-002", "１２．３％", "％"),
    ("k-001", "1", "件"),  # KPI codes: case and width do not matter
    ("Ｋ－００１", "1", "件"),
])
def test_validate_accepts_matching_units(kpi, value, unit):
    result = validate([row(2, kpi=kpi, value=value, unit=unit)], KPIS, TODAY)
    assert result.problems == []
    assert result.observations[0].kpi_code == kpi.upper().replace("Ｋ－００１", "K-001")


def test_units_compare_after_nfkc_and_case_folding():
    kpis = {"E": KpiSpec("E", unit="kWh"), "T": KpiSpec("T", unit="ｔ-CO2")}
    rows = [row(2, kpi="E", unit="KWH"), row(3, kpi="E", unit="ｋＷｈ", date="2026-05-01"),
            row(4, kpi="T", unit="t-CO2"), row(5, kpi="T", unit="t", date="2026-05-01")]
    result = validate(rows, kpis, TODAY)
    assert codes(result.problems) == [(5, "unit_mismatch")]


def test_validate_reports_every_problem_of_every_row():
    rows = [
        row(2),
        row(3, kpi="K-404", date="2026-13-01", value="x"),  # three independent problems
        row(4, date="2026/4/1", value="2"),  # duplicate of line 2 (same KPI and day, other spelling)
        row(5, date="2026/4/1", value="3"),  # and again
        row(6, kpi="K-002", date="2026-04-01", value="1%"),  # same day, other KPI: fine
        row(7, date="2027-01-01", value="nope"),
    ]
    result = validate(rows, KPIS, TODAY)
    assert codes(result.problems) == [
        (3, "unknown_kpi"), (3, "bad_date"), (3, "bad_number"),
        (4, "duplicate"), (5, "duplicate"),
        (7, "bad_number"), (7, "date_out_of_range"),
    ]
    assert [p.detail["first_line"] for p in result.problems if p.code == "duplicate"] == [2, 2]
    assert [o.line for o in result.observations] == [2, 6]


def test_a_bad_first_row_still_counts_for_duplicates():
    result = validate([row(2, value="x"), row(3, value="1")], KPIS, TODAY)
    assert codes(result.problems) == [(2, "bad_number"), (3, "duplicate")]


def test_observation_keeps_the_note():
    result = validate([row(2, note="速報値")], KPIS, TODAY)
    assert result.observations == [CleanObservation(2, "K-001", dt.date(2026, 4, 1), Decimal(1), "速報値")]
    assert result.ok


def test_import_file_merges_problems_and_writes_nothing_unless_clean():
    data = corpus("quoted_newlines.csv")
    report = import_file("x.csv", data, KPIS, TODAY)
    assert not report.ok
    assert report.writable == []
    assert [o.line for o in report.observations] == [2, 5]  # the preview still shows the good rows
    assert [p.line for p in report.problems] == sorted(p.line for p in report.problems)
    assert report.row_count == 6
    clean = import_file("x.csv", corpus("utf8_bom.csv"), {**KPIS, "K-001": KpiSpec("K-001", unit="件")}, TODAY)
    assert [p.code for p in clean.problems] == ["negative_value"] and clean.writable == []  # −5 件
    signed = {**KPIS, "K-001": KpiSpec("K-001", unit="件"), "K-002": KpiSpec("K-002", unit="%", is_percent=True)}
    assert len(import_file("x.csv", corpus("utf8_bom.csv").replace("−5".encode(), b"5"), signed, TODAY).writable) == 3


def test_reimporting_the_same_file_gives_the_same_observations():
    """The caller upserts on (KPI, date): the same file twice yields the same keys and values."""
    first = import_file("x.csv", corpus("cp932_japanese.csv"), KPIS, TODAY)
    second = import_file("x.csv", corpus("cp932_japanese.csv"), KPIS, TODAY)
    assert first == second
    keys = [(o.kpi_code, o.date) for o in first.observations]
    assert len(keys) == len(set(keys))


# --------------------------------------------------------------------------- every code is reachable


def _scenario(code: str) -> list[Problem]:
    csv_ok = "kpi,date,value\nK-001,2026-04-01,1\n"
    cases = {
        "file_type": lambda: read_rows("x.pdf", b"%PDF").problems,
        "encoding": lambda: read_rows("x.csv", b"\xff\xfe\x00k").problems,
        "empty": lambda: read_rows("x.csv", b"").problems,
        "missing_column": lambda: read_rows("x.csv", b"kpi,date\n").problems,
        "duplicate_column": lambda: read_rows("x.csv", b"kpi,kpi,date,value\n").problems,
        "csv_syntax": lambda: read_rows("x.csv", b'kpi,date,value\n"x').problems,
        "too_many_rows": lambda: read_rows("x.csv", (csv_ok + "K-001,2026-04-02,1\n").encode(), max_rows=1).problems,
        "extra_cells": lambda: read_rows("x.csv", csv_ok.replace(",1\n", ",1,000\n").encode()).problems,
        "formula": lambda: read_rows("x.csv", csv_ok.replace(",1\n", ",=1\n").encode()).problems,
        "missing_value": lambda: validate([row(2, value="")], KPIS, TODAY).problems,
        "unknown_kpi": lambda: validate([row(2, kpi="?")], KPIS, TODAY).problems,
        "bad_number": lambda: validate([row(2, value="?")], KPIS, TODAY).problems,
        "bad_date": lambda: validate([row(2, date="?")], KPIS, TODAY).problems,
        "unit_mismatch": lambda: validate([row(2, unit="?")], KPIS, TODAY).problems,
        "date_out_of_range": lambda: validate([row(2, date="2099-01-01")], KPIS, TODAY).problems,
        "duplicate": lambda: validate([row(2), row(3)], KPIS, TODAY).problems,
        "not_integer": lambda: validate([row(2, value="2.5")], KPIS, TODAY).problems,
        "negative_value": lambda: validate([row(2, value="-1")], KPIS, TODAY).problems,
    }
    return cases[code]()


@pytest.mark.parametrize("code", list(PROBLEM_CODES))
def test_every_problem_code_is_reachable_and_names_a_line(code):
    problems = _scenario(code)
    assert code in [p.code for p in problems]
    assert all(p.line >= 1 for p in problems)


# --------------------------------------------------------------------------- robustness


def _check_never_raises(filename: str, data: bytes, max_rows: int = 200_000) -> ParsedFile:
    parsed = read_rows(filename, data, max_rows=max_rows)
    assert_well_formed(parsed)
    result = validate(parsed.rows, KPIS, TODAY)
    assert all(p.line >= 1 and p.code in PROBLEM_CODES for p in result.problems)
    return parsed


def test_random_garbage_never_raises():
    rng = random.Random(20260401)
    prefixes = [b"", b"\xef\xbb\xbf", b"PK\x03\x04", b"kpi,date,value\n", "KPIコード,日付,値\n".encode("cp932")]
    for iteration in range(200):
        size = rng.choice([0, 1, 2, 10, 100, 1000, 5000])
        data = rng.choice(prefixes) + bytes(rng.getrandbits(8) for _ in range(size))
        filename = rng.choice(["x.csv", "x.xlsx", "x.CSV", "x.txt"])
        parsed = _check_never_raises(filename, data, max_rows=rng.choice([1, 50, 200_000]))
        assert parsed.problems or parsed.rows or filename.endswith(".csv"), iteration


def test_mutated_csv_never_raises_and_lines_stay_in_the_file():
    rng = random.Random(7)
    base = corpus("quoted_newlines.csv").decode()
    alphabet = ['"', ",", "\n", "\r", "=", "％", "▲", "\u3000", "1", "a", "", "年", "\t"]
    for _ in range(200):
        chars = list(base)
        for _ in range(rng.randint(1, 8)):
            position = rng.randrange(len(chars))
            chars[position] = rng.choice(alphabet)
        text = "".join(chars)
        data = text.encode(rng.choice(["utf-8", "utf-8-sig", "cp932"]), errors="replace")
        parsed = _check_never_raises("x.csv", data)
        physical_lines = len(re.findall(r"\r\n|\r|\n", text)) + 1
        assert all(p.line <= physical_lines + 1 for p in parsed.problems)
        assert all(r.line <= physical_lines for r in parsed.rows)


def test_mutated_xlsx_never_raises():
    rng = random.Random(11)
    base = bytearray(sample_workbook())
    for _ in range(40):
        data = bytearray(base)
        for _ in range(rng.randint(1, 20)):
            data[rng.randrange(len(data))] = rng.getrandbits(8)
        _check_never_raises("x.xlsx", bytes(data))
    _check_never_raises("x.xlsx", bytes(base[: len(base) // 2]))  # truncated upload


def test_domain_module_does_not_import_django():
    code = ("import sys, kyoso.visions.domain.importing; "
            "bad = [m for m in sys.modules if m == 'django' or m.startswith('django.')]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)


# --------------------------------------------------------------------------- performance


def test_100k_rows_parse_and_validate_quickly():
    rng = random.Random(3)
    kpis = {f"K-{i:03d}": KpiSpec(f"K-{i:03d}", unit="億円") for i in range(50)}  # signed, with decimals
    start = dt.date(2010, 4, 1)
    lines = ["KPIコード,日付,値,単位,備考"]
    for i in range(100_000):
        value = rng.choice([f'"{rng.randint(0, 10**7):,}"', str(rng.randint(-999, 999)),
                            f"{rng.random() * 100:.2f}", "１２３", "▲５"])
        lines.append(f"K-{i % 50:03d},{start + dt.timedelta(days=i // 50)},{value},億円,メモ{i}")
    data = ("\r\n".join(lines) + "\r\n").encode("cp932")
    parsed = read_rows("big.csv", data)
    result = validate(parsed.rows, kpis, TODAY)
    assert parsed.problems == [] and result.problems == []
    assert len(result.observations) == 100_000


def test_a_plain_number_for_a_percentage_kpi_is_read_as_percentage_points():
    result = validate([row(2, kpi="K-002", value="12.3")], KPIS, TODAY)
    assert result.problems == [] and result.observations[0].value == Decimal("12.3")
