"""Rate limits of what participants send (votes, statements, comments, reports, e-mail confirmations).

Counted per participant token and per client address in fixed windows, in Django's cache framework (``CACHES``):
with the default in-process cache each worker counts on its own; configure a shared cache (Redis:
``django.core.cache.backends.redis.RedisCache``) so that all workers share one count. Nothing goes to the database.
The limits can be changed with the setting ``KYOSO_CONSULTATION_RATE_LIMITS`` (same shape as :data:`LIMITS`).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache

# kind -> (per participant, per address, window in seconds)
LIMITS: dict[str, tuple[int, int, int]] = {
    "vote": (60, 600, 60),
    "statement": (5, 30, 600),
    "comment": (5, 30, 600),
    "report": (20, 100, 600),
    "email": (3, 20, 3600),
}


def limits(kind: str) -> tuple[int, int, int]:
    custom = getattr(settings, "KYOSO_CONSULTATION_RATE_LIMITS", None) or {}
    return tuple(custom.get(kind, LIMITS[kind]))  # type: ignore[return-value]


def _count(key: str, window: int) -> int:
    cache.add(key, 0, timeout=window)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        return 1


def allow(kind: str, *, participant: str, address: str) -> bool:
    """Count one action of ``kind``; False when the participant or the address is over its limit in this window."""
    per_participant, per_address, window = limits(kind)
    slot = int(time.time() // window)
    by_participant = _count(f"kyoso:consult:{kind}:p:{participant}:{slot}", window)
    by_address = _count(f"kyoso:consult:{kind}:a:{address}:{slot}", window)
    return by_participant <= per_participant and by_address <= per_address
