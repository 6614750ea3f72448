"""The 統一ルール checker (no database)."""

from __future__ import annotations

from kyoso.public.domain.opendata_rules import (
    Column,
    check_table,
    has_dependent_character,
    valid_corporate_number,
    valid_region_code,
    without_dependent_characters,
)

COLUMNS = [Column("ID", "id"), Column("全国地方公共団体コード", "region_code"), Column("名称"),
           Column("値", "number", unit_column="単位"), Column("単位"), Column("人口（人）", "integer"),
           Column("時点", "date"), Column("年度", "year")]
HEADER = [c.header for c in COLUMNS]
GOOD = ["1", "221309", "浜松市", "12.5", "%", "790000", "2025-03-31", "2024"]


def rules(rows, header=HEADER, columns=COLUMNS):
    return {(p.rule, p.code) for p in check_table(header, rows, columns)}


def test_a_clean_table_passes():
    assert check_table(HEADER, [GOOD, ["2", "221309", "", "", "", "", "", ""]], COLUMNS) == []


def test_each_rule_is_caught():
    def bad(index, value):
        row = list(GOOD)
        row[index] = value
        return rules([row])

    assert ("1-2", "line_break_in_cell") in bad(2, "浜松\n市")
    assert ("1-2", "several_values_in_cell") in bad(1, "221309、222119")
    assert ("1-3", "not_a_number") in bad(3, "1,234")
    assert ("1-3", "not_a_number") in bad(3, "▲5")
    assert ("1-3", "not_an_integer") in bad(5, "７９００００")
    assert ("1-10", "platform_dependent_character") in bad(2, "㈱サンプル①")
    assert ("1-10", "platform_dependent_character") in bad(2, "ｻﾝﾌﾟﾙ")
    assert ("1-11", "not_an_iso_date") in bad(6, "2025/3/31")
    assert ("1-11", "japanese_era_without_western_year") in bad(2, "令和6年度の計画")
    assert ("1-11", "japanese_era_without_western_year") not in bad(2, "令和6年（2024年）度の計画")
    assert ("1-11", "not_a_western_year") in bad(7, "R6")
    assert ("1-12", "invalid_region_code") in bad(1, "221308")
    assert ("1-12", "region_code_missing") in bad(1, "")


def test_headers_units_and_region_column():
    header = ["ID", "", "値"]
    columns = [Column("ID", "id"), Column("値", "number")]
    found = rules([["1", "x", "2"]], header, columns)
    assert ("1-6", "empty_header") in found
    assert ("1-9", "unit_not_stated") in found
    assert ("1-12", "no_region_code_column") in found
    assert ("1-6", "repeated_header") in rules([GOOD + ["1"]], [*HEADER, "ID"])


def test_codes():
    assert valid_region_code("221309") and valid_region_code("130001") and not valid_region_code("22130")
    assert valid_corporate_number("7000012050002") and not valid_corporate_number("1000012050002")
    assert not has_dependent_character("浜松市 2025-03-31 100%")


def test_dependent_characters_are_replaced_by_their_plain_forms():
    assert without_dependent_characters("㈱サンプル①ｱ\x07Ⅱ（仮）") == "(株)サンプル1アII（仮）"
    assert not has_dependent_character(without_dependent_characters("㍉㎡⑴❶"))
