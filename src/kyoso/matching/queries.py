"""Reads of the matching pages and API: the filters of a search as a set of allowed researchers (one query),
a need's ranked researchers with the records behind each match, the capability gap and a consortium.

Ranking happens in the index (``kyoso.matching.index``, in process); this module only asks it and then
loads what the page shows in a fixed number of queries (researchers with their organisation, the records
named in the reasons), never one query per result.

A researcher is **inside the region** of a venue when their organisation is located in one of the venue's
regions (``venues.domain.membership.is_in_region``: the municipality, or the prefecture when the venue
covers a whole prefecture), when their own prefecture is one of the venue's regions, or when their
organisation is a current member of the venue from inside the region.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from kyoso.regions.models import KindChoices, SectorChoices
from kyoso.venues.models import Membership, Venue
from kyoso.visions.models import RegionalIssue, ResearchTheme

from .domain.facets import GapReport, TeamMember, capability_gap, select_team, split_facets
from .domain.search import Match
from .models import Researcher, ResearchRecord, Shortlist

TOP = 10
FACET_TOP = 15
SCOPES = ("all", "in", "out")


@dataclass(frozen=True)
class MatchFilters:
    scope: str = "all"  # all | in | out
    sector: str = ""
    kind: str = ""
    prefecture: str = ""  # 2-digit code
    recent: int | None = None  # years

    @classmethod
    def from_data(cls, data: Any) -> MatchFilters:
        scope = data.get("scope", "all") or "all"
        sector = data.get("sector", "") or ""
        kind = data.get("kind", "") or ""
        prefecture = str(data.get("prefecture", "") or "")
        recent = str(data.get("recent", "") or "")
        return cls(
            scope=scope if scope in SCOPES else "all",
            sector=sector if sector in SectorChoices.values else "",
            kind=kind if kind in KindChoices.values else "",
            prefecture=prefecture if len(prefecture) == 2 and prefecture.isdigit() else "",
            recent=int(recent) if recent.isdigit() and 0 < int(recent) <= 50 else None,
        )

    def as_dict(self) -> dict[str, Any]:
        return {"scope": self.scope, "sector": self.sector, "kind": self.kind, "prefecture": self.prefecture,
                "recent": self.recent}

    def year_from(self, today: dt.date) -> int | None:
        return today.year - self.recent + 1 if self.recent else None

    @property
    def narrows_organisations(self) -> bool:
        return bool(self.sector or self.kind or self.prefecture)


def venue_region_codes(venue: Venue) -> list[str]:
    return list(venue.regions.values_list("code", flat=True))


def in_region_q(venue: Venue, codes: list[str]) -> Q:
    """Researchers inside the venue's region (see the module docstring), as a filter on Researcher."""
    prefectures = [c for c in codes if len(c) == 2]
    members = Membership.objects.filter(venue=venue, in_region=True, left_on__isnull=True).values("organization")
    return (Q(organization__region__code__in=codes) | Q(organization__region__parent__code__in=prefectures)
            | Q(prefecture_code__in=prefectures) | Q(organization__in=members))


def _organisation_q(filters: MatchFilters) -> Q:
    q = Q()
    if filters.sector:
        q &= Q(organization__sector=filters.sector)
    if filters.kind:
        q &= Q(organization__kind=filters.kind)
    if filters.prefecture:
        q &= (Q(prefecture_code=filters.prefecture) | Q(organization__region__code=filters.prefecture)
              | Q(organization__region__parent__code=filters.prefecture))
    return q


Allowed = set[str] | Callable[[str], bool] | None


@dataclass(frozen=True)
class Scope:
    """What a search may return (``allowed``: ids or a predicate for the index) and who is in the region."""

    allowed: Allowed
    in_region: frozenset[str]
    # For the capability gap: in-region / outside candidates within the organisation filters.
    inside: Allowed
    outside: Allowed


