"""Writes of the public site: the secretariat's やさしい日本語 summaries (audited, one transaction each)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kyoso.common import audit

from .domain.readability import assess
from .models import EasySummary

MAX_CHARS = 2000


@transaction.atomic
def easy_summary_save(*, actor: Any, venue: Any, kind: str, object_id: int, text: str,
                      is_sample: bool = False) -> EasySummary | None:
    """Write (or, with an empty text, delete) the plain summary of one object of the venue; stores the score."""
    text = text.strip()
    if len(text) > MAX_CHARS:
        raise ValidationError({"text": _("%(max)d文字以内で書いてください。") % {"max": MAX_CHARS}})
    if kind not in EasySummary.Kind.values:
        raise ValidationError(_("対象の種類が正しくありません。"))
    existing = EasySummary.objects.select_for_update().filter(kind=kind, object_id=object_id).first()
    if existing is not None and existing.venue_id != venue.pk:
        raise ValidationError(_("この対象はこの場のものではありません。"))
    if not text:
        if existing is not None:
            audit.record(actor=actor, action="delete", instance=existing, before=audit.snapshot(existing))
            existing.delete()
        return None
    score = assess(text).score
    if existing is None:
        summary = EasySummary(venue=venue, kind=kind, object_id=object_id, text=text, score=score,
                              is_sample=is_sample, updated_by=actor if getattr(actor, "pk", None) else None)
        summary.full_clean()
        summary.save()
        audit.record(actor=actor, action="create", instance=summary, after=audit.snapshot(summary))
        return summary
    return audit.update(actor=actor, instance=existing,
                        changes={"text": text, "score": score, "is_sample": is_sample or existing.is_sample,
                                 "updated_by": actor if getattr(actor, "pk", None) else None})
