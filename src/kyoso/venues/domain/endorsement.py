"""Per-sector endorsement of a proposal (a decision draft, later a vision version).

Each member representative endorses, objects (with a reason) or abstains. A sector's status is
decided by the venue's rule; the proposal is agreed only when every required sector has agreed,
and rejected as soon as a required sector has objected under the rule.

Rules
-----
``unanimous``
    A sector agrees when at least ``min_endorsements`` of its representatives endorse and none
    objects; one objection makes the sector object. Abstentions count for neither side.
``majority``
    A sector agrees when at least ``min_endorsements`` endorse and endorsements outnumber
    objections; it objects when objections are at least as many as endorsements and at least one
    representative has objected; otherwise it is pending.

Sectors that are not required are shown with their status but never decide the outcome.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum


class Stance(StrEnum):
    ENDORSE = "endorse"
    OBJECT = "object"
    ABSTAIN = "abstain"


class SectorState(StrEnum):
    PENDING = "pending"
    AGREED = "agreed"
    OBJECTED = "objected"


class Outcome(StrEnum):
    OPEN = "open"
    AGREED = "agreed"
    REJECTED = "rejected"


class Rule(StrEnum):
    UNANIMOUS = "unanimous"
    MAJORITY = "majority"


@dataclass(frozen=True)
class Response:
    sector: str
    stance: Stance


@dataclass(frozen=True)
class SectorTally:
    sector: str
    required: bool
    endorse: int = 0
    object: int = 0
    abstain: int = 0
    state: SectorState = SectorState.PENDING


@dataclass(frozen=True)
class Evaluation:
    outcome: Outcome
    sectors: tuple[SectorTally, ...] = field(default_factory=tuple)

    @property
    def agreed_sectors(self) -> list[str]:
        return [t.sector for t in self.sectors if t.state == SectorState.AGREED]

    @property
    def missing_sectors(self) -> list[str]:
        """Required sectors that have not agreed yet."""
        return [t.sector for t in self.sectors if t.required and t.state != SectorState.AGREED]


def sector_state(endorse: int, objections: int, rule: Rule, min_endorsements: int = 1) -> SectorState:
    min_endorsements = max(1, min_endorsements)  # a sector nobody endorsed never agrees, even if 0 is stored
    if rule == Rule.UNANIMOUS:
        if objections:
            return SectorState.OBJECTED
        return SectorState.AGREED if endorse >= min_endorsements else SectorState.PENDING
    if endorse >= min_endorsements and endorse > objections:
        return SectorState.AGREED
    if objections and objections >= endorse:
        return SectorState.OBJECTED
    return SectorState.PENDING


def evaluate(
    responses: Iterable[Response],
    required_sectors: Sequence[str],
    rule: Rule = Rule.UNANIMOUS,
    min_endorsements: int = 1,
    all_sectors: Sequence[str] = (),
) -> Evaluation:
    """Tally the responses per sector and decide the proposal's outcome."""
    if not required_sectors:
        raise ValueError("at least one sector must be required")
    counts: dict[str, dict[Stance, int]] = {}
    for response in responses:
        counts.setdefault(response.sector, {s: 0 for s in Stance})[Stance(response.stance)] += 1
    order = list(dict.fromkeys([*required_sectors, *all_sectors, *counts]))
    tallies = []
    for sector in order:
        c = counts.get(sector, {s: 0 for s in Stance})
        state = sector_state(c[Stance.ENDORSE], c[Stance.OBJECT], rule, min_endorsements)
        tallies.append(SectorTally(sector, sector in required_sectors, c[Stance.ENDORSE], c[Stance.OBJECT],
                                   c[Stance.ABSTAIN], state))
    required = [t for t in tallies if t.required]
    if any(t.state == SectorState.OBJECTED for t in required):
        outcome = Outcome.REJECTED
    elif all(t.state == SectorState.AGREED for t in required):
        outcome = Outcome.AGREED
    else:
        outcome = Outcome.OPEN
    return Evaluation(outcome, tuple(tallies))
