"""Waymark's JSON API under /api/v1/ (CONTRACTS.md §6): one error shape, an OpenAPI
document at /api/v1/openapi.json, a JSON twin for every page that shows data."""

from __future__ import annotations

from waymark.api import (
    account,
    checkups,
    clinic,
    consents,
    data,
    examples,
    instruments,
    measures,
    plans,
    recommend,
    tracking,
)
from waymark.api.body import StrictJSONParser
from waymark.api.errors import install
from waymark.api.ratelimit import PerAddressRateLimit
from waymark.api.routing import WaymarkAPI

api = WaymarkAPI(
    title="Waymark API",
    version="1",
    description=(
        "Recovery-path decision support. Every error is "
        '`{"error": {"code", "message", "fields"}}`. Rate-limited per address.'
    ),
    urls_namespace="api",
    docs_url=None,
    openapi_url="/openapi.json",
    parser=StrictJSONParser(),
    throttle=PerAddressRateLimit(),
)
install(api)
for area in (
    recommend,
    instruments,
    examples,
    checkups,
    plans,
    tracking,
    clinic,
    data,
    consents,
    account,
    measures,
):
    api.add_router("", area.router)
