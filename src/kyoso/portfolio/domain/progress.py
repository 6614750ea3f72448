"""Resources provided against progress, per project: the two numbers of the portfolio chart.

Plain Python (no Django). ``today`` is always passed in.

* **Provision rate** — of the commitments whose due date plus the grace period has passed, grouped per
  partner and kind by :func:`~.signals.provision_groups` (the same computation as the resource-shortfall
  signal): the **lowest** group's ``min(provided ÷ committed, 1)``, so one partner's over-provision never
  hides another's gap, and yen, person-months and items are never added together. ``None`` when nothing is
  due yet. ``shortfall`` says whether some group falls short of ``shortfall_ratio``: exactly when the
  resource-shortfall signal fires.
* **Progress rate** — milestones achieved ÷ milestones due (due date on or before ``today``). ``None`` when no
  milestone is due yet.

Both are fractions between 0 and 1. :func:`quadrant` names where a project lies: well resourced exactly when
the shortfall signal did not fire, progressing when the progress rate reaches the divide (the shortfall
ratio), so a venue reads the chart as "money in, little progress" and so on, and the chart never puts a
project flagged 「資源の提供不足」 among the well-resourced ones.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from .signals import DEFAULT_THRESHOLDS, CommitmentFact, MilestoneFact, ProjectFacts, Thresholds, provision_groups

__all__ = ["ProgressPoint", "progress_point", "progress_rate", "provision_rate", "quadrant"]


@dataclass(frozen=True)
class ProgressPoint:
    project_id: object
    provision: float | None
    progress: float | None
    groups_due: int
    milestones_due: int
    milestones_done: int
    #: Some partner × kind group falls short (the resource-shortfall signal fires); None when nothing is due.
    shortfall: bool | None = None


def provision_rate(commitments: Iterable[CommitmentFact], today: dt.date,
                   thresholds: Thresholds = DEFAULT_THRESHOLDS) -> tuple[float | None, int, bool | None]:
    """(lowest capped rate over the partner × kind groups of due commitments, number of groups, whether some
    group falls short)."""
    groups = provision_groups(commitments, today, thresholds).groups
    if not groups:
        return None, 0, None
    return min(g.capped_rate for g in groups), len(groups), any(g.short for g in groups)


def progress_rate(milestones: Iterable[MilestoneFact], today: dt.date) -> tuple[float | None, int, int]:
    """(achieved ÷ due, due, achieved) for milestones due on or before ``today``."""
    due = [m for m in milestones if m.due <= today]
    done = sum(1 for m in due if m.done)
    if not due:
        return None, 0, 0
    return done / len(due), len(due), done


def progress_point(facts: ProjectFacts, today: dt.date, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> ProgressPoint:
    provision, groups, shortfall = provision_rate(facts.commitments, today, thresholds)
    progress, due, done = progress_rate(facts.milestones, today)
    return ProgressPoint(facts.project_id, provision, progress, groups, due, done, shortfall)


def quadrant(point: ProgressPoint, divide: float = 0.7) -> str | None:
    """``on_track`` (resources and progress), ``resources_without_progress``, ``progress_despite_shortfall``,
    ``both_lagging``; None when either number is missing."""
    if point.provision is None or point.progress is None:
        return None
    well_resourced = not point.shortfall if point.shortfall is not None else point.provision >= divide
    progressing = point.progress >= divide
    if well_resourced and progressing:
        return "on_track"
    if well_resourced:
        return "resources_without_progress"
    if progressing:
        return "progress_despite_shortfall"
    return "both_lagging"
