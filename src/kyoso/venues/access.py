"""One venue-scoped access check for the pages of every app that lives in a venue.

``@venue_view(read=MEMBER, write=SECRETARIAT)`` on a view whose URL carries the venue's ``slug``:

1. declares the URL-level policy (``kyoso.common.access``) that the ``AccessPolicyMiddleware`` enforces and
   ``tests/test_permissions.py`` reads: ``member``/``contributor`` → ``venue_participant``, ``secretariat`` →
   ``secretariat``, ``public`` → ``public``;
2. resolves the venue among those the user may see (404 otherwise);
3. checks the user's role in *that* venue for the request's method: ``member`` (any role, observers included) → 404
   when the user holds none, ``contributor`` → also 403 for observers, ``secretariat`` → 403 unless the venue's
   secretariat (each refusal with the same translated message as before);
4. puts ``request.venue`` and ``request.venue_rights`` (:class:`~kyoso.venues.permissions.VenueAccess`) on the request.

Object-level rules (who may edit *this* minute or action) stay in ``permissions``/querysets; this decorator only
replaces the ``_venue(request, slug)`` + ``require_member`` + ``_secretariat`` lines each view used to repeat.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from kyoso.common.access import PUBLIC, SAFE_METHODS, SECRETARIAT, VENUE_PARTICIPANT, Rule, policy

from .models import Venue
from .permissions import VenueAccess
from .permissions import venue_access as rights_in

ANYONE = "public"  # anyone who may see the venue (public venues: everyone)
MEMBER = "member"
CONTRIBUTOR = "contributor"
SECRETARIAT_ONLY = "secretariat"

URL_RULES: dict[str, Rule] = {ANYONE: PUBLIC, MEMBER: VENUE_PARTICIPANT, CONTRIBUTOR: VENUE_PARTICIPANT,
                              SECRETARIAT_ONLY: SECRETARIAT}


def visible_venue(request: HttpRequest, slug: str) -> Venue:
    """The venue with this slug among those the user may see, or 404."""
    return get_object_or_404(Venue.objects.visible_to(request.user), slug=slug)


def require(level: str, rights: VenueAccess) -> None:
    """Refuse unless ``rights`` reach ``level`` (404 for non-members, 403 with a reason otherwise)."""
    if level == ANYONE:
        return
    if level == SECRETARIAT_ONLY:
        if not rights.is_secretariat:
            raise PermissionDenied(_("この操作は場の事務局だけが行えます。"))
        return
    if not rights.is_member:
        raise Http404
    if level == CONTRIBUTOR and not rights.can_contribute:
        raise PermissionDenied(_("オブザーバーは閲覧のみできます。"))


def member_venue(request: HttpRequest, slug: str) -> tuple[Venue, VenueAccess]:
    """The venue and the user's rights in it; 404 unless the user holds a role there (staff: always)."""
    venue = visible_venue(request, slug)
    rights = rights_in(request.user, venue)
    require(MEMBER, rights)
    return venue, rights


# The URL-level rules of kyoso.common.access name the same levels: ``write=SECRETARIAT`` reads naturally.
LEVEL_OF_RULE = {PUBLIC: ANYONE, VENUE_PARTICIPANT: MEMBER, SECRETARIAT: SECRETARIAT_ONLY}


def _level(given: str | Rule) -> str:
    level = LEVEL_OF_RULE.get(given, "") if isinstance(given, Rule) else given
    if level not in URL_RULES:
        raise ValueError(f"Unknown venue access level {given!r}.")
    return level


def venue_view(
    read: str | Rule = MEMBER, write: str | Rule | None = None
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare and check who may use a venue page: ``@venue_view(read=MEMBER, write=SECRETARIAT)``
    (``SECRETARIAT`` from ``kyoso.common.access`` or :data:`SECRETARIAT_ONLY`)."""
    read = _level(read)
    write = _level(write) if write is not None else read
    declared = policy(URL_RULES[read], URL_RULES[write])

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def checked(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> Any:
            venue = visible_venue(request, slug)
            rights = rights_in(request.user, venue)
            require(read if (request.method or "GET").upper() in SAFE_METHODS else write, rights)
            request.venue = venue  # type: ignore[attr-defined]
            request.venue_rights = rights  # type: ignore[attr-defined]
            return view(request, slug, *args, **kwargs)

        checked.kyoso_access = declared  # type: ignore[attr-defined]
        checked.kyoso_venue_access = (read, write)  # type: ignore[attr-defined]
        return checked

    return decorate
