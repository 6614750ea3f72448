"""Reading survey files (domain/reading.py): encodings, Excel, bad files with their lines, empty answers."""

from __future__ import annotations

import io

from openpyxl import Workbook

from kyoso.listening.domain.reading import answers_in, likely_text_column, read_table

ROWS = "番号,年代,ご意見\n1,30代,保育園を増やしてほしい\n2,40代,\n3,70代,\"バスの本数が少ない。\n夜は特に。\"\n"


def test_shift_jis_csv_as_excel_saves_it():
    table = read_table("survey.csv", ROWS.encode("cp932"))
    assert table.problems == [] and table.encoding == "cp932"
    assert table.header == ["番号", "年代", "ご意見"]
    found = answers_in(table, 2)
    assert found.answers == [(2, "保育園を増やしてほしい"), (4, "バスの本数が少ない。 夜は特に。")]
    assert found.skipped == 1  # the empty answer on line 3
    assert likely_text_column(table) == 2


def test_utf8_with_and_without_bom_and_tabs():
    for data in (ROWS.encode("utf-8"), b"\xef\xbb\xbf" + ROWS.encode("utf-8"),
                 ROWS.replace(",", "\t").encode("utf-8")):
        table = read_table("survey.csv", data)
        assert table.problems == [] and table.header[2] == "ご意見"
        assert len(answers_in(table, 2).answers) == 2


def test_excel_first_sheet_with_data():
    book = Workbook()
    sheet = book.active
    sheet.append([None])
    sheet.append(["ID", "自由記述"])
    sheet.append([1, "ごみの分別が難しい"])
    sheet.append([2, None])
    sheet.append([3, 12345])
    buffer = io.BytesIO()
    book.save(buffer)
    table = read_table("回答.xlsx", buffer.getvalue())
    assert table.problems == [] and table.encoding == "xlsx"
    found = answers_in(table, 1)
    assert found.answers == [(3, "ごみの分別が難しい"), (5, "12345")] and found.skipped == 1


def test_a_broken_file_reports_the_line_and_keeps_no_rows():
    broken = "番号,ご意見\n1,よい\n2,\"引用符が閉じていない\n3,x\n".encode()
    table = read_table("survey.csv", broken)
    assert [(p.code, p.line) for p in table.problems] == [("csv_syntax", 3)] and table.rows == []


def test_other_bad_files():
    assert read_table("a.pdf", b"%PDF").problems[0].code == "file_type"
    assert read_table("a.csv", b"PK\x03\x04rest").problems[0].detail["reason"] == "spreadsheet_named_csv"
    assert read_table("a.csv", b"").problems[0].code == "empty"
    assert read_table("a.csv", "ご意見\n".encode()).problems[0].detail["reason"] == "header_only"
    assert read_table("a.csv", b"\x00\x01\x02binary").problems[0].code == "encoding"
    assert read_table("a.xlsx", b"not a workbook").problems[0].code == "file_type"
    many = read_table("a.csv", ("c\n" + "x\n" * 6).encode(), max_rows=5)
    assert [(p.code, p.line) for p in many.problems] == [("too_many_rows", 7)]


def test_empty_header_cells_are_named_by_position():
    table = read_table("a.csv", ",ご意見\n1,よい\n".encode())
    assert table.header == ["列1", "ご意見"]
    assert table.preview() == [["1", "よい"]]
