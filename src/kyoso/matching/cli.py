"""What the matching commands print: a Match as JSON-friendly data (``kyoso match``, ``kyoso match-batch``)."""

from __future__ import annotations

from typing import Any

from .domain.search import Match


def match_json(match: Match) -> dict[str, Any]:
    """``{"researcher_id", "score", "lexical", "dense", "reasons": [...]}`` with each reason's snippet as text
    and the matched passages as ``[start, end)`` character offsets into it."""
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
    return {"researcher_id": match.researcher_id, "score": round(float(match.score), 6),
            "lexical": round(float(match.lexical), 6), "dense": round(float(match.dense), 6), "reasons": reasons}
