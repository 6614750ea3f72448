"""API plumbing for objects that live in a venue: the caller's rights per venue and the venue-scoped view set.

Used by the API of every app whose objects belong to a venue (venues, visions, portfolio, matching and the newer
apps). It sits just above ``kyoso.venues`` (it reads venue roles); apps below venues (regions) use only
``kyoso.api.errors`` and ``kyoso.api.fields``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from rest_framework import viewsets
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError

from kyoso.venues.models import Venue, VenueRole
from kyoso.venues.permissions import VenueAccess


def member_venues(user: Any) -> QuerySet[Venue]:
    """Venues whose internal data the user reads: those where they hold a role (staff: all)."""
    if not getattr(user, "is_authenticated", False):
        return Venue.objects.none()
    if user.is_staff:
        return Venue.objects.all()
    return Venue.objects.filter(pk__in=VenueRole.objects.filter(user=user).values("venue"))


class VenueRights:
    """The caller's rights in each venue, from one query for all venues (lazily, on first use)."""

    def __init__(self, user: Any) -> None:
        self.user = user
        self.is_staff = bool(getattr(user, "is_staff", False))
        self._roles: dict[int, frozenset[str]] | None = None

    def __call__(self, venue_id: int) -> VenueAccess:
        if self._roles is None:
            found: dict[int, set[str]] = {}
            if getattr(self.user, "is_authenticated", False):
                for vid, role in VenueRole.objects.filter(user=self.user).values_list("venue_id", "role"):
                    found.setdefault(vid, set()).add(role)
            self._roles = {vid: frozenset(roles) for vid, roles in found.items()}
        return VenueAccess(roles=self._roles.get(venue_id, frozenset()), is_staff=self.is_staff)


class RightsMixin:
    """For serializers: ``self.rights(venue_id)`` from ``context["access"]`` (a :class:`VenueRights`)."""

    context: dict[str, Any]

    def rights(self, venue_id: int) -> VenueAccess:
        lookup = self.context.get("access")
        if lookup is None:
            lookup = self.context["access"] = VenueRights(self.context["request"].user)
        return lookup(venue_id)


class VenueScopedViewSet(viewsets.ReadOnlyModelViewSet):
    """Common helpers: the caller's rights per venue and the ``?venue=`` parameter of lists."""

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        context["access"] = self.venue_rights
        return context

    @property
    def venue_rights(self) -> VenueRights:
        if not hasattr(self, "_venue_rights"):
            self._venue_rights = VenueRights(self.request.user)
        return self._venue_rights

    def rights(self, venue: Venue) -> VenueAccess:
        return self.venue_rights(venue.pk)

    def venue_from_query(self) -> Venue:
        """The ``?venue=`` of a list: 400 when missing, 404 when the caller may not see the venue."""
        slug = self.request.query_params.get("venue", "")
        if not slug:
            raise ValidationError({"venue": [_("場のスラッグ（venue）を指定してください。")]})
        return get_object_or_404(Venue.objects.visible_to(self.request.user), slug=slug)

    def member_venue_from_query(self) -> Venue:
        """As :meth:`venue_from_query`, and 404 unless the caller reads this venue's internal data."""
        venue = self.venue_from_query()
        if not self.rights(venue).is_member:
            raise NotFound
        return venue

    def require_secretariat(self, venue: Venue) -> None:
        if not self.rights(venue).is_secretariat:
            raise PermissionDenied(_("この操作は場の事務局だけが行えます。"))
