"""The client's address (waymark/net.py): REMOTE_ADDR unless WAYMARK_TRUSTED_PROXIES says the
peer is a proxy, and then X-Forwarded-For from the right, never past an untrusted hop. The same
address reaches the API rate limit, the audit trail and django-axes."""

from __future__ import annotations

import ipaddress
import json
from typing import Any

import pytest
from axes.helpers import get_client_ip_address
from django.core.cache import cache
from django.test import Client, RequestFactory
from hypothesis import given
from hypothesis import strategies as st

from waymark import checks, net
from waymark.accounts.models import User
from waymark.api import ratelimit
from waymark.audit import log


def address(remote: str | None, forwarded: str | None = None) -> str | None:
    meta: dict[str, Any] = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return net.client_address(RequestFactory().get("/", **meta))


@pytest.fixture
def trust(settings: Any) -> Any:
    def set_to(value: str) -> None:
        settings.WAYMARK_TRUSTED_PROXIES = value

    return set_to


# --- no proxy trusted (the default) -----------------------------------------------------------


def test_by_default_the_peer_is_the_client_whatever_the_header_says() -> None:
    assert address("203.0.113.5") == "203.0.113.5"
    assert address("203.0.113.5", "198.51.100.1") == "203.0.113.5"
    assert address("2001:db8::5", "198.51.100.1, 10.0.0.1") == "2001:db8::5"


def test_a_spoofed_header_from_a_peer_that_is_not_a_proxy_is_ignored(trust: Any) -> None:
    trust("10.0.0.0/8")
    assert address("203.0.113.5", "198.51.100.1") == "203.0.113.5"
    trust("1")  # a hop count trusts the peer by position: that is what it means
    assert address("203.0.113.5", "198.51.100.1") == "198.51.100.1"


# --- one proxy, then several ------------------------------------------------------------------


def test_behind_one_proxy_the_client_is_the_address_the_proxy_appended(trust: Any) -> None:
    for setting in ("127.0.0.1", "127.0.0.1/32", "127.0.0.1,::1", "1"):
        trust(setting)
        assert address("127.0.0.1", "203.0.113.9") == "203.0.113.9", setting
        # What the client wrote itself stands to the left, and is never reached.
        assert address("127.0.0.1", "6.6.6.6, 203.0.113.9") == "203.0.113.9", setting


def test_several_proxies_by_network(trust: Any) -> None:
    # client 198.51.100.7 -> CDN edge 10.1.1.1 -> load balancer 10.0.0.2 -> Waymark
    trust("10.0.0.0/8")
    assert address("10.0.0.2", "6.6.6.6, 198.51.100.7, 10.1.1.1") == "198.51.100.7"
    trust("10.0.0.2, 10.1.1.0/24")  # spaces are allowed
    assert address("10.0.0.2", "6.6.6.6, 198.51.100.7, 10.1.1.1") == "198.51.100.7"
    trust("10.0.0.2")  # the edge is not trusted: it is the client as far as Waymark knows
    assert address("10.0.0.2", "6.6.6.6, 198.51.100.7, 10.1.1.1") == "10.1.1.1"


def test_several_proxies_by_hop_count(trust: Any) -> None:
    trust("2")
    assert address("192.0.2.1", "6.6.6.6, 198.51.100.7, 192.0.2.50") == "198.51.100.7"
    trust("3")
    assert address("192.0.2.1", "6.6.6.6, 198.51.100.7, 192.0.2.50") == "6.6.6.6"


def test_when_every_hop_is_a_proxy_the_farthest_one_is_the_client(trust: Any) -> None:
    trust("10.0.0.0/8")
    assert address("10.0.0.2") == "10.0.0.2"  # a health check from the proxy itself
    assert address("10.0.0.2", "") == "10.0.0.2"
    assert address("10.0.0.2", "10.0.0.9") == "10.0.0.9"
    trust("2")
    assert address("192.0.2.1") == "192.0.2.1"  # fewer hops than proxies


# --- IPv6 -------------------------------------------------------------------------------------


def test_ipv6_proxies_and_clients(trust: Any) -> None:
    trust("::1,2001:db8:ffff::/48")
    assert address("::1", "2001:db8::7") == "2001:db8::7"
    assert address("2001:db8:ffff::2", "2001:DB8:0::7, 2001:db8:ffff::9") == "2001:db8::7"
    assert address("::1", "[2001:db8::7]:4711") == "2001:db8::7"  # some proxies add the port
    assert address("::1", "[2001:db8::7]") == "2001:db8::7"
    assert address("::1", "192.0.2.7:4711") == "192.0.2.7"
    assert address("::1", "192.0.2.7") == "192.0.2.7"  # a v4 client through a v6 proxy


