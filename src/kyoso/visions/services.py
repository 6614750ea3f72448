"""Writes of the vision area. Each service owns its transaction and records an audit event.

Observation imports run in the background (django-tasks): ``import_upload`` stores the file and queues
``check_import``; the user sees the preview with every bad row; ``import_apply`` queues ``apply_import``,
which writes all rows in one transaction or none. Re-importing the same file changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kyoso.common import audit
from kyoso.common.domain.fiscal import fiscal_year_end
from kyoso.common.domain.text import plain_decimal
from kyoso.venues import services as venue_services
from kyoso.venues.models import Venue
from kyoso.venues.services import proposal_open

from . import permissions
from .domain import importing
from .domain.reference_series import SERIES, series
from .domain.units import value_problems
from .models import (
    Goal,
    ImportBatch,
    Kpi,
    KpiTarget,
    Milestone,
    Observation,
    RegionalIssue,
    ResearchTheme,
    Vision,
    VisionVersion,
)

PREVIEW_ROWS = 20


# --- Vision, goals, KPIs -------------------------------------------------------------------------


@transaction.atomic
def vision_create(*, actor: Any, venue: Venue, title: str, horizon_year: int, **fields: Any) -> Vision:
    vision = Vision(venue=venue, title=title, horizon_year=horizon_year, **fields)
    vision.full_clean()
    vision.save()
    audit.record(actor=actor, action="create", instance=vision, after=audit.snapshot(vision))
    return vision


@transaction.atomic
def vision_update(*, actor: Any, vision: Vision, **changes: Any) -> Vision:
    return audit.update(actor=actor, instance=vision, changes=changes)


@transaction.atomic
def goal_create(*, actor: Any, vision: Vision, title: str, description: str = "") -> Goal:
    order = (vision.goals.aggregate(m=Max("order"))["m"] or 0) + 1
    goal = Goal(vision=vision, order=order, title=title, description=description)
    goal.full_clean()
    goal.save()
    audit.record(actor=actor, action="create", instance=goal, after=audit.snapshot(goal))
    return goal


def _set_targets(kpi: Kpi, targets: Mapping[int, Decimal]) -> None:
    horizon = kpi.goal.vision.horizon_year
    for year in targets:
        if year > horizon:
            message = _("目標値の年度（%(year)s）がビジョンの目標年度（%(horizon)s）を超えています。")
            raise ValidationError({"targets": message % {"year": year, "horizon": horizon}})
    kpi.targets.exclude(fiscal_year__in=list(targets)).delete()
    existing = {t.fiscal_year: t for t in kpi.targets.all()}
    for year, value in targets.items():
        target = existing.get(year)
        if target is None:
            KpiTarget.objects.create(kpi=kpi, fiscal_year=year, value=value)
        elif target.value != value:
            target.value = value
            target.save(update_fields=["value"])


@transaction.atomic
def kpi_create(*, actor: Any, goal: Goal, code: str, name: str, unit: str,
               targets: Mapping[int, Decimal] | None = None, **fields: Any) -> Kpi:
    if Kpi.objects.filter(vision_id=goal.vision_id, code=code).exists():
        raise ValidationError({"code": _("このKPIコードはこのビジョンですでに使われています。")})
    kpi = Kpi(goal=goal, vision_id=goal.vision_id, code=code, name=name, unit=unit, **fields)
    kpi.full_clean()
    kpi.save()
    _set_targets(kpi, targets or {})
    audit.record(actor=actor, action="create", instance=kpi,
                 after={**audit.snapshot(kpi), "targets": {str(k): str(v) for k, v in (targets or {}).items()}})
    return kpi


@transaction.atomic
def kpi_update(*, actor: Any, kpi: Kpi, targets: Mapping[int, Decimal] | None = None, **changes: Any) -> Kpi:
    if "code" in changes and Kpi.objects.filter(vision_id=kpi.vision_id, code=changes["code"]).exclude(
            pk=kpi.pk).exists():
        raise ValidationError({"code": _("このKPIコードはこのビジョンですでに使われています。")})
    return audit.update(actor=actor, instance=kpi, changes=changes,
                        after_save=None if targets is None else lambda saved: _set_targets(saved, targets),
                        extra=_targets_snapshot)


def _targets_snapshot(kpi: Kpi) -> dict[str, Any]:
    return {"targets": {str(t.fiscal_year): str(t.value) for t in kpi.targets.order_by("fiscal_year")}}


VALUE_MESSAGES = {
    "percent_not_expected": gettext_lazy("単位が「%(unit)s」のKPIに、％の値は記録できません。"),
    "not_integer": gettext_lazy("単位が「%(unit)s」のKPIは整数で記録してください。"),
    "negative": gettext_lazy("単位が「%(unit)s」のKPIに負の値は記録できません。"),
}


def check_value(kpi: Kpi, value: Decimal, *, written_as_percent: bool = False) -> None:
    """Refuse a value that the KPI's unit cannot take (rules in ``domain/units.py``)."""
    problems = value_problems(value, kpi.unit, written_as_percent=written_as_percent)
    if problems:
        raise ValidationError({"value": [str(VALUE_MESSAGES[p]) % {"unit": kpi.unit} for p in problems]})


