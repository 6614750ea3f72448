"""The venue's open data: every public table as CSV (UTF-8 with BOM) and JSON, each with a Frictionless Table
Schema, under the 公共データ利用規約（第1.0版）(PDL 1.0, compatible with CC BY 4.0).

Rows come only from the models' ``public()`` querysets (through ``queries``). One datum per cell (text is put on
one line), numbers as numbers (no separators or units; the unit is in the header or in a 単位 column), dates as
西暦 ISO dates, the venue's 全国地方公共団体コード in every table. Text cells of the CSV go through
``kyoso.common.exports.safe_cell`` (a spreadsheet never evaluates them); JSON carries the plain values. The
organisations have no 法人番号 in the directory yet, so no table has that column.

Each table is declared once (:data:`TABLES`): its columns give the CSV header, the JSON keys, the Table Schema and
the column kinds the 統一ルール checker (``domain.opendata_rules``) reads.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from kyoso.common.domain.text import plain_decimal
from kyoso.common.exports import safe_cell
from kyoso.portfolio.models import Output, Participant
from kyoso.venues.models import Decision, Venue
from kyoso.visions.models import KpiTarget, Observation

from . import queries
from .domain.opendata_rules import Column, without_dependent_characters

LICENCE = {
    "name": "PDL-1.0",
    "title": "公共データ利用規約（第1.0版）",
    "title_en": "Public Data License Version 1.0 (PDL 1.0), compatible with CC BY 4.0",
    "path": "https://www.digital.go.jp/resources/open_data/public_data_license_v1.0",
    "compatible": "CC-BY-4.0",
}

SCHEMA_TYPES = {"id": "integer", "text": "string", "integer": "integer", "number": "number", "date": "date",
                "year": "year", "code": "string", "region_code": "string", "corporate_number": "string"}
PATTERNS = {"region_code": "^[0-9]{6}$", "corporate_number": "^[0-9]{13}$"}


@dataclass(frozen=True)
class Field:
    header: str  # the CSV header and JSON key (Japanese, as the 統一ルール asks)
    kind: str
    title_en: str
    description: str = ""
    unit_column: str = ""

    @property
    def column(self) -> Column:
        return Column(self.header, self.kind, self.unit_column)


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    title_en: str
    fields: tuple[Field, ...]
    rows: Callable[[Venue], Iterable[list[Any]]]
    primary_key: tuple[str, ...] = ()

    @property
    def columns(self) -> list[Column]:
        return [f.column for f in self.fields]


REGION = Field("全国地方公共団体コード", "region_code", "Local government code",
               "総務省「全国地方公共団体コード」（6桁、検査数字つき）：この場を運営する自治体")
REGION_NAME = Field("地方公共団体名", "text", "Local government name")


def one_line(text: str | None) -> str:
    """Text on one line (line breaks and runs of white space become one space: rules 1-2, 1-5), without
    platform-dependent characters (rule 1-10: ① → 1, ㈱ → (株))."""
    return " ".join(without_dependent_characters(text or "").split())


def _region(venue: Venue) -> tuple[str, str]:
    return queries.region_code(venue)


# --- Rows -----------------------------------------------------------------------------------------------


def kpi_rows(venue: Venue) -> Iterable[list[Any]]:
    code, name = _region(venue)
    vision = queries.public_vision(venue)
    if vision is None:
        return
    kpis = list(queries.public_kpis(vision))
    for block in queries.kpi_blocks(kpis, timezone.localdate(), {}, n_boot=0):
        kpi, state = block.kpi, block.state
        latest = state.latest
        yield [kpi.pk, code, name, one_line(vision.title), one_line(kpi.goal.title), kpi.code, one_line(kpi.name),
               one_line(kpi.definition), kpi.unit, kpi.direction, kpi.baseline_value, kpi.baseline_date,
               latest[1] if latest else None, latest[0] if latest else None, str(state.assessment.status),
               state.assessment.rule, kpi.frequency, one_line(kpi.data_source),
               one_line(kpi.owner.name) if kpi.owner else "", timezone.localdate(kpi.updated_at)]


def observation_rows(venue: Venue) -> Iterable[list[Any]]:
    code, _name = _region(venue)
    vision = queries.public_vision(venue)
    if vision is None:
        return
    rows = (Observation.objects.public().filter(kpi__vision=vision).order_by("kpi_id", "date")
            .values_list("kpi_id", "kpi__code", "date", "value", "kpi__unit", "source"))
    for kpi_id, kpi_code, day, value, unit, source in rows.iterator(chunk_size=5000):
        yield [kpi_id, code, kpi_code, day, value, unit, source]


def target_rows(venue: Venue) -> Iterable[list[Any]]:
    code, _name = _region(venue)
    vision = queries.public_vision(venue)
    if vision is None:
        return
    public = queries.public_kpis(vision).values("pk")
    rows = (KpiTarget.objects.filter(kpi__in=public).order_by("kpi_id", "fiscal_year")
            .values_list("kpi_id", "kpi__code", "fiscal_year", "value", "kpi__unit"))
    for kpi_id, kpi_code, year, value, unit in rows:
        yield [kpi_id, code, kpi_code, year, value, unit]


def project_rows(venue: Venue) -> Iterable[list[Any]]:
    code, _name = _region(venue)
    outputs = (Output.objects.public().filter(project=OuterRef("pk")).order_by().values("project")
               .annotate(n=Count("pk")).values("n")[:1])
    partners = (Participant.objects.public().filter(project=OuterRef("pk")).order_by().values("project")
                .annotate(n=Count("organization", distinct=True)).values("n")[:1])
    projects = (queries.public_projects(venue).select_related("lead_organization__region")
                .annotate(n_outputs=Coalesce(Subquery(outputs), 0), n_partners=Coalesce(Subquery(partners), 0))
                .order_by("id"))
    for p in projects.iterator(chunk_size=2000):
        lead = p.lead_organization
        yield [p.pk, code, one_line(p.title), one_line(p.summary_public), p.stage, p.status, p.start_date,
               p.end_date, one_line(lead.name), lead.region.lg_code if lead.region_id and lead.region else "",
               p.n_partners, p.n_outputs]


def output_rows(venue: Venue) -> Iterable[list[Any]]:
    code, _name = _region(venue)
    rows = (Output.objects.public().filter(project__venue=venue).order_by("project_id", "-date", "id")
            .values_list("pk", "project_id", "kind", "title", "date", "identifier"))
    labels = dict(Output.Kind.choices)
    for pk, project_id, kind, title, day, identifier in rows.iterator(chunk_size=5000):
        yield [pk, project_id, code, kind, str(labels.get(kind, kind)), one_line(title), day, one_line(identifier)]


def decision_rows(venue: Venue) -> Iterable[list[Any]]:
    code, _name = _region(venue)
    decisions = list(queries.public_decisions(venue).order_by("decided_on", "number", "id"))
    public_ids = {d.pk for d in Decision.objects.public().filter(venue=venue).only("pk")}
    for d in decisions:
        previous = d.previous_id if d.previous_id in public_ids else None
        yield [d.pk, code, d.number, one_line(d.title), one_line(d.text), one_line(d.rationale),
               one_line(d.applies_to), d.method, d.votes_for, d.votes_against, d.votes_abstain, d.decided_on,
               previous, d.relation if previous else ""]


# --- Tables ---------------------------------------------------------------------------------------------

TABLES: dict[str, Table] = {t.key: t for t in (
    Table("kpis", "KPI（重要業績評価指標）", "KPIs", (
        Field("KPI ID", "id", "KPI ID"), REGION, REGION_NAME,
        Field("地域ビジョン", "text", "Vision"), Field("目標", "text", "Goal"),
        Field("KPIコード", "code", "KPI code"), Field("KPI名", "text", "KPI name"),
        Field("定義", "text", "Definition"), Field("単位", "text", "Unit"),
        Field("望ましい方向", "code", "Desired direction", "higher（高いほどよい）または lower（低いほどよい）"),
        Field("基準値", "number", "Baseline", unit_column="単位"), Field("基準値の時点", "date", "Baseline date"),
        Field("最新の実績", "number", "Latest value", unit_column="単位"),
        Field("最新の実績の時点", "date", "Latest value date"),
        Field("状況", "code", "Status", "on_track（順調）・at_risk（注意）・off_track（遅れ）・no_data（データなし）"),
        Field("判定の規則", "code", "Status rule", "状況を決めた規則（kyoso.visions.domain.status の rule）"),
        Field("更新頻度", "code", "Update frequency", "monthly・quarterly・yearly・census"),
        Field("データの出典", "text", "Data source"), Field("担当組織", "text", "Owner organisation"),
        Field("最終更新日", "date", "Last updated"),
    ), kpi_rows, ("KPI ID",)),
    Table("observations", "KPIの実績", "KPI observations", (
        Field("KPI ID", "id", "KPI ID"), REGION, Field("KPIコード", "code", "KPI code"),
        Field("時点", "date", "Date"), Field("値", "number", "Value", unit_column="単位"),
        Field("単位", "text", "Unit"),
        Field("入力元", "code", "Source", "form（入力）・import（ファイル取込）・reference（公的統計）"),
    ), observation_rows, ("KPI ID", "時点")),
    Table("targets", "KPIの年度ごとの目標値", "KPI targets by fiscal year", (
        Field("KPI ID", "id", "KPI ID"), REGION, Field("KPIコード", "code", "KPI code"),
        Field("年度", "year", "Fiscal year", "西暦の年度（4月〜翌年3月）"),
        Field("目標値", "number", "Target", unit_column="単位"), Field("単位", "text", "Unit"),
    ), target_rows, ("KPI ID", "年度")),
    Table("projects", "共同研究プロジェクト", "Joint research projects", (
        Field("プロジェクトID", "id", "Project ID"), REGION, Field("プロジェクト名", "text", "Title"),
        Field("概要", "text", "Public summary"),
        Field("段階", "code", "Stage", "basic_research・applied_research・field_trial・implementation・commercialised"),
        Field("状況", "code", "Status", "active・paused・stopped・completed"),
        Field("開始日", "date", "Start date"), Field("終了日", "date", "End date"),
        Field("代表機関", "text", "Lead organisation"),
        Field("代表機関の所在地の全国地方公共団体コード", "code", "Lead organisation's local government code"),
        Field("参加機関数（機関）", "integer", "Partner organisations"),
        Field("公開の成果の数（件）", "integer", "Public outputs"),
    ), project_rows, ("プロジェクトID",)),
    Table("outputs", "プロジェクトの成果", "Project outputs", (
        Field("成果ID", "id", "Output ID"), Field("プロジェクトID", "id", "Project ID"), REGION,
        Field("種類", "code", "Kind"), Field("種類の名称", "text", "Kind (label)"), Field("名称", "text", "Title"),
        Field("日付", "date", "Date"), Field("番号など", "text", "Identifier (patent number, DOI …)"),
    ), output_rows, ("成果ID",)),
    Table("decisions", "決定事項", "Decisions", (
        Field("決定ID", "id", "Decision ID"), REGION, Field("番号", "id", "Number", "場ごとの通し番号"),
        Field("件名", "text", "Title"), Field("決定内容", "text", "Text"), Field("理由・背景", "text", "Rationale"),
        Field("対象", "text", "Applies to"), Field("決定方法", "code", "Method", "consensus・vote"),
        Field("賛成（票）", "integer", "Votes for"), Field("反対（票）", "integer", "Votes against"),
        Field("棄権（票）", "integer", "Abstentions"), Field("決定日", "date", "Decided on"),
        Field("前の決定ID", "id", "Previous decision ID"),
        Field("前の決定との関係", "code", "Relation to the previous decision", "amends（変更）・revokes（取消し）"),
    ), decision_rows, ("決定ID",)),
)}


# --- Writing --------------------------------------------------------------------------------------------


def csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return plain_decimal(value)
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(safe_cell(str(value)))


def json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def to_csv(table: Table, venue: Venue) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([f.header for f in table.fields])
    for row in table.rows(venue):
        writer.writerow([csv_value(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def file_urls(table: Table, venue: Venue) -> dict[str, str]:
    name = f"public:data_{table.key}"
    return {key: reverse(name, kwargs={"slug": venue.slug, "format": fmt})
            for key, fmt in (("csv", "csv"), ("json", "json"), ("schema", "schema.json"))}


def metadata(table: Table, venue: Venue, base_url: str = "") -> dict[str, Any]:
    urls = {fmt: base_url + url for fmt, url in file_urls(table, venue).items()}
    code, region = _region(venue)
    return {
        "title": f"{venue.name}：{table.title}", "title_en": f"{venue.name_en or venue.name}: {table.title_en}",
        "publisher": venue.name, "region_code": code, "region_name": region,
        "licenses": [LICENCE],
        "attribution": (f"出典：{venue.name}「{table.title}」（{urls['csv']}）、"
                        f"公共データ利用規約（第1.0版）（{LICENCE['path']}）"),
        "schema": urls["schema"], "csv": urls["csv"], "json": urls["json"],
        "created": timezone.localdate().isoformat(),
        "is_sample": bool(venue.is_sample),
    }


def to_json(table: Table, venue: Venue, base_url: str = "") -> bytes:
    headers = [f.header for f in table.fields]
    data = [dict(zip(headers, (json_value(v) for v in row), strict=True)) for row in table.rows(venue)]
    body = {"metadata": metadata(table, venue, base_url), "data": data}
    return json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8")


def schema(table: Table, venue: Venue, base_url: str = "") -> dict[str, Any]:
    """The Frictionless Table Schema of the CSV (field names are its headers)."""
    fields = []
    for f in table.fields:
        entry: dict[str, Any] = {"name": f.header, "title": f.title_en, "type": SCHEMA_TYPES[f.kind]}
        if f.description:
            entry["description"] = f.description
        if f.kind in PATTERNS:
            entry["constraints"] = {"pattern": PATTERNS[f.kind]}
        if f.kind == "region_code":
            entry.setdefault("constraints", {})["required"] = True
        if f.unit_column:
            entry["unitColumn"] = f.unit_column
        fields.append(entry)
    meta = metadata(table, venue, base_url)
    return {
        "$schema": "https://frictionlessdata.io/schemas/table-schema.json",
        "title": meta["title"], "description": meta["title_en"], "fields": fields,
        "primaryKey": list(table.primary_key), "missingValues": [""],
        "licenses": [LICENCE], "attribution": meta["attribution"],
        "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "header": True, "encoding": "utf-8-sig"},
    }
