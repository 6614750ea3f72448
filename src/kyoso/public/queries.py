"""Reads of the public site. Every row comes through its model's ``public()`` queryset (the one visibility rule
per object); nothing here filters by a flag of its own. Counts are computed from what the public may see."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from kyoso.portfolio.models import Commitment, ExpectedKpi, Output, Participant, Project
from kyoso.portfolio.models import Milestone as ProjectMilestone
from kyoso.venues.models import AgendaItem, Decision, Meeting, Venue
from kyoso.visions import queries as vision_queries
from kyoso.visions.models import Goal, Kpi, Observation, Vision

from .models import EasySummary

#: The bootstrap size of the forecast band on the public pages (the members' KPI page uses 500).
SITE_N_BOOT = 200
#: How many project names a KPI's sentence names before "and n more".
NAMED_PROJECTS = 3


def public_venue(slug: str) -> Venue:
    """A public venue (``Venue.objects.visible_to`` an anonymous visitor), or 404 — whoever asks: the public site
    shows the same to everyone."""
    from django.contrib.auth.models import AnonymousUser

    return get_object_or_404(Venue.objects.visible_to(AnonymousUser()), slug=slug)


def public_vision(venue: Venue) -> Vision | None:
    return Vision.objects.public().filter(venue=venue).order_by("-created_at").first()


def public_kpis(vision: Vision) -> QuerySet[Kpi]:
    return (Kpi.objects.public().filter(vision=vision).select_related("goal", "owner", "vision")
            .prefetch_related("targets").order_by("goal__order", "id"))


def public_projects(venue: Venue) -> QuerySet[Project]:
    return Project.objects.public().filter(venue=venue).select_related("lead_organization")


def public_decisions(venue: Venue) -> QuerySet[Decision]:
    return Decision.objects.public().filter(venue=venue).order_by("-decided_on", "-number", "-id")


def public_meetings(venue: Venue) -> QuerySet[Meeting]:
    """Meetings without their minutes text (read only through :func:`published_minutes`)."""
    return Meeting.objects.public().filter(venue=venue).defer("minutes").order_by("-starts_at", "-id")


def published_minutes(meeting: Meeting) -> str | None:
    """The meeting's minutes if the secretariat published them (``Meeting.objects.public_minutes``), else None."""
    return Meeting.objects.public_minutes().filter(pk=meeting.pk).values_list("minutes", flat=True).first()


def public_agenda(meeting: Meeting) -> QuerySet[AgendaItem]:
    return AgendaItem.objects.public().filter(meeting=meeting).order_by("order", "id")


def easy_texts(venue: Venue) -> dict[tuple[str, int], str]:
    """The public やさしい日本語 summaries of the venue, by (kind, object id)."""
    rows = EasySummary.objects.public().filter(venue=venue).values_list("kind", "object_id", "text")
    return {(kind, object_id): text for kind, object_id, text in rows}


def region_code(venue: Venue) -> tuple[str, str]:
    """The venue's 全国地方公共団体コード and name: its first host's municipality (or prefecture), else its first
    region. ("", "") when it has none."""
    hosts = venue.hosts.select_related("region").order_by("pk")
    for host in hosts:
        if host.region is not None and host.region.lg_code:
            return host.region.lg_code, host.region.name
    for region in venue.regions.order_by("code"):
        if region.lg_code:
            return region.lg_code, region.name
    return "", ""


# --- Freshness (ETag / Last-Modified) ----------------------------------------------------------------


def last_change(venue: Venue) -> tuple[dt.datetime | None, str]:
    """When anything of the venue's public site last changed, and a fingerprint of what it holds; one query.

    The time is the latest ``updated_at`` of the venue, its visions, goals, KPIs, observations, projects,
    outputs, project milestones, participants and commitments, decisions, meetings and summaries (agenda items
    change with their meeting, a KPI's targets with the KPI, a project's expected KPIs with the project);
    the fingerprint adds their counts, so that a deletion changes it too."""
    sources: dict[str, tuple[Any, str]] = {
        "vision": (Vision, "venue"), "goal": (Goal, "vision__venue"), "kpi": (Kpi, "vision__venue"),
        "observation": (Observation, "kpi__vision__venue"), "project": (Project, "venue"),
        "output": (Output, "project__venue"), "milestone": (ProjectMilestone, "project__venue"),
        "participant": (Participant, "project__venue"), "commitment": (Commitment, "project__venue"),
        "decision": (Decision, "venue"), "meeting": (Meeting, "venue"),
        "summary": (EasySummary, "venue"),
    }
    annotations: dict[str, Any] = {}
    for key, (model, path) in sources.items():
        rows = model.objects.filter(**{path: OuterRef("pk")}).order_by().values(path)
        annotations[f"{key}_at"] = Subquery(rows.annotate(m=Max("updated_at")).values("m")[:1])
        annotations[f"{key}_n"] = Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")[:1]), 0)
    row = Venue.objects.filter(pk=venue.pk).annotate(**annotations).values("updated_at", *annotations).get()
    times = [value for key, value in row.items() if key.endswith("_at") and value is not None]
    fingerprint = hashlib.sha256(repr(sorted(row.items())).encode()).hexdigest()[:16]
    return (max(times) if times else None), fingerprint


# --- The site page and the KPI page -------------------------------------------------------------------


