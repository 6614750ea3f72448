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
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kyoso.common import audit
from kyoso.venues import services as venue_services
from kyoso.venues.domain.membership import is_in_region

from .domain.disclosure import reveals
from .domain.signals import evaluate
from .models import (
    Commitment,
    ExpectedKpi,
    Milestone,
    Output,
    Participant,
    PortfolioSettings,
    Project,
    ProjectChange,
    Provision,
    Report,
    Review,
)
from .queries import facts_with_and_without_confidential, report_interval_of, thresholds_of


def _save(instance: Any, actor: Any) -> Any:
    instance.full_clean()
    instance.save()
    audit.record(actor=actor, action="create", instance=instance, after=audit.snapshot(instance))
    return instance


@transaction.atomic
def project_create(*, actor: Any, venue: Any, title: str, start_date: dt.date, lead_organization: Any,
                   themes: Any = (), expected_kpis: Any = (), **fields: Any) -> Project:
    fields.setdefault("report_interval_months", report_interval_of(venue))
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
                  proposed_stage: str = "", proposed_end_date: dt.date | None = None,
                  today: dt.date | None = None) -> Review:
    """Record a review with the signals as they stand, and put its recommendation to the venue as a draft.

    The change it recommends (status from the recommendation, and for "adjust" optionally a new stage or
    end date) is applied only when the venue finalises the decision (``review_apply``)."""
    today = today or timezone.localdate()
    thresholds = thresholds_of(project.venue)
    ([facts], without) = facts_with_and_without_confidential([project], today)
    snapshot = evaluate(facts, today, thresholds).to_dict()
    # what the venue's other members may read of it: the signals as computed without confidential outputs
    snapshot["signals_without_confidential"] = evaluate(without.get(project.pk, facts), today,
                                                        thresholds).to_dict()["signals"]
    _refuse_confidential_text(project, assessment)
    record = Review(project=project, reviewer=actor if getattr(actor, "is_authenticated", False) else None,
                    signals=snapshot, assessment=assessment, recommendation=recommendation,
                    proposed_stage=proposed_stage or "", proposed_end_date=proposed_end_date)
    record.full_clean()
    if proposed_end_date is not None and proposed_end_date < project.start_date:
        raise ValidationError({"proposed_end_date": _("終了日は開始日より後にしてください。")})
    label = Review.Recommendation(recommendation).label
    record.decision = venue_services.decision_create(
        actor=actor, venue=project.venue,
        title=_("「%(project)s」の評価にもとづく提言：%(recommendation)s") % {"project": project.title,
                                                                      "recommendation": label},
        text=_review_decision_text(record, project),
        applies_to=_("プロジェクト「%(project)s」") % {"project": project.title},
    )
    record.save()
    audit.record(actor=actor, action="create", instance=record, after=audit.snapshot(record))
    return record


