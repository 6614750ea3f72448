"""How much a reader who may not see an amount is told about numbers derived from it.

Plain Python (no Django). A ratio computed from a hidden amount (provided ÷ committed of a confidential cash
commitment) is never shown with its full precision: from ``0.4926828551290899`` both amounts can be recovered
exactly, and even a whole percent narrows a hidden amount down to 1 % once the other one is known. Such a
reader gets only the 10-point band the ratio falls in (``percent_band``): 0.4926… is "40–50 %". The band is
coarse enough that neither amount can be recovered, and still tells the venue how far a partner fell short.
"""

from __future__ import annotations

import math

__all__ = ["BAND_POINTS", "percent_band", "position_in_band"]

#: Width of a band, in percentage points.
BAND_POINTS = 10


def percent_band(ratio: float) -> int:
    """The lower bound, in %, of the band ``ratio`` falls in; 100 for a ratio of 1 or more (fully provided).

    >>> percent_band(0.4926828551290899), percent_band(0.1), percent_band(0.0999), percent_band(1.3)
    (40, 10, 0, 100)
    """
    if not math.isfinite(ratio) or ratio < 0:
        raise ValueError(f"ratio must be a finite number of at least 0, not {ratio!r}")
    return min(100, math.floor(ratio * 100 / BAND_POINTS) * BAND_POINTS)


def position_in_band(ratio: float) -> float:
    """Where a chart places a ratio it may only show as a band: the band's middle (1.0 for a full band)."""
    low = percent_band(ratio)
    return 1.0 if low >= 100 else (low + BAND_POINTS / 2) / 100
