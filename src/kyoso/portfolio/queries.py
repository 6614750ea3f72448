"""Reads of the portfolio: the facts the review signals need, gathered for a whole portfolio at once."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import Count, DecimalField, Max, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from kyoso.visions.models import Kpi, VisionVersion
from kyoso.visions.queries import agreed_theme_ids, kpi_histories, kpi_state

from .domain.disclosure import percent_band, position_in_band
from .domain.progress import ProgressPoint, progress_point
from .domain.signals import (
    DEFAULT_REPORT_INTERVAL_MONTHS,
    CommitmentFact,
    KpiFact,
    MilestoneFact,
    OutputFact,
    ProjectFacts,
    ProjectReview,
    ReportFact,
    Thresholds,
    evaluate_portfolio,
    fiscal_year_end,
)
from .models import Commitment, ExpectedKpi, Milestone, Output, PortfolioSettings, Project, Provision, Report
from .permissions import shown_percent


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


def _scope(projects: list[Project], path: str = "project") -> dict[str, Any]:
    """The filter that selects the rows of these projects: by venue when they are many projects of one venue
    (a long ``IN`` list costs more to build than the few rows of other projects it keeps out), else by id."""
    venues = {p.venue_id for p in projects}
    if len(projects) > 200 and len(venues) == 1:
        return {f"{path}__venue_id": venues.pop()}
    return {f"{path}_id__in": [p.pk for p in projects]}


def project_facts(projects: list[Project], today: dt.date, sees: set[int] | None = None) -> list[ProjectFacts]:
    """Build the signal inputs of many projects with a fixed number of queries, for a reader: confidential
    outputs count only in the projects ``sees`` names (None: in all, for the secretariat), so no signal, count
    or date tells a reader of an output they may not see."""
    full, without_confidential = facts_with_and_without_confidential(projects, today)
    if sees is None:
        return full
    return [f if f.project_id in sees else without_confidential.get(f.project_id, f) for f in full]


def facts_with_and_without_confidential(projects: list[Project], today: dt.date
                                        ) -> tuple[list[ProjectFacts], dict[int, ProjectFacts]]:
    """The signal inputs of each project with all its outputs, and, for the projects that have confidential
    outputs, without them (what the venue's other members may see)."""
    scope = _scope(projects)
    zero = Value(Decimal(0), output_field=DecimalField(max_digits=16, decimal_places=2))
    # values_list, not model instances: a portfolio has tens of thousands of these rows.
    commitments = (Commitment.objects.filter(**scope)
                   .annotate(provided_total=Coalesce(Sum("provisions__amount"), zero))
                   .values_list("project_id", "partner_id", "partner__name", "fiscal_year", "kind", "amount",
                                "provided_total"))
    by_project_commitments: dict[int, list[CommitmentFact]] = defaultdict(list)
    for project_id, partner_id, partner_name, fiscal_year, kind, amount, provided in commitments:
        by_project_commitments[project_id].append(CommitmentFact(
            partner_id=partner_id, partner_name=partner_name, fiscal_year=fiscal_year, kind=kind,
            committed=amount, provided=provided))
    outputs: dict[int, list[OutputFact]] = defaultdict(list)
    confidential_outputs: dict[int, set[int]] = defaultdict(set)  # project → indexes into outputs[project]
    kpis_of_output: dict[int, list[int]] = defaultdict(list)
    for output_id, kpi_id in Output.kpis.through.objects.filter(**_scope(projects, "output__project")).values_list(
            "output_id", "kpi_id"):
        kpis_of_output[output_id].append(kpi_id)
    for output_id, project_id, kind, date, confidential in Output.objects.filter(**scope).values_list(
            "id", "project_id", "kind", "date", "is_confidential"):
        if confidential:
            confidential_outputs[project_id].add(len(outputs[project_id]))
        outputs[project_id].append(OutputFact(kind, date, tuple(kpis_of_output.get(output_id, ()))))
    expected = list(ExpectedKpi.objects.filter(**scope).values_list("project_id", "kpi_id"))
    statuses = kpi_statuses({kpi_id for _, kpi_id in expected}, today)
    expected_by_project: dict[int, list[KpiFact]] = defaultdict(list)
    for project_id, kpi_id in expected:
        name, status = statuses[kpi_id]
        expected_by_project[project_id].append(KpiFact(kpi_id, name, status))
    reports: dict[int, list[ReportFact]] = defaultdict(list)
    for project_id, period_end, submitted_on in Report.objects.filter(**scope).values_list(
            "project_id", "period_end", "submitted_on"):
        reports[project_id].append(ReportFact(period_end, submitted_on))
    milestones: dict[int, list[MilestoneFact]] = defaultdict(list)
    for project_id, title, due, done_on, partner_facing in Milestone.objects.filter(**scope).values_list(
            "project_id", "title", "due_date", "done_on", "partner_facing"):
        milestones[project_id].append(MilestoneFact(title, due, done_on is not None and done_on <= today,
                                                    partner_facing))
    # "Agreed" means "in the agreed version": a theme added after the agreement does not count.
    agreed = agreed_theme_ids({p.venue_id for p in projects})
    themes_agreed: dict[int, int] = defaultdict(int)
    for project_id, theme_id in Project.themes.through.objects.filter(**scope).values_list(
            "project_id", "researchtheme_id"):
        if theme_id in agreed:
            themes_agreed[project_id] += 1
    full = [
        ProjectFacts(
            project_id=p.pk, start=p.start_date, end=p.end_date, stage=p.stage, status=p.status,
            themes_agreed=themes_agreed.get(p.pk, 0),
            commitments=tuple(by_project_commitments.get(p.pk, ())), outputs=tuple(outputs.get(p.pk, ())),
            expected_kpis=tuple(expected_by_project.get(p.pk, ())), reports=tuple(reports.get(p.pk, ())),
            report_interval_months=p.report_interval_months, milestones=tuple(milestones.get(p.pk, ())),
        )
        for p in projects
    ]
    without = {
        f.project_id: replace(f, outputs=tuple(o for i, o in enumerate(f.outputs)
                                               if i not in confidential_outputs[f.project_id]))
        for f in full if confidential_outputs.get(f.project_id)
    }
    return full, without


def report_interval_of(venue: Any) -> int:
    """The reporting interval (months) the venue set for its new projects, or the default."""
    interval = (PortfolioSettings.objects.filter(venue_id=venue.pk).values_list("report_interval_months", flat=True)
                .first())
    return DEFAULT_REPORT_INTERVAL_MONTHS if interval is None else interval


def thresholds_of(venue: Any) -> Thresholds:
    """The venue's thresholds: the defaults with the venue's overrides (``PortfolioSettings``)."""
    overrides = (PortfolioSettings.objects.filter(venue_id=venue.pk).values_list("thresholds", flat=True).first()
                 or {})
    known = set(Thresholds.__dataclass_fields__)
    values = {k: (tuple(v) if isinstance(v, list) else v) for k, v in overrides.items() if k in known}
    return Thresholds(**values)


def evaluate_projects(projects: list[Project], today: dt.date, thresholds: Thresholds | None = None,
                      sees: set[int] | None = None) -> list[ProjectReview]:
    """The signals of these projects for a reader (``sees``: see :func:`project_facts`)."""
    return evaluate_portfolio(project_facts(projects, today, sees), today, thresholds or Thresholds())


def portfolio_reviews(venue: Any, today: dt.date, thresholds: Thresholds | None = None) -> list[ProjectReview]:
    return evaluate_projects(list(projects_of(venue)), today, thresholds or thresholds_of(venue))





def expected_pairs(project_ids: list[int]) -> set[tuple[int, int]]:
    return set(ExpectedKpi.objects.filter(project_id__in=project_ids).values_list("project_id", "kpi_id"))


def linked_output_counts(project_ids: list[int], user: Any) -> dict[tuple[int, int], int]:
    """Outputs linked to each (project, KPI), of the outputs ``user`` may see (``Output.objects.visible_to``)."""
    visible = Output.objects.visible_to(user).filter(project_id__in=project_ids)
    rows = (Output.kpis.through.objects.filter(output__in=visible.values("pk"))
            .values_list("output__project_id", "kpi_id").annotate(n=Count("id")))
    return {(project_id, kpi_id): n for project_id, kpi_id, n in rows}


def kpis_with_status(kpi_ids: set[int], today: dt.date) -> list[dict[str, Any]]:
    statuses = kpi_statuses(kpi_ids, today)
    kpis = Kpi.objects.filter(pk__in=kpi_ids).order_by("vision_id", "code").values("id", "code", "name", "vision_id")
    return [{**k, "status": statuses[k["id"]][1]} for k in kpis]


# --- The portfolio overview, cached until its inputs change ---------------------------------------------

OVERVIEW_TTL = 24 * 3600


def portfolio_fingerprint(venue: Any, today: dt.date, thresholds: Thresholds) -> str:
    """What the signals of a venue's portfolio depend on, as one short string: the day, the thresholds, and
    for each input table its row count and latest change (a few aggregate queries, no rows fetched)."""
    from kyoso.visions.models import Observation

    parts = [today.isoformat(), repr(thresholds)]
    for model, path in ((Project, "venue"), (Commitment, "project__venue"), (Provision, "commitment__project__venue"),
                        (Output, "project__venue"), (Report, "project__venue"), (Milestone, "project__venue"),
                        (Observation, "kpi__vision__venue"), (VisionVersion, "vision__venue")):
        row = model.objects.filter(**{path: venue}).aggregate(n=Count("id"), latest=Max("updated_at"))
        parts.append(f"{row['n']}:{row['latest']}")
    parts.append(str(ExpectedKpi.objects.filter(project__venue=venue).count()))
    parts.append(str(Output.kpis.through.objects.filter(output__project__venue=venue).count()))
    parts.append(str(Project.themes.through.objects.filter(project__venue=venue).count()))
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:24]


