"""Who may write the numbers of a vision. One rule, used by the service, the pages, the API and the importer.

Recording or importing the actual values of a KPI is for the people of the KPI's owner organisation (a current
affiliation with it, or a current representative of its membership in the venue) who contribute to the venue
(observers only read), and for the venue's secretariat (and staff). A KPI without an owner is recorded by the
secretariat only. Values that came from official statistics (``Observation.Source.REFERENCE``) are read-only
for everyone: they change only by loading the statistics again.

``user=None`` is the system itself (the sample builder, management commands, background tasks acting for no
one): it is not a person, and the service functions let it write.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.utils import timezone

from kyoso.venues.permissions import VenueAccess, person_of, venue_access

from .models import Kpi, Observation


def _people_of_owner(user: Any, organization_id: int, venue_id: int, today: dt.date) -> bool:
    person = person_of(user)
    if person is None:
        return False
    current = (Q(start_date__isnull=True) | Q(start_date__lte=today)) & (Q(end_date__isnull=True)
                                                                        | Q(end_date__gte=today))
    if person.affiliations.filter(current, organization_id=organization_id).exists():
        return True
    return person.representations.filter(membership__organization_id=organization_id,
                                         membership__venue_id=venue_id, membership__left_on__isnull=True).exists()


def recordable_kpi_ids(user: Any, kpis: list[Kpi], rights: VenueAccess | None = None) -> set[int]:
    """The ids of the given KPIs (all of one venue) whose values ``user`` may record or import."""
    if user is None:
        return {k.pk for k in kpis}
    if not kpis or not getattr(user, "is_authenticated", False):
        return set()
    venue = kpis[0].vision.venue
    rights = rights or venue_access(user, venue)
    if rights.is_secretariat:
        return {k.pk for k in kpis}
    if not rights.can_contribute:
        return set()
    today = timezone.localdate()
    allowed: dict[int, bool] = {}
    for kpi in kpis:
        if kpi.owner_id is not None and kpi.owner_id not in allowed:
            allowed[kpi.owner_id] = _people_of_owner(user, kpi.owner_id, venue.pk, today)
    return {k.pk for k in kpis if k.owner_id is not None and allowed[k.owner_id]}


def can_record(user: Any, kpi: Kpi, rights: VenueAccess | None = None) -> bool:
    """Whether ``user`` may record or import actual values of ``kpi`` (see the module docstring)."""
    return kpi.pk in recordable_kpi_ids(user, [kpi], rights)


def can_import(user: Any, vision: Any, rights: VenueAccess | None = None) -> bool:
    """Whether ``user`` may upload a file of values to ``vision``: the secretariat, or the right to record at
    least one of its KPIs."""
    if user is None:
        return True
    rights = rights or venue_access(user, vision.venue)
    if rights.is_secretariat:
        return True
    return bool(recordable_kpi_ids(user, list(vision.kpis.select_related("vision__venue")), rights))


def can_apply_import(user: Any, batch: Any) -> bool:
    """The uploader (still allowed to import) or the secretariat writes a checked file."""
    if user is None:
        return True
    rights = venue_access(user, batch.vision.venue)
    if not can_import(user, batch.vision, rights):
        return False
    return rights.is_secretariat or batch.uploaded_by_id == getattr(user, "pk", None)


def is_official(observation: Observation | None) -> bool:
    """A value from official statistics: nobody overwrites it by hand or by file."""
    return observation is not None and observation.source == Observation.Source.REFERENCE