def _hidden_figures(project: Project) -> tuple[list[Decimal], list[float]]:
    """The amounts and ratios of the project's confidential cash commitments that the secretariat sees and
    the venue's other members must not: each commitment, its provisions and provided total, per partner the
    totals per fiscal year and over all years, and what is missing of each; the ratios provided ÷ committed."""
    from collections import defaultdict

    hidden = list(project.commitments.filter(kind="cash", is_confidential=True)
                  .annotate(total=Coalesce(Sum("provisions__amount"), Decimal(0))))
    amounts: list[Decimal] = [*Provision.objects.filter(commitment__in=hidden).values_list("amount", flat=True)]
    per_partner: dict[Any, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    pairs: list[tuple[Decimal, Decimal]] = []
    for c in hidden:
        pairs.append((c.amount, c.total))
        per_partner[c.partner_id][0] += c.amount
        per_partner[c.partner_id][1] += c.total
    pairs.extend((committed, provided) for committed, provided in per_partner.values())
    for committed, provided in pairs:
        amounts.extend((committed, provided, committed - provided))
    ratios = [float(provided / committed) for committed, provided in pairs if committed]
    return [a for a in amounts if a > 0], ratios


def _refuse_confidential_text(project: Project, text: str) -> None:
    """A review's assessment becomes the text of a venue decision, read by every member (and by the public
    once published): it must not carry a confidential amount (a commitment, a provision, a partner's totals
    or what is missing, in any notation such as 800万円) nor a confidential ratio more precisely than its
    band, nor a confidential output's title of the project (``domain.disclosure.reveals``)."""
    amounts, ratios = _hidden_figures(project)
    if reveals(text, amounts, ratios):
        raise ValidationError({"assessment": _("評価は場の決定として構成員全員に示されます。"
                                               "非公開の金額を書かないでください。")})
    titles = project.outputs.filter(is_confidential=True).values_list("title", flat=True)
    if any(title.strip() and title.strip() in text for title in titles):
        raise ValidationError({"assessment": _("評価は場の決定として構成員全員に示されます。"
                                               "非公開の成果の名称を書かないでください。")})


def _review_decision_text(review: Review, project: Project) -> str:
    lines = [review.assessment.strip(), ""]
    for key, value in _proposed_change(review, project).items():
        lines.append(_("変更：%(field)s → %(value)s") % {"field": CHANGE_LABELS[key],
                                                       "value": change_value_label(key, value)})
    return "\n".join(lines).strip()


def change_value_label(field: str, value: str | None) -> str:
    """A stored change value (code or ISO date) as the user reads it."""
    if value is None:
        return "—"
    if field == "status":
        return str(Project.Status(value).label)
    if field == "stage":
        return str(Project.Stage(value).label)
    return formats.date_format(dt.date.fromisoformat(value))


STATUS_OF_RECOMMENDATION = {
    Review.Recommendation.CONTINUE: Project.Status.ACTIVE,
    Review.Recommendation.ADJUST: Project.Status.ACTIVE,
    Review.Recommendation.PAUSE: Project.Status.PAUSED,
    Review.Recommendation.STOP: Project.Status.STOPPED,
    Review.Recommendation.COMPLETE: Project.Status.COMPLETED,
}
CHANGE_LABELS = {"status": gettext_lazy("状況"), "stage": gettext_lazy("段階"), "end_date": gettext_lazy("終了日")}


def _proposed_change(review: Review, project: Project) -> dict[str, str]:
    """The fields the review would change, as {field: new value} (values as stored: codes, ISO dates)."""
    change: dict[str, str] = {}
    status = STATUS_OF_RECOMMENDATION[Review.Recommendation(review.recommendation)]
    if status != project.status:
        change["status"] = str(status)
    if review.recommendation == Review.Recommendation.ADJUST:
        if review.proposed_stage and review.proposed_stage != project.stage:
            change["stage"] = review.proposed_stage
        if review.proposed_end_date and review.proposed_end_date != project.end_date:
            change["end_date"] = review.proposed_end_date.isoformat()
    return change


@transaction.atomic
def review_apply(*, actor: Any, review: Review, decision: Any) -> ProjectChange:
    """Apply what a finalised decision on a review recommends, and record the change (even "no change",
    so the history shows review → decision → change for every review the venue decided)."""
    if hasattr(review, "change"):
        return review.change
    project = Project.objects.select_for_update().get(pk=review.project_id)
    change = _proposed_change(review, project)
    before = {"status": project.status, "stage": project.stage,
              "end_date": project.end_date.isoformat() if project.end_date else None}
    before = {k: v for k, v in before.items() if k in change}
    if "status" in change:
        project.status = change["status"]
    if "stage" in change:
        project.stage = change["stage"]
    if "end_date" in change:
        project.end_date = dt.date.fromisoformat(change["end_date"])
    if change:
        project.full_clean()
        project.save()
    record = ProjectChange.objects.create(project=project, review=review, decision=decision, before=before,
                                          after=change)
    audit.record(actor=actor, action="update", instance=project, before=before, after=change)
    return record


@transaction.atomic
def project_update(*, actor: Any, project: Project, themes: Any = None, expected_kpis: Any = None,
                   **changes: Any) -> Project:
    before = audit.stored(project)
    for field, value in changes.items():
        setattr(project, field, value)
    project.full_clean()
    project.save()
    if themes is not None:
        themes = list(themes)
        if any(t.issue.vision.venue_id != project.venue_id for t in themes):
            raise ValidationError({"themes": _("この場のビジョンの研究開発テーマを選んでください。")})
        project.themes.set(themes)
    if expected_kpis is not None:
        wanted = {kpi.pk: (kpi, contribution) for kpi, contribution in expected_kpis}
        if any(kpi.vision.venue_id != project.venue_id for kpi, _c in wanted.values()):
            raise ValidationError({"expected_kpis": _("この場のビジョンのKPIを選んでください。")})
        project.expected_kpis.exclude(kpi_id__in=wanted).delete()
        existing = {e.kpi_id: e for e in project.expected_kpis.all()}
        for kpi_id, (kpi, contribution) in wanted.items():
            if kpi_id in existing:
                if existing[kpi_id].contribution != contribution:
                    existing[kpi_id].contribution = contribution
                    existing[kpi_id].save(update_fields=["contribution"])
            else:
                ExpectedKpi.objects.create(project=project, kpi=kpi, contribution=contribution)
    audit.record(actor=actor, action="update", instance=project, before=before, after=audit.snapshot(project))
    return project


@transaction.atomic
def milestone_add(*, actor: Any, project: Project, title: str, due_date: dt.date, partner_facing: bool = False,
                  done_on: dt.date | None = None, evidence: str = "") -> Milestone:
    return _save(Milestone(project=project, title=title, due_date=due_date, partner_facing=partner_facing,
                           done_on=done_on, evidence=evidence), actor)


@transaction.atomic
def milestone_complete(*, actor: Any, milestone: Milestone, done_on: dt.date, evidence: str = "") -> Milestone:
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": _("未来の日付では達成を記録できません。")})
    before = audit.stored(milestone)
    milestone.done_on = done_on
    if evidence:
        milestone.evidence = evidence
    milestone.full_clean()
    milestone.save()
    audit.record(actor=actor, action="update", instance=milestone, before=before, after=audit.snapshot(milestone))
    return milestone


@transaction.atomic
def settings_update(*, actor: Any, venue: Any, thresholds: dict[str, Any], report_interval_months: int
                    ) -> PortfolioSettings:
    """Store a venue's thresholds; they are checked by ``Thresholds`` itself, so nothing invalid is saved."""
    from .domain.signals import Thresholds

    try:
        Thresholds(**thresholds)
    except (TypeError, ValueError) as error:
        raise ValidationError(_("閾値が正しくありません：%(error)s") % {"error": error}) from error
    record, _created = PortfolioSettings.objects.get_or_create(venue=venue)
    before = audit.snapshot(record)
    record.thresholds = thresholds
    record.report_interval_months = report_interval_months
    record.save()
    audit.record(actor=actor, action="update", instance=record, before=before, after=audit.snapshot(record))
    return record
