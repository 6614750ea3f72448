"""Reusable reads for the regions area (directory, region pages)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from kyoso.common.domain.text import query_terms, to_hiragana

from .models import Affiliation, Organization, Person, Region


@dataclass(frozen=True)
class DirectoryFilters:
    q: str = ""
    sector: str = ""
    kind: str = ""
    prefecture: str = ""  # 2-digit prefecture code

    @classmethod
    def from_querydict(cls, data: Any) -> DirectoryFilters:
        sector = data.get("sector", "")
        kind = data.get("kind", "")
        prefecture = data.get("prefecture", "")
        return cls(
            q=data.get("q", "")[:100],
            sector=sector if sector in Organization.Sector.values else "",
            kind=kind if kind in Organization.Kind.values else "",
            prefecture=prefecture if len(prefecture) == 2 and prefecture.isdigit() else "",
        )


def organization_directory(filters: DirectoryFilters) -> QuerySet[Organization]:
    """Organisations matching the directory filters, with their region and prefecture joined."""
    qs = Organization.objects.select_related("region", "region__parent")
    for term in query_terms(filters.q):
        kana = to_hiragana(term)
        qs = qs.filter(
            Q(name__icontains=term) | Q(name_en__icontains=term) | Q(name_kana__icontains=kana)
            | Q(address__icontains=term)
        )
    if filters.sector:
        qs = qs.filter(sector=filters.sector)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.prefecture:
        qs = qs.filter(Q(region__code=filters.prefecture) | Q(region__parent__code=filters.prefecture))
    return qs.order_by("name_kana", "name", "id")


def directory_counts() -> dict[str, int]:
    """Number of organisations per sector, and in total (one query)."""
    rows = Organization.objects.values("sector").annotate(n=Count("id")).order_by()
    counts = {row["sector"]: row["n"] for row in rows}
    counts["total"] = sum(counts.values())
    return counts


def prefectures() -> QuerySet[Region]:
    return Region.objects.filter(level=Region.Level.PREFECTURE).order_by("code")


def prefectures_with_counts() -> QuerySet[Region]:
    """Prefectures with their municipality and organisation counts (two subquery-free annotations)."""
    return prefectures().annotate(
        municipality_count=Count("municipalities", distinct=True),
        organization_count=Count("organizations", distinct=True),
    )


def organizations_in(region: Region) -> QuerySet[Organization]:
    qs = Organization.objects.select_related("region", "region__parent")
    if region.is_prefecture:
        return qs.in_prefecture(region).order_by("sector", "name_kana", "name")
    return qs.filter(region=region).order_by("sector", "name_kana", "name")


def municipalities_of(prefecture: Region) -> QuerySet[Region]:
    return prefecture.municipalities.annotate(organization_count=Count("organizations")).order_by("code")


def people_of(organization: Organization, user: Any) -> QuerySet[Affiliation]:
    """Affiliations of the people of an organisation that the user may see."""
    visible = Person.objects.visible_to(user)
    return (
        organization.affiliations.filter(person__in=visible)
        .select_related("person")
        .order_by("person__name_kana", "person__name")
    )


def affiliations_of(person: Person) -> QuerySet[Affiliation]:
    return person.affiliations.select_related("organization", "organization__region").order_by(
        "-start_date", "id"
    )
