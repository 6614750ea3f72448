"""The shared file-import toolkit (kyoso.common.domain.fileimport): pure Python, no database."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from kyoso.common.domain import fileimport as fi
from kyoso.common.domain.fileimport import DateError, ImportProblem, NumberError, Problem


def xlsx(rows: list[list[object]], number_format: str | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    if number_format:
        sheet["B2"].number_format = number_format
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- problems -------------------------------------------------------------------------------------


def test_a_problem_names_its_position_and_serialises_plainly():
    problem = Problem("bad_number", 3, {"value": "abc"}, column="value")
    assert problem.as_dict() == {"code": "bad_number", "line": 3, "path": "", "detail": {"value": "abc"},
                                 "column": "value"}
    at_path = Problem("missing_title", path="$[2].records[1].title")
    assert at_path.line is None
    assert at_path.as_dict() == {"code": "missing_title", "line": None, "path": "$[2].records[1].title", "detail": {}}


def test_an_import_problem_becomes_a_problem_on_its_line():
    problem = ImportProblem("encoding", {"reason": "undecodable"}, line=4).as_problem()
    assert problem == Problem("encoding", 4, {"reason": "undecodable"})


# --- bytes ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("data", "encoding"), [
    ("\ufeffkpi,値\n".encode(), "utf-8-sig"),
    ("kpi,値\n".encode(), "utf-8"),
    ("kpi,値,令和6年度\n".encode("cp932"), "cp932"),
])
def test_decoding_tries_bom_utf8_then_shift_jis(data, encoding):
    text, found = fi.decode_text(data)
    assert found == encoding
    assert text.startswith("kpi,値")


def test_undecodable_bytes_and_binary_data_are_refused_with_the_line():
    with pytest.raises(ImportProblem) as undecodable:
        fi.decode_text(b"ok\nok\n\x81 \x81 ")
    assert undecodable.value.code == "encoding"
    assert undecodable.value.line == 3
    assert undecodable.value.detail["reason"] == "undecodable"
    with pytest.raises(ImportProblem) as binary:
        fi.decode_text(b"a,b\n\x00\x01\x02")
    assert binary.value.detail["reason"] == "control_characters"
    assert binary.value.line == 2


def test_extensions_and_containers():
    assert fi.file_extension(r"C:\data\KPI.CSV") == ".csv"
    assert fi.file_extension("no_extension") == ""
    assert fi.sniff_container(xlsx([["a"]])) == "xlsx"
    assert fi.sniff_container(fi.OLE_MAGIC + b"rest") == "xls"
    assert fi.sniff_container(b"kpi,date\n") is None


# --- CSV ------------------------------------------------------------------------------------------


def test_csv_rows_carry_the_physical_line_they_start_on_and_skip_blank_rows():
    problems: list[Problem] = []
    text = 'kpi,note\n\nA,"two\nlines"\n , \nB,x\n'
    rows = list(fi.csv_rows(text, problems))
    assert [(r.line, r.cells) for r in rows] == [(1, ["kpi", "note"]), (3, ["A", "two\nlines"]), (6, ["B", "x"])]
    assert problems == []


def test_csv_rows_read_tab_separated_text_pasted_from_excel():
    rows = list(fi.csv_rows("kpi\tvalue\nA\t1,234\n", []))
    assert [r.cells for r in rows] == [["kpi", "value"], ["A", "1,234"]]


def test_broken_quoting_is_a_problem_and_ends_the_rows():
    problems: list[Problem] = []
    rows = list(fi.csv_rows('kpi,note\nA,"ok"x\nB,y\n', problems))
    assert [r.line for r in rows] == [1]
    assert [(p.code, p.line) for p in problems] == [("csv_syntax", 2)]


# --- Excel ----------------------------------------------------------------------------------------


def test_a_workbook_opens_and_percent_formats_are_recognised():
    with fi.open_workbook(xlsx([["kpi", "value"], ["A", 0.123]], number_format="0.0%")) as workbook:
        rows = list(workbook.active.iter_rows())
        assert fi.serial_shift(workbook) == 0
        assert [fi.cell_text(c.value) for c in rows[0]] == ["kpi", "value"]
        assert fi.is_percent_format(rows[1][1].number_format)
    assert not fi.is_percent_format('0.0"%"')
    assert not fi.is_percent_format(None)


@pytest.mark.parametrize(("data", "reason"), [
    (b"kpi,value\n", "not_zip"),
    (fi.OLE_MAGIC + b"\x00" * 100, "xls_or_encrypted"),
    (fi.ZIP_MAGIC + b"\x00" * 100, "not_zip"),
])
def test_what_is_not_a_workbook_is_a_file_type_problem(data, reason):
    with pytest.raises(ImportProblem) as refused, fi.open_workbook(data):
        pass
    assert refused.value.code == "file_type"
    assert refused.value.detail["reason"] == reason


def test_a_zip_bomb_is_refused_before_openpyxl_unpacks_it():
    with pytest.raises(ImportProblem) as refused, fi.open_workbook(xlsx([["a"]]), max_unpacked=100):
        pass
    assert refused.value.detail["reason"] == "too_large"


def test_an_error_while_reading_the_sheets_is_a_corrupt_workbook():
    with pytest.raises(ImportProblem) as refused, fi.open_workbook(xlsx([["a"]])):
        raise KeyError("broken sheet XML")
    assert refused.value.detail["reason"] == "corrupt"


def test_cell_text_and_shown_values():
    assert fi.cell_text(None) == ""
    assert fi.cell_text(12.0) == "12"
    # openpyxl reads date cells as naive datetimes
    assert fi.cell_text(dt.datetime(2026, 4, 1)) == "2026-04-01"  # noqa: DTZ001
    assert fi.cell_text(dt.datetime(2026, 4, 1, 9, 30)) == "2026-04-01 09:30"  # noqa: DTZ001
    assert fi.shown("x" * 200, limit=10) == "x" * 9 + "…"


# --- text -----------------------------------------------------------------------------------------


def test_text_cleaning():
    assert fi.clean_text("  静岡\u3000 大学\n工学部 ") == "静岡 大学 工学部"
    assert fi.clean_text(None) == "" and fi.clean_text(True) == "" and fi.clean_text(["x"]) == ""
    assert fi.clean_text(2024) == "2024"
    assert fi.clean_text("abcdef", limit=3) == "abc"
    assert fi.normalize_code("２０２４") == "2024"
    assert fi.header_key("KPI ｺｰﾄﾞ") == fi.header_key("kpi_コード") == "kpiコード"


# --- numbers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("１２３", (Decimal(123), False)),
    ("１，２３４", (Decimal(1234), False)),
    ("1,234,567.5", (Decimal("1234567.5"), False)),
    ("１２．３％", (Decimal("12.3"), True)),
    ("▲5", (Decimal(-5), False)),
    ("△ 5", (Decimal(-5), False)),
    ("−5", (Decimal(-5), False)),
    ("(123)", (Decimal(-123), False)),
    ("\u3000 42 ", (Decimal(42), False)),
    ("'7", (Decimal(7), False)),
    (5, (Decimal(5), False)),
    (0.5, (Decimal("0.5"), False)),
])
def test_numbers_as_japanese_offices_write_them(text, expected):
    assert fi.parse_quantity(text) == expected


@pytest.mark.parametrize(("text", "reason"), [
    ("12,5", "thousands"),
    ("1E+3", "exponent"),
    ("=SUM(A1)", "formula"),
    ("秘匿", "placeholder"),
    ("***", "placeholder"),
    ("", "empty"),
    ("abc", "format"),
    ("(-5)", "format"),
    (True, "type"),
    (dt.date(2026, 1, 2), "date_cell"),
    (float("nan"), "not_finite"),
])
def test_what_is_not_a_number_says_why(text, reason):
    with pytest.raises(NumberError) as refused:
        fi.parse_quantity(text)
    assert refused.value.reason == reason


def test_a_percent_formatted_excel_number_is_a_percentage():
    assert fi.cell_quantity(0.123, percent_format=True) == (Decimal("12.3"), True)
    assert fi.cell_quantity("12.3", percent_format=True) == (Decimal("12.3"), False)
    assert fi.parse_number("1,000") == Decimal(1000)


# --- dates ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "day"), [
    ("2026-04-01", dt.date(2026, 4, 1)),
    ("2026/4/1", dt.date(2026, 4, 1)),
    ("20260401", dt.date(2026, 4, 1)),
    ("２０２６年４月１日", dt.date(2026, 4, 1)),
    ("令和8年4月1日", dt.date(2026, 4, 1)),
    ("R8.4.1", dt.date(2026, 4, 1)),
    ("R6", None),
    ("平成31年4月30日", dt.date(2019, 4, 30)),
    ("令和元年5月1日", dt.date(2019, 5, 1)),
    ("昭和64年1月7日", dt.date(1989, 1, 7)),
    ("H30.1.5", dt.date(2018, 1, 5)),
    ("2026年4月", dt.date(2026, 4, 1)),
    ("令和8年4月", dt.date(2026, 4, 1)),
    ("2025年度", dt.date(2026, 3, 31)),
    ("FY2025", dt.date(2026, 3, 31)),
    ("令和7年度", dt.date(2026, 3, 31)),
    ("2026/4/1(水)", dt.date(2026, 4, 1)),
    (46113, dt.date(2026, 4, 1)),
])
def test_dates_including_japanese_eras_and_fiscal_years(text, day):
    if day is None:
        with pytest.raises(DateError):
            fi.parse_date(text)
    else:
        assert fi.parse_date(text) == day


@pytest.mark.parametrize(("text", "reason"), [
    ("令和元年4月1日", "era"),  # 令和 began on 2019-05-01
    ("平成32年1月1日", "era"),
    ("2026-02-30", "calendar"),
    ("next week", "format"),
    ("", "empty"),
    (True, "type"),
    (60, "serial"),  # Excel's imaginary 1900-02-29
])
def test_what_is_not_a_date_says_why(text, reason):
    with pytest.raises(DateError) as refused:
        fi.parse_date(text)
    assert refused.value.reason == reason


def test_years_in_looser_values():
    assert fi.parse_year("2024/05/01") == 2024
    assert fi.parse_year("２０２４年度") == 2024
    assert fi.parse_year(1850) is None
    assert fi.parse_year("no year") is None
    assert fi.parse_year(True) is None