def scope_of(venue: Venue, filters: MatchFilters) -> Scope:
    """The filters as researcher ids, in one query.

    Without organisation filters only the in-region ids are read (typically few) and "outside" is their
    complement as a predicate; with them, every researcher passing the filters is read with its flag.
    """
    codes = venue_region_codes(venue)
    inside_q = in_region_q(venue, codes)
    if filters.narrows_organisations:
        from django.db.models import BooleanField, ExpressionWrapper

        rows = (Researcher.objects.filter(_organisation_q(filters))
                .annotate(inside=ExpressionWrapper(inside_q, output_field=BooleanField()))
                .values_list("pk", "inside").distinct())
        passing = {str(pk): bool(flag) for pk, flag in rows}
        region = frozenset(pk for pk, flag in passing.items() if flag)
        outside_ids = {pk for pk, flag in passing.items() if not flag}
        allowed: Allowed = {"all": set(passing), "in": set(region), "out": outside_ids}[filters.scope]
        return Scope(allowed=allowed, in_region=region, inside=set(region), outside=outside_ids)
    region = frozenset(str(pk) for pk in Researcher.objects.filter(inside_q).values_list("pk", flat=True).distinct())

    def not_inside(researcher_id: str) -> bool:
        return researcher_id not in region

    allowed = {"all": None, "in": set(region), "out": not_inside}[filters.scope]
    return Scope(allowed=allowed, in_region=region, inside=set(region), outside=not_inside)


# --- The index -------------------------------------------------------------------------------------


class IndexUnavailable(Exception):
    """The matching index has not been built yet (``kyoso matching-reindex`` or an import builds it)."""


def _require_index() -> None:
    from . import index

    if index.current_version() is None:
        raise IndexUnavailable


def _search(text: str, *, top: int, allowed: Allowed, year_from: int | None, explain: bool | int = True
            ) -> list[Match]:
    from . import index

    return list(index.search_need(text, top=top, allowed_ids=allowed, year_from=year_from, explain=explain))


def _facet_scores(facets: list[str], *, top: int, allowed: Allowed, year_from: int | None) -> dict[str, list[float]]:
    """Researcher id → fused score per facet (``MatchIndex.search_facets``: the facets embedded in one batch)."""
    from . import index

    if hasattr(index, "search_facets"):
        return dict(index.search_facets(facets, top=top, allowed_ids=allowed, year_from=year_from))
    loaded = index.load_index()
    if loaded is None:
        return {}
    return dict(loaded.search_facets(facets, top=top, allowed=allowed, year_from=year_from))


# --- Results ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReasonRow:
    record: ResearchRecord | None
    field: str
    spans: tuple[Any, ...]
    matched_terms: tuple[str, ...]
    similarity: float


@dataclass(frozen=True)
class ResultRow:
    rank: int
    match: Match
    researcher: Researcher
    in_region: bool
    reasons: tuple[ReasonRow, ...]
    prefecture: str = ""

    @property
    def percent(self) -> int:
        return round(self.match.score * 100)

    @property
    def fit_level(self) -> str:
        """The fused score is a calibrated probability that the researcher fits; many strong candidates sit
        near 1, so the page shows a band (high ≥ 0.9, medium ≥ 0.5, low) and ranks by the score itself."""
        if self.match.score >= 0.9:
            return "high"
        return "medium" if self.match.score >= 0.5 else "low"

    @property
    def lexical_percent(self) -> int:
        return round(self.match.lexical * 100)

    @property
    def dense_percent(self) -> int:
        return round(max(0.0, self.match.dense) * 100)


@dataclass(frozen=True)
class Gap:
    report: GapReport
    best_in_region: ResultRow | None
    best_outside: ResultRow | None
    facets: tuple[tuple[str, Any], ...] = ()  # (facet text, FacetGap)

    @property
    def in_percent(self) -> int:
        return round(self.report.best_in_region * 100)

    @property
    def out_percent(self) -> int:
        return round(self.report.best_outside * 100)

    @property
    def gap_points(self) -> int:
        return round(self.report.gap * 100)


@dataclass(frozen=True)
class TeamRow:
    researcher: Researcher
    in_region: bool
    covers: tuple[bool, ...]  # one per facet


@dataclass(frozen=True)
class Consortium:
    facets: tuple[str, ...]
    members: tuple[TeamRow, ...]
    uncovered: tuple[str, ...]
    institutions: int


@dataclass
class MatchResult:
    need: str
    filters: MatchFilters
    rows: list[ResultRow] = field(default_factory=list)
    gap: Gap | None = None
    consortium: Consortium | None = None


