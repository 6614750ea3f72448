"""The translated texts of the problems found in an uploaded survey file (codes from the file-import toolkit)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kyoso.common.domain.fileimport import Problem

PROBLEM_MESSAGES = {
    "file_type": gettext_noop("CSV（.csv）か Excel（.xlsx）のファイルを選んでください。"),
    "encoding": gettext_noop("文字コードを読めません。UTF-8 か Shift_JIS で保存したCSVを使ってください。"),
    "empty": gettext_noop("ファイルに見出し行か回答の行がありません。"),
    "csv_syntax": gettext_noop("CSVの形式が壊れています（引用符が閉じていないなど）。"),
    "too_many_rows": gettext_noop("行数が多すぎます（%(max_rows)s 行まで）。ファイルを分けてください。"),
    "too_large": gettext_noop("ファイルが大きすぎます（%(max_mb)s MB まで）。"),
}


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"


def problem_message(problem: Problem) -> str:
    """"3 行目: CSVの形式が壊れています…" — the line first when the problem has one."""
    template = PROBLEM_MESSAGES.get(problem.code)
    text = _(template) % _Blank(problem.detail) if template else problem.code
    if problem.line:
        return _("%(line)s 行目：%(message)s") % {"line": problem.line, "message": text}
    return text
