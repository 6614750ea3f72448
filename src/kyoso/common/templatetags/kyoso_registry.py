"""The links every app declares in its manifest (``kyoso.common.registry``), for the base layout and the venue home.

``{% load kyoso_registry %}`` then ``{% main_navigation as links %}`` (each with ``url``, ``label``, ``current``:
``"page"``, ``"true"`` or ``""``) and ``{% venue_links venue rights "sections" as links %}`` (or ``"actions"``)
with ``url``, ``label``, ``primary``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template
from django.urls import reverse

from kyoso.common import registry

register = template.Library()


@dataclass(frozen=True)
class Link:
    url: str
    label: Any
    current: str = ""
    primary: bool = False


@register.simple_tag(takes_context=True)
def main_navigation(context: Any) -> list[Link]:
    request = context.get("request")
    path = getattr(request, "path", "")
    links = []
    for entry in registry.navigation():
        url = reverse(entry.url_name)
        current = "page" if path == url else "true" if entry.section and url in path else ""
        links.append(Link(url=url, label=entry.label, current=current))
    return links


@register.simple_tag
def venue_links(venue: Any, rights: Any, kind: str = "sections") -> list[Link]:
    """The venue's sections (or secretariat actions, ``kind="actions"``) that ``rights`` (``VenueAccess``) see."""
    declared = registry.venue_actions() if kind == "actions" else registry.venue_sections()
    return [Link(url=reverse(link.url_name, args=[venue.slug]), label=link.label, primary=link.primary)
            for link in registry.links_for(declared, rights)]