def portfolio_overview(venue: Any, today: dt.date, thresholds: Thresholds | None = None) -> dict[int, dict[str, Any]]:
    """For every project of the venue: the signals that fired (code, severity) and its resources-vs-progress
    point. Computed for the whole portfolio at once and cached until an input changes (see
    :func:`portfolio_fingerprint`), so list pages never recompute 1,000 projects per request.

    The cache is shared by all readers, so it holds no amounts and, for a project with confidential outputs,
    also the signals computed without them (``fired_without_confidential``); ``cash_confidential`` marks a
    project whose provision rate comes from a confidential cash amount. Never read it directly on a page:
    :func:`reader_overview` picks what one reader may see."""
    thresholds = thresholds or thresholds_of(venue)
    key = f"kyoso:portfolio-overview:v2:{venue.pk}:{portfolio_fingerprint(venue, today, thresholds)}"
    overview = cache.get(key)
    if overview is None:
        projects = list(Project.objects.filter(venue=venue).only("id", "venue_id", "start_date", "end_date", "stage",
                                                                  "status", "report_interval_months"))
        facts, without = facts_with_and_without_confidential(projects, today)
        reviews = evaluate_portfolio(facts, today, thresholds)
        outsider = dict(zip(without, evaluate_portfolio(without.values(), today, thresholds), strict=True))
        cash_confidential = set(Commitment.objects.filter(project__venue=venue, kind="cash", is_confidential=True)
                                .values_list("project_id", flat=True))
        overview = {}
        for fact, review in zip(facts, reviews, strict=True):
            point = progress_point(fact, today, thresholds)
            overview[fact.project_id] = {
                "fired": [(s.code, s.severity) for s in review.fired],
                "point": (point.provision, point.progress, point.groups_due, point.milestones_due,
                          point.milestones_done, point.shortfall),
                "cash_confidential": fact.project_id in cash_confidential,
            }
            if fact.project_id in outsider:
                overview[fact.project_id]["fired_without_confidential"] = [
                    (s.code, s.severity) for s in outsider[fact.project_id].fired]
        cache.set(key, overview, OVERVIEW_TTL)
    return overview


