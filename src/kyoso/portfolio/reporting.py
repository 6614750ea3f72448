"""Read models of the portfolio for the API and the Excel/PDF reports: a project with everything a venue
meeting looks at, and the portfolio summary with totals per partner. Confidential cash amounts and
confidential outputs are already removed here for readers who may not see them (``permissions``), so the
renderers cannot leak them. Every function gathers its data with a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, Prefetch, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from . import queries
from .domain.signals import Thresholds, evaluate_portfolio, fiscal_year_end
from .models import Commitment, Output, Participant, Project, Provision, Review
from .permissions import amount_hidden, confidential_access, masked_signal_dicts, shown_percent

ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=16, decimal_places=2))


def with_provided(commitments: QuerySet[Commitment]) -> QuerySet[Commitment]:
    """Commitments with ``provided`` (the sum of their provisions, 0 when none) and their provisions."""
    return (commitments.select_related("partner").annotate(provided=Coalesce(Sum("provisions__amount"), ZERO))
            .prefetch_related(Prefetch("provisions", queryset=Provision.objects.order_by("provided_on", "id"))))


@dataclass(frozen=True)
class LedgerRow:
    """One commitment with what was provided; ``committed``/``provided`` are None when hidden."""

    commitment: Commitment
    hidden: bool
    committed: Decimal | None
    provided: Decimal | None
    ratio: int | None
    due: dt.date
    overdue: bool

    @property
    def ratio_coarse(self) -> bool:
        """The ratio is only the lower bound of its 10-point band (the amounts are hidden)."""
        return self.hidden


def ledger_row(commitment: Commitment, show_amounts: bool, today: dt.date, grace_days: int) -> LedgerRow:
    """Overdue: the fiscal year (plus the grace period) is over and less than promised was provided."""
    hidden = amount_hidden(commitment, show_amounts)
    provided = getattr(commitment, "provided", None) or Decimal(0)
    due = fiscal_year_end(commitment.fiscal_year)
    return LedgerRow(
        commitment=commitment, hidden=hidden,
        committed=None if hidden else commitment.amount, provided=None if hidden else provided,
        ratio=shown_percent(provided, commitment.amount, hidden),
        due=due, overdue=provided < commitment.amount and (today - due).days > grace_days,
    )


@dataclass
class ProjectReport:
    project: Project
    show_confidential: bool
    participants: list[Any]
    themes: list[Any]
    expected: list[Any]
    ledger: list[LedgerRow]
    outputs: list[Output]
    output_counts: list[tuple[str, int]]
    reports: list[Any]
    milestones: list[Any]
    signals: list[dict[str, Any]]
    reviews: list[dict[str, Any]]
    today: dt.date


#: Signals computed from outputs: a snapshot stored before reviews kept a variant without confidential outputs
#: shows them without reasons to readers who may not see those outputs.
OUTPUT_SIGNALS = ("kpi_stalled", "researcher_convenience")


def review_signals(review: Review, show_confidential: bool) -> list[dict[str, Any]]:
    """A review's stored snapshot of the signals, translated, for a reader: the project's participants and
    secretariat read it as computed; the others read the variant computed without confidential outputs, with
    cash amounts masked and ratios in bands."""
    snapshot = review.signals or {}
    if show_confidential:
        return masked_signal_dicts(snapshot.get("signals", []), True)
    if "signals_without_confidential" in snapshot:
        return masked_signal_dicts(snapshot["signals_without_confidential"], False)
    return masked_signal_dicts([{**s, "reasons": []} if s["code"] in OUTPUT_SIGNALS else s
                                for s in snapshot.get("signals", [])], False)


def project_report(project: Project, user: Any, rights: Any, today: dt.date, latest_reports: int = 3
                   ) -> ProjectReport:
    show = bool(confidential_access(user, [project], rights))
    thresholds = queries.thresholds_of(project.venue)
    (review,) = evaluate_portfolio(queries.project_facts([project], today, {project.pk} if show else set()), today,
                                   thresholds)
    outputs = list(Output.objects.visible_to(user).filter(project=project).prefetch_related("kpis")
                   .order_by("-date", "id"))
    kinds = dict(Output.Kind.choices)
    counts = Counter(o.kind for o in outputs)
    reviews = list(project.reviews.select_related("decision", "reviewer", "change"))
    return ProjectReport(
        project=project, show_confidential=show,
        participants=list(project.participants.select_related("organization", "person")),
        themes=list(project.themes.select_related("issue")),
        expected=list(project.expected_kpis.select_related("kpi")),
        ledger=[ledger_row(c, show, today, thresholds.grace_days)
                for c in with_provided(project.commitments.order_by("fiscal_year", "partner__name", "kind"))],
        outputs=outputs,
        output_counts=[(str(kinds[k]), counts[k]) for k in kinds if counts[k]],
        reports=list(project.reports.order_by("-period_end")[:latest_reports]),
        milestones=list(project.milestones.all()),
        signals=masked_signal_dicts(review.to_dict()["signals"], show),
        reviews=[{"review": r, "signals": review_signals(r, show), "change": getattr(r, "change", None)}
                 for r in reviews],
        today=today,
    )


# --- The portfolio ------------------------------------------------------------------------------


@dataclass
class PartnerTotal:
    """What one partner committed and provided of one kind over the projects shown, and per fiscal year.

    ``committed``/``provided`` add up only the amounts the reader may see; ``hidden`` counts the
    commitments left out because their cash amount is confidential to the reader."""

    partner: str
    kind: str
    committed: Decimal = Decimal(0)
    provided: Decimal = Decimal(0)
    overdue: int = 0
    hidden: int = 0
    by_year: dict[int, list[Decimal]] = field(default_factory=dict)

    @property
    def ratio(self) -> int | None:
        return round(float(self.provided / self.committed) * 100) if self.committed else None


@dataclass
class PortfolioReport:
    venue: Any
    rows: list[dict[str, Any]]
    partners: list[PartnerTotal]
    thresholds: Thresholds
    today: dt.date
    fiscal_years: list[int]
    overdue: list[dict[str, Any]] = field(default_factory=list)


def portfolio_report(venue: Any, projects: list[Project], user: Any, rights: Any, today: dt.date
                     ) -> PortfolioReport:
    """Every project with its five signals; per partner and kind the totals committed and provided (from
    ``queries.resource_ledger``, the ledger of the resources page) and the overdue commitments."""
    thresholds = queries.thresholds_of(venue)
    sees = confidential_access(user, projects, rights)
    reviews = {r.project_id: r for r in evaluate_portfolio(queries.project_facts(projects, today, sees), today,
                                                           thresholds)}
    rows = [{"project": p, "signals": masked_signal_dicts(reviews[p.pk].to_dict()["signals"], p.pk in sees)}
            for p in projects]
    ledger, overdue = queries.resource_ledger(venue, today, thresholds.grace_days, user,
                                              project_ids=[p.pk for p in projects])
    totals: dict[tuple[str, str], PartnerTotal] = {}
    for entry in ledger:
        total = totals.setdefault((entry["partner"], entry["kind"]), PartnerTotal(entry["partner"], entry["kind"]))
        total.committed += entry["committed"]
        total.provided += entry["provided"]
        total.hidden += entry["hidden"]
        total.by_year[entry["fiscal_year"]] = [entry["committed"], entry["provided"]]
    for item in overdue:
        totals[(item["partner"], item["kind"])].overdue += 1
    return PortfolioReport(venue=venue, rows=rows, partners=list(totals.values()), thresholds=thresholds,
                           today=today, fiscal_years=sorted({e["fiscal_year"] for e in ledger}), overdue=overdue)


def participant_counts(projects: list[Project]) -> dict[int, tuple[int, int]]:
    """(in region, outside) participants of each project, in one query."""
    found: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for project_id, in_region in Participant.objects.filter(project__in=[p.pk for p in projects]).values_list(
            "project_id", "in_region"):
        found[project_id][0 if in_region else 1] += 1
    return {k: (v[0], v[1]) for k, v in found.items()}
