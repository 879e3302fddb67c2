"""The API under a fuzzer: schemathesis sends every operation in the OpenAPI document requests
drawn from its schemas (and deliberately broken ones). Whatever it sends, Waymark answers
below 500, and every 4xx is the one error shape (CONTRACTS.md §6)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, given, settings

from tests.interop.people import rich_person
from waymark.api import tokens
from waymark.interop.models import ApiToken


@pytest.fixture
def api_schema(bearer: dict[str, str], settings: Any) -> Iterator[Any]:
    settings.WAYMARK_API_RATE_LIMIT = 0
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    # Requests go straight through the WSGI app, inside the test's transaction: keep Django from
    # closing the connection at the end of each one, as its own test client does (after the
    # `bearer` fixture, whose test client puts the handler back when it is done).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(db: None) -> dict[str, str]:
    """A person with check-ups, a plan and check-ins, and a read-write token of theirs."""
    person = rich_person(Client())
    secret = tokens.PREFIX + secrets.token_urlsafe(32)
    ApiToken.objects.create(
        owner=person,
        name="fuzz",
        prefix=secret[: tokens.SHOWN_PREFIX],
        digest=tokens.digest(secret),
        scope=ApiToken.Scope.READ_WRITE,
    )
    return {"Authorization": f"Bearer {secret}"}


def _check(case: Any, headers: dict[str, str]) -> None:
    response = case.call(headers=headers)
    where = f"{case.method} {case.formatted_path}"
    assert response.status_code < 500, (where, response.text[:300])
    if 400 <= response.status_code < 500 and response.headers.get("Content-Type", "").startswith(
        "application/json"
    ):
        error = response.json()["error"]
        assert set(error) == {"code", "message", "fields"}, (where, error)


def test_no_request_gets_a_server_error(api_schema: Any, bearer: dict[str, str]) -> None:
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 30  # the whole document, not a corner of it
    for operation in operations:
        # Fixed seeds: the same requests every run, so a failure can be replayed.
        @given(case=operation.as_strategy())
        @settings(
            max_examples=12,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: Any) -> None:
            _check(case, bearer)

        check()
