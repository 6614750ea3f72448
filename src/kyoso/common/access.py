"""Who may use each view: declared once on the view, enforced in one place.

Every URL pattern's view declares an access policy with :func:`access` (function views), an
``access`` class attribute (class-based views and API views). :class:`AccessPolicyMiddleware`
enforces it for pages; :class:`DeclaredAccessPermission` enforces it for the REST API (which
authenticates by token inside the view). A view without a declaration is refused: fail closed.

A policy has a rule for reading (GET, HEAD, OPTIONS) and one for writing (every other method).
Rules are deliberately coarse (may this kind of user reach this URL at all?). Which objects a
user may then see is decided in querysets (``visible_to(user)``), never only in templates.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from rest_framework.permissions import BasePermission

logger = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Rule:
    """A named test on the requesting user."""

    name: str
    test: Callable[[Any], bool]

    def allows(self, user: Any) -> bool:
        return bool(self.test(user))

    def __str__(self) -> str:
        return self.name


# Venue roles are venues' business and venues depends on common, not the other way round: the venues app
# registers the function that answers "which roles does this user hold in any venue?" when it is ready
# (``VenuesConfig.ready``). Until one is registered nobody holds a role, so the rules below fail closed.
_roles_provider: Callable[[Any], frozenset[str]] | None = None


def register_roles_provider(provider: Callable[[Any], frozenset[str]]) -> None:
    """Called once by the app that owns venue roles (``kyoso.venues``)."""
    global _roles_provider
    _roles_provider = provider


def _roles(user: Any) -> frozenset[str]:
    return _roles_provider(user) if _roles_provider is not None else frozenset()


def standing(user: Any) -> str:
    """Who is asking, for the wording of a refusal: "anonymous", "no_role" (a resident or any user without a
    role in a venue) or "participant" (holds a venue role, or is staff, but not the one this page needs)."""
    if not getattr(user, "is_authenticated", False):
        return "anonymous"
    return "participant" if user.is_staff or _roles(user) else "no_role"


PUBLIC = Rule("public", lambda user: True)
AUTHENTICATED = Rule("authenticated", lambda user: user.is_authenticated)
VENUE_PARTICIPANT = Rule(
    "venue_participant",
    lambda user: user.is_authenticated and (user.is_staff or bool(_roles(user))),
)
SECRETARIAT = Rule(
    "secretariat",
    lambda user: user.is_authenticated and (user.is_staff or "secretariat" in _roles(user)),
)
STAFF = Rule("staff", lambda user: user.is_authenticated and user.is_staff)


@dataclass(frozen=True)
class Policy:
    read: Rule
    write: Rule

    def rule_for(self, method: str) -> Rule:
        return self.read if method.upper() in SAFE_METHODS else self.write

    def __str__(self) -> str:
        return self.read.name if self.read == self.write else f"{self.read.name}/{self.write.name}"


def policy(read: Rule, write: Rule | None = None) -> Policy:
    return Policy(read=read, write=write or read)


def access(read: Rule, write: Rule | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare who may use a function view: ``@access(PUBLIC)`` or ``@access(read=PUBLIC, write=STAFF)``."""

    declared = policy(read, write)

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        view.kyoso_access = declared  # type: ignore[attr-defined]
        return view

    return decorate


# Views that come from Django or a library and guard themselves; declared here by URL namespace.
NAMESPACE_POLICIES = {"admin": policy(STAFF)}


def declared_policy(view_func: Callable[..., Any], namespace: str = "") -> Policy | None:
    """The policy a resolved view declares, or None when it declares none."""
    for holder in (view_func, getattr(view_func, "view_class", None), getattr(view_func, "cls", None)):
        if holder is None:
            continue
        found = getattr(holder, "kyoso_access", None) or getattr(holder, "access", None)
        if isinstance(found, Policy):
            return found
    top = namespace.split(":")[0] if namespace else ""
    return NAMESPACE_POLICIES.get(top)


def is_api_view(view_func: Callable[..., Any]) -> bool:
    return getattr(view_func, "cls", None) is not None


class AccessPolicyMiddleware:
    """Enforce each page's declared policy; refuse any view that declares none."""

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Callable[..., Any], args: Any, kwargs: Any) -> Any:
        match = request.resolver_match
        namespace = match.namespace if match else ""
        if namespace.split(":")[0] == "admin":
            return None  # the admin site checks is_staff itself and sends people to its own login
        declared = declared_policy(view_func, namespace)
        if declared is None:
            if settings.DEBUG and request.path.startswith(settings.STATIC_URL):
                return None
            logger.error("View %r for %s declares no access policy; refused.", view_func, request.path)
            raise PermissionDenied("This page declares no access policy.")
        if is_api_view(view_func):
            return None  # DeclaredAccessPermission checks it after token authentication
        if declared.rule_for(request.method or "GET").allows(request.user):
            return None
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied


class DeclaredAccessPermission(BasePermission):
    """DRF permission that applies the view's declared ``access`` policy (none declared: refuse)."""

    message = "You do not have permission to perform this action."

    def has_permission(self, request: Any, view: Any) -> bool:
        declared = getattr(view, "access", None)
        if not isinstance(declared, Policy):
            return False
        return declared.rule_for(request.method).allows(request.user)
