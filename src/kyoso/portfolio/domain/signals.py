"""Review signals for joint-research projects: what the venue should look at, and why.

Plain Python (standard library only, no Django).  The caller turns a project into a
:class:`ProjectFacts` (commitments, outputs, KPIs, reports, milestones) and calls
:func:`evaluate` (one project) or :func:`evaluate_portfolio` (many).  ``today`` is always
passed in, so a review can be recomputed for any date and tests never depend on the clock.

Every check returns a :class:`Signal`, **also when it did not fire** (``fired=False``), so a
page can say "checked, nothing to report".  Each signal carries :class:`Reason` objects: a
stable ``code`` and ``params`` holding the numbers behind it (dates as ISO strings, amounts as
``int`` or ``float``; everything is JSON-serialisable).  :func:`explain_en` writes an English
sentence from a reason; the web layer translates its own templates.  A signal that did not
fire has severity ``info``; a fired one ``warning`` or ``critical``.

All thresholds live in :class:`Thresholds`; a venue can change any of them.  The rules below
use the default values in brackets.

Counting days
=============
"Grace" means: a due date has passed only once the grace period after it is over.  With a due
date of 31 March and 30 grace days, the item is late from 1 May on (30 April is the last day
of grace).  The same ``grace_days`` [30] is used for commitments, reports and milestones.

A project is *young* while fewer than ``new_project_days`` [180] days have passed since its
start date.  Young projects are not checked for stalled KPIs or researcher convenience
(reason ``too_early``): it is too soon to expect outputs.

1. Resource shortfall (``resource_shortfall``)
==============================================
Did the partners (governments, companies, banks, universities) provide what they promised?

* A commitment is one partner's promise for one fiscal year and one kind of resource: cash
  (yen), staff (person-months), equipment, data or a demonstration field (for these three,
  one promised item counts as 1).  It is due at the end of its fiscal year (31 March of the
  following calendar year) unless the project records another due date.
* Only commitments whose due date plus the grace period has passed are checked.  A commitment
  that is not yet due never causes a shortfall (reason ``nothing_due_yet`` when none is due).
* For each partner and each kind, the committed and provided amounts of all due fiscal years
  are added up, and ``provided ÷ committed`` is compared with ``shortfall_ratio`` [0.7].
  The signal fires when this ratio is **below** the threshold (exactly 0.7 is fine); each
  partner and kind that falls short is one reason ``shortfall`` naming the partner, the kind,
  the amounts, the ratio and the missing amount.
* Partners are checked separately, and so are kinds: one partner providing more than it
  promised never hides another partner's shortfall, and extra cash never hides missing staff.
  Within one partner and kind, a later year's extra provision does make up for an earlier
  year's gap (the amounts are added up over the due years).
* Severity: ``critical`` when some partner's ratio is below ``shortfall_critical_ratio``
  [0.3], otherwise ``warning``.
* A project without any commitment does not fire (reason ``no_commitments``).  When the
  signal does not fire, each partner and kind that was checked is listed as
  ``provided_enough`` with the same numbers.  A partner and kind whose due commitments add up
  to 0 is not checked (nothing was promised, so nothing can be missing).

2. KPI contribution stalled (``kpi_stalled``)
=============================================
Is the project moving the KPIs of the vision that it is expected to move?

* A KPI is *lagging* when its status (computed by the vision module) is ``off_track``, or
  also ``at_risk`` when ``stalled_includes_at_risk`` [False] is set.  KPIs without data
  (``no_data``) are not counted as lagging: the KPI page already shows missing data.
* A lagging KPI is *stalled* for this project when no output of the project linked to that
  KPI is dated within the last ``stalled_lookback_days`` [365] days (from ``today`` minus
  365 days up to and including ``today``; outputs dated after ``today`` are ignored).
* The signal fires when at least one expected KPI is stalled (one reason
  ``kpi_without_output`` per KPI, with the date of the last linked output if there ever was
  one).  Severity: ``critical`` when every expected KPI is stalled, otherwise ``warning``.
* Young projects do not fire (``too_early``); nor do projects without expected KPIs
  (``no_expected_kpis``).

3. Researcher convenience (``researcher_convenience``)
======================================================
Are papers and presentations being put before the implementation the partners came for?

* Academic outputs: ``paper``, ``presentation``.  Implementation outputs: ``prototype``,
  ``field_trial``, ``product``, ``service``, ``startup``, ``policy_adoption``.
  **Patents count as neither**: an application may lead to a product or merely add to a
  publication list, so the rule neither rewards nor penalises it; the number of patents and
  of outputs of other kinds is shown in the reason for the reviewer.  All outputs of the
  project dated up to ``today`` are counted.
* Rule A (``academic_dominates``): the number of academic outputs is at least
  ``convenience_ratio`` [3] times the number of implementation outputs **and** at least
  ``convenience_min_academic`` [4].  So 6 papers against 2 prototypes fire; 5 against 2 do
  not; 4 papers and no implementation output fire; 3 papers and nothing else do not.
* Rule B (``partner_milestones_overdue``): at least one milestone that matters to the
  partners (marked *partner-facing*, e.g. a field trial with the city or a prototype for the
  company) is not done although its due date plus the grace period has passed, **and** at
  least ``convenience_min_academic_while_overdue`` [1] academic outputs are dated after the
  earliest such milestone fell due (the papers kept coming while the partners waited).
* The signal fires when rule A or rule B holds; ``critical`` when both hold.
* Young projects do not fire (``too_early``); nor do projects whose stage is listed in
  ``convenience_exempt_stages`` [none] (``stage_exempt``), for venues that want to let
  basic-research projects publish freely.

4. Stale reporting (``stale_reporting``)
========================================
Is the project reporting on the schedule the venue set?

* Report periods follow the project's start date every ``report_interval_months`` months:
  period *k* ends the day before ``start`` + *k* × interval months (a project starting on
  1 April with a 6-month interval reports for periods ending 30 September and 31 March).
  When the project has an end date, the last period ends on that date (final report).
  :func:`report_period_ends` gives these dates so records can be created on the same schedule.
* Each report is due ``report_due_days`` [30] days after its period ends.
* A recorded report belongs to the scheduled period whose end date is nearest to the
  report's own period end (ties go to the earlier period), so a record dated a day off
  still counts.  A report counts as submitted when its submission date is on or before
  ``today``; when several records fall in one period, the earliest submission counts.
* The signal fires when

  - any report whose due date plus the grace period has passed has not been submitted
    (reason ``report_missing``, one per period, with the days overdue), or
  - the most recent report whose due date plus grace has passed was submitted more than
    ``grace_days`` days after its due date (reason ``report_late``).  Earlier late reports
    are history and no longer fire.

  A report submitted on its due date, or within the grace period, is fine.
* Severity: ``critical`` when at least ``stale_critical_missing`` [2] reports are missing,
  otherwise ``warning``.
* Without a schedule (interval 0) the signal does not fire (``no_schedule``); nor before
  the grace period of the first report is over (``none_due_yet``, with the dates).  When all
  is well, ``reports_up_to_date`` names the latest report checked, and ``report_pending``
  lists later reports that are past their due date but still within the grace period.

5. Orphaned from the vision (``orphaned``)
==========================================
Does the project serve the agreed regional vision?

* The caller counts the R&D themes the project serves that belong to an **agreed** version
  of the vision (draft versions do not count).  With none, the signal fires
  (``serves_no_agreed_theme``, severity ``warning``); otherwise it does not
  (``serves_agreed_themes`` with the number).

6. Past its end date (``past_end_date``)
========================================
Has a project that is still running (status ``active`` or ``paused``) passed its end date?

* The signal fires when the project has an end date, is not closed (status ``completed`` or
  ``stopped``), and more than ``overrun_grace_days`` [0] days have passed since the end date
  (with 0: from the day after the end date).  Reason ``past_end_date`` with the end date and the
  days since; the secretariat should close the project or extend it (a review recommending
  "終了" or "見直し" with a new end date, which the venue decides).
* Severity: ``critical`` when more than ``overrun_critical_days`` [180] days have passed since
  the end date, otherwise ``warning``.
* Otherwise it does not fire: ``no_end_date``, ``closed`` (with the status), or ``ends_later``
  (with the end date and the days left; 0 on the end date itself).

The resources-vs-progress chart
===============================
:func:`provision_groups` is the one computation behind both the resource-shortfall signal and
the chart's provision position (``domain/progress.py``): each partner × kind group of due
commitments with its amounts and whether it falls short.  The chart places a project at its
**worst** group's capped rate and calls it well resourced exactly when the shortfall signal did
not fire, so the chart and the list never disagree.
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from kyoso.common.domain.fiscal import fiscal_year_end

__all__ = [
    "ACADEMIC_KINDS",
    "COMMITMENT_KINDS",
    "COMMITMENT_UNITS",
    "DEFAULT_THRESHOLDS",
    "DEFAULT_REPORT_INTERVAL_MONTHS",
    "CLOSED_STATUSES",
    "IMPLEMENTATION_KINDS",
    "KPI_STATUSES",
    "PATENT_KINDS",
    "SIGNAL_CODES",
    "CommitmentFact",
    "KpiFact",
    "MilestoneFact",
    "OutputFact",
    "ProjectFacts",
    "ProjectReview",
    "ProvisionGroup",
    "Reason",
    "ReportFact",
    "Signal",
    "Thresholds",
    "evaluate",
    "evaluate_portfolio",
    "explain_en",
    "provision_groups",
    "report_due",
    "report_is_late",
    "report_period_ends",
    "submissions_by_period",
]

# --- vocabulary -----------------------------------------------------------------------------

RESOURCE_SHORTFALL = "resource_shortfall"
KPI_STALLED = "kpi_stalled"
RESEARCHER_CONVENIENCE = "researcher_convenience"
STALE_REPORTING = "stale_reporting"
ORPHANED = "orphaned"
PAST_END_DATE = "past_end_date"

#: The signals in the order :func:`evaluate` returns them.
SIGNAL_CODES: tuple[str, ...] = (
    RESOURCE_SHORTFALL, KPI_STALLED, RESEARCHER_CONVENIENCE, STALE_REPORTING, ORPHANED, PAST_END_DATE
)
#: Project statuses of a closed project (never past its end date).
CLOSED_STATUSES: frozenset[str] = frozenset({"completed", "stopped"})
#: The reporting interval a venue's new projects get when the venue set none.
DEFAULT_REPORT_INTERVAL_MONTHS = 6

INFO = "info"
WARNING = "warning"
CRITICAL = "critical"
SEVERITIES: tuple[str, ...] = (INFO, WARNING, CRITICAL)

#: Kind of a commitment → the unit its amounts are counted in.
COMMITMENT_UNITS: Mapping[str, str] = {
    "cash": "yen",
    "staff": "person_months",
    "equipment": "items",
    "data": "items",
    "field": "items",
}
COMMITMENT_KINDS: tuple[str, ...] = tuple(COMMITMENT_UNITS)

ACADEMIC_KINDS: frozenset[str] = frozenset({"paper", "presentation"})
IMPLEMENTATION_KINDS: frozenset[str] = frozenset(
    {"prototype", "field_trial", "product", "service", "startup", "policy_adoption"}
)
#: Counted as neither academic nor implementation (see the module docstring).
PATENT_KINDS: frozenset[str] = frozenset({"patent"})

KPI_STATUSES: tuple[str, ...] = ("on_track", "at_risk", "off_track", "no_data")

# Reason codes.
R_NO_COMMITMENTS = "no_commitments"
R_NOTHING_DUE_YET = "nothing_due_yet"
R_SHORTFALL = "shortfall"
R_PROVIDED_ENOUGH = "provided_enough"
R_TOO_EARLY = "too_early"
R_NO_EXPECTED_KPIS = "no_expected_kpis"
R_NO_LAGGING_KPIS = "no_lagging_kpis"
R_KPI_WITHOUT_OUTPUT = "kpi_without_output"
R_LAGGING_KPI_WITH_OUTPUT = "lagging_kpi_with_output"
R_STAGE_EXEMPT = "stage_exempt"
R_ACADEMIC_DOMINATES = "academic_dominates"
R_OUTPUT_MIX_OK = "output_mix_ok"
R_PARTNER_MILESTONES_OVERDUE = "partner_milestones_overdue"
R_OVERDUE_MILESTONES_WITHOUT_ACADEMIC = "overdue_milestones_without_academic"
R_NO_OVERDUE_PARTNER_MILESTONES = "no_overdue_partner_milestones"
R_NO_SCHEDULE = "no_schedule"
R_NONE_DUE_YET = "none_due_yet"
R_REPORT_MISSING = "report_missing"
R_REPORT_LATE = "report_late"
R_REPORT_PENDING = "report_pending"
R_REPORTS_UP_TO_DATE = "reports_up_to_date"
R_SERVES_NO_AGREED_THEME = "serves_no_agreed_theme"
R_SERVES_AGREED_THEMES = "serves_agreed_themes"
R_PAST_END_DATE = "past_end_date"
R_NO_END_DATE = "no_end_date"
R_CLOSED = "closed"
R_ENDS_LATER = "ends_later"


# --- inputs -----------------------------------------------------------------------------------

Number = Decimal | float | int


def _decimal(value: Number, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | float | int):
        raise TypeError(f"{what} must be a number, not {value!r}")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{what} must be finite, not {value!r}")
        result = Decimal(repr(value))
    else:
        result = Decimal(value)
    if not result.is_finite():
        raise ValueError(f"{what} must be finite, not {value!r}")
    if result < 0:
        raise ValueError(f"{what} must not be negative, not {value!r}")
    return result


@dataclass(frozen=True)
class CommitmentFact:
    """One partner's promise of one kind of resource for one fiscal year, and what it provided.

    ``committed`` and ``provided`` are yen for ``cash``, person-months for ``staff`` and a count
    of promised items (usually 1) for ``equipment``, ``data`` and ``field``.  ``due`` defaults
    to the end of the fiscal year.
    """

    partner_id: Any
    partner_name: str
    fiscal_year: int
    kind: str
    committed: Number
    provided: Number = 0
    due: dt.date | None = None

    def __post_init__(self) -> None:
        if self.kind not in COMMITMENT_UNITS:
            raise ValueError(f"commitment kind must be one of {COMMITMENT_KINDS}, not {self.kind!r}")
        _decimal(self.committed, "committed")
        _decimal(self.provided, "provided")
        if self.due is None:
            object.__setattr__(self, "due", fiscal_year_end(self.fiscal_year))


@dataclass(frozen=True)
class OutputFact:
    """A dated output (``paper``, ``patent``, ``field_trial`` …) and the KPIs it moved."""

    kind: str
    date: dt.date
    kpi_ids: tuple[Any, ...] = ()


@dataclass(frozen=True)
class KpiFact:
    """A KPI the project is expected to move, with its current status from the vision module."""

    kpi_id: Any
    name: str
    status: str

    def __post_init__(self) -> None:
        if self.status not in KPI_STATUSES:
            raise ValueError(f"KPI status must be one of {KPI_STATUSES}, not {self.status!r}")


@dataclass(frozen=True)
class ReportFact:
    """A periodic report: the end of the period it covers and when it was submitted (None: not yet)."""

    period_end: dt.date
    submitted_on: dt.date | None = None


@dataclass(frozen=True)
class MilestoneFact:
    title: str
    due: dt.date
    done: bool = False
    partner_facing: bool = False


@dataclass(frozen=True)
class ProjectFacts:
    """What the signals need to know about one project.

    ``themes_agreed`` is the number of R&D themes the project serves that belong to an agreed
    vision version (0 = orphaned).  ``report_interval_months`` is the venue's reporting schedule
    (0 = no periodic reports).
    """

    project_id: Any
    start: dt.date
    end: dt.date | None = None
    stage: str = ""
    themes_agreed: int = 0
    commitments: tuple[CommitmentFact, ...] = ()
    outputs: tuple[OutputFact, ...] = ()
    expected_kpis: tuple[KpiFact, ...] = ()
    reports: tuple[ReportFact, ...] = ()
    report_interval_months: int = 6
    milestones: tuple[MilestoneFact, ...] = ()
    status: str = "active"

    def __post_init__(self) -> None:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"project {self.project_id!r} ends ({self.end}) before it starts ({self.start})")
        if self.themes_agreed < 0:
            raise ValueError("themes_agreed must not be negative")
        if self.report_interval_months < 0:
            raise ValueError("report_interval_months must not be negative")


@dataclass(frozen=True)
class Thresholds:
    """The numbers behind the rules (see the module docstring); a venue may change any of them."""

    #: Resource shortfall fires when provided ÷ committed (per partner and kind, due years) is below this.
    shortfall_ratio: float = 0.7
    #: … and is critical when some partner's ratio is below this.
    shortfall_critical_ratio: float = 0.3
    #: Days after a due date before a commitment, report or milestone counts as late.
    grace_days: int = 30
    #: Projects younger than this (days since start) are not checked for stalled KPIs or convenience.
    new_project_days: int = 180
    #: A lagging KPI is stalled when no output linked to it is dated within this many days.
    stalled_lookback_days: int = 365
    #: Count ``at_risk`` KPIs as lagging too (by default only ``off_track``).
    stalled_includes_at_risk: bool = False
    #: Academic outputs at least this many times the implementation outputs …
    convenience_ratio: float = 3.0
    #: … and at least this many academic outputs.
    convenience_min_academic: int = 4
    #: Academic outputs since an overdue partner-facing milestone fell due that make it fire.
    convenience_min_academic_while_overdue: int = 1
    #: Project stages not checked for researcher convenience (e.g. ``("basic_research",)``).
    convenience_exempt_stages: tuple[str, ...] = ()
    #: A periodic report is due this many days after its period ends.
    report_due_days: int = 30
    #: Stale reporting is critical when at least this many reports are missing.
    stale_critical_missing: int = 2
    #: A running project is past its end date once more than this many days have passed since it.
    overrun_grace_days: int = 0
    #: … and critically so after more than this many days.
    overrun_critical_days: int = 180

    def __post_init__(self) -> None:
        for name in ("shortfall_ratio", "shortfall_critical_ratio"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and 0 <= value <= 1):
                raise ValueError(f"{name} must be between 0 and 1, not {value!r}")
        if self.shortfall_critical_ratio > self.shortfall_ratio:
            raise ValueError("shortfall_critical_ratio must not exceed shortfall_ratio")
        for name in (
            "grace_days",
            "new_project_days",
            "stalled_lookback_days",
            "convenience_min_academic",
            "convenience_min_academic_while_overdue",
            "report_due_days",
            "overrun_grace_days",
            "overrun_critical_days",
        ):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"{name} must be a whole number of at least 0, not {value!r}")
        if not isinstance(self.stale_critical_missing, int) or self.stale_critical_missing < 1:
            raise ValueError("stale_critical_missing must be at least 1")
        if not (isinstance(self.convenience_ratio, int | float) and self.convenience_ratio >= 0):
            raise ValueError("convenience_ratio must not be negative")
        if isinstance(self.convenience_exempt_stages, str):
            raise ValueError("convenience_exempt_stages must be a tuple of stage codes, not a string")

    def as_params(self) -> dict[str, Any]:
        """The thresholds as a JSON-serialisable dict (for showing the rules a review used)."""
        return {name: list(value) if isinstance(value, tuple) else value for name, value in self.__dict__.items()}


DEFAULT_THRESHOLDS = Thresholds()


# --- outputs ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    """Why a signal fired (or did not): a stable code and the numbers behind it."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "params": self.params}


