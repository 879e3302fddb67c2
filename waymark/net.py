"""The client's address: the one place that decides it (rate limits, sign-in throttles, audit).

Today: REMOTE_ADDR, which is the proxy's address when Waymark runs behind one. The trusted-proxy
setting (issue 15, item 5) extends this function; everything else only calls it.
"""

from __future__ import annotations

import ipaddress

from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    """The client's IP address as text, or None when it is not a valid address."""
    raw = str(request.META.get("REMOTE_ADDR") or "")
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        return None
