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

What else the venue requires (``Requirements``)
-----------------------------------------------
One representative must not speak for a whole sector, so a proposal can also require:

``organizations``
    Every listed organisation endorses: the governments that co-run the venue (its hosts) and any member the
    venue names. An organisation has endorsed when one of its representatives endorsed and none objected; an
    objection by one of its representatives makes it object, which rejects the proposal (its endorsement can no
    longer be had).
``top_layer``
    At least one counted endorsement comes from a top-layer representative (首長・学長・社長など), e.g. for a vision
    version.
``count_out_of_region``
    When false, responses of members from outside the region are shown (``SectorTally.uncounted``) but do not
    count for their sector, nor for the top-layer requirement. Required organisations count whatever their region.
``deadline``
    Without one, the proposal closes as soon as the outcome is decided. With one, it stays open until the deadline
    has passed (``today > deadline``), so that every representative can respond, and is then evaluated: agreed if
    every requirement is met, otherwise rejected (``Evaluation.lapsed``). An objection that already decides the
    outcome still rejects at once.
"""

from __future__ import annotations

import datetime as dt
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
    organization: int | None = None
    in_region: bool = True
    layer: str = ""


TOP_LAYER = "top"


@dataclass(frozen=True)
class Requirements:
    organizations: frozenset[int] = frozenset()
    top_layer: bool = False
    count_out_of_region: bool = True
    deadline: dt.date | None = None


@dataclass(frozen=True)
class SectorTally:
    sector: str
    required: bool
    endorse: int = 0
    object: int = 0
    abstain: int = 0
    state: SectorState = SectorState.PENDING
    uncounted: int = 0


@dataclass(frozen=True)
class Evaluation:
    outcome: Outcome
    sectors: tuple[SectorTally, ...] = field(default_factory=tuple)
    missing_organizations: tuple[int, ...] = ()
    objecting_organizations: tuple[int, ...] = ()
    top_layer_missing: bool = False
    lapsed: bool = False

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


NO_REQUIREMENTS = Requirements()


def organization_stance(stances: Iterable[Stance]) -> SectorState:
    """One organisation's position from its representatives' responses: any objection objects; otherwise an
    endorsement agrees; otherwise (nobody, or only abstentions) pending."""
    seen = set(stances)
    if Stance.OBJECT in seen:
        return SectorState.OBJECTED
    return SectorState.AGREED if Stance.ENDORSE in seen else SectorState.PENDING


def evaluate(
    responses: Iterable[Response],
    required_sectors: Sequence[str],
    rule: Rule = Rule.UNANIMOUS,
    min_endorsements: int = 1,
    all_sectors: Sequence[str] = (),
    requirements: Requirements = NO_REQUIREMENTS,
    today: dt.date | None = None,
) -> Evaluation:
    """Tally the responses per sector, check the venue's other requirements and decide the proposal's outcome.

    ``today`` is needed only when the requirements carry a deadline (without it the deadline is taken as not
    passed)."""
    if not required_sectors:
        raise ValueError("at least one sector must be required")
    responses = list(responses)
    counts: dict[str, dict[Stance, int]] = {}
    uncounted: dict[str, int] = {}
    by_organization: dict[int, list[Stance]] = {}
    top_endorsed = False
    for response in responses:
        stance = Stance(response.stance)
        if response.organization is not None:
            by_organization.setdefault(response.organization, []).append(stance)
        counts.setdefault(response.sector, {s: 0 for s in Stance})
        if not response.in_region and not requirements.count_out_of_region:
            uncounted[response.sector] = uncounted.get(response.sector, 0) + 1
            continue
        counts[response.sector][stance] += 1
        top_endorsed = top_endorsed or (stance == Stance.ENDORSE and response.layer == TOP_LAYER)
    order = list(dict.fromkeys([*required_sectors, *all_sectors, *counts]))
    tallies = []
    for sector in order:
        c = counts.get(sector, {s: 0 for s in Stance})
        state = sector_state(c[Stance.ENDORSE], c[Stance.OBJECT], rule, min_endorsements)
        tallies.append(SectorTally(sector, sector in required_sectors, c[Stance.ENDORSE], c[Stance.OBJECT],
                                   c[Stance.ABSTAIN], state, uncounted.get(sector, 0)))
    required = [t for t in tallies if t.required]
    org_states = {org: organization_stance(by_organization.get(org, ())) for org in requirements.organizations}
    objecting = tuple(sorted(o for o, st in org_states.items() if st == SectorState.OBJECTED))
    missing = tuple(sorted(o for o, st in org_states.items() if st != SectorState.AGREED))
    top_missing = requirements.top_layer and not top_endorsed
    met = all(t.state == SectorState.AGREED for t in required) and not missing and not top_missing
    lapsed = False
    if any(t.state == SectorState.OBJECTED for t in required) or objecting:
        outcome = Outcome.REJECTED
    elif requirements.deadline is not None:
        passed = today is not None and today > requirements.deadline
        lapsed = passed and not met
        outcome = (Outcome.AGREED if met else Outcome.REJECTED) if passed else Outcome.OPEN
    else:
        outcome = Outcome.AGREED if met else Outcome.OPEN
    return Evaluation(outcome, tuple(tallies), missing, objecting, top_missing, lapsed)


REMIND_DAYS_BEFORE = 3


def reminder_due(deadline: dt.date | None, last_reminded: dt.date | None, today: dt.date,
                 days_before: int = REMIND_DAYS_BEFORE) -> bool:
    """Whether representatives who have not responded get a reminder today: once, when the deadline is at most
    ``days_before`` days away and has not passed (a proposal without a deadline is never chased)."""
    if deadline is None or today > deadline or (deadline - today).days > days_before:
        return False
    return last_reminded is None or (deadline - last_reminded).days > days_before
