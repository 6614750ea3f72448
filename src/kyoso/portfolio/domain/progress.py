"""Resources provided against progress, per project: the two numbers of the portfolio chart.

Plain Python (no Django). ``today`` is always passed in.

* **Provision rate** — of the commitments whose due date plus the grace period has passed, per partner and
  kind: ``min(provided ÷ committed, 1)``; the project's rate is the mean over those partner × kind groups, so
  one partner's over-provision never hides another's gap (the same grouping as the resource-shortfall
  signal), and yen, person-months and items are never added together. ``None`` when nothing is due yet.
* **Progress rate** — milestones achieved ÷ milestones due (due date on or before ``today``). ``None`` when no
  milestone is due yet.

Both are fractions between 0 and 1. :func:`quadrant` names where a project lies with the 0.7 line of the
shortfall signal as the divide, so a venue reads the chart as "money in, little progress" and so on.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from .signals import CommitmentFact, MilestoneFact, ProjectFacts

__all__ = ["ProgressPoint", "progress_point", "progress_rate", "provision_rate", "quadrant"]


@dataclass(frozen=True)
class ProgressPoint:
    project_id: object
    provision: float | None
    progress: float | None
    groups_due: int
    milestones_due: int
    milestones_done: int


def provision_rate(commitments: Iterable[CommitmentFact], today: dt.date,
                   grace_days: int = 30) -> tuple[float | None, int]:
    """(mean capped rate over partner × kind groups of due commitments, number of groups)."""
    committed: dict[tuple[object, str], Decimal] = defaultdict(Decimal)
    provided: dict[tuple[object, str], Decimal] = defaultdict(Decimal)
    for c in commitments:
        if c.due is None or c.due + dt.timedelta(days=grace_days) >= today:
            continue
        key = (c.partner_id, c.kind)
        committed[key] += Decimal(c.committed)
        provided[key] += Decimal(c.provided)
    rates = [min(provided[k] / committed[k], Decimal(1)) for k in committed if committed[k] > 0]
    if not rates:
        return None, 0
    return float(sum(rates) / len(rates)), len(rates)


def progress_rate(milestones: Iterable[MilestoneFact], today: dt.date) -> tuple[float | None, int, int]:
    """(achieved ÷ due, due, achieved) for milestones due on or before ``today``."""
    due = [m for m in milestones if m.due <= today]
    done = sum(1 for m in due if m.done)
    if not due:
        return None, 0, 0
    return done / len(due), len(due), done


def progress_point(facts: ProjectFacts, today: dt.date, grace_days: int = 30) -> ProgressPoint:
    provision, groups = provision_rate(facts.commitments, today, grace_days)
    progress, due, done = progress_rate(facts.milestones, today)
    return ProgressPoint(facts.project_id, provision, progress, groups, due, done)


def quadrant(point: ProgressPoint, divide: float = 0.7) -> str | None:
    """``on_track`` (resources and progress), ``resources_without_progress``, ``progress_despite_shortfall``,
    ``both_lagging``; None when either number is missing."""
    if point.provision is None or point.progress is None:
        return None
    well_resourced = point.provision >= divide
    progressing = point.progress >= divide
    if well_resourced and progressing:
        return "on_track"
    if well_resourced:
        return "resources_without_progress"
    if progressing:
        return "progress_despite_shortfall"
    return "both_lagging"
