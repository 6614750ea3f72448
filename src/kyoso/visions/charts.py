"""Django-side glue for the pure SVG renderers: translated labels and the data of a KPI or a vision."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.formats import number_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .domain.chart import ChartLabels, render_kpi_chart
from .domain.graph import render_graph
from .queries import KpiState


def chart_labels() -> ChartLabels:
    english = (get_language() or "ja").startswith("en")
    return ChartLabels(
        history=_("実績"), target=_("目標"), forecast=_("予測"), band=_("予測の幅"), baseline=_("基準値"),
        unit_format=_("単位：{unit}"), fiscal_year_format="FY{year}" if english else "{year}年度",
        desc=_("最新の実績：{latest}。目標：{target}。予測：{forecast}。"),
        missing=_("なし"), no_data=_("データがありません"),
        date_format=("{date.year}-{date.month:02d}-{date.day:02d}" if english
                     else "{date.year}年{date.month}月{date.day}日"),
        value_format="{value} {unit}" if english else "{value}{unit}",
        number_format=lambda value: number_format(round(value, 2), decimal_pos=None, use_l10n=True,
                                                  force_grouping=True),
    )


def kpi_chart_svg(kpi: Any, state: KpiState) -> SafeString:
    targets = [(dt.date(t.fiscal_year + 1, 3, 31), float(t.value)) for t in kpi.targets.all()]
    forecast = [(p.date, p.value, p.low, p.high) for p in state.forecast.points] if state.forecast else []
    baseline = ((kpi.baseline_date, float(kpi.baseline_value))
                if kpi.baseline_value is not None and kpi.baseline_date else None)
    svg = render_kpi_chart(history=state.history, targets=targets, forecast=forecast, baseline=baseline,
                           title=kpi.name, unit=kpi.unit, labels=chart_labels(), chart_id=f"kpi-{kpi.pk}")
    return mark_safe(svg)  # noqa: S308 - built by the renderer, which escapes every text


def graph_svg(vision: Any, nodes: list[Any], edges: list[Any]) -> SafeString:
    names = [_("ビジョン"), _("目標"), _("KPI"), _("地域課題"), _("研究開発テーマ"), _("プロジェクト")]
    svg = render_graph(nodes, edges, title=_("バックキャストの構造：%(title)s") % {"title": vision.title},
                       desc=_("ビジョンから目標・KPI・地域課題・研究開発テーマへのつながり。"), level_names=names)
    return mark_safe(svg)  # noqa: S308 - built by the renderer, which escapes every text
