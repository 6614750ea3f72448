"""What the matching commands print: a Match as JSON-friendly data (``kyoso match``, ``kyoso match-batch``)."""

from __future__ import annotations

from typing import Any

from .domain.search import Match


def match_json(match: Match, ids: dict[str, Any] | None = None) -> dict[str, Any]:
    """``{"researcher_id", "source", "source_id_kind", "source_id", "identities", "score", "lexical", "dense",
    "reasons": [...]}``.

    ``researcher_id`` is Kyoso's internal id; ``source_id`` names the researcher in the source they were
    imported from (the JSON Lines ``id``, the researchmap permalink, the KAKEN researcher number; see
    :mod:`.domain.ids`), with every known identity in ``identities``. Each reason's snippet is text, the
    matched passages ``[start, end)`` character offsets into it; ``reasons`` is empty when none were asked for.
    """
    reasons = []
    for reason in match.reasons:
        text, hits, at = "", [], 0
        for span in reason.snippet:
            if span.hit:
                hits.append([at, at + len(span.text)])
            text += span.text
            at += len(span.text)
        reasons.append({"record_id": reason.record_id, "field": reason.field, "snippet": text, "hits": hits,
                        "matched_terms": list(reason.matched_terms), "similarity": round(float(reason.similarity), 4)})
    stable = (ids or {}).get(match.researcher_id) or {"source": None, "source_id_kind": None, "source_id": None,
                                                      "identities": {}}
    return {"researcher_id": match.researcher_id, **stable, "score": round(float(match.score), 6),
            "lexical": round(float(match.lexical), 6), "dense": round(float(match.dense), 6), "reasons": reasons}
