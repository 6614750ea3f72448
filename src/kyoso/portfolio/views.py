"""Portfolio pages of a venue (members only): every project with its review signals, and a project with
what each partner committed and provided. Confidential cash amounts are shown only to the project's
participants and the venue's secretariat."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from kyoso.common.access import VENUE_PARTICIPANT, access
from kyoso.venues.models import Venue
from kyoso.venues.permissions import VenueAccess, person_of, require_member

from . import queries
from .domain.signals import evaluate
from .messages import reason_text, signal_name
from .models import Participant, Project


def _venue(request: HttpRequest, slug: str) -> tuple[Venue, VenueAccess]:
    venue = get_object_or_404(Venue.objects.visible_to(request.user), slug=slug)
    return venue, require_member(request.user, venue)


def can_see_confidential(user: Any, project: Project, rights: VenueAccess) -> bool:
    """The project's participants and the venue's secretariat (and staff) see confidential amounts."""
    if rights.is_secretariat:
        return True
    person = person_of(user)
    return person is not None and project.participants.filter(person=person).exists()


def _signals(review: Any, show_amounts: bool) -> list[dict[str, Any]]:
    return [
        {"code": s.code, "name": signal_name(s.code), "fired": s.fired, "severity": s.severity,
         "reasons": [reason_text(r.code, r.params, show_amounts=show_amounts) for r in s.reasons]}
        for s in review.signals
    ]


@require_safe
@access(VENUE_PARTICIPANT)
def portfolio(request: HttpRequest, slug: str) -> HttpResponse:
    venue, rights = _venue(request, slug)
    today = timezone.localdate()
    projects = list(queries.projects_of(venue))
    reviews = {r.project_id: r for r in queries.evaluate_projects(projects, today)}
    participant_of = set()
    person = person_of(request.user)
    if person is not None:
        participant_of = set(Participant.objects.filter(project__in=projects, person=person)
                             .values_list("project_id", flat=True))
    rows = [
        {"project": p, "signals": [s for s in _signals(reviews[p.pk], rights.is_secretariat
                                                       or p.pk in participant_of) if s["fired"]]}
        for p in projects
    ]
    return render(request, "portfolio/portfolio.html", {"venue": venue, "rights": rights, "rows": rows})


@require_safe
@access(VENUE_PARTICIPANT)
def project_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    venue, rights = _venue(request, slug)
    project = get_object_or_404(queries.projects_of(venue), pk=pk)
    show_amounts = can_see_confidential(request.user, project, rights)
    today = timezone.localdate()
    (facts,) = queries.project_facts([project], today)
    review = evaluate(facts, today)
    ledger: dict[tuple[str, int, str], dict[str, Any]] = defaultdict(dict)
    commitments = project.commitments.select_related("partner").annotate(provided=Sum("provisions__amount"))
    for c in commitments:
        hidden = c.kind == "cash" and c.is_confidential and not show_amounts
        ledger[(c.partner.name, c.fiscal_year, c.kind)] = {
            "commitment": c, "hidden": hidden,
            "committed": None if hidden else c.amount,
            "provided": None if hidden else (c.provided or Decimal(0)),
            "ratio": round(float((c.provided or 0) / c.amount) * 100) if c.amount else None,
        }
    outputs = project.outputs.prefetch_related("kpis")
    if not show_amounts:
        outputs = outputs.filter(is_confidential=False)
    context = {
        "venue": venue, "project": project, "rights": rights, "show_amounts": show_amounts,
        "signals": _signals(review, show_amounts), "ledger": list(ledger.values()),
        "participants": project.participants.select_related("organization", "person"),
        "outputs": outputs, "reports": project.reports.all(), "themes": project.themes.all(),
        "expected": project.expected_kpis.select_related("kpi"),
        "reviews": project.reviews.select_related("decision"),
    }
    return render(request, "portfolio/project_detail.html", context)