def researchers_by_id(ids: set[str]) -> dict[str, Researcher]:
    pks = [int(i) for i in ids if str(i).isdigit()]
    qs = (Researcher.objects.public().filter(pk__in=pks)
          .select_related("organization", "organization__region").prefetch_related("identities"))
    return {str(r.pk): r for r in qs}


def prefecture_code_of(researcher: Researcher) -> str:
    if researcher.prefecture_code:
        return researcher.prefecture_code
    region = researcher.organization.region if researcher.organization_id else None
    return region.code[:2] if region is not None else ""


def prefecture_names(researchers: dict[str, Researcher]) -> dict[str, str]:
    from kyoso.regions.models import Region

    codes = {prefecture_code_of(r) for r in researchers.values()} - {""}
    if not codes:
        return {}
    return {r.code: r.display_name for r in Region.objects.filter(level=Region.Level.PREFECTURE, code__in=codes)}


def _rows(matches: list[Match], researchers: dict[str, Researcher], records: dict[str, ResearchRecord],
          region: frozenset[str], names: dict[str, str] | None = None) -> list[ResultRow]:
    names = names or {}
    rows = []
    for match in matches:
        researcher = researchers.get(match.researcher_id)
        if researcher is None:  # removed since the index was written
            continue
        reasons = tuple(ReasonRow(record=records.get(str(r.record_id)) if r.record_id is not None else None,
                                  field=r.field, spans=r.snippet, matched_terms=r.matched_terms,
                                  similarity=r.similarity) for r in match.reasons)
        rows.append(ResultRow(rank=len(rows) + 1, match=match, researcher=researcher,
                              in_region=match.researcher_id in region, reasons=reasons,
                              prefecture=names.get(prefecture_code_of(researcher), "")))
    return rows


def _records(matches: list[Match]) -> dict[str, ResearchRecord]:
    ids = {str(r.record_id) for m in matches for r in m.reasons if r.record_id is not None}
    pks = [int(i) for i in ids if i.isdigit()]
    return {str(r.pk): r for r in ResearchRecord.objects.public().filter(pk__in=pks)} if pks else {}


def match_need(venue: Venue, need: str, filters: MatchFilters, *, today: dt.date, top: int = TOP,
               with_gap: bool = True, with_consortium: bool = True, reasons: int | None = None) -> MatchResult:
    """Ranked researchers for a need, with the capability gap of the region and a suggested consortium.

    ``reasons``: how many of the results get their reasons (None: all of them); the gap's best in-region
    and outside researchers, looked up separately when the ranking has none, are shown by name only and
    get none."""
    result = MatchResult(need=need, filters=filters)
    need = need.strip()
    if not need:
        return result
    _require_index()
    scope = scope_of(venue, filters)
    year_from = filters.year_from(today)
    matches = _search(need, top=top, allowed=scope.allowed, year_from=year_from,
                      explain=True if reasons is None else reasons)
    inside: list[Match] = []
    outside: list[Match] = []
    if with_gap:
        # The best in-region (outside) match is the first one in the ranking when the ranking has one;
        # otherwise the index is asked for it alone.
        inside = [m for m in matches if m.researcher_id in scope.in_region][:1]
        outside = [m for m in matches if m.researcher_id not in scope.in_region][:1]
        if not inside:
            inside = _search(need, top=1, allowed=scope.inside, year_from=year_from, explain=False)
        if not outside:
            outside = _search(need, top=1, allowed=scope.outside, year_from=year_from, explain=False)
    facets: list[str] = split_facets(need) if (with_consortium or with_gap) else []
    scores: dict[str, list[float]] = {}
    if len(facets) > 1:
        scores = _facet_scores(facets, top=FACET_TOP, allowed=scope.allowed, year_from=year_from)
    elif facets and with_consortium:
        scores = {m.researcher_id: [m.score] for m in matches}  # one facet: the need itself
    ids = {m.researcher_id for m in [*matches, *inside, *outside]} | set(scores)
    researchers = researchers_by_id(ids)
    records = _records([*matches, *inside, *outside])
    result.rows = _rows(matches, researchers, records, scope.in_region, prefecture_names(researchers))
    if with_gap:
        report = capability_gap(inside, outside, facet_scores=scores if len(facets) > 1 else None,
                                region_ids=set(scope.in_region))
        best_in = _rows(inside[:1], researchers, records, scope.in_region)
        best_out = _rows(outside[:1], researchers, records, scope.in_region)
        result.gap = Gap(report=report, best_in_region=best_in[0] if best_in else None,
                         best_outside=best_out[0] if best_out else None,
                         facets=tuple(zip(facets, report.per_facet, strict=False)))
    if with_consortium and scores:
        result.consortium = consortium(facets, scores, researchers, scope.in_region)
    return result


