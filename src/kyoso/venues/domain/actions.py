"""Follow-up of decisions: when an action item is overdue, and how a venue's actions are summarised."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class ActionStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


ACTIVE = frozenset({ActionStatus.OPEN, ActionStatus.IN_PROGRESS})


def is_overdue(status: str, due: dt.date | None, today: dt.date) -> bool:
    """An active action whose due date has passed (the due day itself is not overdue)."""
    return ActionStatus(status) in ACTIVE and due is not None and due < today


def days_overdue(due: dt.date | None, today: dt.date) -> int:
    return max(0, (today - due).days) if due else 0


@dataclass(frozen=True)
class ActionRow:
    status: str
    due: dt.date | None
    completed: dt.date | None = None


@dataclass(frozen=True)
class ActionSummary:
    open: int
    overdue: int
    due_soon: int
    recently_completed: int


def summarise(rows: Iterable[ActionRow], today: dt.date, soon_days: int = 14, recent_days: int = 30) -> ActionSummary:
    open_ = overdue = soon = recent = 0
    for row in rows:
        status = ActionStatus(row.status)
        if status in ACTIVE:
            open_ += 1
            if is_overdue(status, row.due, today):
                overdue += 1
            elif row.due and (row.due - today).days <= soon_days:
                soon += 1
        elif status == ActionStatus.DONE and row.completed and (today - row.completed).days <= recent_days:
            recent += 1
    return ActionSummary(open_, overdue, soon, recent)
