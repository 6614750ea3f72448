"""Reusable reads of the venue area: roles, the venue home, the decision log, overdue actions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from kyoso.common.domain.fiscal import fiscal_year_bounds
from kyoso.common.domain.sectors import SECTORS
from kyoso.common.domain.text import query_terms
from kyoso.regions.models import Organization

from .domain.actions import ActionRow, summarise
from .domain.composition import Composition, MemberRow, RepresentativeRow, compose
from .models import (
    ActionItem,
    Decision,
    Endorsement,
    Meeting,
    Membership,
    Representative,
    Venue,
    VenueRole,
)

SECTOR_ORDER = SECTORS  # 官・学・産・金・民 (kyoso.common.domain.sectors)


def roles_of(user: Any) -> frozenset[str]:
    """The set of roles the user holds in any venue; cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_kyoso_roles", None)
    if cached is None:
        cached = frozenset(VenueRole.objects.filter(user=user).values_list("role", flat=True).distinct())
        user._kyoso_roles = cached
    return cached


def organizations_looked_after(user: Any) -> QuerySet[Organization]:
    """Ids of the organisations a user looks after as secretariat: the members (current and former) and hosts of
    the venues where they hold the secretariat role (``Organization.objects.editable_by`` asks this)."""
    venues = VenueRole.objects.filter(user=user, role=VenueRole.Role.SECRETARIAT).values("venue")
    return Organization.objects.filter(Q(memberships__venue__in=venues) | Q(hosted_venues__in=venues)).values("pk")


def roles_in_venue(user: Any, venue_id: int) -> frozenset[str]:
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cache = getattr(user, "_kyoso_venue_roles", None)
    if cache is None:
        cache = user._kyoso_venue_roles = {}
    if venue_id not in cache:
        cache[venue_id] = frozenset(VenueRole.objects.filter(user=user, venue_id=venue_id)
                                    .values_list("role", flat=True))
    return cache[venue_id]


# --- Composition ------------------------------------------------------------------------------


def memberships(venue: Venue) -> QuerySet[Membership]:
    return (
        venue.memberships.filter(left_on__isnull=True)
        .select_related("organization", "organization__region", "organization__region__parent")
        .prefetch_related(Prefetch("representatives", queryset=Representative.objects.select_related("person")))
        .order_by("sector", "organization__name_kana", "organization__name")
    )


def composition(venue: Venue, members: list[Membership] | None = None) -> Composition:
    members = list(memberships(venue)) if members is None else members
    return compose(
        [MemberRow(m.sector, m.in_region) for m in members],
        [RepresentativeRow(m.sector, r.layer) for m in members for r in m.representatives.all()],
        sectors=SECTOR_ORDER,
    )


def representatives_of_user(user: Any, venue: Venue) -> QuerySet[Representative]:
    if not getattr(user, "is_authenticated", False):
        return Representative.objects.none()
    return Representative.objects.filter(membership__venue=venue, person__user=user,
                                         membership__left_on__isnull=True).select_related("membership")


# --- Venue home -------------------------------------------------------------------------------


@dataclass(frozen=True)
class VenueHome:
    upcoming_meetings: list[Meeting]
    recent_meetings: list[Meeting]
    recent_decisions: list[Decision]
    open_proposals: list[Decision]
    overdue_actions: list[ActionItem]
    due_soon_actions: list[ActionItem]
    recently_completed: list[ActionItem]
    action_counts: Any
    composition: Composition
    member_count: int


def _actions(venue: Venue) -> QuerySet[ActionItem]:
    return venue.action_items.select_related("owner_person", "owner_organization", "decision")


def venue_home(venue: Venue, today: dt.date, soon_days: int = 14, recent_days: int = 30) -> VenueHome:
    """Everything the venue home shows, in a fixed number of queries whatever the venue's size."""
    now = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    meetings = venue.meetings.annotate(n_attendees=Count("attendances"))
    status_rows = list(venue.action_items.values_list("status", "due_date", "completed_on"))
    members = list(memberships(venue))
    return VenueHome(
        upcoming_meetings=list(meetings.filter(starts_at__gte=now).order_by("starts_at")[:5]),
        recent_meetings=list(meetings.filter(starts_at__lt=now).order_by("-starts_at")[:5]),
        recent_decisions=list(venue.decisions.filter(status=Decision.Status.FINALISED)
                              .order_by("-decided_on", "-number")[:8]),
        open_proposals=list(venue.decisions.filter(status=Decision.Status.PROPOSED).order_by("-updated_at")[:10]),
        overdue_actions=list(_actions(venue).overdue(today).order_by("due_date", "id")[:20]),
        due_soon_actions=list(_actions(venue).active().filter(due_date__gte=today,
                                                              due_date__lte=today + dt.timedelta(days=soon_days))
                              .order_by("due_date", "id")[:20]),
        recently_completed=list(_actions(venue).filter(status="done",
                                                       completed_on__gte=today - dt.timedelta(days=recent_days))
                                .order_by("-completed_on", "-id")[:10]),
        action_counts=summarise((ActionRow(s, d, c) for s, d, c in status_rows), today, soon_days, recent_days),
        composition=composition(venue, members),
        member_count=len(members),
    )


