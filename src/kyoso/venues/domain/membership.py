"""Whether a member organisation is inside the venue's region."""

from __future__ import annotations

from collections.abc import Collection


def is_in_region(region_code: str | None, venue_region_codes: Collection[str]) -> bool:
    """An organisation located in ``region_code`` (prefecture ``22`` or municipality ``22130``) is inside
    a venue whose regions are ``venue_region_codes`` when its municipality is one of them, or its
    prefecture is one of them. A venue of a municipality does not cover the rest of its prefecture.
    """
    if not region_code:
        return False
    if region_code in venue_region_codes:
        return True
    return len(region_code) == 5 and region_code[:2] in venue_region_codes