@dataclass(frozen=True)
class NamedProject:
    pk: int
    title: str


@dataclass
class KpiReach:
    """Which public projects are meant to move a KPI and what their public outputs delivered so far."""

    project_count: int = 0
    named: list[NamedProject] = field(default_factory=list)
    outputs_by_kind: list[tuple[str, int]] = field(default_factory=list)  # (kind label, count)
    output_total: int = 0


@dataclass
class KpiBlock:
    kpi: Kpi
    state: vision_queries.KpiState
    reach: KpiReach
    easy: str = ""
    chart: Any = None  # the SVG, set by the page that shows it


@dataclass
class GoalSection:
    goal: Goal
    kpis: list[KpiBlock]


def kpi_reach(kpis: list[Kpi]) -> dict[int, KpiReach]:
    """For each KPI, the public projects expected to move it (``ExpectedKpi.objects.public``) and the public
    outputs linked to it (``Output.objects.public``); two queries whatever the number of projects."""
    ids = [k.pk for k in kpis]
    reach = {pk: KpiReach() for pk in ids}
    pairs = (ExpectedKpi.objects.public().filter(kpi_id__in=ids)
             .order_by("kpi_id", "-project__start_date", "project_id")
             .values_list("kpi_id", "project_id", "project__title"))
    for kpi_id, project_id, title in pairs:
        entry = reach[kpi_id]
        entry.project_count += 1  # one ExpectedKpi per project and KPI (a unique constraint)
        if len(entry.named) < NAMED_PROJECTS:
            entry.named.append(NamedProject(project_id, title))
    labels = dict(Output.Kind.choices)
    by_kind: dict[int, Counter[str]] = defaultdict(Counter)
    rows = (Output.objects.public().filter(kpis__in=ids).order_by().values("kpis", "kind")
            .annotate(n=Count("pk", distinct=True)))
    for row in rows:
        by_kind[row["kpis"]][row["kind"]] += row["n"]
    for kpi_id, kinds in by_kind.items():
        reach[kpi_id].outputs_by_kind = [(str(labels.get(kind, kind)), n) for kind, n in kinds.most_common()]
        reach[kpi_id].output_total = sum(kinds.values())
    return reach


def kpi_blocks(kpis: list[Kpi], today: dt.date, easy: dict[tuple[str, int], str], *,
               n_boot: int = SITE_N_BOOT) -> list[KpiBlock]:
    """Each public KPI with its state (``visions.queries.kpi_state``: status, reason, forecast) and reach."""
    histories = vision_queries.kpi_histories([k.pk for k in kpis])
    reach = kpi_reach(kpis)
    return [KpiBlock(kpi=k, state=vision_queries.kpi_state(k, histories.get(k.pk, []), today, n_boot=n_boot),
                     reach=reach[k.pk], easy=easy.get(("kpi", k.pk), "")) for k in kpis]


@dataclass
class Site:
    venue: Venue
    vision: Vision | None
    goals: list[GoalSection]
    project_count: int
    decisions: list[Decision]
    meetings: list[Meeting]
    easy: dict[tuple[str, int], str]


def site(venue: Venue, today: dt.date) -> Site:
    easy = easy_texts(venue)
    vision = public_vision(venue)
    goals: list[GoalSection] = []
    if vision is not None:
        kpis = list(public_kpis(vision))
        blocks = kpi_blocks(kpis, today, easy)
        by_goal: dict[int, list[KpiBlock]] = defaultdict(list)
        for block in blocks:
            by_goal[block.kpi.goal_id].append(block)
        goals = [GoalSection(goal, by_goal.get(goal.pk, []))
                 for goal in Goal.objects.public().filter(vision=vision).order_by("order", "id")]
    return Site(
        venue=venue, vision=vision, goals=goals, project_count=public_projects(venue).count(),
        decisions=list(public_decisions(venue)[:5]), meetings=list(public_meetings(venue)[:5]), easy=easy,
    )


# --- Projects -----------------------------------------------------------------------------------------


@dataclass
class ProjectPage:
    project: Project
    partners: list[tuple[Any, bool]]  # (organisation, in the region)
    milestones: list[ProjectMilestone]
    outputs: list[Output]
    kpis: list[Kpi]
    commitments: list[Commitment]


def project_page(project: Project) -> ProjectPage:
    partners: dict[int, tuple[Any, bool]] = {}
    for participant in (Participant.objects.public().filter(project=project)
                        .select_related("organization__region").order_by("role", "id")):
        partners.setdefault(participant.organization_id, (participant.organization, participant.in_region))
    kpi_ids = ExpectedKpi.objects.public().filter(project=project).values("kpi_id")
    return ProjectPage(
        project=project,
        partners=list(partners.values()),
        milestones=list(ProjectMilestone.objects.public().filter(project=project, done_on__isnull=False)
                        .only("pk", "title", "done_on", "due_date", "project_id").order_by("done_on", "id")),
        outputs=list(Output.objects.public().filter(project=project).order_by("-date", "id")),
        kpis=list(Kpi.objects.public().filter(pk__in=kpi_ids).select_related("vision").order_by("goal__order", "id")),
        commitments=list(Commitment.objects.public().filter(project=project).select_related("partner")
                         .order_by("fiscal_year", "partner_id", "kind")),
    )