# --- Decision log -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionFilters:
    q: str = ""
    status: str = ""
    sector: str = ""
    fiscal_year: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def decision_log(venue: Venue, filters: DecisionFilters, *, user: Any) -> QuerySet[Decision]:
    """Decisions of a venue that the user may read (``Decision.objects.visible_to``) matching the filters. Search is
    by substring on NFKC-normalised terms, so a query for 実証 finds 実証実験 (Japanese has no spaces to split
    words on)."""
    qs = venue.decisions.visible_to(user).select_related("agenda_item__meeting", "previous", "proposal")
    for term in query_terms(filters.q):
        qs = qs.filter(Q(title__icontains=term) | Q(text__icontains=term) | Q(rationale__icontains=term)
                       | Q(applies_to__icontains=term))
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.sector:
        qs = qs.filter(Exists(Endorsement.objects.filter(proposal=OuterRef("proposal"), sector=filters.sector,
                                                         stance="endorse")))
    if filters.fiscal_year:
        start, end = fiscal_year_bounds(filters.fiscal_year)
        qs = qs.filter(decided_on__gte=start, decided_on__lte=end)
    if filters.date_from:
        qs = qs.filter(decided_on__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(decided_on__lte=filters.date_to)
    # Undecided drafts first (they are what is being worked on), the same on SQLite and PostgreSQL.
    successors = Prefetch("successors", queryset=Decision.objects.visible_to(user).filter(
        status=Decision.Status.FINALISED))
    return qs.prefetch_related(successors).order_by(F("decided_on").desc(nulls_first=True),
                                                      F("number").desc(nulls_first=True), "-id")


def endorsed_sectors(decisions: list[Decision]) -> dict[int, list[str]]:
    """Sectors that endorsed each decision's proposal (one query for all)."""
    proposal_ids = [d.proposal_id for d in decisions if d.proposal_id]
    rows = (Endorsement.objects.filter(proposal_id__in=proposal_ids, stance="endorse")
            .values_list("proposal_id", "sector").distinct())
    by_proposal: dict[int, set[str]] = {}
    for proposal_id, sector in rows:
        by_proposal.setdefault(proposal_id, set()).add(sector)
    return {d.pk: sorted(by_proposal.get(d.proposal_id, set()), key=SECTOR_ORDER.index) for d in decisions}


def decision_chain(decision: Decision, user: Any) -> tuple[list[Decision], list[Decision]]:
    """Earlier decisions this one amends or revokes (oldest first) and later *finalised* ones that amend or
    revoke it (a draft amendment changes nothing yet), as far as the user may read them."""
    visible = Decision.objects.visible_to(user)
    earlier: list[Decision] = []
    current = decision.previous
    while current is not None and len(earlier) < 50:
        if not visible.filter(pk=current.pk).exists():
            break
        earlier.insert(0, current)
        current = current.previous
    later: list[Decision] = []
    frontier = [decision]
    while frontier and len(later) < 50:
        successors = list(visible.filter(previous__in=frontier, status=Decision.Status.FINALISED)
                          .order_by("decided_on", "id"))
        later.extend(successors)
        frontier = successors
    return earlier, later


# --- Actions ----------------------------------------------------------------------------------


def overdue_actions(today: dt.date, *, venue: Venue | None = None, person: Any = None) -> QuerySet[ActionItem]:
    qs = ActionItem.objects.overdue(today)
    if venue is not None:
        qs = qs.filter(venue=venue)
    if person is not None:
        qs = qs.filter(owner_person=person)
    return qs.select_related("venue", "owner_person", "owner_organization", "decision").order_by("due_date", "id")


def actions_of_person(person: Any, user: Any) -> QuerySet[ActionItem]:
    """A person's action items in the venues whose internal pages the user may still see."""
    qs = ActionItem.objects.visible_to(user).filter(owner_person=person)
    return qs.select_related("venue", "owner_organization", "decision").order_by("status", "due_date", "id")
