"""The client's address: the one place that decides it (rate limits, sign-in throttles, audit).

Without a trusted proxy (the default) the client is the peer: REMOTE_ADDR. Behind reverse
proxies, `WAYMARK_TRUSTED_PROXIES` says which hops are proxies (docs/configuration.md):

- a whole number N: the nearest N hops are proxies (the peer and the N-1 rightmost entries of
  X-Forwarded-For), for proxies whose addresses change;
- or addresses and networks (CIDR), comma-separated: a hop inside one of them is a proxy.

The hops are the peer, then X-Forwarded-For read from the right: each proxy appends the address
it took the request from. The client is the first hop that is not a proxy. Only what a trusted
proxy wrote is believed: X-Forwarded-For from a peer that is not a proxy is never read, and the
left part of the header, which anyone can write, is never reached past an untrusted hop. An
entry that is not an IP address ends the walk: the client is then the last proxy that passed
it on, never something the client wrote.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from typing import Any

from django.conf import settings
from django.http import HttpRequest

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
# A hop count, or the proxies' networks; 0 and () trust nobody.
TrustedProxies = int | tuple[Network, ...]

# Some proxies write a port after the address: "192.0.2.7:4711", "[2001:db8::7]:4711".
_WITH_PORT = re.compile(r"\[(?P<v6>[0-9A-Fa-f:.]+)\](?::\d{1,5})?|(?P<v4>[0-9.]+):\d{1,5}")


@functools.lru_cache(maxsize=8)
def parse_trusted_proxies(text: str) -> TrustedProxies:
    """The setting's value, or ValueError naming the part that is neither a whole number nor
    an address or network ("" trusts nobody)."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    networks = []
    for part in (part.strip() for part in text.split(",")):
        if not part:
            continue
        try:
            # strict: "10.0.0.7/8" is refused rather than read as 10.0.0.0/8.
            networks.append(ipaddress.ip_network(part, strict=True))
        except ValueError as error:
            raise ValueError(
                f"{part!r} is not an IP address or a network such as 10.0.0.0/8"
            ) from error
    return tuple(networks)


def trusted_proxies() -> TrustedProxies:
    """The configured proxies; a malformed setting (check waymark.E010) trusts nobody."""
    try:
        return parse_trusted_proxies(str(getattr(settings, "WAYMARK_TRUSTED_PROXIES", "")))
    except ValueError:
        return 0


def _address(text: str, *, port_allowed: bool = False) -> Address | None:
    text = text.strip()
    if port_allowed and (found := _WITH_PORT.fullmatch(text)):
        text = found["v6"] or found["v4"]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped:  # a dual-stack socket's ::ffff:192.0.2.7 is 192.0.2.7
            return address.ipv4_mapped
        if address.scope_id:  # fe80::1%eth0: the zone means nothing off this machine
            return ipaddress.IPv6Address(text.partition("%")[0])
    return address


def _is_proxy(hop: Address, position: int, trusted: TrustedProxies) -> bool:
    if isinstance(trusted, int):
        return position < trusted
    return any(hop in network for network in trusted)


def client_address(request: HttpRequest) -> str | None:
    """The client's IP address as text, or None when the peer's address is not valid."""
    peer = _address(str(request.META.get("REMOTE_ADDR") or ""))
    trusted = trusted_proxies()
    if peer is None or not _is_proxy(peer, 0, trusted):
        return str(peer) if peer else None
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR") or "").split(",")
    client = peer
    for position, text in enumerate(reversed(forwarded), start=1):
        hop = _address(text, port_allowed=True)
        if hop is None:
            break
        client = hop
        if not _is_proxy(hop, position, trusted):
            break
    # Every hop a proxy: the farthest one made the request itself (a health check, say).
    return str(client)


def axes_client_ip(request: Any) -> str | None:
    """For django-axes (settings.AXES_CLIENT_IP_CALLABLE), which passes whatever request it
    holds: sign-in throttling counts the same client as everything else."""
    return client_address(request) if hasattr(request, "META") else None