@dataclass(frozen=True)
class Signal:
    code: str
    severity: str
    fired: bool
    reasons: tuple[Reason, ...] = ()

    @property
    def reason_codes(self) -> tuple[str, ...]:
        return tuple(reason.code for reason in self.reasons)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "fired": self.fired,
            "reasons": [reason.to_dict() for reason in self.reasons],
        }


@dataclass(frozen=True)
class ProjectReview:
    project_id: Any
    signals: tuple[Signal, ...]

    def signal(self, code: str) -> Signal:
        for signal in self.signals:
            if signal.code == code:
                return signal
        raise KeyError(code)

    @property
    def fired(self) -> tuple[Signal, ...]:
        return tuple(signal for signal in self.signals if signal.fired)

    @property
    def severity(self) -> str:
        """The worst severity among the signals (``info`` when none fired)."""
        return max((signal.severity for signal in self.signals), key=SEVERITIES.index, default=INFO)

    def to_dict(self) -> dict[str, Any]:
        return {"project_id": self.project_id, "signals": [signal.to_dict() for signal in self.signals]}


def _fine(code: str, *reasons: Reason) -> Signal:
    return Signal(code, INFO, False, tuple(reasons))


# --- helpers ----------------------------------------------------------------------------------


def _out(value: Decimal) -> int | float:
    """A Decimal as a JSON number: ``int`` when whole, else ``float``."""
    return int(value) if value == value.to_integral_value() else float(value)


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def _add_months(day: dt.date, months: int) -> dt.date:
    year, month0 = divmod(day.month - 1 + months, 12)
    year += day.year
    return dt.date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))


