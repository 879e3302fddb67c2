"""`/healthz`: open to a monitor, says nothing about anyone, and names what failed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.db import DatabaseError
from django.test import Client
from django.utils import timezone

from waymark.health import HEARTBEAT_TICK
from waymark.jobs.models import Tick
from waymark.jobs.worker import run_due_ticks

pytestmark = pytest.mark.django_db


def _beat(ago: timedelta) -> None:
    now = timezone.now()
    Tick.objects.update_or_create(
        name=HEARTBEAT_TICK, defaults={"next_run_at": now, "last_run_at": now - ago}
    )


def test_healthy_with_a_database_and_a_live_worker(client: Client) -> None:
    _beat(timedelta(seconds=30))
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "worker": "ok"}}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@pytest.mark.parametrize(("ago", "state"), [(None, "never-seen"), (timedelta(minutes=10), "stale")])
def test_a_missing_or_stale_worker_is_named(client: Client, ago: Any, state: str) -> None:
    if ago is not None:
        _beat(ago)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "worker": state}


def test_a_database_that_does_not_answer_is_named(client: Client) -> None:
    with mock.patch("waymark.health._database", return_value="failed"):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "failed", "checks": {"database": "failed", "worker": "unknown"}
    }  # fmt: skip


def test_the_database_check_catches_a_database_error() -> None:
    from django.db import connection

    from waymark import health

    with mock.patch.object(connection, "cursor", side_effect=DatabaseError("down")):
        assert health._database() == "failed"


def test_it_needs_no_sign_in_and_takes_only_get(client: Client) -> None:
    _beat(timedelta(seconds=1))
    assert client.get("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


def test_the_worker_beats_its_heart() -> None:
    run_due_ticks()
    beat = Tick.objects.get(name=HEARTBEAT_TICK)
    assert beat.last_run_at is not None
    assert timezone.now() - beat.last_run_at < timedelta(minutes=1)
