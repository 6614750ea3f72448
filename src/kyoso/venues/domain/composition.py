"""The composition panel of a venue: members and representatives per sector and layer, with warnings."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from kyoso.common.domain.sectors import CORE_SECTORS


class Layer(StrEnum):
    TOP = "top"  # 首長・学長・社長
    MIDDLE = "middle"  # 管理職
    KEY_PERSON = "key_person"  # キーパーソン


@dataclass(frozen=True)
class MemberRow:
    sector: str
    in_region: bool


@dataclass(frozen=True)
class RepresentativeRow:
    sector: str
    layer: Layer


@dataclass(frozen=True)
class SectorComposition:
    sector: str
    members: int
    members_outside_region: int
    top: int
    middle: int
    key_person: int

    @property
    def representatives(self) -> int:
        return self.top + self.middle + self.key_person


class WarningCode(StrEnum):
    SECTOR_MISSING = "sector_missing"  # a core sector has no member
    SECTOR_UNREPRESENTED = "sector_unrepresented"  # members but no representative
    MIDDLE_LAYER_MISSING = "middle_layer_missing"  # nobody from the middle layer in the whole venue
    SECTOR_WITHOUT_MIDDLE = "sector_without_middle"  # a core sector has representatives but none middle


@dataclass(frozen=True)
class CompositionWarning:
    code: WarningCode
    sector: str = ""


@dataclass(frozen=True)
class Composition:
    sectors: tuple[SectorComposition, ...]
    warnings: tuple[CompositionWarning, ...]

    @property
    def total_members(self) -> int:
        return sum(s.members for s in self.sectors)

    @property
    def total_representatives(self) -> int:
        return sum(s.representatives for s in self.sectors)


def compose(
    members: Iterable[MemberRow],
    representatives: Iterable[RepresentativeRow],
    sectors: Sequence[str],
    core_sectors: Sequence[str] = CORE_SECTORS,
) -> Composition:
    """Count members and representatives per sector and layer, and warn about gaps.

    ``sectors`` gives the display order; core sectors (government, academia, industry by default)
    must each have members, representatives and ideally someone from the middle layer.
    """
    member_counts: dict[str, list[int]] = {s: [0, 0] for s in sectors}
    for m in members:
        counts = member_counts.setdefault(m.sector, [0, 0])
        counts[0] += 1
        counts[1] += 0 if m.in_region else 1
    layer_counts: dict[str, dict[Layer, int]] = {s: {layer: 0 for layer in Layer} for s in member_counts}
    for r in representatives:
        layer_counts.setdefault(r.sector, {layer: 0 for layer in Layer})[Layer(r.layer)] += 1
        member_counts.setdefault(r.sector, [0, 0])
    rows = tuple(
        SectorComposition(
            sector=s,
            members=member_counts[s][0],
            members_outside_region=member_counts[s][1],
            top=layer_counts.get(s, {}).get(Layer.TOP, 0),
            middle=layer_counts.get(s, {}).get(Layer.MIDDLE, 0),
            key_person=layer_counts.get(s, {}).get(Layer.KEY_PERSON, 0),
        )
        for s in member_counts
    )
    warnings: list[CompositionWarning] = []
    by_sector = {r.sector: r for r in rows}
    for sector in core_sectors:
        row = by_sector.get(sector)
        if row is None or row.members == 0:
            warnings.append(CompositionWarning(WarningCode.SECTOR_MISSING, sector))
        elif row.representatives == 0:
            warnings.append(CompositionWarning(WarningCode.SECTOR_UNREPRESENTED, sector))
        elif row.middle == 0:
            warnings.append(CompositionWarning(WarningCode.SECTOR_WITHOUT_MIDDLE, sector))
    if sum(r.middle for r in rows) == 0:
        warnings.insert(0, CompositionWarning(WarningCode.MIDDLE_LAYER_MISSING))
    return Composition(rows, tuple(warnings))