@transaction.atomic
def observation_record(*, actor: Any, kpi: Kpi, date: dt.date, value: Decimal, note: str = "",
                       written_as_percent: bool = False) -> Observation:
    """Record (or correct) the value of a KPI at a date; one value per KPI and date.

    Only for the people of the KPI's owner organisation and the secretariat (``permissions.can_record``);
    a value from official statistics is never overwritten; the value must suit the KPI's unit.
    """
    if not permissions.can_record(actor, kpi):
        raise PermissionDenied(_("このKPIの実績を記録できるのは、担当組織の人と場の事務局だけです。"))
    if date > timezone.localdate():
        raise ValidationError({"date": _("未来の日付の実績は登録できません。")})
    check_value(kpi, value, written_as_percent=written_as_percent)
    observation = Observation.objects.select_for_update().filter(kpi=kpi, date=date).first()
    if permissions.is_official(observation):
        raise ValidationError({"date": _("この日付の値は公的統計によるもので、上書きできません。")})
    before = audit.snapshot(observation) if observation else None
    if observation is None:
        observation = Observation(kpi=kpi, date=date, value=value, note=note, source=Observation.Source.FORM)
    else:
        observation.value, observation.note, observation.source = value, note, Observation.Source.FORM
    observation.full_clean()
    observation.save()
    audit.record(actor=actor, action="update" if before else "create", instance=observation, before=before,
                 after=audit.snapshot(observation))
    return observation


@transaction.atomic
def kpi_load_reference(*, actor: Any, kpi: Kpi) -> int:
    """Load the KPI's history from the bundled public statistics for the vision's prefecture.

    Existing values at the same dates are replaced; returns the number of observations written.
    """
    vision = kpi.vision
    if not kpi.reference_series or vision.prefecture_id is None:
        raise ValidationError(_("参照統計と、ビジョンの都道府県を設定してください。"))
    if kpi.reference_series not in SERIES:
        raise ValidationError(_("不明な参照統計です。"))
    points = series(kpi.reference_series, vision.prefecture.code)
    existing = {o.date: o for o in kpi.observations.filter(date__in=[d for d, _v in points])}
    new, changed = [], []
    for day, value in points:
        amount = Decimal(str(round(value, 4)))
        current = existing.get(day)
        if current is None:
            new.append(Observation(kpi=kpi, date=day, value=amount, source=Observation.Source.REFERENCE))
        elif current.value != amount:
            current.value, current.source, current.updated_at = amount, Observation.Source.REFERENCE, timezone.now()
            changed.append(current)
    Observation.objects.bulk_create(new)
    Observation.objects.bulk_update(changed, ["value", "source", "updated_at"])
    if points and kpi.baseline_value is None:
        # The baseline is where the region stands now: the latest published value.
        kpi.baseline_date, latest = points[-1]
        kpi.baseline_value = Decimal(str(round(latest, 4)))
        kpi.save(update_fields=["baseline_date", "baseline_value", "updated_at"])
    audit.record(actor=actor, action="update", instance=kpi, before=None,
                 after={"reference_series": kpi.reference_series, "observations_written": len(new) + len(changed)})
    return len(new) + len(changed)


# --- Milestones and backcasting ------------------------------------------------------------------


def _simple_create(model: type, actor: Any, **fields: Any) -> Any:
    instance = model(**fields)
    instance.full_clean()
    instance.save()
    audit.record(actor=actor, action="create", instance=instance, after=audit.snapshot(instance))
    return instance


@transaction.atomic
def milestone_create(*, actor: Any, vision: Vision, **fields: Any) -> Milestone:
    return _simple_create(Milestone, actor, vision=vision, **fields)


@transaction.atomic
def milestone_update(*, actor: Any, milestone: Milestone, **changes: Any) -> Milestone:
    return audit.update(actor=actor, instance=milestone, changes=changes)


