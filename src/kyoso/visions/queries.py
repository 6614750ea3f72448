"""Reads of the vision area: the dashboard, a KPI's history/forecast/status, the backcasting tree and gaps."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, FloatField, Prefetch, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone

from kyoso.common.domain.fiscal import fiscal_year_end

from .domain.forecast import Forecast, build_forecast
from .domain.status import Assessment, assess
from .domain.units import unit_rules
from .models import Goal, Kpi, Milestone, Observation, RegionalIssue, ResearchTheme, Vision, VisionVersion


@dataclass
class KpiState:
    kpi: Kpi
    latest: tuple[dt.date, float] | None
    assessment: Assessment
    forecast: Forecast | None = None
    history: list[tuple[dt.date, float]] = field(default_factory=list)


def horizon_date(vision: Vision) -> dt.date:
    return fiscal_year_end(vision.horizon_year)


def kpi_histories(kpi_ids: list[int]) -> dict[int, list[tuple[dt.date, float]]]:
    """All observations of the given KPIs in one query, grouped per KPI in date order."""
    grouped: dict[int, list[tuple[dt.date, float]]] = defaultdict(list)
    rows = (Observation.objects.filter(kpi_id__in=kpi_ids).order_by("kpi_id", "date")
            .values_list("kpi_id", "date", Cast("value", FloatField())))  # floats straight from SQL: faster
    for kpi_id, day, value in rows.iterator(chunk_size=10_000):
        grouped[kpi_id].append((day, value))
    return grouped


def kpi_state(kpi: Kpi, history: list[tuple[dt.date, float]], today: dt.date, *, n_boot: int,
              max_points: int = 240) -> KpiState:
    """History, forecast and status of a KPI. Freshness follows the KPI's update frequency; a count is
    forecast in whole numbers and a unit that cannot be negative is clamped at zero (``domain/units.py``)."""
    vision = kpi.vision
    targets = {t.fiscal_year: float(t.value) for t in kpi.targets.all()}
    rules = unit_rules(kpi.unit)
    forecast = (build_forecast(history, horizon_date(vision), n_boot=n_boot, max_points=max_points,
                               integer=rules.integer, non_negative=rules.non_negative)
                if history else None)
    baseline = float(kpi.baseline_value) if kpi.baseline_value is not None else None
    assessment = assess(direction=kpi.direction, baseline=baseline, targets=targets, observations=history,
                        forecast=forecast, today=today, baseline_date=kpi.baseline_date, frequency=kpi.frequency)
    return KpiState(kpi=kpi, latest=history[-1] if history else None, assessment=assessment, forecast=forecast,
                    history=history)


@dataclass
class GoalBlock:
    goal: Goal
    states: list[KpiState]


@dataclass
class Dashboard:
    goals: list[GoalBlock]
    status_counts: dict[str, int]
    milestones_due: list[Milestone]
    current_version: VisionVersion | None
    latest_version: VisionVersion | None
    since: dt.datetime | None
    changed_observations: int
    changed_milestones: list[Milestone]


def visible(queryset: QuerySet[Any], reader: Any) -> QuerySet[Any]:
    """``queryset.visible_to(reader)``; ``reader=None`` is the system itself (sample builder, commands): all."""
    return queryset if reader is None else queryset.visible_to(reader)


def vision_kpis(vision: Vision, reader: Any = None) -> QuerySet[Kpi]:
    """The vision's KPIs that ``reader`` may see (``Kpi.objects.visible_to``)."""
    return visible(Kpi.objects.filter(vision=vision), reader).select_related(
        "goal", "owner", "vision").prefetch_related("targets")


