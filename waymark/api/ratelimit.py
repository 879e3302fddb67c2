"""A per-address rate limit for the API: a fixed one-minute window counted in Django's cache.

The cache is the database cache every process shares (settings.CACHES), so the limit holds
however many processes serve the API. (Its incr() reads then writes, so a burst from one
address may pass a few requests over the limit: a brake, not an exact quota.)
`WAYMARK_API_RATE_LIMIT` (requests a minute from one
address; 0 turns the limit off) is read on every request, so tests can change it. The address
is the client's, as waymark.net decides it (behind a proxy, WAYMARK_TRUSTED_PROXIES).
"""

from __future__ import annotations

import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ninja.throttling import BaseThrottle

from waymark.net import client_address

DEFAULT_RATE_LIMIT = 60
WINDOW_SECONDS = 60


def now() -> float:
    return time.time()


def rate_limit() -> int:
    return int(getattr(settings, "WAYMARK_API_RATE_LIMIT", DEFAULT_RATE_LIMIT))


def counter_key(address: str) -> str:
    return f"waymark:api-rate:{address}:{int(now() // WINDOW_SECONDS)}"


class PerAddressRateLimit(BaseThrottle):
    """Stateless between calls (one instance serves every request and thread)."""

    def allow_request(self, request: HttpRequest) -> bool:
        limit = rate_limit()
        if limit <= 0:
            return True
        key = counter_key(client_address(request) or "unknown")
        # Counted first, started only when missing: every request but a window's first is one
        # read and one write (add() first cost a second, failing write transaction each time).
        try:
            count = cache.incr(key)
        except ValueError:  # the window's first request: start it
            if cache.add(key, 1, timeout=WINDOW_SECONDS * 2):
                return True
            count = cache.incr(key)  # another process started it meanwhile
        return count <= limit

    def wait(self) -> float:
        """Seconds until the current window ends (Retry-After)."""
        return float(max(1, math.ceil(WINDOW_SECONDS - now() % WINDOW_SECONDS)))
