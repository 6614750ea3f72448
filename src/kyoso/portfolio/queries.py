"""Reads of the portfolio: the facts the review signals need, gathered for a whole portfolio at once."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from kyoso.visions.models import Kpi, VisionVersion
from kyoso.visions.queries import kpi_histories, kpi_state

from .domain.signals import (
    CommitmentFact,
    KpiFact,
    MilestoneFact,
    OutputFact,
    ProjectFacts,
    ProjectReview,
    ReportFact,
    Thresholds,
    evaluate_portfolio,
)
from .models import Commitment, ExpectedKpi, Milestone, Output, PortfolioSettings, Project, Report


def projects_of(venue: Any) -> QuerySet[Project]:
    return venue.projects.select_related("lead_organization").order_by("-start_date", "id")


def kpi_statuses(kpi_ids: set[int], today: dt.date) -> dict[int, tuple[str, str]]:
    """(name, status) of each KPI, computed once for the whole portfolio."""
    kpis = list(Kpi.objects.filter(pk__in=kpi_ids).select_related("vision").prefetch_related("targets"))
    histories = kpi_histories([k.pk for k in kpis])
    return {
        k.pk: (k.name, str(kpi_state(k, histories.get(k.pk, []), today, n_boot=0, max_points=48).assessment.status))
        for k in kpis
    }


def project_facts(projects: list[Project], today: dt.date) -> list[ProjectFacts]:
    """Build the signal inputs of many projects with a fixed number of queries."""
    ids = [p.pk for p in projects]
    zero = Value(Decimal(0), output_field=DecimalField(max_digits=16, decimal_places=2))
    commitments = (Commitment.objects.filter(project_id__in=ids).select_related("partner")
                   .annotate(provided=Coalesce(Sum("provisions__amount"), zero)))
    by_project_commitments: dict[int, list[CommitmentFact]] = defaultdict(list)
    for c in commitments:
        by_project_commitments[c.project_id].append(CommitmentFact(
            partner_id=c.partner_id, partner_name=c.partner.name, fiscal_year=c.fiscal_year, kind=c.kind,
            committed=c.amount, provided=c.provided))
    outputs: dict[int, list[OutputFact]] = defaultdict(list)
    kpis_of_output: dict[int, list[int]] = defaultdict(list)
    for output_id, kpi_id in Output.kpis.through.objects.filter(output__project_id__in=ids).values_list(
            "output_id", "kpi_id"):
        kpis_of_output[output_id].append(kpi_id)
    for o in Output.objects.filter(project_id__in=ids).only("id", "project_id", "kind", "date"):
        outputs[o.project_id].append(OutputFact(o.kind, o.date, tuple(kpis_of_output.get(o.pk, ()))))
    expected = list(ExpectedKpi.objects.filter(project_id__in=ids).values_list("project_id", "kpi_id"))
    statuses = kpi_statuses({kpi_id for _, kpi_id in expected}, today)
    expected_by_project: dict[int, list[KpiFact]] = defaultdict(list)
    for project_id, kpi_id in expected:
        name, status = statuses[kpi_id]
        expected_by_project[project_id].append(KpiFact(kpi_id, name, status))
    reports: dict[int, list[ReportFact]] = defaultdict(list)
    for project_id, period_end, submitted_on in Report.objects.filter(
            project_id__in=ids).values_list("project_id", "period_end", "submitted_on"):
        reports[project_id].append(ReportFact(period_end, submitted_on))
    milestones: dict[int, list[MilestoneFact]] = defaultdict(list)
    for project_id, title, due, done_on, partner_facing in Milestone.objects.filter(project_id__in=ids).values_list(
            "project_id", "title", "due_date", "done_on", "partner_facing"):
        milestones[project_id].append(MilestoneFact(title, due, done_on is not None and done_on <= today,
                                                    partner_facing))
    agreed_visions = VisionVersion.objects.filter(status=VisionVersion.Status.AGREED).values("vision_id")
    themes_agreed = dict(
        Project.objects.filter(pk__in=ids).annotate(
            n=Count("themes", filter=Q(themes__issue__vision_id__in=agreed_visions), distinct=True))
        .values_list("pk", "n"))
    return [
        ProjectFacts(
            project_id=p.pk, start=p.start_date, end=p.end_date, stage=p.stage,
            themes_agreed=themes_agreed.get(p.pk, 0),
            commitments=tuple(by_project_commitments.get(p.pk, ())), outputs=tuple(outputs.get(p.pk, ())),
            expected_kpis=tuple(expected_by_project.get(p.pk, ())), reports=tuple(reports.get(p.pk, ())),
            report_interval_months=p.report_interval_months, milestones=tuple(milestones.get(p.pk, ())),
        )
        for p in projects
    ]


def thresholds_of(venue: Any) -> Thresholds:
    """The venue's thresholds: the defaults with the venue's overrides (``PortfolioSettings``)."""
    overrides = (PortfolioSettings.objects.filter(venue_id=venue.pk).values_list("thresholds", flat=True).first()
                 or {})
    known = set(Thresholds.__dataclass_fields__)
    values = {k: (tuple(v) if isinstance(v, list) else v) for k, v in overrides.items() if k in known}
    return Thresholds(**values)


def evaluate_projects(projects: list[Project], today: dt.date,
                      thresholds: Thresholds | None = None) -> list[ProjectReview]:
    return evaluate_portfolio(project_facts(projects, today), today, thresholds or Thresholds())


def portfolio_reviews(venue: Any, today: dt.date, thresholds: Thresholds | None = None) -> list[ProjectReview]:
    return evaluate_projects(list(projects_of(venue)), today, thresholds or thresholds_of(venue))





def expected_pairs(project_ids: list[int]) -> set[tuple[int, int]]:
    return set(ExpectedKpi.objects.filter(project_id__in=project_ids).values_list("project_id", "kpi_id"))


def linked_output_counts(project_ids: list[int], visible_confidential: set[int] | None) -> dict[tuple[int, int], int]:
    """Outputs linked to each (project, KPI). Confidential outputs count only in the projects whose
    confidential records the reader may see (``visible_confidential``; None = all, for the secretariat)."""
    rows = (Output.kpis.through.objects.filter(output__project_id__in=project_ids)
            .values_list("output__project_id", "kpi_id", "output__is_confidential").annotate(n=Count("id")))
    counts: dict[tuple[int, int], int] = defaultdict(int)
    for project_id, kpi_id, confidential, n in rows:
        if confidential and visible_confidential is not None and project_id not in visible_confidential:
            continue
        counts[(project_id, kpi_id)] += n
    return dict(counts)


def kpis_with_status(kpi_ids: set[int], today: dt.date) -> list[dict[str, Any]]:
    statuses = kpi_statuses(kpi_ids, today)
    kpis = Kpi.objects.filter(pk__in=kpi_ids).order_by("vision_id", "code").values("id", "code", "name", "vision_id")
    return [{**k, "status": statuses[k["id"]][1]} for k in kpis]
