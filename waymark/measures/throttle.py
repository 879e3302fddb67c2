"""A brake on the link pages, per client address: LIMIT requests in a WINDOW_SECONDS window,
counted in the shared database cache (so it holds across processes), as the API's limit is.

A link cannot be guessed (it is signed), so this is not what keeps links safe: it stops one
address from hammering the pages that need no sign-in. A person answers with two or three
requests; a household behind one address has room to spare. ❓ Ours: 30 in 10 minutes.
"""

from __future__ import annotations

import time

from django.core.cache import cache
from django.http import HttpRequest

from waymark.net import client_address

LIMIT = 30
WINDOW_SECONDS = 600


def _key(request: HttpRequest) -> str:
    window = int(time.time() // WINDOW_SECONDS)
    return f"waymark:measure-link:{client_address(request) or 'unknown'}:{window}"


def too_many(request: HttpRequest) -> bool:
    """Count this request; True when the address is over the limit."""
    key = _key(request)
    if cache.add(key, 1, timeout=WINDOW_SECONDS * 2):
        return False
    try:
        count = cache.incr(key)
    except ValueError:  # the window expired between add() and incr()
        cache.set(key, 1, timeout=WINDOW_SECONDS * 2)
        count = 1
    return count > LIMIT