def _grace_over(due: dt.date, today: dt.date, grace_days: int) -> bool:
    """The grace period after ``due`` is over on ``today`` (the last grace day is not yet late)."""
    return (today - due).days > grace_days


def _is_young(project: ProjectFacts, today: dt.date, thresholds: Thresholds) -> Reason | None:
    age = (today - project.start).days
    if age < thresholds.new_project_days:
        return Reason(
            R_TOO_EARLY,
            {"start": project.start.isoformat(), "age_days": age, "new_project_days": thresholds.new_project_days},
        )
    return None


def report_period_ends(
    start: dt.date, end: dt.date | None, interval_months: int, until: dt.date
) -> tuple[dt.date, ...]:
    """End dates of the report periods up to ``until`` (see "Stale reporting" in the module docstring).

    Period *k* ends the day before ``start`` + *k* × ``interval_months``; with an ``end`` date the
    last period ends on ``end``.  Periods ending after ``until`` are left out.
    """
    if interval_months <= 0:
        return ()
    ends: list[dt.date] = []
    k = 1
    while True:
        period_end = _add_months(start, k * interval_months) - dt.timedelta(days=1)
        if end is not None and period_end >= end:
            if end <= until:
                ends.append(end)
            break
        if period_end > until:
            break
        ends.append(period_end)
        k += 1
    return tuple(ends)


