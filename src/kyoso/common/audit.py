"""Write audit events from service functions, inside the service's own transaction."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.forms.models import model_to_dict

from .models import AuditEvent

M = TypeVar("M", bound=models.Model)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).isoformat()  # one spelling per instant, whichever zone it came in
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, FieldFile):
        return value.name or None
    if isinstance(value, list | tuple | set):
        return [_plain(item) for item in value]
    return value


def snapshot(instance: models.Model) -> dict[str, Any]:
    """A JSON-ready dict of the instance's concrete fields (many-to-many as lists of keys)."""
    data = model_to_dict(instance)
    data["id"] = instance.pk
    return {key: _plain(value) for key, value in data.items()}


def record(
    *,
    actor: Any,
    action: str,
    instance: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record one audit event. Must be called inside the service's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Audit events are written inside the service's transaction.")
    if before is not None and after is not None:
        changed = {k for k in after if before.get(k) != after.get(k)}
        before = {k: before.get(k) for k in changed}
        after = {k: after[k] for k in changed}
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=instance._meta.label_lower,
        object_id=str(instance.pk),
        object_repr=str(instance)[:255],
        before=before,
        after=after,
    )


def stored(instance: models.Model) -> dict[str, Any]:
    """The snapshot of the row as it is in the database now (not the possibly edited ``instance``).

    A ModelForm copies the submitted values onto its instance before the view calls the service, so the instance
    cannot tell what the row held; this reads the row again by primary key (many-to-many included).
    """
    return snapshot(_fresh(instance))


def _fresh(instance: M) -> M:
    """The row of ``instance`` read again (and locked until the transaction ends)."""
    return type(instance)._base_manager.select_for_update().get(pk=instance.pk)


def update(
    *,
    actor: Any,
    instance: M,
    changes: Mapping[str, Any],
    m2m: Mapping[str, Iterable[Any] | None] | None = None,
    check: Callable[[M], None] | None = None,
    after_save: Callable[[M], None] | None = None,
    extra: Callable[[M], dict[str, Any]] | None = None,
) -> M:
    """The one way a service edits a row: set ``changes``, validate, save, set ``m2m``, record the real diff.

    "before" is read from the database (``stored``), so an instance a form has already changed still yields the
    changed fields with their old and new values. ``check`` runs before ``full_clean`` (rules beyond the model's),
    ``after_save`` writes dependent rows (targets, links), ``extra`` adds derived values to both snapshots (called
    with the stored row before and the saved instance after). Must be called inside the service's transaction.
    """
    fresh = _fresh(instance)
    before = snapshot(fresh)
    if extra is not None:
        before.update(extra(fresh))
    for field, value in changes.items():
        setattr(instance, field, value)
    if check is not None:
        check(instance)
    instance.full_clean()
    instance.save()
    for field, values in (m2m or {}).items():
        if values is not None:
            getattr(instance, field).set(values)
    if after_save is not None:
        after_save(instance)
    after = snapshot(instance)
    if extra is not None:
        after.update(extra(instance))
    record(actor=actor, action="update", instance=instance, before=before, after=after)
    return instance
