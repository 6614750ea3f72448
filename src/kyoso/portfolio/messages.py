"""Translated sentences for the review signals' reasons, with confidential amounts masked."""

from __future__ import annotations

from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .domain.disclosure import BAND_POINTS, percent_band

SIGNAL_NAMES = {
    "resource_shortfall": gettext_noop("資源の提供不足"),
    "kpi_stalled": gettext_noop("KPIへの寄与の停滞"),
    "researcher_convenience": gettext_noop("研究者の都合の優先"),
    "stale_reporting": gettext_noop("報告の遅れ"),
    "orphaned": gettext_noop("ビジョンとのつながりなし"),
    "past_end_date": gettext_noop("終了日超過"),
}

REASONS = {
    "no_commitments": gettext_noop("まだどの機関も資源の提供を約束していません。"),
    "nothing_due_yet": gettext_noop("期限を迎えた約束はまだありません（次の期限 %(next_due)s）。"),
    "shortfall": gettext_noop("%(partner_name)s の%(kind)s（%(years)s年度）：約束 %(committed)s に対し提供 %(provided)s"
                              "（%(percent)s%%、基準 %(threshold)s%% 未満）。"),
    "provided_enough": gettext_noop("%(partner_name)s の%(kind)s（%(years)s年度）：約束 %(committed)s に対し提供 "
                                    "%(provided)s（%(percent)s%%）。"),
    "too_early": gettext_noop("開始から %(age_days)s 日のため、この確認は %(new_project_days)s 日を過ぎてから行います。"),
    "no_expected_kpis": gettext_noop("動かすことが期待されるKPIが設定されていません。"),
    "no_lagging_kpis": gettext_noop("期待される %(kpis)s 件のKPIに遅れはありません。"),
    "kpi_without_output": gettext_noop("KPI「%(kpi_name)s」は%(status)sで、%(window_start)s 以降これに結びつく成果がありません。"),
    "lagging_kpi_with_output": gettext_noop("KPI「%(kpi_name)s」は%(status)sですが、%(window_start)s 以降に結びつく成果が"
                                            " %(outputs_in_window)s 件あります。"),
    "stage_exempt": gettext_noop("この段階（%(stage)s）のプロジェクトは確認の対象外です。"),
    "academic_dominates": gettext_noop("論文・学会発表 %(academic)s 件に対し、実装につながる成果は %(implementation)s 件です。"),
    "output_mix_ok": gettext_noop("論文・学会発表 %(academic)s 件、実装につながる成果 %(implementation)s 件。"),
    "partner_milestones_overdue": gettext_noop("パートナー向けのマイルストーン %(overdue)s 件が遅れている間に、論文・発表が"
                                               " %(academic_since)s 件出ています。"),
    "overdue_milestones_without_academic": gettext_noop("パートナー向けのマイルストーン %(overdue)s 件が遅れています。"),
    "no_overdue_partner_milestones": gettext_noop("遅れているパートナー向けのマイルストーンはありません。"),
    "no_schedule": gettext_noop("報告の予定が設定されていません。"),
    "none_due_yet": gettext_noop("期限を過ぎた定期報告はまだありません（最初の期限 %(first_due)s）。"),
    "report_missing": gettext_noop("%(period_end)s までの期間の報告（期限 %(due)s）が提出されていません（%(days_overdue)s 日超過）。"),
    "report_late": gettext_noop("%(period_end)s までの期間の報告が %(days_late)s 日遅れて提出されました。"),
    "report_pending": gettext_noop("%(period_end)s までの期間の報告の期限は %(due)s です。"),
    "reports_up_to_date": gettext_noop("定期報告は期限どおりです（最新：%(period_end)s までの期間、%(submitted_on)s 提出）。"),
    "serves_no_agreed_theme": gettext_noop("合意済みのビジョンの研究開発テーマにつながっていません。"),
    "serves_agreed_themes": gettext_noop("合意済みのビジョンの研究開発テーマ %(themes_agreed)s 件につながっています。"),
    "past_end_date": gettext_noop("終了日（%(end)s）から %(days_since)s 日が過ぎましたが、まだ「%(status)s」です。"
                                  "事務局は終了するか、期間を延長してください。"),
    "no_end_date": gettext_noop("終了日が設定されていません。"),
    "closed": gettext_noop("このプロジェクトは「%(status)s」です。"),
    "ends_later": gettext_noop("終了日は %(end)s です（あと %(days_left)s 日）。"),
}

KIND_LABELS = {"cash": gettext_noop("資金"), "staff": gettext_noop("人員"), "equipment": gettext_noop("設備"),
               "data": gettext_noop("データ"), "field": gettext_noop("実証フィールド")}
HIDDEN = gettext_noop("（非公開）")
STATUS_LABELS = {"on_track": gettext_noop("順調"), "at_risk": gettext_noop("注意が必要"),
                 "off_track": gettext_noop("遅れ"), "no_data": gettext_noop("データなし")}


class _Params(dict):
    def __missing__(self, key: str) -> str:
        return "—"


def _shown(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return number_format(value, decimal_pos=None, use_l10n=True, force_grouping=True)
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value)
    return value


PROJECT_STATUS_LABELS = {"active": gettext_noop("実施中"), "paused": gettext_noop("一時停止中"),
                         "stopped": gettext_noop("中止"), "completed": gettext_noop("終了")}


def percent_text(ratio: float, *, coarse: bool) -> str:
    """A ratio as the number of a percent sentence: whole percent, or only its 10-point band ("40〜50") for a
    reader who may not see the amounts behind it (``domain.disclosure``)."""
    if not coarse:
        return _shown(round(ratio * 100))
    low = percent_band(ratio)
    return _shown(low) if low >= 100 else f"{_shown(low)}〜{_shown(low + BAND_POINTS)}"


def reason_text(code: str, params: dict[str, Any], *, show_amounts: bool) -> str:
    """The translated sentence of one reason; cash amounts are masked for those who may not see them, and the
    ratio behind them is told only as a band."""
    template = REASONS.get(code)
    if template is None:
        return code
    values = _Params({key: _shown(value) for key, value in params.items()})
    # The shortfall reasons carry fiscal_years, ratio and shortfall_ratio (domain/signals.py); their
    # sentences say years, percent and threshold.
    if "fiscal_years" in params:
        values["years"] = "、".join(str(year) for year in params["fiscal_years"])
    masked = params.get("kind") == "cash" and not show_amounts
    if isinstance(params.get("ratio"), int | float):
        values["percent"] = percent_text(params["ratio"], coarse=masked)
    elif isinstance(params.get("ratio_band"), int):  # already masked (``permissions.mask_params``)
        values["percent"] = percent_text(params["ratio_band"] / 100, coarse=True)
    if isinstance(params.get("shortfall_ratio"), int | float):
        values["threshold"] = _shown(round(params["shortfall_ratio"] * 100))
    if "status" in params:
        labels = PROJECT_STATUS_LABELS if code in ("past_end_date", "closed") else STATUS_LABELS
        values["status"] = _(labels.get(params["status"], params["status"]))
    if "kind" in params:
        values["kind"] = _(KIND_LABELS.get(params["kind"], params["kind"]))
        if params["kind"] == "cash" and not show_amounts:
            for key in ("committed", "provided", "missing"):
                values[key] = _(HIDDEN)
    return _(template) % values


def signal_name(code: str) -> str:
    return _(SIGNAL_NAMES.get(code, code))
