"""Who may do what inside one venue. URL-level access is declared on each view; these checks decide
object-level rights from the roles a user holds in *this* venue (and staff)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import Http404

from .models import Venue, VenueRole
from .queries import roles_in_venue


@dataclass(frozen=True)
class VenueAccess:
    roles: frozenset[str]
    is_staff: bool

    @property
    def is_member(self) -> bool:
        """Reads the venue's internal pages (observers included)."""
        return self.is_staff or bool(self.roles)

    @property
    def is_secretariat(self) -> bool:
        return self.is_staff or VenueRole.Role.SECRETARIAT in self.roles

    @property
    def can_contribute(self) -> bool:
        """Writes anything at all (observers read but never write)."""
        return self.is_staff or bool(self.roles - {VenueRole.Role.OBSERVER})


def venue_access(user: Any, venue: Venue) -> VenueAccess:
    return VenueAccess(roles=roles_in_venue(user, venue.pk), is_staff=bool(getattr(user, "is_staff", False)))


def require_member(user: Any, venue: Venue) -> VenueAccess:
    """The user's access, or 404 when the venue's internal pages are not theirs to see."""
    access = venue_access(user, venue)
    if not access.is_member:
        raise Http404
    return access


def person_of(user: Any) -> Any:
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.person
    except Exception:  # noqa: BLE001 - RelatedObjectDoesNotExist
        return None


def can_edit_minutes(user: Any, meeting: Any, access: VenueAccess) -> bool:
    """Draft minutes are corrected by the meeting's attendees and the secretariat; final minutes by nobody."""
    if meeting.minutes_status == "final" or not access.can_contribute:
        return False
    if access.is_secretariat:
        return True
    person = person_of(user)
    return person is not None and meeting.attendances.filter(person=person).exists()


def can_update_action(user: Any, action_item: Any, access: VenueAccess) -> bool:
    """Secretariat, the owner person, or a current representative of the owner organisation."""
    if access.is_secretariat:
        return True
    if not access.can_contribute:
        return False
    person = person_of(user)
    if person is None:
        return False
    if action_item.owner_person_id == person.pk:
        return True
    return bool(action_item.owner_organization_id and person.representations.filter(
        membership__organization_id=action_item.owner_organization_id,
        membership__venue_id=action_item.venue_id, membership__left_on__isnull=True,
    ).exists())
