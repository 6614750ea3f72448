"""Reads about venues and roles that other parts reuse."""

from __future__ import annotations

from typing import Any

from .models import VenueRole


def roles_of(user: Any) -> frozenset[str]:
    """The set of roles the user holds in any venue; cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_kyoso_roles", None)
    if cached is None:
        cached = frozenset(VenueRole.objects.filter(user=user).values_list("role", flat=True).distinct())
        user._kyoso_roles = cached
    return cached


def roles_in_venue(user: Any, venue_id: int) -> frozenset[str]:
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    return frozenset(VenueRole.objects.filter(user=user, venue_id=venue_id).values_list("role", flat=True))