def dashboard(vision: Vision, today: dt.date, reader: Any = None) -> Dashboard:
    """Each goal with its KPIs' statuses, milestones due, and what changed since the last meeting; counts and
    changes are computed from what ``reader`` may see only."""
    kpis = list(vision_kpis(vision, reader))
    histories = kpi_histories([k.pk for k in kpis])
    # The dashboard needs only each KPI's point forecast to decide its status: no bootstrap band, and long
    # monthly series averaged into at most 48 periods (the KPI page fits the full series with its band).
    states = [kpi_state(k, histories.get(k.pk, []), today, n_boot=0, max_points=48) for k in kpis]
    by_goal: dict[int, list[KpiState]] = defaultdict(list)
    for state in states:
        by_goal[state.kpi.goal_id].append(state)
    goals = [GoalBlock(goal, by_goal.get(goal.pk, [])) for goal in vision.goals.all()]
    counts: dict[str, int] = defaultdict(int)
    for state in states:  # old data is counted apart from no data at all
        counts["stale" if state.assessment.rule == "stale" else str(state.assessment.status)] += 1
    start_of_today = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    last_meeting = (vision.venue.meetings.filter(starts_at__lt=start_of_today)
                    .order_by("-starts_at").values_list("starts_at", flat=True).first())
    versions = list(vision.versions.order_by("-number")[:20])
    return Dashboard(
        goals=goals,
        status_counts=dict(counts),
        milestones_due=list(visible(Milestone.objects.filter(vision=vision), reader)
                            .filter(status="planned", due_date__lte=today + dt.timedelta(days=90))
                            .select_related("goal").order_by("due_date")[:20]),
        current_version=next((v for v in versions if v.status == VisionVersion.Status.AGREED), None),
        latest_version=versions[0] if versions else None,
        since=last_meeting,
        changed_observations=(visible(Observation.objects.filter(kpi__vision=vision), reader)
                              .filter(updated_at__gte=last_meeting).count() if last_meeting else 0),
        changed_milestones=(list(visible(Milestone.objects.filter(vision=vision), reader)
                                 .filter(updated_at__gte=last_meeting).order_by("-updated_at")[:10])
                            if last_meeting else []),
    )


def kpi_detail(kpi: Kpi, today: dt.date) -> KpiState:
    history = kpi_histories([kpi.pk]).get(kpi.pk, [])
    return kpi_state(kpi, history, today, n_boot=500)


# --- Backcasting --------------------------------------------------------------------------------


def backcasting_tree(vision: Vision, reader: Any = None) -> list[Goal]:
    """Goals → KPIs → issues → themes (→ projects, once the portfolio exists), prefetched in a few queries;
    only the KPIs ``reader`` may see."""
    themes = ResearchTheme.objects.order_by("id")
    kpis = visible(Kpi.objects.all(), reader).order_by("id")
    issues = RegionalIssue.objects.prefetch_related(Prefetch("themes", queryset=themes),
                                                    Prefetch("kpis", queryset=kpis)).order_by("id")
    return list(visible(Goal.objects.filter(vision=vision), reader).prefetch_related(
        Prefetch("kpis", queryset=kpis),
        Prefetch("issues", queryset=issues),
    ).order_by("order", "id"))


@dataclass
class Gaps:
    kpis_without_theme: list[Kpi]
    issues_without_theme: list[RegionalIssue]
    themes_without_project: list[ResearchTheme]
    projects_known: bool


def gaps(vision: Vision, reader: Any = None) -> Gaps:
    """KPIs that no theme serves (no issue with a theme points at them), issues with no theme, themes with
    no project. Projects come with the portfolio area; until then every theme is listed as without one."""
    kpis = visible(Kpi.objects.filter(vision=vision), reader).annotate(n=Count("issues__themes")).filter(
        n=0).order_by("id")
    issues = vision.issues.annotate(n=Count("themes")).filter(n=0).order_by("id")
    themes = ResearchTheme.objects.filter(issue__vision=vision).select_related("issue")
    projects_known = hasattr(ResearchTheme, "projects")
    if projects_known:
        themes = themes.annotate(n=Count("projects")).filter(n=0)
    return Gaps(list(kpis), list(issues), list(themes.order_by("id")), projects_known)


@dataclass(frozen=True)
class GraphNode:
    key: str
    level: int
    label: str
    url: str = ""


@dataclass(frozen=True)
class GraphEdge:
    source: str
    target: str