def submissions_by_period(ends: tuple[dt.date, ...], reports: Iterable[ReportFact],
                          today: dt.date) -> dict[int, dt.date]:
    """The earliest submission (on or before ``today``) of each scheduled period, by the period's index in
    ``ends``: a report belongs to the period whose end is nearest to its own (ties go to the earlier one)."""
    submitted: dict[int, dt.date] = {}
    if not ends:
        return submitted
    for report in reports:
        if report.submitted_on is None or report.submitted_on > today:
            continue
        i = bisect.bisect_left(ends, report.period_end)
        if i == len(ends) or (i > 0 and report.period_end - ends[i - 1] <= ends[i] - report.period_end):
            i -= 1
        if i not in submitted or report.submitted_on < submitted[i]:
            submitted[i] = report.submitted_on
    return submitted


def report_due(period_end: dt.date, thresholds: Thresholds) -> dt.date:
    """The day a periodic report is due: ``report_due_days`` after its period ends."""
    return period_end + dt.timedelta(days=thresholds.report_due_days)


def report_is_late(period_end: dt.date, today: dt.date, thresholds: Thresholds) -> bool:
    """A report counts as missing once its due date plus the grace period is over."""
    return _grace_over(report_due(period_end, thresholds), today, thresholds.grace_days)


@dataclass(frozen=True)
class ProvisionGroup:
    """One partner's due commitments of one kind, added up over the due fiscal years (see "Resource
    shortfall"): what was committed and provided, per year, and whether it falls short of the thresholds."""

    partner_id: Any
    partner_name: str
    kind: str
    committed: Decimal
    provided: Decimal
    by_year: tuple[tuple[int, Decimal, Decimal], ...]
    short: bool
    critical: bool

    @property
    def capped_rate(self) -> float:
        """``min(provided ÷ committed, 1)``."""
        return float(min(self.provided / self.committed, Decimal(1)))


