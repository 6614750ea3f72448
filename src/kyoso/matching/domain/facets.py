"""Facets of a need, consortium (team) suggestion and the region's capability gap.

**Facets.** A regional need often asks for several capabilities at once (「赤潮を衛星で予測し、養殖業者に
警報を届け、被害額を推計したい」: remote sensing, an alert service, damage economics). ``split_facets`` cuts
the need at sentence ends, commas, clause-joining particles (…し、…て) and coordinators (および, 並びに,
and, ;), keeps the parts that contain content words, and merges the shortest neighbours until at most
``max_facets`` remain. Each facet is then searched on its own (``MatchIndex.search_facets``).

**Team.** ``select_team`` proposes a small consortium that together covers the facets, by greedy set
cover: a researcher *covers* a facet when the fused score (≈ probability of fitting) reaches
``cover_threshold``. At each step the researcher who adds the most is taken: first by the number of
facets not yet covered, then by how much they raise the team's best score on each facet (so a second
member strengthens the weakest facet). The institution rule is kept while choosing: when the free seats
left are just enough to reach ``min_institutions``, only researchers from a new institution are
considered. Selection stops when every coverable facet is covered, the team has ``size_min`` members and
enough institutions, or at ``size_max``. Greedy set cover is within a factor ln(facets) of the smallest
cover, and with ≤ 4 facets it is in practice optimal; it is also easy to explain to a venue.

**Capability gap.** ``capability_gap`` compares the best in-region match with the best outside match
(overall and per facet) and returns plain numbers and a verdict code the UI translates:
``covered`` (the region has a good match, not far behind the outside best), ``stronger_outside``
(the region is good, outside clearly better), ``look_outside`` (only outside reaches the threshold),
``not_covered`` (nobody does), ``no_data``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .text import _tokenizer, terms

if TYPE_CHECKING:
    from .search import Match

COVER_THRESHOLD = 0.5  # fused score ≈ probability that the researcher fits (see fusion.py)
GAP_MARGIN = 0.15  # outside better by more than this → "stronger_outside"

_SENTENCE = re.compile(
    r"[。．！？!?;；\n]+|\s(?:and|as well as|plus)\s|[、，,]|および|及び|並びに|かつ", re.IGNORECASE
)


def _clause_split(text: str) -> list[str]:
    """Split a Japanese sentence after clause-joining particles (し, て, ながら) and before 〜また."""
    if text.isascii():
        return [text]
    parts, start = [], 0
    morphemes = list(_tokenizer().tokenize(text))
    for i, m in enumerate(morphemes):
        pos = m.part_of_speech()
        if pos[0] == "助詞" and pos[1] == "接続助詞" and i + 1 < len(morphemes):
            parts.append(text[start:m.end()])
            start = m.end()
    parts.append(text[start:])
    return parts


def split_facets(need: str, max_facets: int = 4) -> list[str]:
    """The facets of a need (at least one: the need itself when it cannot be split)."""
    need = need.strip()
    if not need:
        return []
    pieces = []
    for part in _SENTENCE.split(need):
        pieces.extend(_clause_split(part))
    facets = [p.strip(" 　、。,.") for p in pieces if terms(p)]
    # Too small to stand alone (one content word): attach to the neighbour.
    merged: list[str] = []
    for f in facets:
        if merged and (len(terms(f)) < 2 or len(terms(merged[-1])) < 2):
            merged[-1] = _join(merged[-1], f)
        else:
            merged.append(f)
    while len(merged) > max(1, max_facets):
        sizes = [len(terms(merged[i])) + len(terms(merged[i + 1])) for i in range(len(merged) - 1)]
        i = sizes.index(min(sizes))
        merged[i:i + 2] = [_join(merged[i], merged[i + 1])]
    return merged or [need]


def _join(a: str, b: str) -> str:
    return f"{a} {b}" if a.isascii() and b.isascii() else f"{a}、{b}"


@dataclass(frozen=True)
class TeamMember:
    researcher_id: str
    facets: tuple[int, ...]  # indices of the facets this member covers (score ≥ threshold)


def select_team(facet_scores: dict[str, list[float]], institution_of: dict[str, str], *, size_min: int = 3,
                size_max: int = 5, min_institutions: int = 2,
                cover_threshold: float = COVER_THRESHOLD) -> list[TeamMember]:
    """A small team that together covers the facets (greedy set cover, see the module docstring).

    ``facet_scores``: researcher id → score per facet (from ``MatchIndex.search_facets``);
    ``institution_of``: researcher id → organisation. Researchers without an institution count as
    their own. Returns members in the order chosen; fewer than ``size_min`` only when there are fewer
    candidates.
    """
    if not facet_scores:
        return []
    n_facets = max(len(v) for v in facet_scores.values())
    size_max = max(size_max, 1)
    best = [0.0] * n_facets
    covered: set[int] = set()
    coverable = {f for f in range(n_facets) if any(len(s) > f and s[f] >= cover_threshold
                                                   for s in facet_scores.values())}
    team: list[str] = []
    institutions: set[str] = set()

    def inst(rid: str) -> str:
        return institution_of.get(rid) or f"(own) {rid}"

    def done() -> bool:
        return covered >= coverable and len(team) >= size_min and len(institutions) >= min(
            min_institutions, len({inst(r) for r in facet_scores}))

    while len(team) < size_max and not done():
        seats_left = size_max - len(team)
        need_new_inst = max(0, min_institutions - len(institutions)) >= seats_left
        best_key: tuple[int, float, float, str] | None = None
        best_rid: str | None = None
        for rid, scores in facet_scores.items():
            if rid in team or (need_new_inst and inst(rid) in institutions):
                continue
            new = sum(1 for f, s in enumerate(scores) if s >= cover_threshold and f not in covered)
            gain = sum(max(0.0, s - best[f]) for f, s in enumerate(scores))
            key = (new, round(gain, 9), max(scores, default=0.0), rid)
            if best_key is None or key[:3] > best_key[:3] or (key[:3] == best_key[:3] and rid < best_key[3]):
                best_key, best_rid = key, rid
        if best_rid is None or best_key is None:
            break
        if best_key[0] == 0 and best_key[1] <= 0 and covered >= coverable and len(team) >= size_min:
            break
        team.append(best_rid)
        institutions.add(inst(best_rid))
        for f, s in enumerate(facet_scores[best_rid]):
            best[f] = max(best[f], s)
            if s >= cover_threshold:
                covered.add(f)
    return [
        TeamMember(rid, tuple(f for f, s in enumerate(facet_scores[rid]) if s >= cover_threshold)) for rid in team
    ]


def uncovered_facets(team: Sequence[TeamMember], n_facets: int) -> list[int]:
    """Facet indices nobody in the team covers (the venue must look further)."""
    covered = {f for m in team for f in m.facets}
    return [f for f in range(n_facets) if f not in covered]


@dataclass(frozen=True)
class FacetGap:
    facet: int
    best_in_region: float
    best_outside: float
    verdict: str


@dataclass(frozen=True)
class GapReport:
    best_in_region: float  # 0 when the region has no match
    best_outside: float
    best_in_region_id: str | None
    best_outside_id: str | None
    gap: float  # best_outside − best_in_region (positive: outside is stronger)
    verdict: str  # covered | stronger_outside | look_outside | not_covered | no_data
    per_facet: tuple[FacetGap, ...] = ()


def _verdict(inside: float, outside: float, threshold: float, margin: float, any_data: bool) -> str:
    if not any_data:
        return "no_data"
    if inside >= threshold:
        return "stronger_outside" if outside - inside > margin else "covered"
    return "look_outside" if outside >= threshold else "not_covered"


def capability_gap(in_region: list[Match], outside: list[Match], *, facet_scores: dict[str, list[float]] | None = None,
                   region_ids: set[str] | None = None, threshold: float = COVER_THRESHOLD,
                   margin: float = GAP_MARGIN) -> GapReport:
    """How well the region covers a need compared with the best outside (lists of ``Match``, best first).

    With ``facet_scores`` (from ``search_facets``) and ``region_ids`` (the in-region researchers), the
    comparison is also made per facet.
    """
    bi = max(in_region, key=lambda m: m.score, default=None)
    bo = max(outside, key=lambda m: m.score, default=None)
    inside = bi.score if bi else 0.0
    out = bo.score if bo else 0.0
    per_facet: list[FacetGap] = []
    if facet_scores and region_ids is not None:
        n = max(len(v) for v in facet_scores.values())
        for f in range(n):
            fi = max((s[f] for r, s in facet_scores.items() if r in region_ids and len(s) > f), default=0.0)
            fo = max((s[f] for r, s in facet_scores.items() if r not in region_ids and len(s) > f), default=0.0)
            per_facet.append(FacetGap(f, fi, fo, _verdict(fi, fo, threshold, margin, True)))
    return GapReport(inside, out, bi.researcher_id if bi else None, bo.researcher_id if bo else None, out - inside,
                     _verdict(inside, out, threshold, margin, bool(in_region or outside)), tuple(per_facet))