@transaction.atomic
def issue_create(*, actor: Any, vision: Vision, title: str, kpis: Any = (), **fields: Any) -> RegionalIssue:
    kpis = list(kpis)
    if any(k.vision_id != vision.pk for k in kpis):
        raise ValidationError({"kpis": _("このビジョンのKPIを選んでください。")})
    issue = _simple_create(RegionalIssue, actor, vision=vision, title=title, **fields)
    issue.kpis.set(kpis)
    return issue


@transaction.atomic
def theme_create(*, actor: Any, issue: RegionalIssue, title: str, description: str = "") -> ResearchTheme:
    return _simple_create(ResearchTheme, actor, issue=issue, title=title, description=description)


# --- Versions ------------------------------------------------------------------------------------


def _number(value: Decimal | None) -> str | None:
    return plain_decimal(value) if value is not None else None


def snapshot_of(vision: Vision) -> dict[str, Any]:
    """Everything a version agrees on, as plain JSON: the text; goals; KPIs with definition, unit, direction,
    baseline, targets, owner organisation, data source, reference series and update frequency; milestones
    (title, due date, goal: not their progress); regional issues with their KPIs and R&D themes. Ids are kept
    so that "agreed" can mean "in the agreed version" (``queries.agreed_content``)."""
    goals = vision.goals.prefetch_related("kpis__targets").order_by("order", "id")
    owners = dict(vision.kpis.filter(owner__isnull=False).values_list("owner_id", "owner__name"))
    issues = vision.issues.prefetch_related("kpis", "themes").order_by("id")
    return {
        "title": vision.title,
        "future_image": vision.future_image,
        "horizon_year": vision.horizon_year,
        "goals": [
            {
                "id": goal.pk, "order": goal.order, "title": goal.title, "description": goal.description,
                "kpis": [
                    {
                        "id": kpi.pk, "code": kpi.code, "name": kpi.name, "unit": kpi.unit, "direction": kpi.direction,
                        "definition": kpi.definition,
                        "baseline_value": _number(kpi.baseline_value),
                        "baseline_date": kpi.baseline_date.isoformat() if kpi.baseline_date else None,
                        "targets": {str(t.fiscal_year): plain_decimal(t.value) for t in kpi.targets.all()},
                        "owner": ({"id": kpi.owner_id, "name": owners.get(kpi.owner_id, "")}
                                  if kpi.owner_id else None),
                        "data_source": kpi.data_source, "reference_series": kpi.reference_series,
                        "frequency": kpi.frequency,
                    }
                    for kpi in goal.kpis.all()
                ],
            }
            for goal in goals
        ],
        "milestones": [
            {"id": m.pk, "title": m.title, "due_date": m.due_date.isoformat(), "goal": m.goal_id}
            for m in vision.milestones.order_by("due_date", "id")
        ],
        "issues": [
            {
                "id": issue.pk, "title": issue.title, "kind": issue.kind, "goal": issue.goal_id,
                "description": issue.description, "kpis": sorted(k.code for k in issue.kpis.all()),
                "themes": [{"id": t.pk, "title": t.title, "description": t.description}
                           for t in sorted(issue.themes.all(), key=lambda t: t.pk)],
            }
            for issue in issues
        ],
    }