@dataclass(frozen=True)
class DueProvision:
    groups: tuple[ProvisionGroup, ...]
    #: Commitments due (plus grace) on the day, and those not yet due with the earliest of their due dates.
    checked: int
    pending: int
    next_due: dt.date | None


def provision_groups(commitments: Iterable[CommitmentFact], today: dt.date,
                     thresholds: Thresholds = DEFAULT_THRESHOLDS) -> DueProvision:
    """The partner × kind groups of the commitments due (plus grace) on ``today``, in order of first
    appearance; groups whose due commitments add up to 0 are left out. Also the number of commitments not
    yet due and the earliest of their due dates."""
    sums: dict[tuple[Any, str], list[Any]] = {}
    next_due: dt.date | None = None
    pending = checked = 0
    for c in commitments:
        assert c.due is not None  # set in __post_init__
        if not _grace_over(c.due, today, thresholds.grace_days):
            pending += 1
            if next_due is None or c.due < next_due:
                next_due = c.due
            continue
        checked += 1
        committed = _decimal(c.committed, "committed")
        provided = _decimal(c.provided, "provided")
        group = sums.get((c.partner_id, c.kind))
        if group is None:
            group = sums[(c.partner_id, c.kind)] = [c.partner_name, Decimal(0), Decimal(0), {}]
        group[1] += committed
        group[2] += provided
        year = group[3].setdefault(c.fiscal_year, [Decimal(0), Decimal(0)])
        year[0] += committed
        year[1] += provided
    limit = Decimal(repr(float(thresholds.shortfall_ratio)))
    critical_limit = Decimal(repr(float(thresholds.shortfall_critical_ratio)))
    groups = tuple(
        ProvisionGroup(partner_id, name, kind, committed, provided,
                       tuple((y, a[0], a[1]) for y, a in sorted(years.items())),
                       short=provided < limit * committed, critical=provided < critical_limit * committed)
        for (partner_id, kind), (name, committed, provided, years) in sums.items()
        if committed != 0  # nothing was promised, so nothing can be missing
    )
    return DueProvision(groups, checked, pending, next_due)


# --- 1. resource shortfall --------------------------------------------------------------------


def _resource_shortfall(project: ProjectFacts, today: dt.date, thresholds: Thresholds) -> Signal:
    if not project.commitments:
        return _fine(RESOURCE_SHORTFALL, Reason(R_NO_COMMITMENTS, {}))
    due = provision_groups(project.commitments, today, thresholds)
    if not due.checked:
        return _fine(
            RESOURCE_SHORTFALL,
            Reason(
                R_NOTHING_DUE_YET,
                {"commitments": due.pending, "next_due": _iso(due.next_due), "grace_days": thresholds.grace_days},
            ),
        )
    short: list[tuple[tuple[Any, ...], Reason]] = []
    fine: list[tuple[tuple[Any, ...], Reason]] = []
    critical = False
    for group in due.groups:
        committed, provided = group.committed, group.provided
        params = {
            "partner_id": group.partner_id,
            "partner_name": group.partner_name,
            "kind": group.kind,
            "unit": COMMITMENT_UNITS[group.kind],
            "committed": _out(committed),
            "provided": _out(provided),
            "missing": _out(max(Decimal(0), committed - provided)),
            "ratio": float(provided / committed),
            "shortfall_ratio": thresholds.shortfall_ratio,
            "fiscal_years": [year for year, _c, _p in group.by_year],
            "by_fiscal_year": [
                {"fiscal_year": year, "committed": _out(c), "provided": _out(p)} for year, c, p in group.by_year
            ],
        }
        key = (group.partner_name, str(group.partner_id), COMMITMENT_KINDS.index(group.kind))
        if group.short:
            short.append((key, Reason(R_SHORTFALL, params)))
            critical = critical or group.critical
        else:
            fine.append((key, Reason(R_PROVIDED_ENOUGH, params)))
    if short:
        short.sort(key=lambda item: item[0])
        return Signal(RESOURCE_SHORTFALL, CRITICAL if critical else WARNING, True, tuple(r for _, r in short))
    fine.sort(key=lambda item: item[0])
    return _fine(RESOURCE_SHORTFALL, *(r for _, r in fine))


