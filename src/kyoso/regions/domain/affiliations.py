"""The effort-share rule for affiliations (cross-appointments).

A person may hold several affiliations at once (a cross-appointment is two concurrent ones).
On every single day, the effort shares of the affiliations in force must add up to at most 100 %.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

MAX_TOTAL_SHARE = 100


@dataclass(frozen=True)
class Span:
    """An affiliation's effort share in percent, in force from ``start`` to ``end`` (inclusive; None = open)."""

    share: int
    start: dt.date | None = None
    end: dt.date | None = None
    label: str = ""

    def __post_init__(self) -> None:
        if not 0 <= self.share <= MAX_TOTAL_SHARE:
            raise ValueError(f"share must be between 0 and {MAX_TOTAL_SHARE}, not {self.share}")
        if self.start and self.end and self.end < self.start:
            raise ValueError("end must not be before start")


@dataclass(frozen=True)
class Overload:
    """A period during which the shares in force add up to more than 100 %."""

    start: dt.date | None
    end: dt.date | None
    total: int
    labels: tuple[str, ...]


def overloads(spans: Iterable[Span]) -> list[Overload]:
    """Every maximal period in which the spans' shares add up to more than 100 %.

    A sweep over the boundary dates: each span contributes its share from its start day to
    its end day inclusive. ``None`` as start means "since ever", as end "until further notice".
    """
    spans = [s for s in spans if s.share > 0]
    if not spans:
        return []
    # Boundaries: a span is active on [start, end + 1 day). None start sorts first, None end never ends.
    points: set[dt.date] = set()
    for span in spans:
        if span.start:
            points.add(span.start)
        if span.end:
            points.add(span.end + dt.timedelta(days=1))
    ordered: list[dt.date | None] = [None, *sorted(points)]
    result: list[Overload] = []
    for index, begin in enumerate(ordered):
        after = ordered[index + 1] if index + 1 < len(ordered) else None
        active = [s for s in spans if _active_from(s, begin)]
        total = sum(s.share for s in active)
        if total <= MAX_TOTAL_SHARE:
            continue
        last_day = after - dt.timedelta(days=1) if after else None
        labels = tuple(s.label for s in active)
        if result and result[-1].labels == labels and result[-1].total == total and _adjacent(result[-1], begin):
            result[-1] = Overload(result[-1].start, last_day, total, labels)
        else:
            result.append(Overload(begin, last_day, total, labels))
    return result


def _active_from(span: Span, day: dt.date | None) -> bool:
    """Is ``span`` in force on the first day of the interval that starts at ``day`` (None: the far past)?"""
    if day is None:
        return span.start is None
    starts_ok = span.start is None or span.start <= day
    ends_ok = span.end is None or day <= span.end
    return starts_ok and ends_ok


def _adjacent(previous: Overload, begin: dt.date | None) -> bool:
    return previous.end is not None and begin is not None and previous.end + dt.timedelta(days=1) == begin