def matches_for(venue: Venue, need: str, filters: MatchFilters, *, today: dt.date, top: int = TOP
                ) -> dict[str, Match]:
    """The matches of a need by researcher id (to keep their score and reasons on a shortlist)."""
    need = need.strip()
    if not need:
        return {}
    from . import index

    if index.current_version() is None:
        return {}
    scope = scope_of(venue, filters)
    found = _search(need, top=top, allowed=scope.allowed, year_from=filters.year_from(today))
    return {m.researcher_id: m for m in found}


def _institution(researcher: Researcher) -> str:
    if researcher.organization_id:
        return f"org:{researcher.organization_id}"
    return researcher.organization_name.strip() or f"researcher:{researcher.pk}"


def consortium(facets: list[str], scores: dict[str, list[float]], researchers: dict[str, Researcher],
               region: frozenset[str]) -> Consortium:
    known = {rid: s for rid, s in scores.items() if rid in researchers}
    institution_of = {rid: _institution(researchers[rid]) for rid in known}
    team: list[TeamMember] = select_team(known, institution_of)
    members = tuple(
        TeamRow(researcher=researchers[m.researcher_id], in_region=m.researcher_id in region,
                covers=tuple(i in m.facets for i in range(len(facets))))
        for m in team
    )
    covered = {i for m in team for i in m.facets}
    return Consortium(facets=tuple(facets), members=members,
                      uncovered=tuple(f for i, f in enumerate(facets) if i not in covered),
                      institutions=len({institution_of[m.researcher_id] for m in team}))


# --- Needs from the vision --------------------------------------------------------------------------


def venue_issues(venue: Venue) -> tuple[list[RegionalIssue], list[ResearchTheme]]:
    """The regional issues of the venue's visions and their R&D themes (two queries)."""
    issues = list(RegionalIssue.objects.filter(vision__venue=venue).order_by("vision_id", "id"))
    themes = list(ResearchTheme.objects.filter(issue__vision__venue=venue).order_by("issue_id", "id"))
    return issues, themes


def target_of(venue: Venue, value: str) -> RegionalIssue | ResearchTheme | None:
    """``issue:<pk>`` or ``theme:<pk>`` of this venue's visions, or None."""
    kind, _, raw = (value or "").partition(":")
    if not raw.isdigit():
        return None
    if kind == "issue":
        return RegionalIssue.objects.filter(vision__venue=venue, pk=int(raw)).first()
    if kind == "theme":
        return ResearchTheme.objects.select_related("issue").filter(issue__vision__venue=venue, pk=int(raw)).first()
    return None


def target_value(target: RegionalIssue | ResearchTheme | None) -> str:
    if target is None:
        return ""
    return f"{'theme' if isinstance(target, ResearchTheme) else 'issue'}:{target.pk}"


def need_text_of(target: RegionalIssue | ResearchTheme | None) -> str:
    """The text searched for a regional issue or theme: its title and description."""
    if target is None:
        return ""
    parts = [target.title, target.description]
    if isinstance(target, ResearchTheme):
        parts.append(target.issue.title)
    return "。".join(p.strip() for p in parts if p and p.strip())


# --- Shortlists ------------------------------------------------------------------------------------


def shortlists_of(venue: Venue) -> QuerySet[Shortlist]:
    from django.db.models import Count

    return (Shortlist.objects.filter(venue=venue).select_related("issue", "theme", "created_by")
            .annotate(n_entries=Count("entries", distinct=True)))


def shortlists_by_target(vision: Any, user: Any) -> dict[str, list[Shortlist]]:
    """Shortlists attached to the issues and themes of a vision that ``user`` may see (venue-internal: members
    only), keyed ``issue:<pk>`` / ``theme:<pk>``."""
    by: dict[str, list[Shortlist]] = {}
    qs = (Shortlist.objects.visible_to(user).filter(Q(issue__vision=vision) | Q(theme__issue__vision=vision))
          .select_related("venue"))
    for shortlist in qs.order_by("-updated_at", "-id"):
        if shortlist.theme_id:
            by.setdefault(f"theme:{shortlist.theme_id}", []).append(shortlist)
        elif shortlist.issue_id:
            by.setdefault(f"issue:{shortlist.issue_id}", []).append(shortlist)
    return by


