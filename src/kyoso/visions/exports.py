"""Exports of a vision (Excel, JSON) and the translated texts of import problems."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl import Workbook
from openpyxl.styles import Font

from kyoso.common.domain.text import plain_decimal
from kyoso.common.exports import safe_row

from .models import Kpi, Milestone, Observation, Vision
from .queries import visible

PROBLEM_MESSAGES = {
    "file_type": gettext_noop("CSV（.csv）か Excel（.xlsx）のファイルを選んでください。"),
    "encoding": gettext_noop("文字コードを読めません。UTF-8 か Shift_JIS で保存したCSVを使ってください。"),
    "empty": gettext_noop("ファイルに見出し行かデータがありません。"),
    "missing_column": gettext_noop("必要な列「%(column)s」がありません。"),
    "duplicate_column": gettext_noop("列「%(column)s」が2回あります。"),
    "csv_syntax": gettext_noop("CSVの形式が壊れています（引用符が閉じていないなど）。"),
    "too_many_rows": gettext_noop("行数が多すぎます（%(max_rows)s 行まで）。"),
    "extra_cells": gettext_noop("見出しより多くのセルがあります。桁区切りのカンマを含む数値は引用符で囲んでください。"),
    "formula": gettext_noop("数式は取り込めません（列: %(column)s）。値として保存してください。"),
    "missing_value": gettext_noop("「%(column)s」が空です。"),
    "unknown_kpi": gettext_noop("KPIコード「%(value)s」はこのビジョンにありません。"),
    "bad_number": gettext_noop("値「%(value)s」を数値として読めません。"),
    "bad_date": gettext_noop("日付「%(value)s」を読めません（例: 2026-04-01、2026年4月、2026年度）。"),
    "unit_mismatch": gettext_noop("単位「%(unit)s」がKPIの単位「%(expected)s」と違います。"),
    "not_integer": gettext_noop("値「%(value)s」は整数ではありません。単位「%(unit)s」のKPIは整数で入力してください。"),
    "negative_value": gettext_noop("値「%(value)s」は負の数です。単位「%(unit)s」のKPIは0以上です。"),
    "not_allowed": gettext_noop(
        "KPI「%(kpi)s」の実績を記録する権限がありません（担当組織の人と事務局だけが記録できます）。"),
    "official_value": gettext_noop("KPI「%(kpi)s」の %(date)s の値は公的統計によるもので、上書きできません。"),
    "date_out_of_range": gettext_noop("日付 %(date)s は取り込める期間の外です（未来の日付や目標年度より後）。"),
    "duplicate": gettext_noop("同じKPIと日付の行が %(first_line)s 行目にもあります。"),
}


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return "?"


def problem_message(problem: dict[str, Any]) -> str:
    template = PROBLEM_MESSAGES.get(problem.get("code", ""))
    if template is None:
        return str(problem.get("code"))
    return _(template) % _Blank(problem.get("detail") or {})


def snapshot_labels() -> dict[str, str]:
    return {"title": _("名称"), "horizon": _("目標年度"), "image": _("将来像"), "goal": _("目標"), "kpi": "KPI",
            "target": _("目標値"), "baseline": _("基準値"), "direction": _("方向"), "definition": _("定義"),
            "owner": _("担当組織"), "source": _("データの出典"), "reference": _("参照統計"),
            "frequency": _("更新頻度"), "milestone": _("マイルストーン"), "issue": _("地域課題"),
            "theme": _("研究開発テーマ"), "linked_kpis": _("関連するKPI")}


def vision_json(vision: Vision, reader: Any = None) -> dict[str, Any]:
    """The vision with its goals, KPIs, targets, milestones, backcasting links and every observation; only the
    KPIs and observations ``reader`` may see (``visible_to``; None: the system, everything)."""
    from .services import snapshot_of

    data = snapshot_of(vision)
    shown = set(visible(Kpi.objects.filter(vision=vision), reader).values_list("code", flat=True))
    for goal in data["goals"]:
        goal["kpis"] = [k for k in goal["kpis"] if k["code"] in shown]
    observations: dict[str, list[dict[str, Any]]] = {}
    rows = (visible(Observation.objects.filter(kpi__vision=vision), reader).order_by("kpi__code", "date")
            .values_list("kpi__code", "date", "value", "source"))
    for code, day, value, source in rows.iterator(chunk_size=10_000):
        observations.setdefault(code, []).append({"date": day.isoformat(), "value": str(value), "source": source})
    data.update(
        id=vision.pk, venue=vision.venue.slug,
        prefecture=vision.prefecture.code if vision.prefecture_id else None,
        observations=observations,
        milestones=[{"title": m.title, "due_date": m.due_date.isoformat(), "status": m.status,
                     "goal": m.goal.title if m.goal_id else None, "evidence": m.evidence}
                    for m in visible(Milestone.objects.filter(vision=vision), reader).select_related("goal")],
        issues=[{"title": i.title, "kind": i.kind, "goal": i.goal.title if i.goal_id else None,
                 "kpis": [k.code for k in i.kpis.all() if k.code in shown],
                 "themes": [t.title for t in i.themes.all()]}
                for i in vision.issues.select_related("goal").prefetch_related("kpis", "themes")],
        versions=[{"number": v.number, "status": v.status, "note": v.note,
                   "agreed_at": v.agreed_at.isoformat() if v.agreed_at else None}
                  for v in vision.versions.order_by("number")],
    )
    return data


def vision_xlsx(vision: Vision, reader: Any = None) -> bytes:
    """The KPIs and their observations that ``reader`` may see, as an Excel workbook."""
    workbook = Workbook()
    kpis = workbook.active
    kpis.title = _("KPI")
    kpis.append([_("目標"), _("KPIコード"), _("KPI名"), _("単位"), _("望ましい方向"), _("基準値"), _("基準値の時点"),
                 _("データの出典"), _("担当組織"), _("更新頻度"), _("年度ごとの目標値")])
    for kpi in visible(Kpi.objects.filter(vision=vision), reader).select_related("goal", "owner").prefetch_related(
            "targets").order_by("goal__order", "id"):
        targets = "; ".join(f"FY{t.fiscal_year}: {plain_decimal(t.value)}" for t in kpi.targets.all())
        kpis.append(safe_row([kpi.goal.title, kpi.code, kpi.name, kpi.unit, kpi.get_direction_display(),
                     float(kpi.baseline_value) if kpi.baseline_value is not None else None, kpi.baseline_date,
                     kpi.data_source, str(kpi.owner) if kpi.owner_id else "", kpi.get_frequency_display(), targets]))
    observations = workbook.create_sheet(_("観測値"))
    # The same columns the importer reads, so the sheet can be edited and imported again.
    observations.append(["kpi", "date", "value", "note"])
    rows = (visible(Observation.objects.filter(kpi__vision=vision), reader).order_by("kpi__code", "date")
            .values_list("kpi__code", "date", "value", "note"))
    for code, day, value, note in rows.iterator(chunk_size=10_000):
        observations.append(safe_row([code, day, float(value), note]))
    for sheet in (kpis, observations):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