@transaction.atomic
def version_save(*, actor: Any, vision: Vision, note: str = "") -> VisionVersion:
    """Save the vision as it stands as a draft version (refreshing the latest draft if there is one)."""
    draft = vision.versions.filter(status=VisionVersion.Status.DRAFT).order_by("-number").first()
    if draft is None:
        number = (vision.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        draft = VisionVersion(vision=vision, number=number,
                              created_by=actor if getattr(actor, "is_authenticated", False) else None)
    draft.snapshot = snapshot_of(vision)
    draft.note = note or draft.note
    draft.save()
    audit.record(actor=actor, action="update", instance=draft, after={"number": draft.number, "note": draft.note})
    return draft


@transaction.atomic
def version_propose(*, actor: Any, version: VisionVersion) -> VisionVersion:
    """Freeze a draft version and ask every sector of the venue to endorse it."""
    current = VisionVersion.objects.select_for_update().select_related("vision__venue").get(pk=version.pk)
    if current.status != VisionVersion.Status.DRAFT:
        raise ValidationError(_("提案できるのは案の版だけです。合意した版は変更できません。"))
    if current.vision.versions.filter(status=VisionVersion.Status.PROPOSED).exists():
        raise ValidationError(_("賛同受付中の版があります。その結果が出てから、次の版を提案してください。"))
    current.proposal = proposal_open(venue=current.vision.venue, for_vision=True)
    current.status = VisionVersion.Status.PROPOSED
    current.save(update_fields=["proposal", "status", "updated_at"])
    audit.record(actor=actor, action="update", instance=current, before={"status": "draft"},
                 after={"status": "proposed", "proposal": current.proposal_id})
    return current


def version_agreement_record(*, version: VisionVersion) -> Any:
    """Record the agreement of a version in the venue's decision log (called when its proposal is agreed)."""
    vision = version.vision
    title = _("地域ビジョン「%(title)s」第%(number)s版の合意") % {"title": vision.title, "number": version.number}
    text = _("地域ビジョン「%(title)s」の第%(number)s版を、各セクターの賛同により合意した。%(note)s") % {
        "title": vision.title, "number": version.number, "note": version.note}
    return venue_services.decision_record_agreement(
        actor=None, proposal=version.proposal, title=title, text=text.strip(),
        applies_to=_("地域ビジョン「%(title)s」") % {"title": vision.title}, is_public=vision.is_public)


# --- Observation imports ---------------------------------------------------------------------------


def _kpi_specs(vision: Vision, today: dt.date) -> dict[str, importing.KpiSpec]:
    earliest = dt.date(1900, 1, 1)
    latest = fiscal_year_end(vision.horizon_year)
    return {
        kpi.code: importing.KpiSpec(code=kpi.code, unit=kpi.unit, is_percent=kpi.is_percent, min_date=earliest,
                                    max_date=min(latest, today))
        for kpi in vision.kpis.all()
    }


@transaction.atomic
def import_upload(*, actor: Any, vision: Vision, filename: str, content: bytes) -> ImportBatch:
    if not permissions.can_import(actor, vision):
        raise PermissionDenied(_("実績を取り込めるのは、KPIの担当組織の人と場の事務局だけです。"))
    batch = ImportBatch.objects.create(vision=vision, filename=filename[:255], content=content,
                                       uploaded_by=actor if getattr(actor, "is_authenticated", False) else None)
    audit.record(actor=actor, action="create", instance=batch, after={"filename": batch.filename,
                                                                        "bytes": len(content)})
    from .tasks import check_import

    transaction.on_commit(lambda: check_import.enqueue(batch.pk))
    return batch


def check_batch(batch: ImportBatch, today: dt.date | None = None) -> ImportBatch:
    """Parse and validate an uploaded file; record every problem with its line, or a preview of the changes."""
    today = today or timezone.localdate()
    vision = batch.vision
    parsed = importing.read_rows(batch.filename, bytes(batch.content))
    # Validate the rows that could be read even when others could not, so every error is listed at once.
    result = importing.validate(parsed.rows, _kpi_specs(vision, today), today)
    clean, refused = _rights_check(batch, result.observations)
    problems = sorted([*parsed.problems, *result.problems, *refused], key=lambda p: p.line)
    batch.encoding = parsed.encoding or ""
    batch.row_count = len(parsed.rows)
    batch.problems = [{"line": p.line, "code": p.code, "detail": _plain(p.detail)} for p in problems[:1000]]
    if problems:
        batch.status = ImportBatch.Status.INVALID
        batch.summary = {"problem_count": len(problems)}
    else:
        batch.status = ImportBatch.Status.READY
        batch.summary = _changes(vision, clean)
    batch.save(update_fields=["encoding", "row_count", "problems", "status", "summary", "updated_at"])
    return batch


def _rights_check(batch: ImportBatch, rows: list[importing.CleanObservation],
                  ) -> tuple[list[importing.CleanObservation], list[importing.Problem]]:
    """Split checked rows into those the uploader may write and a problem for each of the others: a KPI the
    uploader may not record (code ``not_allowed``, see ``permissions``), or a date whose stored value came from
    official statistics (``official_value``). These two codes are the service's, not the file reader's."""
    kpis = {k.code: k for k in batch.vision.kpis.select_related("vision__venue")}
    allowed = permissions.recordable_kpi_ids(batch.uploaded_by, list(kpis.values()))
    official = set(Observation.objects.filter(kpi__vision=batch.vision, source=Observation.Source.REFERENCE)
                   .values_list("kpi__code", "date"))
    clean, refused = [], []
    for row in rows:
        if kpis[row.kpi_code].pk not in allowed:
            refused.append(importing.Problem("not_allowed", row.line, {"kpi": row.kpi_code}))
        elif (row.kpi_code, row.date) in official:
            refused.append(importing.Problem("official_value", row.line,
                                             {"kpi": row.kpi_code, "date": row.date.isoformat()}))
        else:
            clean.append(row)
    return clean, refused


def _plain(detail: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else str(v) if isinstance(v, Decimal) else v)
            for k, v in dict(detail).items()}