# --- 2. KPI contribution stalled -------------------------------------------------------------


def _kpi_stalled(project: ProjectFacts, today: dt.date, thresholds: Thresholds) -> Signal:
    young = _is_young(project, today, thresholds)
    if young is not None:
        return _fine(KPI_STALLED, young)
    if not project.expected_kpis:
        return _fine(KPI_STALLED, Reason(R_NO_EXPECTED_KPIS, {}))
    lagging_statuses = ("off_track", "at_risk") if thresholds.stalled_includes_at_risk else ("off_track",)
    lagging = [kpi for kpi in project.expected_kpis if kpi.status in lagging_statuses]
    if not lagging:
        return _fine(
            KPI_STALLED,
            Reason(R_NO_LAGGING_KPIS, {"kpis": len(project.expected_kpis), "lagging_statuses": list(lagging_statuses)}),
        )
    window_start = today - dt.timedelta(days=thresholds.stalled_lookback_days)
    wanted = {kpi.kpi_id for kpi in lagging}
    last_output: dict[Any, dt.date] = {}
    in_window: dict[Any, int] = {}
    for output in project.outputs:
        if output.date > today:
            continue
        for kpi_id in output.kpi_ids:
            if kpi_id not in wanted:
                continue
            if kpi_id not in last_output or output.date > last_output[kpi_id]:
                last_output[kpi_id] = output.date
            if output.date >= window_start:
                in_window[kpi_id] = in_window.get(kpi_id, 0) + 1
    stalled: list[Reason] = []
    active: list[Reason] = []
    for kpi in lagging:
        params = {
            "kpi_id": kpi.kpi_id,
            "kpi_name": kpi.name,
            "status": kpi.status,
            "lookback_days": thresholds.stalled_lookback_days,
            "window_start": window_start.isoformat(),
            "outputs_in_window": in_window.get(kpi.kpi_id, 0),
            "last_output_date": _iso(last_output.get(kpi.kpi_id)),
        }
        (active if in_window.get(kpi.kpi_id) else stalled).append(
            Reason(R_LAGGING_KPI_WITH_OUTPUT if in_window.get(kpi.kpi_id) else R_KPI_WITHOUT_OUTPUT, params)
        )
    if stalled:
        severity = CRITICAL if len(stalled) == len(project.expected_kpis) else WARNING
        return Signal(KPI_STALLED, severity, True, tuple(stalled))
    return _fine(KPI_STALLED, *active)


# --- 3. researcher convenience ---------------------------------------------------------------


def _researcher_convenience(project: ProjectFacts, today: dt.date, thresholds: Thresholds) -> Signal:
    young = _is_young(project, today, thresholds)
    if young is not None:
        return _fine(RESEARCHER_CONVENIENCE, young)
    if project.stage in thresholds.convenience_exempt_stages:
        return _fine(RESEARCHER_CONVENIENCE, Reason(R_STAGE_EXEMPT, {"stage": project.stage}))
    academic_dates: list[dt.date] = []
    implementation = patents = other = 0
    for output in project.outputs:
        if output.date > today:
            continue
        if output.kind in ACADEMIC_KINDS:
            academic_dates.append(output.date)
        elif output.kind in IMPLEMENTATION_KINDS:
            implementation += 1
        elif output.kind in PATENT_KINDS:
            patents += 1
        else:
            other += 1
    academic = len(academic_dates)
    mix = {
        "academic": academic,
        "implementation": implementation,
        "patents": patents,
        "other": other,
        "ratio": None if implementation == 0 else academic / implementation,
        "convenience_ratio": thresholds.convenience_ratio,
        "min_academic": thresholds.convenience_min_academic,
    }
    rule_a = (
        academic >= thresholds.convenience_ratio * implementation and academic >= thresholds.convenience_min_academic
    )

    overdue = sorted(
        (
            m
            for m in project.milestones
            if m.partner_facing and not m.done and _grace_over(m.due, today, thresholds.grace_days)
        ),
        key=lambda m: (m.due, m.title),
    )
    milestone_reason: Reason
    rule_b = False
    if overdue:
        since = overdue[0].due
        academic_since = sum(1 for day in academic_dates if day > since)
        params = {
            "milestones": [
                {"title": m.title, "due": m.due.isoformat(), "days_overdue": (today - m.due).days} for m in overdue
            ],
            "overdue": len(overdue),
            "since": since.isoformat(),
            "academic_since": academic_since,
            "min_academic": thresholds.convenience_min_academic_while_overdue,
            "grace_days": thresholds.grace_days,
        }
        rule_b = academic_since >= thresholds.convenience_min_academic_while_overdue
        milestone_reason = Reason(
            R_PARTNER_MILESTONES_OVERDUE if rule_b else R_OVERDUE_MILESTONES_WITHOUT_ACADEMIC, params
        )
    else:
        milestone_reason = Reason(
            R_NO_OVERDUE_PARTNER_MILESTONES,
            {"partner_milestones": sum(1 for m in project.milestones if m.partner_facing)},
        )
    if rule_a or rule_b:
        reasons = ([Reason(R_ACADEMIC_DOMINATES, mix)] if rule_a else []) + ([milestone_reason] if rule_b else [])
        return Signal(RESEARCHER_CONVENIENCE, CRITICAL if rule_a and rule_b else WARNING, True, tuple(reasons))
    return _fine(RESEARCHER_CONVENIENCE, Reason(R_OUTPUT_MIX_OK, mix), milestone_reason)


