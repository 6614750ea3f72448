"""Sectors and kinds of organisations, and which sector each kind belongs to."""

from __future__ import annotations

from enum import StrEnum

from kyoso.common.domain.sectors import Sector

__all__ = ["SECTOR_OF_KIND", "Kind", "Sector", "kind_fits_sector"]


class Kind(StrEnum):
    # government
    NATIONAL_GOVERNMENT = "national_government"
    PREFECTURE = "prefecture"
    DESIGNATED_CITY = "designated_city"
    MUNICIPALITY = "municipality"
    # academia (大学・高専・大学共同利用機関・国研・公設試)
    NATIONAL_UNIVERSITY = "national_university"
    PUBLIC_UNIVERSITY = "public_university"
    PRIVATE_UNIVERSITY = "private_university"
    JUNIOR_COLLEGE = "junior_college"
    KOSEN = "kosen"
    INTER_UNIVERSITY_RESEARCH_INSTITUTE = "inter_university_research_institute"
    NATIONAL_RESEARCH_INSTITUTE = "national_research_institute"
    PUBLIC_TESTING_INSTITUTE = "public_testing_institute"
    # industry
    SME = "sme"
    REGIONAL_LEADER = "regional_leader"
    LARGE_COMPANY = "large_company"
    UNIVERSITY_SPINOUT = "university_spinout"
    # finance
    REGIONAL_BANK = "regional_bank"
    SHINKIN_BANK = "shinkin_bank"
    VENTURE_CAPITAL = "venture_capital"
    # civil society
    NPO = "npo"
    ECONOMIC_ORGANISATION = "economic_organisation"
    RESIDENTS_GROUP = "residents_group"
    OTHER = "other"


SECTOR_OF_KIND: dict[Kind, Sector | None] = {
    Kind.NATIONAL_GOVERNMENT: Sector.GOVERNMENT,
    Kind.PREFECTURE: Sector.GOVERNMENT,
    Kind.DESIGNATED_CITY: Sector.GOVERNMENT,
    Kind.MUNICIPALITY: Sector.GOVERNMENT,
    Kind.NATIONAL_UNIVERSITY: Sector.ACADEMIA,
    Kind.PUBLIC_UNIVERSITY: Sector.ACADEMIA,
    Kind.PRIVATE_UNIVERSITY: Sector.ACADEMIA,
    Kind.JUNIOR_COLLEGE: Sector.ACADEMIA,
    Kind.KOSEN: Sector.ACADEMIA,
    Kind.INTER_UNIVERSITY_RESEARCH_INSTITUTE: Sector.ACADEMIA,
    Kind.NATIONAL_RESEARCH_INSTITUTE: Sector.ACADEMIA,
    Kind.PUBLIC_TESTING_INSTITUTE: Sector.ACADEMIA,
    Kind.SME: Sector.INDUSTRY,
    Kind.REGIONAL_LEADER: Sector.INDUSTRY,
    Kind.LARGE_COMPANY: Sector.INDUSTRY,
    Kind.UNIVERSITY_SPINOUT: Sector.INDUSTRY,
    Kind.REGIONAL_BANK: Sector.FINANCE,
    Kind.SHINKIN_BANK: Sector.FINANCE,
    Kind.VENTURE_CAPITAL: Sector.FINANCE,
    Kind.NPO: Sector.CIVIL_SOCIETY,
    Kind.ECONOMIC_ORGANISATION: Sector.CIVIL_SOCIETY,
    Kind.RESIDENTS_GROUP: Sector.CIVIL_SOCIETY,
    Kind.OTHER: None,  # any sector
}


def kind_fits_sector(kind: str, sector: str) -> bool:
    """True when an organisation of ``kind`` may belong to ``sector``."""
    expected = SECTOR_OF_KIND[Kind(kind)]
    return expected is None or expected == Sector(sector)
