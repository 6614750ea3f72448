"""Load the bundled reference data (prefectures, municipalities, public bodies, schools) idempotently.

``load_reference()`` reads the CSVs with the pure parser in :mod:`kyoso.regions.domain.reference` and
writes, inside one transaction:

* :class:`Region` rows: 47 prefectures, then 1,741 municipalities (with their prefecture as parent);
* :class:`Organization` rows keyed by ``reference_key``:
  ``jis:22`` (each prefecture), ``jis:22130`` (each municipality, kind designated_city or municipality)
  and ``mext:<学校コード>`` (each active university, junior college and kosen).

Existing rows are read once per model and matched by ``code`` / ``reference_key``; missing rows are
bulk-created, changed rows bulk-updated (only the loader's own fields), and unchanged rows are not
touched, so a second run changes nothing. Organisations with other keys (``sample:…``) or none are
never read or written. Reference organisations that are no longer in the data are counted as
``stale`` and left in place (they may be referenced by affiliations).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from .domain import reference as ref
from .domain.organizations import Kind, Sector
from .models import Organization, Region

REFERENCE_KEY_PREFIXES = ("jis:", "mext:")
BATCH_SIZE = 500

REGION_FIELDS = (
    "lg_code",
    "level",
    "municipality_type",
    "name",
    "name_kana",
    "name_en",
    "parent_id",
    "website",
    "latitude",
    "longitude",
)
ORGANIZATION_FIELDS = ("name", "name_kana", "name_en", "sector", "kind", "region_id", "address", "website")


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    def __str__(self) -> str:
        return f"created {self.created}, updated {self.updated}, unchanged {self.unchanged}"


@dataclass
class LoadReport:
    regions: Counts = field(default_factory=Counts)
    organizations: Counts = field(default_factory=Counts)
    prefectures: int = 0
    municipalities: int = 0
    schools: int = 0
    schools_matched: int = 0  # schools whose address matched a municipality
    stale_organizations: int = 0  # jis:/mext: organisations in the database but no longer in the data
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(
            self.regions.created or self.regions.updated or self.organizations.created or self.organizations.updated
        )

    def lines(self) -> list[str]:
        lines = [
            f"Region: {self.regions} ({self.prefectures} prefectures, {self.municipalities} municipalities)",
            f"Organization: {self.organizations} ({self.prefectures + self.municipalities} public bodies, "
            f"{self.schools} schools, {self.schools_matched} located in a municipality)",
        ]
        if self.stale_organizations:
            lines.append(f"Organization: {self.stale_organizations} reference rows no longer in the data (kept)")
        return lines


# ---------------------------------------------------------------------------------------------


def prefecture_organization_name_en(name: str, name_en: str) -> str:
    """English name of a prefecture as a public body: 静岡県 → ``Shizuoka Prefecture``."""
    if name.endswith("都"):
        return f"{name_en} Metropolis"
    if name.endswith("道"):
        return name_en  # Hokkaido
    return f"{name_en} Prefecture"  # 府 and 県


def _region_values(
    prefectures: Iterable[ref.PrefectureRow],
    municipalities: Iterable[ref.MunicipalityRow],
    prefecture_ids: Mapping[str, int] | None,
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    prefs = {
        p.code: {
            "lg_code": p.lg_code,
            "level": Region.Level.PREFECTURE.value,
            "municipality_type": "",
            "name": p.name,
            "name_kana": p.name_kana,
            "name_en": p.name_en,
            "parent_id": None,
            "website": p.website,
            "latitude": p.lat,
            "longitude": p.lng,
        }
        for p in prefectures
    }
    munis = {}
    if prefecture_ids is not None:
        munis = {
            m.code: {
                "lg_code": m.lg_code,
                "level": Region.Level.MUNICIPALITY.value,
                "municipality_type": m.municipality_type,
                "name": m.name,
                "name_kana": m.name_kana,
                "name_en": m.name_en,
                "parent_id": prefecture_ids[m.prefecture_code],
                "website": m.website,
                "latitude": m.lat,
                "longitude": m.lng,
            }
            for m in municipalities
        }
    return prefs, munis


def _organization_values(data: ref.ReferenceData, region_ids: Mapping[str, int]) -> dict[str, dict[str, Any]]:
    values: dict[str, dict[str, Any]] = {}
    for p in data.prefectures:
        values[f"jis:{p.code}"] = {
            "name": p.name,
            "name_kana": p.name_kana,
            "name_en": prefecture_organization_name_en(p.name, p.name_en),
            "sector": Sector.GOVERNMENT.value,
            "kind": Kind.PREFECTURE.value,
            "region_id": region_ids[p.code],
            "address": "",
            "website": p.website,
        }
    for m in data.municipalities:
        kind = Kind.DESIGNATED_CITY if m.municipality_type == ref.DESIGNATED_CITY else Kind.MUNICIPALITY
        values[f"jis:{m.code}"] = {
            "name": m.name,
            "name_kana": m.name_kana,
            "name_en": m.name_en,
            "sector": Sector.GOVERNMENT.value,
            "kind": kind.value,
            "region_id": region_ids[m.code],
            "address": "",
            "website": m.website,
        }
    for s in data.schools:
        values[f"mext:{s.school_code}"] = {
            "name": s.name,
            "name_kana": "",
            "name_en": s.name_en,
            "sector": Sector.ACADEMIA.value,
            "kind": Kind(s.kind).value,
            "region_id": region_ids[s.municipality_code or s.prefecture_code],
            "address": s.address,
            "website": s.website,
        }
    return values


def _sync(
    model: type[models.Model],
    key_field: str,
    existing: Mapping[str, models.Model],
    desired: Mapping[str, Mapping[str, Any]],
    fields: tuple[str, ...],
) -> Counts:
    """Create the missing rows and update the changed ones; two bulk statements at most."""
    counts = Counts()
    to_create: list[models.Model] = []
    to_update: list[models.Model] = []
    for key, values in desired.items():
        obj = existing.get(key)
        if obj is None:
            to_create.append(model(**{key_field: key}, **values))
            continue
        changed = False
        for name, value in values.items():
            if getattr(obj, name) != value:
                setattr(obj, name, value)
                changed = True
        if changed:
            to_update.append(obj)
        else:
            counts.unchanged += 1
    if to_create:
        model.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
        counts.created = len(to_create)
    if to_update:
        update_fields = [name.removesuffix("_id") for name in fields]
        if any(f.name == "updated_at" for f in model._meta.concrete_fields):
            now = timezone.now()
            for obj in to_update:
                obj.updated_at = now  # bulk_update does not run auto_now
            update_fields.append("updated_at")
        model.objects.bulk_update(to_update, update_fields, batch_size=BATCH_SIZE)
        counts.updated = len(to_update)
    return counts


def _reference_organizations() -> models.QuerySet[Organization]:
    query = Q()
    for prefix in REFERENCE_KEY_PREFIXES:
        query |= Q(reference_key__startswith=prefix)
    return Organization.objects.filter(query)


def load_reference(*, data_dir: Path | str | None = None, stdout: TextIO | None = None) -> LoadReport:
    """Load (or refresh) the reference regions and organisations. Safe to run any number of times."""
    started = time.perf_counter()
    data = ref.load_reference_data(data_dir)
    report = LoadReport(
        prefectures=len(data.prefectures),
        municipalities=len(data.municipalities),
        schools=len(data.schools),
        schools_matched=len(data.schools) - len(data.unmatched_schools),
    )
    if stdout is not None:
        stdout.write(
            f"Read {report.prefectures} prefectures, {report.municipalities} municipalities and "
            f"{report.schools} schools ({report.schools_matched} located in a municipality).\n"
        )

    with transaction.atomic():
        existing_regions = {r.code: r for r in Region.objects.all()}
        prefecture_values, _ = _region_values(data.prefectures, (), None)
        report.regions = _sync(
            Region,
            "code",
            {c: r for c, r in existing_regions.items() if c in prefecture_values},
            prefecture_values,
            REGION_FIELDS,
        )
        prefecture_ids = dict(Region.objects.filter(code__in=list(prefecture_values)).values_list("code", "id"))
        _, municipality_values = _region_values((), data.municipalities, prefecture_ids)
        municipal = _sync(
            Region,
            "code",
            {c: r for c, r in existing_regions.items() if c in municipality_values},
            municipality_values,
            REGION_FIELDS,
        )
        report.regions.created += municipal.created
        report.regions.updated += municipal.updated
        report.regions.unchanged += municipal.unchanged

        region_ids = dict(Region.objects.values_list("code", "id"))
        organization_values = _organization_values(data, region_ids)
        existing_organizations = {o.reference_key: o for o in _reference_organizations()}
        report.organizations = _sync(
            Organization, "reference_key", existing_organizations, organization_values, ORGANIZATION_FIELDS
        )
        report.stale_organizations = len(set(existing_organizations) - set(organization_values))

    report.seconds = time.perf_counter() - started
    return report