def test_ipv4_mapped_and_scoped_addresses_are_plain_addresses(trust: Any) -> None:
    trust("127.0.0.1")
    assert address("::ffff:127.0.0.1", "203.0.113.9") == "203.0.113.9"
    assert address("::ffff:203.0.113.5") == "203.0.113.5"
    assert address("fe80::1%eth0") == "fe80::1"


# --- garbage ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "garbage",
    [
        "unknown",
        "_hidden",
        "",
        " ",
        "999.1.1.1",
        "1.2.3.4.5",
        "[::1",
        "[::1]:port",
        ":80",
        "203.0.113.9:99999999",
        "203.0.113.9 203.0.113.8",
        "<script>",
        "x" * 10_000,
    ],
)
def test_an_entry_that_is_not_an_address_ends_the_walk_at_the_proxy_that_passed_it_on(
    trust: Any, garbage: str
) -> None:
    trust("127.0.0.1,10.0.0.0/8")
    assert address("127.0.0.1", garbage) == "127.0.0.1"
    assert address("127.0.0.1", f"198.51.100.7, {garbage}") == "127.0.0.1"
    assert address("127.0.0.1", f"{garbage}, 10.0.0.3") == "10.0.0.3"
    assert address("127.0.0.1", f"{garbage}, 198.51.100.7") == "198.51.100.7"


@pytest.mark.parametrize("remote", [None, "", "not an address", "127.0.0.1:80", "[::1]"])
def test_a_peer_that_is_not_an_address_gives_none(trust: Any, remote: str | None) -> None:
    trust("1")
    assert address(remote, "203.0.113.9") is None


@given(forwarded=st.text(max_size=200))
def test_any_header_from_an_untrusted_peer_gives_the_peer(forwarded: str) -> None:
    from django.test import override_settings

    with override_settings(WAYMARK_TRUSTED_PROXIES="10.0.0.0/8"):
        assert address("203.0.113.5", forwarded) == "203.0.113.5"
        found = address("10.0.0.2", forwarded)
    # From a proxy: never None, never anything but an address.
    assert found is not None
    ipaddress.ip_address(found)


# --- the setting and its check ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "parsed"),
    [("", ()), ("0", 0), ("2", 2), (" 1 ", 1), ("127.0.0.1", ("127.0.0.1/32",))],
)
def test_the_setting_is_a_hop_count_or_networks(text: str, parsed: Any) -> None:
    found = net.parse_trusted_proxies(text)
    assert (found if isinstance(found, int) else tuple(map(str, found))) == parsed


@pytest.mark.parametrize("bad", ["yes", "-1", "1.5", "127.0.0.1;10.0.0.1", "10.0.0.7/8", "*"])
def test_a_malformed_setting_is_an_error_and_trusts_nobody(trust: Any, bad: str) -> None:
    trust(bad)
    (error,) = checks.check_trusted_proxies()
    assert error.id == "waymark.E010"
    assert "WAYMARK_TRUSTED_PROXIES" in error.msg
    assert address("127.0.0.1", "203.0.113.9") == "127.0.0.1"


@pytest.mark.parametrize("good", ["", "1", "127.0.0.1,::1", "10.0.0.0/8, 192.168.0.0/16"])
def test_a_well_formed_setting_passes_the_check(trust: Any, good: str) -> None:
    trust(good)
    assert checks.check_trusted_proxies() == []


# --- everything uses it -----------------------------------------------------------------------


def test_django_axes_asks_waymark_for_the_address(trust: Any) -> None:
    trust("127.0.0.1")
    request = RequestFactory().post(
        "/account/login/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9"
    )
    assert get_client_ip_address(request) == "203.0.113.9"
    assert net.axes_client_ip(object()) is None


@pytest.mark.django_db
def test_the_audit_trail_records_the_client_behind_the_proxy(trust: Any) -> None:
    trust("127.0.0.1")
    person = User.objects.create_user("audited")
    request = RequestFactory().get(
        "/account/data/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9"
    )
    entry = log.record("export.json", actor=person, subject=person, request=request)
    assert entry.address == "203.0.113.9"


@pytest.mark.django_db
def test_the_api_rate_limit_counts_each_client_behind_the_proxy(
    client: Client, settings: Any, trust: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    trust("127.0.0.1")
    settings.WAYMARK_API_RATE_LIMIT = 1
    monkeypatch.setattr(ratelimit, "now", lambda: 6_000_015.0)  # 15 s into a window

    def score(client_address: str) -> int:
        return client.post(
            "/api/v1/score",
            json.dumps({"instrument": "phq-2", "answers": [0, 0]}),
            content_type="application/json",
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=client_address,
        ).status_code

    assert score("203.0.113.9") == 200
    assert score("203.0.113.9") == 429
    assert score("198.51.100.7") == 200  # another client behind the same proxy
    assert cache.get(ratelimit.counter_key("127.0.0.1")) is None