def _existing(vision: Vision, codes: set[str]) -> tuple[dict[str, int], dict[tuple[int, dt.date], tuple[int, Decimal]]]:
    kpi_ids = dict(vision.kpis.filter(code__in=codes).values_list("code", "pk"))
    rows = Observation.objects.filter(kpi_id__in=kpi_ids.values()).values_list("kpi_id", "date", "pk", "value")
    return kpi_ids, {(kpi_id, day): (pk, value) for kpi_id, day, pk, value in rows.iterator(chunk_size=5000)}


def _changes(vision: Vision, clean: list[importing.CleanObservation]) -> dict[str, Any]:
    kpi_ids, existing = _existing(vision, {c.kpi_code for c in clean})
    new = changed = unchanged = 0
    preview = []
    for row in clean:
        current = existing.get((kpi_ids[row.kpi_code], row.date))
        if current is None:
            new += 1
            change = "new"
        elif current[1] != row.value:
            changed += 1
            change = "changed"
        else:
            unchanged += 1
            change = "unchanged"
        if len(preview) < PREVIEW_ROWS:
            preview.append({"line": row.line, "kpi": row.kpi_code, "date": row.date.isoformat(),
                            "value": plain_decimal(row.value), "change": change,
                            "old": plain_decimal(current[1]) if current and change == "changed" else ""})
    return {"new": new, "changed": changed, "unchanged": unchanged, "rows": len(clean), "preview": preview}


@transaction.atomic
def import_apply(*, actor: Any, batch: ImportBatch) -> ImportBatch:
    current = ImportBatch.objects.select_for_update().select_related("vision__venue").get(pk=batch.pk)
    if not permissions.can_apply_import(actor, current):
        raise PermissionDenied(_("取込を実行できるのは、ファイルを登録した人と場の事務局だけです。"))
    if current.status != ImportBatch.Status.READY:
        raise ValidationError(_("取込できる状態ではありません（エラーがあるか、取込済みです）。"))
    current.status = ImportBatch.Status.APPLYING
    current.save(update_fields=["status", "updated_at"])
    audit.record(actor=actor, action="update", instance=current, before={"status": "ready"},
                 after={"status": "applying"})
    from .tasks import apply_import

    transaction.on_commit(lambda: apply_import.enqueue(current.pk))
    return current


def apply_batch(batch: ImportBatch, today: dt.date | None = None) -> ImportBatch:
    """Write every row of a checked file in one transaction (re-checked first: the data may have moved)."""
    today = today or timezone.localdate()
    vision = batch.vision
    parsed = importing.read_rows(batch.filename, bytes(batch.content))
    result = importing.validate(parsed.rows, _kpi_specs(vision, today), today)
    clean, refused = _rights_check(batch, result.observations)
    if parsed.problems or result.problems or refused:
        batch.status = ImportBatch.Status.INVALID
        batch.problems = [{"line": p.line, "code": p.code, "detail": _plain(p.detail)}
                          for p in sorted([*parsed.problems, *result.problems, *refused], key=lambda p: p.line)[:1000]]
        batch.save(update_fields=["status", "problems", "updated_at"])
        return batch
    now = timezone.now()
    with transaction.atomic():
        kpi_ids, existing = _existing(vision, {c.kpi_code for c in clean})
        new, changed = [], []
        for row in clean:
            kpi_id = kpi_ids[row.kpi_code]
            current = existing.get((kpi_id, row.date))
            if current is None:
                new.append(Observation(kpi_id=kpi_id, date=row.date, value=row.value, batch=batch,
                                       note=row.note[:255], source=Observation.Source.IMPORT))
            elif current[1] != row.value:
                changed.append(Observation(pk=current[0], value=row.value, batch=batch, note=row.note[:255],
                                           source=Observation.Source.IMPORT, updated_at=now))
        Observation.objects.bulk_create(new, batch_size=2000)
        Observation.objects.bulk_update(changed, ["value", "batch", "note", "source", "updated_at"],
                                        batch_size=2000)
        batch.status = ImportBatch.Status.APPLIED
        batch.applied_at = timezone.now()
        batch.summary = {**batch.summary, "written_new": len(new), "written_changed": len(changed)}
        batch.save(update_fields=["status", "applied_at", "summary", "updated_at"])
        audit.record(actor=batch.uploaded_by, action="update", instance=batch, before={"status": "applying"},
                     after={"status": "applied", "new": len(new), "changed": len(changed)})
    return batch
