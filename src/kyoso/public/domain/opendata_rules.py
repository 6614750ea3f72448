"""A checker of the 総務省「統計表における機械判読可能なデータの表記方法の統一ルール」 for published tables.

Plain Python (no Django). :func:`check_table` takes a table as its header row, its data rows (the cells as text,
exactly as a CSV reader returns them) and the declared :class:`Column` of each header, and returns every
:class:`Problem` (rule number, row, column, message code). The rules checked:

* **1-2** one datum per cell: no line break or tab in any cell; a number, date or code cell holds one value
  (no separators such as 、 , ; / or white space inside it).
* **1-3** numeric cells are numeric: an ``integer``/``number`` cell is empty or a plain number (ASCII digits, an
  optional minus sign and decimal point; no thousands separators, no 円・%・▲, no full-width digits).
* **1-6** no empty or repeated header.
* **1-9** units stated: every ``number``/``integer`` column (identifiers aside) names its unit in its header, in
  parentheses — 「値（人）」 or 「値(件)」 — or points at a unit column (``unit_column``) present in the table.
* **1-10** no 機種依存文字: no circled or parenthesised numbers and letters, Roman numerals, enclosed or squared
  CJK (㈱ ㍉ ㎡), half-width katakana, NEC/IBM extension symbols, or control characters, in headers or cells.
* **1-11** 西暦 dates: a ``date`` cell is an ISO date (``YYYY-MM-DD``), a ``year`` cell four digits; no cell gives
  a 和暦 date (令和6年, 平成31年…) without the 西暦 year beside it.
* **1-12** region: the table has a ``region_code`` column whose cells are valid 全国地方公共団体コード (six digits
  with the check digit); a ``corporate_number`` (法人番号) cell, where given, has thirteen digits and a valid
  check digit.

Empty cells are allowed (a missing value), except in a ``region_code`` column.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

KINDS = frozenset({"id", "text", "integer", "number", "date", "year", "code", "region_code", "corporate_number"})
NUMERIC_KINDS = frozenset({"integer", "number"})
SINGLE_VALUE_KINDS = frozenset({"id", "integer", "number", "date", "year", "code", "region_code",
                                "corporate_number"})


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = "text"
    unit_column: str = ""  # the header of the column that gives this number's unit, row by row

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")


@dataclass(frozen=True)
class Problem:
    rule: str  # "1-2", "1-3", …
    code: str  # a stable message code
    row: int  # 0 for the header, 1 for the first data row
    column: str

    def __str__(self) -> str:
        return f"rule {self.rule} ({self.code}) at row {self.row}, column {self.column!r}"


_INTEGER = re.compile(r"^-?[0-9]+$")
_NUMBER = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")
_ISO_DATE = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")
_YEAR = re.compile(r"^[0-9]{4}$")
_UNIT_IN_HEADER = re.compile(r"[（(][^（）()]+[）)]")
_SEPARATORS = re.compile(r"[\s、,，;；/／]")
_ERA_DATE = re.compile(r"(令和|平成|昭和|大正|明治|[RHSTM])\s*([0-9０-９]+|元)\s*年")
_WESTERN_YEAR = re.compile(r"(?<![0-9])(1[89][0-9]{2}|2[0-9]{3})(?![0-9])")

#: Code points that are platform-dependent (機種依存文字) or not text at all.
_DEPENDENT = (
    (0x0000, 0x0008), (0x000B, 0x000C), (0x000E, 0x001F), (0x007F, 0x009F),  # control characters
    (0x2160, 0x217F),  # Roman numerals Ⅰ ⅰ
    (0x2460, 0x24FF),  # circled / parenthesised numbers and letters ① ⑴ ⒜
    (0x2776, 0x2793),  # dingbat circled numbers ❶
    (0x3200, 0x32FF),  # enclosed CJK ㈱ ㊤
    (0x3300, 0x33FF),  # squared CJK ㍉ ㎡ ㍻
    (0xFF61, 0xFF9F),  # half-width katakana ｱ
    (0xE000, 0xF8FF),  # private use (gaiji)
)
_DEPENDENT_CHARS = frozenset("∮∟⊿〝〟№℡")


def has_dependent_character(text: str) -> bool:
    return any(ch in _DEPENDENT_CHARS or any(lo <= ord(ch) <= hi for lo, hi in _DEPENDENT) for ch in text)


def without_dependent_characters(text: str) -> str:
    """``text`` with each platform-dependent character replaced by its compatibility form (① → 1, ㈱ → (株),
    ｱ → ア, Ⅱ → II, ㎡ → m2) and control characters dropped; every other character is kept as it is (full-width
    brackets and letters stay)."""
    out = []
    for ch in text:
        if not has_dependent_character(ch):
            out.append(ch)
        elif unicodedata.category(ch) != "Cc":
            replaced = unicodedata.normalize("NFKC", ch)
            out.append(replaced if not has_dependent_character(replaced) else "")
    return "".join(out)


def valid_region_code(code: str) -> bool:
    """A 全国地方公共団体コード: five digits and the check digit (the last digit of 11 − Σ dᵢ·wᵢ mod 11, with the
    weights 6, 5, 4, 3, 2)."""
    if not re.fullmatch(r"[0-9]{6}", code):
        return False
    total = sum(int(d) * w for d, w in zip(code[:5], (6, 5, 4, 3, 2), strict=True))
    return (11 - total % 11) % 10 == int(code[5])


def valid_corporate_number(number: str) -> bool:
    """A 法人番号: thirteen digits, the first the check digit 9 − (Σ Pₙ·Qₙ mod 9) over the twelve others from the
    right, Qₙ = 1 for odd n and 2 for even n."""
    if not re.fullmatch(r"[0-9]{13}", number):
        return False
    body = number[1:]
    total = sum(int(d) * (1 if n % 2 else 2) for n, d in enumerate(reversed(body), 1))
    return 9 - total % 9 == int(number[0])


def _cell_problems(value: str, column: Column, row: int) -> list[Problem]:
    found: list[Problem] = []

    def add(rule: str, code: str) -> None:
        found.append(Problem(rule, code, row, column.header))

    if "\n" in value or "\r" in value or "\t" in value:
        add("1-2", "line_break_in_cell")
    if has_dependent_character(value):
        add("1-10", "platform_dependent_character")
    if _ERA_DATE.search(value) and not _WESTERN_YEAR.search(value):
        add("1-11", "japanese_era_without_western_year")
    if value == "":
        if column.kind == "region_code":
            add("1-12", "region_code_missing")
        return found
    if column.kind in SINGLE_VALUE_KINDS and _SEPARATORS.search(value):
        add("1-2", "several_values_in_cell")
    if column.kind == "integer" and not _INTEGER.match(value):
        add("1-3", "not_an_integer")
    elif column.kind == "number" and not _NUMBER.match(value):
        add("1-3", "not_a_number")
    elif column.kind == "date" and not _ISO_DATE.match(value):
        add("1-11", "not_an_iso_date")
    elif column.kind == "year" and not _YEAR.match(value):
        add("1-11", "not_a_western_year")
    elif column.kind == "region_code" and not valid_region_code(value):
        add("1-12", "invalid_region_code")
    elif column.kind == "corporate_number" and not valid_corporate_number(value):
        add("1-12", "invalid_corporate_number")
    return found


def check_table(header: Sequence[str], rows: Sequence[Sequence[str]], columns: Sequence[Column]) -> list[Problem]:
    """Every problem of the table (an empty list: it follows the rules)."""
    problems: list[Problem] = []
    declared = {c.header: c for c in columns}
    seen: set[str] = set()
    for name in header:
        if not name.strip():
            problems.append(Problem("1-6", "empty_header", 0, name))
        elif name in seen:
            problems.append(Problem("1-6", "repeated_header", 0, name))
        seen.add(name)
        if has_dependent_character(name):
            problems.append(Problem("1-10", "platform_dependent_character", 0, name))
        if name.strip() and name not in declared:
            problems.append(Problem("1-6", "undeclared_header", 0, name))
    for column in columns:
        if column.header not in seen:
            problems.append(Problem("1-6", "declared_column_missing", 0, column.header))
        if column.kind in NUMERIC_KINDS and not _UNIT_IN_HEADER.search(column.header) and not (
                column.unit_column and column.unit_column in seen):
            problems.append(Problem("1-9", "unit_not_stated", 0, column.header))
    if not any(c.kind == "region_code" for c in columns):
        problems.append(Problem("1-12", "no_region_code_column", 0, ""))
    for number, row in enumerate(rows, 1):
        if len(row) != len(header):
            problems.append(Problem("1-6", "row_length_differs_from_header", number, ""))
        for name, value in zip(header, row, strict=False):
            found = declared.get(name)
            if found is not None:
                problems.extend(_cell_problems(value, found, number))
    return problems
