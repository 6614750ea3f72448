"""Writes for the regions area. Each service owns its transaction and writes an audit event."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kyoso.common import audit

from .domain.affiliations import Span, overloads
from .domain.organizations import kind_fits_sector
from .models import Affiliation, Organization, Person, Region

ORGANIZATION_FIELDS = ("name", "name_kana", "name_en", "sector", "kind", "region", "address", "website", "description")


def _check_kind_and_sector(kind: str, sector: str) -> None:
    if not kind_fits_sector(kind, sector):
        raise ValidationError(
            {"kind": _("種別「%(kind)s」はこのセクターの組織には選べません。")
             % {"kind": Organization.Kind(kind).label}}
        )


@transaction.atomic
def organization_create(*, actor: Any, name: str, sector: str, kind: str, region: Region | None = None,
                        **fields: Any) -> Organization:
    _check_kind_and_sector(kind, sector)
    organization = Organization(name=name, sector=sector, kind=kind, region=region, **fields)
    organization.full_clean()
    organization.save()
    audit.record(actor=actor, action="create", instance=organization, after=audit.snapshot(organization))
    return organization


@transaction.atomic
def organization_update(*, actor: Any, organization: Organization, **changes: Any) -> Organization:
    unknown = set(changes) - set(ORGANIZATION_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    return audit.update(actor=actor, instance=organization, changes=changes,
                        check=lambda org: _check_kind_and_sector(org.kind, org.sector))


@transaction.atomic
def person_create(*, actor: Any, name: str, **fields: Any) -> Person:
    person = Person(name=name, **fields)
    person.full_clean()
    person.save()
    audit.record(actor=actor, action="create", instance=person, after=audit.snapshot(person))
    return person


def _share_error(person: Person, candidate: Span, existing: list[Affiliation]) -> None:
    spans = [
        Span(share=a.effort_share, start=a.start_date, end=a.end_date, label=str(a.organization))
        for a in existing
    ]
    found = overloads([*spans, candidate])
    if not found:
        return
    first = found[0]
    period = _("%(start)s から %(end)s まで") % {
        "start": first.start.isoformat() if first.start else _("開始日なし"),
        "end": first.end.isoformat() if first.end else _("終了日なし"),
    }
    raise ValidationError(
        {
            "effort_share": _(
                "同じ期間に重なる所属のエフォートの合計が %(total)s%% になり、100%% を超えます"
                "（%(period)s：%(orgs)s）。クロスアポイントメントでは合計を100%%以下にしてください。"
            )
            % {"total": first.total, "period": period, "orgs": "、".join(first.labels)}
        }
    )


@transaction.atomic
def affiliation_create(*, actor: Any, person: Person, organization: Organization, effort_share: int,
                       start_date: dt.date | None = None, end_date: dt.date | None = None,
                       title: str = "", department: str = "") -> Affiliation:
    """Add an affiliation; concurrent affiliations' effort shares must add up to at most 100 %."""
    # Lock the person's row so two concurrent additions cannot both pass the share check.
    Person.objects.select_for_update().filter(pk=person.pk).first()
    affiliation = Affiliation(person=person, organization=organization, effort_share=effort_share,
                              start_date=start_date, end_date=end_date, title=title, department=department)
    affiliation.full_clean()
    existing = list(person.affiliations.select_related("organization"))
    _share_error(person, Span(effort_share, start_date, end_date, str(organization)), existing)
    affiliation.save()
    audit.record(actor=actor, action="create", instance=affiliation, after=audit.snapshot(affiliation))
    return affiliation
