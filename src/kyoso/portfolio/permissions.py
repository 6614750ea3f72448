"""Who may see and write what in a venue's portfolio, on top of the venue rights (``kyoso.venues.permissions``).

Confidentiality: a commitment's cash amount marked ``is_confidential`` and an output marked
``is_confidential`` are visible only to the project's participants (their Person is a Participant of the
project) and to the venue's secretariat (and staff). The rule is ``Project.objects.confidential_visible_to``
(and the querysets of outputs, commitments and provisions built on it, ``models.py``); for objects already
loaded, pages, the API and the exports ask :func:`can_see_confidential` for one project and
:func:`confidential_access` for many at once (one query, never one per row), which answer from the same
querysets. Anything derived from a hidden item is computed without it or shown coarse
(``domain/disclosure.py``). Review signals carry amounts in their reasons; :func:`masked_signal_dicts`
removes them for those who may not see them.

Writes: observers never write; the secretariat and the project's participants record commitments,
provision, outputs, reports and milestones (:func:`can_record`); reviews are the secretariat's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from kyoso.venues.permissions import VenueAccess, person_of

from .domain.disclosure import percent_band
from .messages import reason_text, signal_name
from .models import Project

#: Reason parameters that hold amounts (see ``domain/signals.py``, resource shortfall).
AMOUNT_PARAMS = ("committed", "provided", "missing")

Rights = VenueAccess | Callable[[int], VenueAccess]


def _rights_for(rights: Rights, venue_id: int) -> VenueAccess:
    return rights if isinstance(rights, VenueAccess) else rights(venue_id)


def participant_projects(user: Any, project_ids: Iterable[int]) -> set[int]:
    """Of these projects, those the user takes part in (``Project.objects.participant_of``); one query."""
    if person_of(user) is None:
        return set()
    return set(Project.objects.participant_of(user).filter(pk__in=list(project_ids)).values_list("pk", flat=True))


def venue_confidential_projects(user: Any, venue: Any, rights: VenueAccess) -> set[int] | None:
    """Of the projects of one venue, the ids whose confidential items ``user`` sees; None means all of them
    (the venue's secretariat and staff), without a query."""
    if rights.is_secretariat:
        return None
    return set(Project.objects.participant_of(user).filter(venue=venue).values_list("pk", flat=True))


def can_see_confidential(user: Any, project: Project, rights: VenueAccess) -> bool:
    """The project's participants and the venue's secretariat (and staff) see confidential amounts."""
    return rights.is_secretariat or bool(participant_projects(user, [project.pk]))


def confidential_access(user: Any, projects: Iterable[Project], rights: Rights) -> set[int]:
    """Ids of the projects among ``projects`` whose confidential amounts and outputs ``user`` may see: the
    bulk form of :func:`can_see_confidential`.

    ``rights`` is the user's access in the projects' venue, or a function from a venue id to it (for
    projects of several venues). At most one query, whatever the number of projects.
    """
    projects = list(projects)
    allowed = {p.pk for p in projects if _rights_for(rights, p.venue_id).is_secretariat}
    rest = [p.pk for p in projects if p.pk not in allowed]
    return allowed | (participant_projects(user, rest) if rest else set())


def can_record(user: Any, project: Project, rights: VenueAccess) -> bool:
    """Commitments, provision, outputs, reports and milestones: the secretariat and the project's participants,
    never observers."""
    if rights.is_secretariat:
        return True
    return rights.can_contribute and bool(participant_projects(user, [project.pk]))


def amount_hidden(commitment: Any, show_amounts: bool) -> bool:
    """A confidential cash amount that the reader may not see."""
    return commitment.kind == "cash" and commitment.is_confidential and not show_amounts


def shown_percent(provided: Any, committed: Any, hidden: bool) -> int | None:
    """Provided ÷ committed in whole percent, or for a reader who may not see the amounts only the lower bound
    of its 10-point band (``domain.disclosure``); None when nothing was committed."""
    if not committed:
        return None
    ratio = float(provided / committed)
    return percent_band(ratio) if hidden else round(ratio * 100)


def mask_params(params: dict[str, Any], show_amounts: bool) -> dict[str, Any]:
    """A reason's parameters without cash amounts for those who may not see them (amounts become None, the
    ratio becomes ``ratio_band``, the lower bound in % of its 10-point band)."""
    if show_amounts or params.get("kind") != "cash":
        return dict(params)
    masked: dict[str, Any] = {k: (None if k in AMOUNT_PARAMS else v) for k, v in params.items()}
    if isinstance(params.get("ratio"), int | float):  # from the amounts: only its band (``domain.disclosure``)
        masked["ratio"] = None
        masked["ratio_band"] = percent_band(params["ratio"])
    if "by_fiscal_year" in masked:
        masked["by_fiscal_year"] = [{**year, **{k: None for k in AMOUNT_PARAMS if k in year}}
                                    for year in masked["by_fiscal_year"]]
    masked["amounts_hidden"] = True
    return masked


def masked_signal_dicts(signals: Iterable[dict[str, Any]], show_amounts: bool) -> list[dict[str, Any]]:
    """Signals as ``ProjectReview.to_dict()["signals"]`` (also a review's stored snapshot), with each signal's
    translated name and each reason's translated text and parameters, cash amounts masked."""
    return [
        {"code": s["code"], "name": signal_name(s["code"]), "fired": s["fired"], "severity": s["severity"],
         "reasons": [{"code": r["code"], "text": reason_text(r["code"], r.get("params", {}), show_amounts=show_amounts),
                      "params": mask_params(r.get("params", {}), show_amounts)} for r in s.get("reasons", [])]}
        for s in signals
    ]
