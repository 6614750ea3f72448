"""Reading a survey or public-comment file: a table whose first non-empty row is the header.

Built on the shared toolkit (:mod:`kyoso.common.domain.fileimport`): a ``.csv`` in UTF-8 (with or without a BOM)
or Shift_JIS (cp932, as Excel saves it), comma or tab separated, quoted cells may span lines; or an ``.xlsx``
workbook (its first sheet with data). Never raises for bad input: a file that cannot be read gives
``problems`` (each with its physical line) and no rows, and the caller stores nothing.

The secretariat then picks the column that holds the free text (:func:`answers_in`): each non-empty cell of
it becomes an answer (spaces collapsed, at most :data:`MAX_ANSWER_CHARS` characters), with the line it was on;
rows whose cell is empty are skipped and counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kyoso.common.domain.fileimport import (
    ImportProblem,
    Problem,
    cell_text,
    clean_text,
    csv_rows,
    decode_text,
    file_extension,
    open_workbook,
    row_is_blank,
    sniff_container,
)

MAX_ROWS = 50_000
MAX_ANSWER_CHARS = 5000
PREVIEW_ROWS = 5


@dataclass
class Table:
    header: list[str] = field(default_factory=list)
    rows: list[tuple[int, list[str]]] = field(default_factory=list)  # (line, cells)
    encoding: str = ""
    problems: list[Problem] = field(default_factory=list)

    def preview(self, count: int = PREVIEW_ROWS) -> list[list[str]]:
        """The first ``count`` data rows, each as wide as the header (cells cut to 200 characters)."""
        width = len(self.header)
        return [[(cells[i] if i < len(cells) else "")[:200] for i in range(width)] for _line, cells in
                self.rows[:count]]


def _header(cells: list[str]) -> list[str]:
    """Header names, one line each; an empty header cell becomes "列N" (N = its 1-based position)."""
    return [clean_text(c, 100) or f"列{i}" for i, c in enumerate(cells, 1)]


def _read_csv(data: bytes, table: Table, max_rows: int) -> None:
    text, table.encoding = decode_text(data)
    for row in csv_rows(text, table.problems):
        if not table.header:
            table.header = _header(row.cells)
            continue
        if len(table.rows) >= max_rows:
            table.problems.append(Problem("too_many_rows", row.line, {"max_rows": max_rows}))
            return
        table.rows.append((row.line, row.cells))


def _read_xlsx(data: bytes, table: Table, max_rows: int) -> None:
    with open_workbook(data, data_only=True) as workbook:
        for sheet in workbook.worksheets:
            sheet.reset_dimensions()
            for line, row in enumerate(sheet.iter_rows(), 1):
                if row_is_blank(row):
                    continue
                cells = [cell_text(cell.value) for cell in row]
                if not table.header:
                    table.header = _header(cells)
                    continue
                if len(table.rows) >= max_rows:
                    table.problems.append(Problem("too_many_rows", line, {"max_rows": max_rows}))
                    return
                table.rows.append((line, cells))
            if table.header:
                table.encoding = "xlsx"
                return


def read_table(filename: str, data: bytes, max_rows: int = MAX_ROWS) -> Table:
    """The header and data rows of a .csv or .xlsx file, or the problems that stop reading it."""
    table = Table()
    extension = file_extension(filename)
    try:
        if extension in (".csv", ".txt", ".tsv"):
            container = sniff_container(data)
            if container is not None:
                raise ImportProblem("file_type", {"reason": "spreadsheet_named_csv", "extension": extension,
                                                  "detected": container})
            _read_csv(data, table, max_rows)
        elif extension == ".xlsx":
            _read_xlsx(data, table, max_rows)
        else:
            raise ImportProblem("file_type", {"reason": "extension", "extension": extension})
        if not table.header:
            raise ImportProblem("empty", {"reason": "no_content"})
        if not table.rows and not table.problems:
            raise ImportProblem("empty", {"reason": "header_only"}, line=1)
    except ImportProblem as problem:
        table.problems.append(problem.as_problem())
    if table.problems:
        table.rows = []
    return table


@dataclass(frozen=True)
class Answers:
    answers: list[tuple[int, str]]  # (line, text)
    skipped: int  # rows whose cell in the column is empty


def answers_in(table: Table, column: int) -> Answers:
    """The non-empty cells of ``column`` (0-based) with their lines; empty cells are skipped and counted."""
    if not 0 <= column < len(table.header):
        raise ValueError(f"no column {column}")
    found: list[tuple[int, str]] = []
    skipped = 0
    for line, cells in table.rows:
        text = clean_text(cells[column], MAX_ANSWER_CHARS) if column < len(cells) else ""
        if text:
            found.append((line, text))
        else:
            skipped += 1
    return Answers(found, skipped)


def likely_text_column(table: Table) -> int:
    """The column with the longest text on average over the first 200 rows (a good default choice)."""
    width = len(table.header)
    totals = [0] * width
    for _line, cells in table.rows[:200]:
        for i in range(min(width, len(cells))):
            totals[i] += len(cells[i].strip())
    return max(range(width), key=lambda i: (totals[i], -i)) if width else 0
