"""Writes of the portfolio. Each service owns its transaction and records an audit event.

A review snapshots the signals as computed at that moment; its recommendation becomes a decision draft
of the venue (``venues.services.decision_create``), so the chain review → decision → change is kept.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kyoso.common import audit
from kyoso.venues import services as venue_services
from kyoso.venues.domain.membership import is_in_region

from .domain.signals import evaluate
from .models import Commitment, ExpectedKpi, Output, Participant, Project, Provision, Report, Review
from .queries import project_facts


def _save(instance: Any, actor: Any) -> Any:
    instance.full_clean()
    instance.save()
    audit.record(actor=actor, action="create", instance=instance, after=audit.snapshot(instance))
    return instance


@transaction.atomic
def project_create(*, actor: Any, venue: Any, title: str, start_date: dt.date, lead_organization: Any,
                   themes: Any = (), expected_kpis: Any = (), **fields: Any) -> Project:
    project = _save(Project(venue=venue, title=title, start_date=start_date, lead_organization=lead_organization,
                            **fields), actor)
    themes = list(themes)
    if any(t.issue.vision.venue_id != venue.pk for t in themes):
        raise ValidationError({"themes": _("この場のビジョンの研究開発テーマを選んでください。")})
    project.themes.set(themes)
    for kpi, contribution in expected_kpis:
        if kpi.vision.venue_id != venue.pk:
            raise ValidationError({"expected_kpis": _("この場のビジョンのKPIを選んでください。")})
        ExpectedKpi.objects.create(project=project, kpi=kpi, contribution=contribution)
    return project


@transaction.atomic
def participant_add(*, actor: Any, project: Project, organization: Any, role: str, person: Any = None,
                    in_region: bool | None = None) -> Participant:
    if in_region is None:
        # A member of the venue is inside or outside as its membership says; others by their location.
        membership = project.venue.memberships.filter(organization=organization).first()
        if membership is not None:
            in_region = membership.in_region
        else:
            codes = set(project.venue.regions.values_list("code", flat=True))
            in_region = is_in_region(organization.region.code if organization.region_id else None, codes)
    return _save(Participant(project=project, organization=organization, person=person, role=role,
                             in_region=in_region), actor)


@transaction.atomic
def commitment_add(*, actor: Any, project: Project, partner: Any, fiscal_year: int, kind: str, amount: Decimal,
                   **fields: Any) -> Commitment:
    return _save(Commitment(project=project, partner=partner, fiscal_year=fiscal_year, kind=kind, amount=amount,
                            **fields), actor)


@transaction.atomic
def provision_record(*, actor: Any, commitment: Commitment, amount: Decimal, provided_on: dt.date,
                     evidence: str = "") -> Provision:
    if provided_on > timezone.localdate():
        raise ValidationError({"provided_on": _("未来の日付の提供実績は登録できません。")})
    return _save(Provision(commitment=commitment, amount=amount, provided_on=provided_on, evidence=evidence), actor)


@transaction.atomic
def output_add(*, actor: Any, project: Project, kind: str, title: str, date: dt.date, kpis: Any = (),
               **fields: Any) -> Output:
    output = _save(Output(project=project, kind=kind, title=title, date=date, **fields), actor)
    kpis = list(kpis)
    if any(k.vision.venue_id != project.venue_id for k in kpis):
        raise ValidationError({"kpis": _("この場のビジョンのKPIを選んでください。")})
    output.kpis.set(kpis)
    return output


@transaction.atomic
def report_submit(*, actor: Any, project: Project, period_end: dt.date, progress: str, problems: str = "",
                  next_steps: str = "", submitted_on: dt.date | None = None) -> Report:
    return _save(Report(project=project, period_end=period_end, progress=progress, problems=problems,
                        next_steps=next_steps, submitted_on=submitted_on or timezone.localdate()), actor)


@transaction.atomic
def review_create(*, actor: Any, project: Project, assessment: str, recommendation: str,
                  today: dt.date | None = None) -> Review:
    """Record a review with the signals as they stand, and put its recommendation to the venue as a draft."""
    today = today or timezone.localdate()
    (facts,) = project_facts([project], today)
    review = evaluate(facts, today)
    record = Review(project=project, reviewer=actor if getattr(actor, "is_authenticated", False) else None,
                    signals=review.to_dict(), assessment=assessment, recommendation=recommendation)
    record.full_clean()
    label = Review.Recommendation(recommendation).label
    record.decision = venue_services.decision_create(
        actor=actor, venue=project.venue,
        title=_("「%(project)s」の評価にもとづく提言：%(recommendation)s") % {"project": project.title,
                                                                      "recommendation": label},
        text=assessment, applies_to=_("プロジェクト「%(project)s」") % {"project": project.title},
    )
    record.save()
    audit.record(actor=actor, action="create", instance=record, after=audit.snapshot(record))
    return record
