"""Template tags that let other apps' pages show matching work (the shortlists of a vision's issues)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def vision_shortlists(context: Any, vision: Any) -> dict[str, dict[int, list[Any]]]:
    """Shortlists of the vision's regional issues and themes that the viewer may see (venue members only), read
    once: ``{"issues": {pk: [...]}, "themes": ...}``."""
    from kyoso.matching.queries import shortlists_by_target

    request = context.get("request")
    found = shortlists_by_target(vision, getattr(request, "user", None))
    out: dict[str, dict[int, list[Any]]] = {"issues": {}, "themes": {}}
    for key, lists in found.items():
        kind, _, pk = key.partition(":")
        out["themes" if kind == "theme" else "issues"][int(pk)] = lists
    return out


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if hasattr(mapping, "get") else None
