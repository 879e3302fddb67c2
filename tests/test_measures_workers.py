"""Exactly once across processes: two processes run the measures tick at the same moment, then
two `waymark worker` processes send the emails, and each person gets one email for their one
due measure — no more, no fewer. Real processes on a database of their own (SQLite file, or
the PostgreSQL test database), as tests/test_jobs.py does for reminders."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.test_jobs import ROOT, WAYMARK, env, sent_to, sqlite_data, waymark  # noqa: F401

COUNT = 20

SEED = """
import zoneinfo
from datetime import datetime, UTC
from waymark.accounts.models import Membership, Organization, Role, User
from waymark.accounts.actions import do_grant_consent
from waymark.measures import actions
from waymark.tracking.models import Reminder
from datetime import timedelta
from django.utils import timezone

now = datetime.now(UTC)
# A zone where it is before 20:00 now, so that a measure due today goes out at once (the send
# hour is 0 in these tests).
zone = next(z for z in ("UTC", "Asia/Tokyo", "America/Los_Angeles", "Pacific/Kiritimati")
            if now.astimezone(zoneinfo.ZoneInfo(z)).hour < 20)
program = Organization.objects.create(name="Workers program")
lead = User.objects.create_user("lead")
membership = Membership.objects.create(user=lead, organization=program, role=Role.LEAD)
actions.do_set_program_schedule(program, {{"phq-9": 14}}, lead)
for n in range({count}):
    person = User.objects.create_user(f"person-{{n}}", email=f"person-{{n}}@example.org")
    Reminder.objects.create(owner=person, time="09:00", time_zone=zone, weekdays=[0],
                            enabled=False, email_confirmed=person.email)
    do_grant_consent(person, organization=program, clinicians=[membership],
                     scopes=["checkups"], ends_at=timezone.now() + timedelta(days=30))
"""

TICK = """
from waymark.measures.sending import make_due_requests
print("made", make_due_requests())
"""

REPORT = """
import json
from waymark.jobs.models import Job
from waymark.measures.models import MeasureRequest
jobs = Job.objects.filter(kind="measures.email")
print(json.dumps({
    "requests": MeasureRequest.objects.count(),
    "sent": MeasureRequest.objects.filter(sent_at__isnull=False).count(),
    "jobs": sorted([j.outcome, j.done_at is not None, j.attempts] for j in jobs),
}))
"""


def together(env: dict[str, str], *argv: list[str]) -> list[str]:  # noqa: F811
    processes = [
        subprocess.Popen(
            [*WAYMARK, *args],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for args in argv
    ]
    outputs = [process.communicate(timeout=300) for process in processes]
    assert [p.returncode for p in processes] == [0] * len(processes), outputs
    return [out for out, _err in outputs]


@pytest.mark.django_db(transaction=True)
def test_two_processes_make_and_send_each_measure_exactly_once(
    env: dict[str, str],  # noqa: F811
    tmp_path: Path,
) -> None:
    env = {**env, "WAYMARK_MEASURE_SEND_HOUR": "0"}
    waymark(env, "shell", "-c", SEED.format(count=COUNT))
    ticks = together(env, ["shell", "-c", TICK], ["shell", "-c", TICK])
    made = [int(out.split("made")[1].split()[0]) for out in ticks]
    assert sum(made) == COUNT  # between them, each request made by one process only
    together(env, ["worker", "--once"], ["worker", "--once"])
    together(env, ["worker", "--once"], ["worker", "--once"])  # nothing left to send
    recipients = sent_to(tmp_path / "mail")
    assert sorted(recipients) == sorted(f"person-{n}@example.org" for n in range(COUNT))
    report = json.loads(waymark(env, "shell", "-c", REPORT).splitlines()[-1])
    assert report["requests"] == COUNT and report["sent"] == COUNT
    assert report["jobs"] == [["sent", True, 1]] * COUNT
