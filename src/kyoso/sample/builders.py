"""Sample-region steps with the registry's calling convention (``builder(venue=..., actor=...)``) for content
whose builder has another shape. Apps declare their steps in their manifest (``sample_builders``)."""

from __future__ import annotations

from typing import Any


def matching(*, venue: Any, actor: Any) -> str:
    """Researcher profiles for seeds–needs matching and the matching index, built here (``kyoso demo``), never in a
    request; the test fixtures skip this step (``in_fixtures=False``)."""
    from kyoso.matching import index, services

    from .matching_content import build_matching_content

    changed = build_matching_content(actor)
    if changed or index.current_version() is None:
        version, size = services.index_rebuild()
        return (f"Matching: {len(changed)} researcher profiles imported or changed; "
                f"index {version} with {size} researchers.")
    return "Matching: researcher profiles and index already up to date."