def in_region_ids(venue: Venue, researcher_ids: list[int]) -> set[int]:
    """Which of these researchers are inside the venue's region (one query)."""
    inside = in_region_q(venue, venue_region_codes(venue))
    return set(Researcher.objects.filter(inside, pk__in=researcher_ids).values_list("pk", flat=True).distinct())


def outside_researchers(shortlist: Shortlist) -> QuerySet[Researcher]:
    """Researchers of the shortlist from outside the region (the candidates for a cross-appointment)."""
    venue = shortlist.venue
    inside = in_region_q(venue, venue_region_codes(venue))
    inside_ids = Researcher.objects.filter(inside).values("pk")
    return (Researcher.objects.filter(shortlist_entries__shortlist=shortlist).exclude(pk__in=inside_ids)
            .order_by("name_kana", "name"))


def shortlist_page(shortlist: Shortlist) -> dict[str, Any]:
    """Entries (with the in/out-of-region flag), contacts made and proposals of a shortlist."""
    entries = list(shortlist.entries.select_related("researcher", "researcher__organization", "added_by")
                   .order_by("position", "id"))
    inside = in_region_ids(shortlist.venue, [e.researcher_id for e in entries])
    contacts = list(shortlist.contact_notes.select_related("researcher", "contacted_by").order_by(
        "-contacted_on", "-id"))
    by_researcher: dict[int, list[Any]] = {}
    for contact in contacts:
        by_researcher.setdefault(contact.researcher_id, []).append(contact)
    rows = [{"entry": e, "in_region": e.researcher_id in inside, "contacts": by_researcher.get(e.researcher_id, [])}
            for e in entries]
    proposals = list(shortlist.cross_appointment_proposals.select_related(
        "researcher", "organization", "affiliation", "proposed_by").order_by("-created_at", "-id"))
    return {"rows": rows, "contacts": contacts, "proposals": proposals,
            "has_outside": any(not row["in_region"] for row in rows)}


def researcher_directory(q: str) -> QuerySet[Researcher]:
    """Public researcher search by name, organisation or keyword."""
    import json

    from kyoso.common.domain.text import query_terms, to_hiragana

    qs = Researcher.objects.public().select_related("organization").prefetch_related("identities")
    for term in query_terms(q):
        escaped = json.dumps(term)[1:-1]  # keywords are stored as JSON text (non-ASCII escaped on SQLite)
        qs = qs.filter(Q(name__icontains=term) | Q(name_en__icontains=term)
                       | Q(name_kana__icontains=to_hiragana(term))
                       | Q(organization_name__icontains=term) | Q(organization__name__icontains=term)
                       | Q(keywords__icontains=term) | Q(keywords__icontains=escaped))
    return qs.order_by("name_kana", "name", "id")


# Where a public profile comes from, as the researcher pages say it: invented demo data, or a public source.
SAMPLE_SOURCE = "sample"


def profile_sources(researcher: Researcher) -> list[str]:
    """The sources of one profile: ``["sample"]`` for an invented one (whatever file carried it), else the
    source it was imported from plus the public databases it is linked to by identifier (a researchmap
    profile that a KAKEN file updated has both)."""
    if researcher.is_sample:
        return [SAMPLE_SOURCE]
    linked = {i.kind for i in researcher.identities.all()} & {"researchmap", "kaken"}
    return [researcher.source, *sorted(linked - {researcher.source})]


def directory_sources() -> list[tuple[str, int]]:
    """How many profiles of the public directory come from each source (the invented sample profiles as
    ``"sample"``), largest first, so that the page's statement of its sources is exact."""
    from django.db.models import Count

    counts: dict[str, int] = {}
    for row in Researcher.objects.public().order_by().values("is_sample", "source").annotate(n=Count("id")):
        key = SAMPLE_SOURCE if row["is_sample"] else row["source"]
        counts[key] = counts.get(key, 0) + row["n"]
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))