# --- 4. stale reporting ----------------------------------------------------------------------


def _stale_reporting(project: ProjectFacts, today: dt.date, thresholds: Thresholds) -> Signal:
    interval = project.report_interval_months
    if interval <= 0:
        return _fine(STALE_REPORTING, Reason(R_NO_SCHEDULE, {}))
    due_days = dt.timedelta(days=thresholds.report_due_days)
    grace = thresholds.grace_days
    horizon = max([today, *(r.period_end for r in project.reports)])
    ends = report_period_ends(project.start, project.end, interval, horizon)
    submitted = submissions_by_period(ends, project.reports, today)
    checked = [i for i, end in enumerate(ends) if _grace_over(end + due_days, today, grace)]
    if not checked:
        first = report_period_ends(project.start, project.end, interval, _add_months(project.start, interval))[0]
        return _fine(
            STALE_REPORTING,
            Reason(
                R_NONE_DUE_YET,
                {
                    "first_period_end": first.isoformat(),
                    "first_due": (first + due_days).isoformat(),
                    "late_from": (first + due_days + dt.timedelta(days=grace + 1)).isoformat(),
                    "interval_months": interval,
                },
            ),
        )
    reasons: list[Reason] = []
    missing = 0
    for i in checked:
        if i not in submitted:
            due = ends[i] + due_days
            missing += 1
            reasons.append(
                Reason(
                    R_REPORT_MISSING,
                    {
                        "period_end": ends[i].isoformat(),
                        "due": due.isoformat(),
                        "days_overdue": (today - due).days,
                        "grace_days": grace,
                    },
                )
            )
    latest = checked[-1]
    latest_due = ends[latest] + due_days
    latest_params = {
        "period_end": ends[latest].isoformat(),
        "due": latest_due.isoformat(),
        "submitted_on": _iso(submitted.get(latest)),
        "grace_days": grace,
    }
    if latest in submitted and (submitted[latest] - latest_due).days > grace:
        reasons.append(Reason(R_REPORT_LATE, {**latest_params, "days_late": (submitted[latest] - latest_due).days}))
    if reasons:
        severity = CRITICAL if missing >= thresholds.stale_critical_missing else WARNING
        return Signal(STALE_REPORTING, severity, True, tuple(reasons))
    fine = [Reason(R_REPORTS_UP_TO_DATE, {**latest_params, "reports_due": len(checked)})]
    for i in range(latest + 1, len(ends)):
        due = ends[i] + due_days
        if due < today and i not in submitted:
            fine.append(
                Reason(
                    R_REPORT_PENDING,
                    {
                        "period_end": ends[i].isoformat(),
                        "due": due.isoformat(),
                        "late_from": (due + dt.timedelta(days=grace + 1)).isoformat(),
                    },
                )
            )
    return _fine(STALE_REPORTING, *fine)


# --- 5. orphaned -----------------------------------------------------------------------------


def _orphaned(project: ProjectFacts, today: dt.date, thresholds: Thresholds) -> Signal:
    if project.themes_agreed == 0:
        return Signal(ORPHANED, WARNING, True, (Reason(R_SERVES_NO_AGREED_THEME, {"themes_agreed": 0}),))
    return _fine(ORPHANED, Reason(R_SERVES_AGREED_THEMES, {"themes_agreed": project.themes_agreed}))


# --- 6. past its end date -------------------------------------------------------------------


def _past_end_date(project: ProjectFacts, today: dt.date, thresholds: Thresholds) -> Signal:
    if project.end is None:
        return _fine(PAST_END_DATE, Reason(R_NO_END_DATE, {}))
    if project.status in CLOSED_STATUSES:
        return _fine(PAST_END_DATE, Reason(R_CLOSED, {"status": project.status, "end": project.end.isoformat()}))
    days = (today - project.end).days
    if days > thresholds.overrun_grace_days:
        severity = CRITICAL if days > thresholds.overrun_critical_days else WARNING
        return Signal(PAST_END_DATE, severity, True, (
            Reason(R_PAST_END_DATE, {"end": project.end.isoformat(), "days_since": days, "status": project.status,
                                     "grace_days": thresholds.overrun_grace_days}),))
    return _fine(PAST_END_DATE, Reason(R_ENDS_LATER, {"end": project.end.isoformat(), "days_left": max(0, -days)}))


_CHECKS = (_resource_shortfall, _kpi_stalled, _researcher_convenience, _stale_reporting, _orphaned, _past_end_date)


# --- entry points ----------------------------------------------------------------------------


def _check_today(today: dt.date) -> None:
    if isinstance(today, dt.datetime) or not isinstance(today, dt.date):
        raise TypeError(f"today must be a date, not {today!r}")


