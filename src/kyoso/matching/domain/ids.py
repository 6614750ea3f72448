"""Which id names a researcher to the outside world: the id of the source the profile came from.

Kyoso's own primary key means nothing to a user who imported a JSON Lines file or who joins the scores to
researchmap or KAKEN. Every result therefore carries, next to the internal id, the researcher's *source id*:

* imported from JSON Lines → the file's ``id`` (identity kind ``local``);
* from researchmap → the researchmap permalink / ID (``researchmap``);
* from KAKEN → the researcher number (``kaken``);
* otherwise the first identity known, in the order local, researchmap, kaken, orcid.

A researcher without any identity (typed in by hand) has no source id (``None``).
"""

from __future__ import annotations

from collections.abc import Mapping

IDENTITY_ORDER = ("local", "researchmap", "kaken", "orcid")
SOURCE_KIND = {"jsonl": "local", "researchmap": "researchmap", "kaken": "kaken"}


def source_identity(source: str, identities: Mapping[str, str]) -> tuple[str, str] | None:
    """``(kind, value)`` of the id that names the researcher in their source, or None."""
    preferred = SOURCE_KIND.get(source)
    if preferred and identities.get(preferred):
        return preferred, identities[preferred]
    for kind in IDENTITY_ORDER:
        if identities.get(kind):
            return kind, identities[kind]
    return next(((k, v) for k, v in sorted(identities.items()) if v), None)