def backcasting_graph(vision: Vision, reader: Any = None) -> tuple[list[GraphNode], list[GraphEdge]]:
    """Nodes and edges of vision → goals → KPIs → issues → themes for the graph view (KPIs ``reader`` sees)."""
    tree = backcasting_tree(vision, reader)
    nodes = [GraphNode("v", 0, vision.title, vision.get_absolute_url())]
    edges: list[GraphEdge] = []
    seen_issues: set[int] = set()
    for goal in tree:
        nodes.append(GraphNode(f"g{goal.pk}", 1, goal.title))
        edges.append(GraphEdge("v", f"g{goal.pk}"))
        for kpi in goal.kpis.all():
            nodes.append(GraphNode(f"k{kpi.pk}", 2, kpi.name))
            edges.append(GraphEdge(f"g{goal.pk}", f"k{kpi.pk}"))
        for issue in goal.issues.all():
            if issue.pk not in seen_issues:
                seen_issues.add(issue.pk)
                nodes.append(GraphNode(f"i{issue.pk}", 3, issue.title))
                for theme in issue.themes.all():
                    nodes.append(GraphNode(f"t{theme.pk}", 4, theme.title))
                    edges.append(GraphEdge(f"i{issue.pk}", f"t{theme.pk}"))
            linked = [k for k in issue.kpis.all()]
            for kpi in linked:
                edges.append(GraphEdge(f"k{kpi.pk}", f"i{issue.pk}"))
            if not linked:
                edges.append(GraphEdge(f"g{goal.pk}", f"i{issue.pk}"))
    return nodes, edges


# --- What the agreed version holds ---------------------------------------------------------------


@dataclass(frozen=True)
class AgreedContent:
    """The ids of what the vision's agreed version holds (its snapshot). ``version`` is None when no version is
    agreed; then nothing counts as agreed. A goal, KPI, milestone, issue or theme added (or re-created) after
    the agreement is not in it, whatever its title."""

    version: VisionVersion | None
    goal_ids: frozenset[int] = frozenset()
    kpi_ids: frozenset[int] = frozenset()
    milestone_ids: frozenset[int] = frozenset()
    issue_ids: frozenset[int] = frozenset()
    theme_ids: frozenset[int] = frozenset()

    def holds(self, kind: str, pk: int) -> bool:
        return pk in getattr(self, f"{kind}_ids")


def content_of_snapshot(snapshot: Mapping[str, Any], version: VisionVersion | None = None) -> AgreedContent:
    """The ids held by a snapshot (snapshots saved before ids were kept hold none)."""
    goals = snapshot.get("goals") or []
    issues = snapshot.get("issues") or []

    def ids(items: Iterable[Mapping[str, Any]]) -> frozenset[int]:
        return frozenset(item["id"] for item in items if isinstance(item.get("id"), int))

    return AgreedContent(
        version=version,
        goal_ids=ids(goals),
        kpi_ids=ids(k for g in goals for k in g.get("kpis") or []),
        milestone_ids=ids(snapshot.get("milestones") or []),
        issue_ids=ids(issues),
        theme_ids=ids(t for i in issues for t in i.get("themes") or []),
    )


def agreed_version(vision: Vision) -> VisionVersion | None:
    return vision.versions.filter(status=VisionVersion.Status.AGREED).order_by("-number").first()


def agreed_content(vision: Vision) -> AgreedContent:
    """What the vision's agreed version holds; pages mark what is "not in the agreed version" with it."""
    version = agreed_version(vision)
    return content_of_snapshot(version.snapshot, version) if version is not None else AgreedContent(None)


def agreed_theme_ids(venue_ids: Iterable[int]) -> set[int]:
    """The R&D themes held by the agreed version of any vision of these venues (one query). The portfolio's
    orphaned-project signal counts only these: a theme added after the agreement is not agreed."""
    snapshots = VisionVersion.objects.filter(vision__venue_id__in=list(venue_ids),
                                             status=VisionVersion.Status.AGREED).values_list("snapshot", flat=True)
    return {pk for snapshot in snapshots for pk in content_of_snapshot(snapshot).theme_ids}