def evaluate(project: ProjectFacts, today: dt.date, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> ProjectReview:
    """All signals of one project on ``today``, fired or not, in the order of :data:`SIGNAL_CODES`."""
    _check_today(today)
    return ProjectReview(project.project_id, tuple(check(project, today, thresholds) for check in _CHECKS))


def evaluate_portfolio(
    projects: Iterable[ProjectFacts], today: dt.date, thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> list[ProjectReview]:
    """:func:`evaluate` for every project, in the given order."""
    _check_today(today)
    return [ProjectReview(p.project_id, tuple(check(p, today, thresholds) for check in _CHECKS)) for p in projects]


# --- English sentences -----------------------------------------------------------------------

_KIND_EN = {"cash": "cash", "staff": "staff", "equipment": "equipment", "data": "data", "field": "demonstration field"}
_UNIT_EN = {"yen": "yen", "person_months": "person-months", "items": "items"}


def _num(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value == round(value) and abs(value) < 1e15:
            return f"{value:,.0f}"
        return f"{value:,.2f}" if abs(value) >= 1 else f"{value:.2f}"
    return str(value)


_TEMPLATES_EN: Mapping[str, str] = {
    R_NO_COMMITMENTS: "No partner has committed resources yet.",
    R_NOTHING_DUE_YET: (
        "None of the {commitments} commitments is due yet (next due {next_due}, plus {grace_days} days' grace)."
    ),
    R_SHORTFALL: (
        "{partner_name} provided {provided} of {committed} {unit} of {kind} committed for FY{years} "
        "({percent} %, below the {threshold} % threshold); {missing} {unit} missing."
    ),
    R_PROVIDED_ENOUGH: (
        "{partner_name} provided {provided} of {committed} {unit} of {kind} committed for FY{years} ({percent} %)."
    ),
    R_TOO_EARLY: "The project started {age_days} days ago ({start}); this check starts after {new_project_days} days.",
    R_NO_EXPECTED_KPIS: "The project is not expected to move any KPI.",
    R_NO_LAGGING_KPIS: "None of the {kpis} expected KPIs is lagging.",
    R_KPI_WITHOUT_OUTPUT: (
        "KPI “{kpi_name}” is {status} and no output tied to it is dated since {window_start} "
        "(last one: {last_output_date})."
    ),
    R_LAGGING_KPI_WITH_OUTPUT: (
        "KPI “{kpi_name}” is {status}, but {outputs_in_window} outputs tied to it are dated since {window_start}."
    ),
    R_STAGE_EXEMPT: "Projects at stage “{stage}” are not checked for researcher convenience.",
    R_ACADEMIC_DOMINATES: (
        "{academic} papers and presentations against {implementation} implementation outputs "
        "(threshold: at least {convenience_ratio} times as many, and at least {min_academic})."
    ),
    R_OUTPUT_MIX_OK: "{academic} papers and presentations, {implementation} implementation outputs.",
    R_PARTNER_MILESTONES_OVERDUE: (
        "{overdue} partner-facing milestones are overdue (the first since {since}), "
        "while {academic_since} papers and presentations came out since then."
    ),
    R_OVERDUE_MILESTONES_WITHOUT_ACADEMIC: (
        "{overdue} partner-facing milestones are overdue (the first since {since}); no papers or presentations since."
    ),
    R_NO_OVERDUE_PARTNER_MILESTONES: "No partner-facing milestone is overdue ({partner_milestones} in all).",
    R_NO_SCHEDULE: "The venue has set no reporting schedule for this project.",
    R_NONE_DUE_YET: (
        "No periodic report is late yet: the first one (period ending {first_period_end}) is due on {first_due} "
        "and counts as late from {late_from}."
    ),
    R_REPORT_MISSING: (
        "The report for the period ending {period_end} was due on {due} and is missing ({days_overdue} days overdue)."
    ),
    R_REPORT_LATE: (
        "The report for the period ending {period_end} was due on {due} and came {days_late} days late "
        "({submitted_on}), more than the {grace_days} days' grace."
    ),
    R_REPORT_PENDING: (
        "The report for the period ending {period_end} was due on {due}; it counts as late from {late_from}."
    ),
    R_REPORTS_UP_TO_DATE: (
        "Reports are up to date: the latest one due (period ending {period_end}, due {due}) "
        "was submitted on {submitted_on}."
    ),
    R_SERVES_NO_AGREED_THEME: "The project serves no theme of an agreed vision.",
    R_SERVES_AGREED_THEMES: "The project serves {themes_agreed} themes of an agreed vision.",
    R_PAST_END_DATE: (
        "The project ended on {end} ({days_since} days ago) but is still {status}: close it or extend it."
    ),
    R_NO_END_DATE: "The project has no end date.",
    R_CLOSED: "The project is {status}.",
    R_ENDS_LATER: "The project ends on {end} ({days_left} days left).",
}


_KPI_NEVER_EN = "KPI “{kpi_name}” is {status} and no output of the project has ever been tied to it."


def explain_en(reason: Reason) -> str:
    """An English sentence for ``reason`` (the web layer translates its own templates)."""
    template = _TEMPLATES_EN.get(reason.code)
    if reason.code == R_KPI_WITHOUT_OUTPUT and reason.params.get("last_output_date") is None:
        template = _KPI_NEVER_EN
    if template is None:
        return reason.code

    class _Params(dict[str, Any]):
        def __missing__(self, key: str) -> str:
            return "n/a"

    params = _Params({key: _num(value) for key, value in reason.params.items()})
    if reason.code in (R_SHORTFALL, R_PROVIDED_ENOUGH):
        params["kind"] = _KIND_EN.get(reason.params["kind"], reason.params["kind"])
        params["unit"] = _UNIT_EN.get(reason.params["unit"], reason.params["unit"])
        params["years"] = "/".join(str(year) for year in reason.params["fiscal_years"])
        # rounded down, so a ratio just below the threshold never reads as the threshold itself
        params["percent"] = f"{math.floor(reason.params['ratio'] * 1000 + 1e-9) / 10:.1f}"
        params["threshold"] = f"{reason.params['shortfall_ratio'] * 100:.0f}"
    return template.format_map(params)
