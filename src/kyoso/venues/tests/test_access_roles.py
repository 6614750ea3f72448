"""The access rules of kyoso.common.access ask venues for a user's roles through a hook venues registers
(common must not import venues: imports point one way, see the import-linter contracts in pyproject.toml)."""

from __future__ import annotations

from types import SimpleNamespace

from kyoso.common import access
from kyoso.venues.queries import roles_of


def test_venues_registers_its_roles_when_the_app_is_ready():
    assert access._roles_provider is roles_of


def test_the_rules_use_the_registered_roles_and_fail_closed_without_them(monkeypatch):
    user = SimpleNamespace(is_authenticated=True, is_staff=False)
    monkeypatch.setattr(access, "_roles_provider", lambda u: frozenset({"secretariat"}))
    assert access.SECRETARIAT.allows(user) and access.VENUE_PARTICIPANT.allows(user)
    monkeypatch.setattr(access, "_roles_provider", None)
    assert not access.SECRETARIAT.allows(user) and not access.VENUE_PARTICIPANT.allows(user)
    assert access.AUTHENTICATED.allows(user)
