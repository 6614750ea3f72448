"""The stable ids of researchers, read from the database in one query (``domain.ids`` decides which one)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .domain.ids import source_identity


def identities_of(researcher: Any) -> dict[str, str]:
    """Kind → value of the researcher's identities (uses prefetched ``identities`` when present)."""
    return {i.kind: i.value for i in researcher.identities.all()}


def stable_id_data(source: str, identities: dict[str, str]) -> dict[str, Any]:
    """``{"source", "source_id_kind", "source_id", "identities"}`` for one researcher."""
    chosen = source_identity(source, identities)
    return {"source": source, "source_id_kind": chosen[0] if chosen else None,
            "source_id": chosen[1] if chosen else None, "identities": dict(sorted(identities.items()))}


def stable_ids(researcher_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Index id (``str(pk)``) → :func:`stable_id_data`, for researchers that still exist."""
    from .models import Researcher, ResearcherIdentity

    pks = [int(i) for i in researcher_ids if str(i).isdigit()]
    if not pks:
        return {}
    sources = dict(Researcher.objects.filter(pk__in=pks).values_list("pk", "source"))
    found: dict[int, dict[str, str]] = {pk: {} for pk in sources}
    for pk, kind, value in ResearcherIdentity.objects.filter(researcher_id__in=pks).values_list(
            "researcher_id", "kind", "value"):
        found[pk][kind] = value
    return {str(pk): stable_id_data(sources[pk], found[pk]) for pk in sources}
