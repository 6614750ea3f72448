"""The project report and the portfolio report, as Excel (openpyxl) and as PDF (fpdf2, Noto Sans JP embedded).

Both reports are first built as a plain :class:`Document` (sections with lines and tables of cells) in the
active language, from the read models of ``reporting`` — which have already removed what the reader may not
see: a confidential cash amount is the cell :data:`HIDDEN` ("非公開"), a confidential output is not there.
The two renderers only lay the document out, so Excel and PDF always say the same, and tests can read the
document's rows. Text cells are neutralised against spreadsheet formula injection.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils import formats
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from kyoso.common.domain.fiscal import fiscal_year_label
from kyoso.common.exports import safe_cell

from .domain.signals import SIGNAL_CODES
from .messages import signal_name
from .models import Commitment
from .reporting import PortfolioReport, ProjectReport

FONT_DIR = Path(__file__).resolve().parent.parent / "common" / "fonts" / "noto-sans-jp"
FONT_FAMILY = "NotoSansJP"

# fontTools logs every glyph it keeps when fpdf2 subsets the font.
logging.getLogger("fontTools.subset").setLevel(logging.WARNING)


class Hidden(str):
    """A cell whose value the reader may not see."""


HIDDEN_TEXT = gettext_noop("非公開")


def hidden() -> Hidden:
    return Hidden(_(HIDDEN_TEXT))


@dataclass(frozen=True)
class Amount:
    """A number with its unit (yen, person-months, items), shown with digit grouping."""

    value: Decimal
    kind: str


@dataclass
class Table:
    headers: list[str]
    rows: list[list[Any]]
    widths: list[int]  # relative widths (Excel: characters)
    caption: str = ""


@dataclass
class Section:
    heading: str
    lines: list[tuple[str, str]] = field(default_factory=list)  # (label, value); label "" for a paragraph
    tables: list[Table] = field(default_factory=list)
    sheet: str = ""


@dataclass
class Document:
    title: str
    subtitle: str
    sections: list[Section]

    def rows(self) -> Iterable[list[Any]]:
        """Every line and table row as plain values (for tests and search)."""
        for section in self.sections:
            yield [section.heading]
            for label, value in section.lines:
                yield [label, value]
            for table in section.tables:
                yield table.headers
                yield from table.rows

    def text(self) -> str:
        return "\n".join("\t".join(text_of(cell) for cell in row) for row in self.rows())


# --- Values ------------------------------------------------------------------------------------------


def fy(year: int) -> str:
    return fiscal_year_label(year, get_language() or "ja")


def unit_label(kind: str) -> str:
    return {"cash": _("円"), "staff": _("人月")}.get(kind, _("件"))


def text_of(value: Any) -> str:
    """A cell as the PDF prints it (and as tests read it)."""
    if value is None:
        return ""
    if isinstance(value, Amount):
        return f"{formats.number_format(value.value, decimal_pos=_decimals(value.value), force_grouping=True)}" \
               f"{unit_label(value.kind)}"
    if isinstance(value, bool):
        return _("はい") if value else _("いいえ")
    if isinstance(value, dt.date):
        return formats.date_format(value)
    if isinstance(value, int | float | Decimal):
        return formats.number_format(value, decimal_pos=_decimals(value), force_grouping=True)
    return str(value)


def _decimals(value: Any) -> int:
    return 0 if Decimal(value) == Decimal(value).to_integral_value() else 2


def _period(start: dt.date, end: dt.date | None) -> str:
    return f"{formats.date_format(start)} – {formats.date_format(end) if end else ''}".strip()


def _amount(value: Decimal | None, kind: str, is_hidden: bool) -> Any:
    return hidden() if is_hidden else Amount(value or Decimal(0), kind)


def _percent(ratio: int | None, coarse: bool = False) -> str:
    """A percent cell; ``coarse``: only the 10-point band whose lower bound ``ratio`` is (hidden amounts)."""
    if ratio is None:
        return ""
    return f"{ratio}〜{ratio + 10}%" if coarse and ratio < 100 else f"{ratio}%"


def _severity(signal: dict[str, Any]) -> str:
    if not signal["fired"]:
        return _("問題なし")
    return _("重大") if signal["severity"] == "critical" else _("要確認")


def _kind_label(kind: str) -> str:
    return str(dict(Commitment.Kind.choices).get(kind, kind))


# --- The project report --------------------------------------------------------------------------


def project_document(report: ProjectReport) -> Document:
    p = report.project
    scope = (_("このプロジェクトの参加者または事務局向け：非公開の金額と成果を含みます。") if report.show_confidential
             else _("非公開の金額は「非公開」と表示し、非公開の成果は含めていません。"))
    overview = Section(_("概要"), sheet=_("概要"), lines=[
        (_("プロジェクト名"), p.title), (_("地域共創の場"), p.venue.name),
        (_("期間"), _period(p.start_date, p.end_date)),
        (_("段階"), p.get_stage_display()), (_("状況"), p.get_status_display()),
        (_("代表機関"), p.lead_organization.display_name),
        (_("研究開発テーマ"), "、".join(t.title for t in report.themes) or _("なし")),
        (_("概要（公開）"), p.summary_public), (_("概要（内部）"), p.summary_internal),
        (_("作成日"), formats.date_format(report.today)), (_("表示範囲"), scope),
    ])
    overview.tables.append(Table(
        [_("組織"), _("人"), _("役割"), _("地域内・地域外")],
        [[x.organization.display_name, x.person.display_name if x.person else "", x.get_role_display(),
          _("地域内") if x.in_region else _("地域外")] for x in report.participants],
        [30, 20, 16, 12], caption=_("参加者")))
    overview.tables.append(Table(
        [_("KPI"), _("期待される寄与")], [[e.kpi.name, e.contribution] for e in report.expected], [30, 50],
        caption=_("動かすことが期待されるKPI")))
    overdue = [row for row in report.ledger if row.overdue]
    ledger = Section(_("約束と提供（機関・年度・種類ごと）"), sheet=_("約束と提供"), lines=[
        (_("期限を過ぎて不足している約束"), _("%(n)s 件") % {"n": len(overdue)})])
    ledger.tables.append(Table(
        [_("提供する組織"), _("年度"), _("種類"), _("約束した量"), _("提供した量"), _("提供率"), _("期限"), _("状態")],
        [[r.commitment.partner.display_name, fy(r.commitment.fiscal_year), r.commitment.get_kind_display(),
          _amount(r.committed, r.commitment.kind, r.hidden), _amount(r.provided, r.commitment.kind, r.hidden),
          _percent(r.ratio, r.ratio_coarse), r.due, _("期限超過") if r.overdue else ""]
         for r in report.ledger],
        [26, 20, 12, 16, 16, 8, 14, 10]))
    outputs = Section(_("成果"), sheet=_("成果"))
    outputs.tables.append(Table([_("種類"), _("件数")], [[k, n] for k, n in report.output_counts], [20, 8],
                                caption=_("種類ごとの件数")))
    outputs.tables.append(Table(
        [_("日付"), _("種類"), _("名称"), _("番号など"), _("動かしたKPI")],
        [[o.date, o.get_kind_display(), o.title, o.identifier, "、".join(k.name for k in o.kpis.all())]
         for o in report.outputs],
        [12, 14, 40, 16, 24]))
    reports = Section(_("最新の定期報告"), sheet=_("定期報告"))
    reports.tables.append(Table(
        [_("対象期間の末日"), _("提出日"), _("進捗"), _("課題"), _("次の取り組み")],
        [[r.period_end, r.submitted_on, r.progress, r.problems, r.next_steps] for r in report.reports],
        [12, 12, 36, 26, 26]))
    reports.tables.append(Table(
        [_("期限"), _("マイルストーン"), _("連携先に関わる"), _("達成日")],
        [[m.due_date, m.title, m.partner_facing, m.done_on] for m in report.milestones], [12, 40, 12, 12],
        caption=_("マイルストーン")))
    signals = Section(_("シグナル"), sheet=_("シグナル"))
    signals.tables.append(Table(
        [_("シグナル"), _("判定"), _("理由")],
        [[s["name"], _severity(s), "\n".join(r["text"] for r in s["reasons"])] for s in report.signals],
        [22, 10, 70]))
    reviews = Section(_("評価と場の決定"), sheet=_("評価"))
    reviews.tables.append(Table(
        [_("評価日"), _("提言"), _("評価"), _("場の決定"), _("適用された変更")],
        [[r["review"].created_at.date(), r["review"].get_recommendation_display(), r["review"].assessment,
          _decision_text(r["review"].decision), _change_text(r["change"])] for r in report.reviews],
        [12, 10, 40, 30, 20]))
    return Document(title=p.title, subtitle=_("プロジェクト報告（%(venue)s）") % {"venue": p.venue.name},
                    sections=[overview, ledger, outputs, reports, signals, reviews])


def _decision_text(decision: Any) -> str:
    if decision is None:
        return ""
    return f"{decision.reference} {decision.title}（{decision.get_status_display()}）".strip()


def _change_text(change: Any) -> str:
    if change is None:
        return ""
    from .services import CHANGE_LABELS, change_value_label

    if not change.after:
        return _("変更なし")
    return "、".join(f"{CHANGE_LABELS.get(k, k)}：{change_value_label(k, v)}" for k, v in change.after.items())


# --- The portfolio report ------------------------------------------------------------------------


def portfolio_document(report: PortfolioReport, participants: dict[int, tuple[int, int]]) -> Document:
    fired = {code: 0 for code in SIGNAL_CODES}
    for row in report.rows:
        for s in row["signals"]:
            fired[s["code"]] += s["fired"]
    overview = Section(_("概要"), sheet=_("概要"), lines=[
        (_("地域共創の場"), report.venue.name), (_("作成日"), formats.date_format(report.today)),
        (_("プロジェクト数"), _("%(n)s 件") % {"n": len(report.rows)}),
        (_("約束の対象年度"), f"{fy(report.fiscal_years[0])} – {fy(report.fiscal_years[-1])}" if report.fiscal_years
         else _("なし")),
        *((_("シグナル：%(name)s") % {"name": signal_name(code)}, _("%(n)s 件") % {"n": n})
          for code, n in fired.items()),
        ("", _("非公開の金額は、そのプロジェクトの参加者と事務局にだけ表示します。それ以外の方には「非公開」と示し、"
               "機関ごとの合計にも含めません（件数を示します）。")),
    ])
    summary = Section(_("プロジェクトとシグナル"), sheet=_("プロジェクト"))
    summary.tables.append(Table(
        [_("プロジェクト"), _("段階"), _("状況"), _("代表機関"), _("期間"), _("参加（地域内／地域外）"),
         *(signal_name(code) for code in SIGNAL_CODES)],
        [[row["project"].title, row["project"].get_stage_display(), row["project"].get_status_display(),
          row["project"].lead_organization.display_name, _period(row["project"].start_date, row["project"].end_date),
          "{}／{}".format(*participants.get(row["project"].pk, (0, 0))),
          *("" if not s["fired"] else _severity(s) for s in row["signals"])] for row in report.rows],
        [30, 10, 8, 20, 22, 10, 9, 9, 9, 9, 9]))
    reasons = Section(_("反応したシグナルの理由"), sheet=_("シグナルの理由"))
    reasons.tables.append(Table(
        [_("プロジェクト"), _("シグナル"), _("判定"), _("理由")],
        [[row["project"].title, s["name"], _severity(s), "\n".join(r["text"] for r in s["reasons"])]
         for row in report.rows for s in row["signals"] if s["fired"]],
        [28, 18, 8, 60]))
    partners = Section(_("機関ごとの約束と提供"), sheet=_("機関ごとの合計"))
    partners.tables.append(Table(
        [_("提供する組織"), _("種類"), _("約束した量"), _("提供した量"), _("提供率"), _("期限超過（件）"),
         _("非公開（件）")],
        [[t.partner, _kind_label(t.kind), Amount(t.committed, t.kind), Amount(t.provided, t.kind),
          _percent(t.ratio), t.overdue, t.hidden] for t in report.partners],
        [28, 12, 18, 18, 8, 10, 10]))
    partners.tables.append(Table(
        [_("提供する組織"), _("年度"), _("種類"), _("約束した量"), _("提供した量")],
        [[t.partner, fy(year), _kind_label(t.kind), Amount(v[0], t.kind), Amount(v[1], t.kind)]
         for t in report.partners for year, v in sorted(t.by_year.items())],
        [28, 20, 12, 18, 18], caption=_("年度ごと（表示できる金額のみ）")))
    partners.tables.append(Table(
        [_("プロジェクト"), _("提供する組織"), _("年度"), _("種類"), _("約束した量"), _("提供した量"), _("提供率"),
         _("期限"), _("超過日数")],
        [[o["project"], o["partner"], fy(o["fiscal_year"]), _kind_label(o["kind"]),
          _amount(o["committed"], o["kind"], o["hidden"]), _amount(o["provided"], o["kind"], o["hidden"]),
          _percent(o["ratio"], o["ratio_coarse"]), o["due"], o["days_overdue"]] for o in report.overdue],
        [26, 20, 18, 10, 14, 14, 7, 12, 8], caption=_("期限を過ぎて不足している約束")))
    return Document(title=_("共同研究ポートフォリオ"), subtitle=report.venue.name,
                    sections=[overview, summary, reasons, partners])


# --- Excel -----------------------------------------------------------------------------------------


def _excel_value(value: Any) -> Any:
    if isinstance(value, Amount):
        return float(value.value) if value.value != value.value.to_integral_value() else int(value.value)
    if isinstance(value, bool):
        return text_of(value)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date | int | float) or value is None:
        return value
    return safe_cell(str(value))


def _sheet_name(name: str, used: set[str]) -> str:
    clean = "".join(c for c in name if c not in "[]:*?/\\")[:31] or "Sheet"
    candidate, n = clean, 2
    while candidate in used:
        candidate = f"{clean[:28]}({n})"
        n += 1
    used.add(candidate)
    return candidate


WRAP = Alignment(wrap_text=True, vertical="top")
RIGHT = Alignment(horizontal="right", vertical="top")
BOLD = Font(bold=True)


def to_xlsx(document: Document) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()
    for section in document.sections:
        sheet = workbook.create_sheet(_sheet_name(section.sheet or section.heading, used))
        row_number = 0

        def append(values: list[Any], *, font: Font | None = None, sheet: Any = sheet) -> int:
            """Append a row and return its number (``sheet.max_row`` is slow on long sheets)."""
            nonlocal row_number
            sheet.append(values)
            row_number += 1
            if font is not None:
                for column in range(1, max(len(values), 1) + 1):
                    sheet.cell(row_number, column).font = font
            return row_number

        append([safe_cell(document.title)], font=Font(bold=True, size=14))
        append([safe_cell(section.heading)], font=BOLD)
        widths: dict[int, int] = {1: 20, 2: 40}
        for label, value in section.lines:
            number = append([safe_cell(label), safe_cell(value)])
            sheet.cell(number, 1).font = BOLD
        for table in section.tables:
            append([])
            if table.caption:
                append([safe_cell(table.caption)], font=BOLD)
            append([safe_cell(h) for h in table.headers], font=BOLD)
            for index, width in enumerate(table.widths, 1):
                widths[index] = max(widths.get(index, 0), width)
            for row in table.rows:
                number = append([_excel_value(v) for v in row])
                for column, value in enumerate(row, 1):
                    cell = sheet.cell(number, column)
                    cell.alignment = RIGHT if isinstance(value, Hidden) else WRAP
                    if isinstance(value, Amount):
                        digits = "#,##0" if value.kind != "staff" else "#,##0.0"
                        cell.number_format = f'{digits}"{unit_label(value.kind)}"'
                    elif isinstance(value, dt.date):
                        cell.number_format = "yyyy/mm/dd"
        for index, width in widths.items():
            sheet.column_dimensions[get_column_letter(index)].width = width
    workbook.properties.title = f"{document.title} — {document.subtitle}"
    workbook.properties.language = get_language() or "ja"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


# --- PDF -------------------------------------------------------------------------------------------


LINE_HEIGHT = 4.5  # mm, table text at 8 pt
CELL_PADDING = 0.8  # mm above and below the text of a table cell
HEADING_FILL = (230, 236, 245)


def _is_numeric(value: Any) -> bool:
    return isinstance(value, Amount | int | float | Decimal | Hidden) and not isinstance(value, bool)


class _PdfTable:
    """Draws one table: cells wrap, a row that does not fit goes to the next page (a row taller than a page is
    split), the header row is repeated on every page. Faster than ``FPDF.table`` on long tables because a cell
    that fits on one line is not run through the line breaker."""

    def __init__(self, pdf: Any, table: Table) -> None:
        self.pdf = pdf
        self.table = table
        total = sum(table.widths) or 1
        self.widths = [pdf.epw * w / total for w in table.widths]
        self.top = 0.0

    def lines(self, text: str, width: float) -> list[str]:
        if not text:
            return [""]
        if "\n" not in text and self.pdf.get_string_width(text) <= width - 2 * self.pdf.c_margin:
            return [text]
        return self.pdf.multi_cell(width, LINE_HEIGHT, text=text, dry_run=True, output="LINES") or [""]

    def header(self) -> None:
        self.pdf.set_font(FONT_FAMILY, "B", 8)
        self.row([self.lines(h, w) for h, w in zip(self.table.headers, self.widths, strict=False)],
                 [False] * len(self.widths), fill=True, repeat_header=False)
        self.pdf.set_font(FONT_FAMILY, "", 8)
        self.top = self.pdf.get_y()

    def row(self, cells: list[list[str]], right: list[bool], *, fill: bool = False, repeat_header: bool = True
            ) -> None:
        pdf = self.pdf
        remaining = [list(lines) for lines in cells]
        while any(remaining):
            need = max(len(lines) for lines in remaining)
            space = int((pdf.page_break_trigger - pdf.get_y() - 2 * CELL_PADDING) // LINE_HEIGHT)
            if space < need and (pdf.get_y() > self.top + 0.01 or space < 1):
                pdf.add_page()
                if repeat_header:
                    self.header()
                continue
            take = min(need, space)
            chunk, remaining = [lines[:take] for lines in remaining], [lines[take:] for lines in remaining]
            self._draw(chunk, right, take, fill)

    def _draw(self, chunk: list[list[str]], right: list[bool], take: int, fill: bool) -> None:
        pdf = self.pdf
        x0, y0 = pdf.l_margin, pdf.get_y()
        height = take * LINE_HEIGHT + 2 * CELL_PADDING
        x = x0
        for width, lines, align_right in zip(self.widths, chunk, right, strict=False):
            pdf.rect(x, y0, width, height, style="DF" if fill else "D")
            for index, line in enumerate(lines):
                pdf.set_xy(x, y0 + CELL_PADDING + index * LINE_HEIGHT)
                pdf.cell(width, LINE_HEIGHT, text=line, align="R" if align_right else "L")
            x += width
        pdf.set_xy(x0, y0 + height)

    def render(self) -> None:
        pdf = self.pdf
        pdf.set_draw_color(160, 160, 160)
        pdf.set_fill_color(*HEADING_FILL)
        pdf.set_line_width(0.2)
        if pdf.get_y() + 3 * (LINE_HEIGHT + 2 * CELL_PADDING) > pdf.page_break_trigger:
            pdf.add_page()
        self.header()
        for values in self.table.rows:
            self.row([self.lines(text_of(v), w) for v, w in zip(values, self.widths, strict=False)],
                     [_is_numeric(v) for v in values])


def to_pdf(document: Document, *, compress: bool = True) -> bytes:
    """An A4 landscape PDF with Noto Sans JP embedded (subset), so that Japanese prints on any machine."""
    from fpdf import FPDF

    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_compression(compress)
    pdf.set_title(f"{document.title} — {document.subtitle}")
    pdf.set_lang(get_language() or "ja")
    pdf.set_creator("Kyoso")
    pdf.add_font(FONT_FAMILY, "", str(FONT_DIR / "NotoSansJP-Regular.ttf"))
    pdf.add_font(FONT_FAMILY, "B", str(FONT_DIR / "NotoSansJP-Bold.ttf"))
    pdf.set_auto_page_break(auto=True, margin=14)
    pdf.set_margins(12, 12, 12)
    pdf.alias_nb_pages()
    footer_text = f"{document.title} — {document.subtitle}"

    def footer() -> None:
        pdf.set_y(-10)
        pdf.set_font(FONT_FAMILY, "", 7)
        pdf.cell(0, 5, text=f"{footer_text}    {pdf.page_no()} / {{nb}}", align="R")
        pdf.set_font(FONT_FAMILY, "", 8)

    pdf.footer = footer  # type: ignore[method-assign]
    pdf.add_page()
    pdf.set_font(FONT_FAMILY, "B", 16)
    pdf.multi_cell(0, 9, text=document.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, "", 10)
    pdf.multi_cell(0, 6, text=document.subtitle, new_x="LMARGIN", new_y="NEXT")
    for section in document.sections:
        pdf.ln(3)
        pdf.set_font(FONT_FAMILY, "B", 12)
        pdf.multi_cell(0, 7, text=section.heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT_FAMILY, "", 9)
        for label, value in section.lines:
            if not value and label:
                continue
            line = f"{label}：{value}" if label else value
            pdf.multi_cell(0, 5, text=line, new_x="LMARGIN", new_y="NEXT")
        for table in section.tables:
            pdf.ln(1)
            if table.caption:
                pdf.set_font(FONT_FAMILY, "B", 9)
                pdf.multi_cell(0, 5, text=table.caption, new_x="LMARGIN", new_y="NEXT")
            pdf.set_font(FONT_FAMILY, "", 8)
            if not table.rows:
                pdf.multi_cell(0, 5, text=_("なし"), new_x="LMARGIN", new_y="NEXT")
                continue
            _PdfTable(pdf, table).render()
    return bytes(pdf.output())