def reader_overview(overview: dict[int, dict[str, Any]], sees: set[int] | None,
                    thresholds: Thresholds) -> dict[int, dict[str, Any]]:
    """What one reader may see of a :func:`portfolio_overview`: in the projects whose confidential items they
    may not see (not in ``sees``; None = all seen), the signals computed without confidential outputs, and a
    provision rate from a confidential amount placed only in its 10-point band (``domain.disclosure``), on
    the side of the divide that the shortfall signal says. Each item: ``fired``, ``point`` (a
    ``ProgressPoint``), ``coarse`` (the provision rate is a band)."""
    divide = thresholds.shortfall_ratio
    result = {}
    for pk, item in overview.items():
        insider = sees is None or pk in sees
        point = ProgressPoint(pk, *item["point"])
        coarse = not insider and item["cash_confidential"] and point.provision is not None
        if coarse:
            assert point.provision is not None
            x = position_in_band(point.provision)
            x = min(x, divide - 0.005) if point.shortfall else max(x, divide)
            point = replace(point, provision=x, progress=point.progress)
        fired = item["fired"] if insider else item.get("fired_without_confidential", item["fired"])
        result[pk] = {"fired": fired, "point": point, "coarse": coarse,
                      "band": percent_band(item["point"][0]) if coarse else None}
    return result


