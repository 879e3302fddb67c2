"""JSON twins of the access log, the reminder page and the education library."""

from __future__ import annotations

from datetime import time

import pytest
from django.test import Client

from tests.programs import make_consent, make_staff
from waymark.accounts.models import User
from waymark.audit.log import record
from waymark.tracking.models import Reminder

pytestmark = pytest.mark.django_db


def test_the_access_log_says_who_did_what(client: Client) -> None:
    user = User.objects.create_user("ana")
    client.force_login(user)
    staff = make_staff()
    make_consent(user, staff.membership)
    record("view.chart", actor=staff.user, subject=user, detail="chart")
    client.get("/api/v1/export")  # audited as the person's own export
    assert Client().get("/api/v1/access-log").status_code == 401
    page = client.get("/api/v1/access-log?limit=50").json()
    by_action = {item["action"]: item for item in page["items"]}
    assert by_action["export.json"]["actor"] == "you"
    assert by_action["export.json"]["actor_name"] == ""
    seen = by_action["view.chart"]
    assert seen["actor"] == "someone" and seen["actor_name"].startswith("Alex Rivera")
    assert page["items"][0]["at"] >= page["items"][-1]["at"]  # newest first
    others = Client()
    others.force_login(User.objects.create_user("ben"))
    assert others.get("/api/v1/access-log").json()["count"] == 0


def test_the_reminder_twin(client: Client) -> None:
    user = User.objects.create_user("ana")
    client.force_login(user)
    assert client.get("/api/v1/reminder").json() == {"reminder": None}
    Reminder.objects.create(owner=user, time=time(8, 15), time_zone="America/Chicago",
                            weekdays=[5, 6])  # fmt: skip
    expected = {"enabled": True, "time": "08:15:00", "time_zone": "America/Chicago",
                "channel": "email"}  # fmt: skip
    assert client.get("/api/v1/reminder").json()["reminder"] == expected | {"weekdays": [5, 6]}


def test_the_library_twin_shows_pages_with_their_help_lines(client: Client) -> None:
    sections = client.get("/api/v1/learn").json()
    slugs = [p["slug"] for s in sections for p in s["pages"]]
    assert "when-to-seek-treatment" in slugs
    page = client.get("/api/v1/learn/when-to-seek-treatment").json()
    lines = [line for part in page["parts"] for line in part["lines"]]
    assert any(line["href"] == "tel:988" for line in lines)
    assert any(part["html"] for part in page["parts"])
    spanish = client.get("/api/v1/learn/when-to-seek-treatment", HTTP_ACCEPT_LANGUAGE="es")
    assert spanish.json()["language"] in ("es", "en")
    missing = client.get("/api/v1/learn/nope")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not-found"
