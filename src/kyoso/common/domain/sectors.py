"""The sectors of a regional ecosystem (産学官金＋民), in the one order every list, table and chart uses.

The order is 官・学・産・金・民 (government, academia, industry, finance, civil society). Labels are translated where
they are shown (``kyoso.regions.models.SectorChoices``); this module holds only the codes, so domain code can use it.
"""

from __future__ import annotations

from enum import StrEnum


class Sector(StrEnum):
    GOVERNMENT = "government"
    ACADEMIA = "academia"
    INDUSTRY = "industry"
    FINANCE = "finance"
    CIVIL_SOCIETY = "civil_society"


SECTORS: tuple[str, ...] = tuple(sector.value for sector in Sector)

# The sectors a venue cannot work without (産学官): the composition panel warns when one is missing.
CORE_SECTORS: tuple[str, ...] = (Sector.GOVERNMENT.value, Sector.ACADEMIA.value, Sector.INDUSTRY.value)


def sector_rank(sector: str) -> int:
    """Position of ``sector`` in :data:`SECTORS`; unknown codes sort last: ``sorted(codes, key=sector_rank)``."""
    return SECTORS.index(sector) if sector in SECTORS else len(SECTORS)