def resource_ledger(venue: Any, today: dt.date, grace_days: int, user: Any,
                    project_ids: list[int] | None = None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """What every partner committed and provided across the venue's projects, per fiscal year and kind, and the
    commitments that are overdue (due date plus grace passed, provided below committed).

    Confidential cash amounts count only for readers who may see them in that project
    (``Commitment.objects.with_amount_visible``); for the others such a commitment is counted as hidden, never
    added to a total, and its ratio is only a band. ``project_ids`` limits it to those projects (a filtered
    portfolio). One query.
    """
    zero = Value(Decimal(0), output_field=DecimalField(max_digits=16, decimal_places=2))
    commitments = Commitment.objects.visible_to(user).with_amount_visible(user).filter(project__venue=venue)
    if project_ids is not None:
        commitments = commitments.filter(project_id__in=project_ids)
    rows = (commitments
            .annotate(provided_total=Coalesce(Sum("provisions__amount"), zero))
            .values_list("pk", "project_id", "project__title", "partner_id", "partner__name", "fiscal_year", "kind",
                         "amount", "provided_total", "amount_visible")
            .order_by("partner__name", "fiscal_year", "kind"))
    totals: dict[tuple[Any, ...], dict[str, Any]] = {}
    overdue = []
    for pk, project_id, title, partner_id, partner, year, kind, amount, provided, amount_visible in rows:
        hidden = not amount_visible
        key = (partner_id, year, kind)
        entry = totals.setdefault(key, {"partner": partner, "fiscal_year": year, "kind": kind, "committed": Decimal(0),
                                        "provided": Decimal(0), "hidden": 0, "projects": set()})
        entry["projects"].add(project_id)
        if hidden:
            entry["hidden"] += 1
        else:
            entry["committed"] += amount
            entry["provided"] += provided
        due = fiscal_year_end(year)
        if provided < amount and due + dt.timedelta(days=grace_days) < today:
            overdue.append({"commitment_id": pk, "project_id": project_id, "project": title, "partner": partner,
                            "fiscal_year": year, "kind": kind, "due": due, "hidden": hidden,
                            "committed": None if hidden else amount, "provided": None if hidden else provided,
                            "ratio": shown_percent(provided, amount, hidden), "ratio_coarse": hidden,
                            "days_overdue": (today - due).days})
    ledger = []
    for entry in totals.values():
        entry["projects"] = len(entry["projects"])
        entry["ratio"] = (round(float(entry["provided"] / entry["committed"]) * 100)
                          if entry["committed"] else None)
        ledger.append(entry)
    overdue.sort(key=lambda o: (-o["days_overdue"], o["partner"]))
    return ledger, overdue


def portfolio_overview_for(venue: Any, today: dt.date, user: Any, rights: Any,
                           thresholds: Thresholds | None = None) -> dict[int, dict[str, Any]]:
    """The cached overview as ``user`` (with ``rights`` in the venue) may see it (:func:`reader_overview`)."""
    from .permissions import venue_confidential_projects

    thresholds = thresholds or thresholds_of(venue)
    return reader_overview(portfolio_overview(venue, today, thresholds),
                           venue_confidential_projects(user, venue, rights), thresholds)


def fired_project_ids(overview: dict[int, dict[str, Any]], code: str) -> set[int]:
    """Ids of the projects of a :func:`reader_overview` in which the signal ``code`` fired."""
    return {pk for pk, item in overview.items() if any(fired == code for fired, _severity in item["fired"])}


def select_projects(venue: Any, data: dict[str, Any],
                    overview: Callable[[], dict[int, dict[str, Any]]]) -> QuerySet[Project]:
    """The projects of the portfolio's filter form (``data``: its cleaned data, or {}), the review-signal filter
    included: ``overview()`` gives the reader's overview (:func:`portfolio_overview_for`) and is called only
    when a signal is asked for. The portfolio page, its matrix and chart and the exports all select this way."""
    projects = filter_projects(venue, data)
    if data.get("signal"):
        projects = projects.filter(pk__in=fired_project_ids(overview(), data["signal"]))
    return projects


def filter_projects(venue: Any, data: dict[str, Any]) -> QuerySet[Project]:
    """The venue's projects narrowed by the portfolio filters (``PortfolioFilterForm.cleaned_data``): keyword in
    the title, summaries and participating organisations' names (never in outputs, so a confidential output is
    never found by its title), theme, stage, status, partner (lead, participant or provider) and in/out of region.
    The review-signal filter is applied by the caller from the cached overview."""
    from kyoso.common.domain.text import query_terms

    projects = projects_of(venue)
    for term in query_terms(data.get("q") or ""):
        projects = projects.filter(Q(title__icontains=term) | Q(summary_public__icontains=term)
                                   | Q(summary_internal__icontains=term) | Q(lead_organization__name__icontains=term)
                                   | Q(participants__organization__name__icontains=term))
    if data.get("theme"):
        projects = projects.filter(themes=data["theme"])
    if data.get("stage"):
        projects = projects.filter(stage=data["stage"])
    if data.get("status"):
        projects = projects.filter(status=data["status"])
    if data.get("partner"):
        org = data["partner"]
        projects = projects.filter(Q(lead_organization=org) | Q(participants__organization=org)
                                   | Q(commitments__partner=org))
    if data.get("region") == "out":
        projects = projects.filter(participants__in_region=False)
    elif data.get("region") == "in":
        projects = projects.exclude(participants__in_region=False)
    return projects.distinct()
