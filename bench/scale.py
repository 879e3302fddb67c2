"""Benchmarks at scale (issue 14): thousands of people with a year of daily check-ins each.

- A verified clinician's caseload page (`/clinic/`, first page) against hand-written SQL for
  the same first page: people sharing with the clinician, their last check-in and open alerts
  by priority, sorted as the page sorts (urgent, then high, then the longest silence, never
  checked in first, then the alias), 50 rows.
- The program report (`waymark.clinic.report.program_report_for`) against a hand-written SQL
  aggregate of its headline numbers (retention, days abstinent, heavy days in the first and the
  last 28 days), with the peak memory it adds, measured in a process of its own
  (bench/memory.py) so that earlier benchmarks' garbage does not count.
- Writing one check-in through the API (PUT, in process) for a person with 0, 1× and 3× the
  days of history, and the caseload alert evaluation (`waymark.clinic.actions.evaluate`) for the
  same people: each against the person with no history.

Needs the scratch database (bench/database.py); seeds with bench/seed.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import date, timedelta
from functools import partial
from typing import Any

from bench import database, seed
from bench.timing import Result, elapsed_ms, interleaved_within, median_ms
from bench.web import queries, verified_client

PAGE = 50  # the caseload's page size
BUDGET_S = 20  # seconds a slow benchmark may take for its runs (bench/timing.py)
HEAVY = 4  # drinks that make a heavy day when sex is not known (waymark.clinical.drinks)
PERIOD = 28  # the report's window (waymark.clinical.report.PERIOD_DAYS)
MIN_DAYS = 7  # recorded days a window needs (waymark.clinical.report.MIN_DAYS)
# Issue 14's targets: the caseload page within 3× of its query (at 1,000 and 10,000 people),
# the report within 2× of its aggregate at 10,000 people.
CASELOAD_TARGET = 3.0
REPORT_TARGET = 2.0
REPORT_TARGET_PEOPLE = 10_000


def verdict(ms: float, base_ms: float, target: float) -> str:
    met = "met" if base_ms and ms <= target * base_ms else "missed"
    return f"target ≤ {target:g}×: {met}"


CASELOAD_SQL = """
WITH visible AS (
    SELECT DISTINCT c.person_id
    FROM accounts_consent c
    JOIN accounts_consent_clinicians n ON n.consent_id = c.id
    JOIN accounts_membership m ON m.id = n.membership_id
    WHERE m.user_id = %(viewer)s AND m.active AND m.role IN ('clinician', 'lead')
      AND m.organization_id = c.organization_id AND c.person_id <> %(viewer)s
      AND c.revoked_at IS NULL AND c.starts_at <= %(now)s AND c.ends_at > %(now)s
)
SELECT u.id, u.username,
       (SELECT COUNT(*) FROM clinic_alert a WHERE a.person_id = u.id AND a.rank = 3
          AND a.acknowledged_at IS NULL AND a.resolved_at IS NULL) AS urgent,
       (SELECT COUNT(*) FROM clinic_alert a WHERE a.person_id = u.id AND a.rank = 2
          AND a.acknowledged_at IS NULL AND a.resolved_at IS NULL) AS high,
       (SELECT COUNT(*) FROM clinic_alert a WHERE a.person_id = u.id AND a.rank = 1
          AND a.acknowledged_at IS NULL AND a.resolved_at IS NULL) AS normal,
       (SELECT day FROM tracking_checkin c WHERE c.owner_id = u.id
         ORDER BY day DESC LIMIT 1) AS last_day
FROM visible v
JOIN accounts_user u ON u.id = v.person_id AND u.is_active
ORDER BY urgent DESC, high DESC, last_day ASC NULLS FIRST, u.username{collate}
LIMIT %(page)s
"""
# The alias in code-point order, whatever the database's own collation.
COLLATE = {"sqlite": "", "postgresql": ' COLLATE "C"'}

# The 28th day of a person's record, per database.
FIRST_END = {
    "sqlite": "date(f.first_day, '+27 days')",
    "postgresql": "f.first_day + 27",
}

# Reads only the days the report reads: each person's first and last 28 days.
REPORT_SQL = """
WITH people AS (
    SELECT DISTINCT person_id FROM accounts_consent
    WHERE organization_id = %(program)s AND share_checkins AND revoked_at IS NULL
      AND starts_at <= %(now)s AND ends_at > %(now)s
),
firsts AS (
    SELECT p.person_id AS owner_id,
           (SELECT MIN(day) FROM tracking_checkin c
            WHERE c.owner_id = p.person_id AND c.day <= %(today)s) AS first_day
    FROM people p
),
windows AS (
    SELECT c.id, c.owner_id, c.used, 1 AS latest
    FROM people p JOIN tracking_checkin c ON c.owner_id = p.person_id
    WHERE c.day >= %(since)s AND c.day <= %(today)s
    UNION ALL
    SELECT c.id, c.owner_id, c.used, 0 AS latest
    FROM firsts f JOIN tracking_checkin c ON c.owner_id = f.owner_id
    WHERE c.day >= f.first_day AND c.day <= {first_end}
),
days AS MATERIALIZED (
    SELECT w.owner_id, w.latest,
           CASE WHEN w.used THEN (SELECT a.amount FROM tracking_substanceamount a
                                  WHERE a.check_in_id = w.id AND a.substance = 'alcohol')
                ELSE 0 END AS drinks
    FROM windows w
),
each AS (
    SELECT d.owner_id, f.first_day, MAX(d.latest) AS retained,
      SUM(CASE WHEN d.latest = 1 AND d.drinks IS NOT NULL THEN 1 ELSE 0 END) AS latest_days,
      SUM(CASE WHEN d.latest = 1 AND d.drinks = 0 THEN 1 ELSE 0 END) AS latest_dry,
      SUM(CASE WHEN d.latest = 1 AND d.drinks >= %(heavy)s THEN 1 ELSE 0 END) AS latest_heavy,
      SUM(CASE WHEN d.latest = 0 AND d.drinks IS NOT NULL THEN 1 ELSE 0 END) AS first_days,
      SUM(CASE WHEN d.latest = 0 AND d.drinks >= %(heavy)s THEN 1 ELSE 0 END) AS first_heavy
    FROM days d JOIN firsts f ON f.owner_id = d.owner_id
    GROUP BY d.owner_id, f.first_day
),
changed AS (
    SELECT 100.0 * first_heavy / first_days AS before, 100.0 * latest_heavy / latest_days AS after
    FROM each WHERE first_day < %(two_periods)s
      AND first_days >= %(min_days)s AND latest_days >= %(min_days)s
)
SELECT (SELECT COUNT(*) FROM people), (SELECT COALESCE(SUM(retained), 0) FROM each),
       (SELECT AVG(100.0 * latest_dry / latest_days) FROM each
        WHERE latest_days >= %(min_days)s),
       (SELECT AVG(before) FROM changed), (SELECT AVG(after) FROM changed),
       (SELECT AVG(before - after) FROM changed)
"""


def _now() -> Any:
    from django.db import connection
    from django.utils import timezone

    return connection.ops.adapt_datetimefield_value(timezone.now())


def caseload_sql(viewer_id: int) -> list[tuple[Any, ...]]:
    """The first page of the viewer's caseload: (id, alias, urgent, high, normal, last day)."""
    from django.db import connection

    with connection.cursor() as cursor:
        sql = CASELOAD_SQL.format(collate=COLLATE[connection.vendor])
        cursor.execute(sql, {"viewer": viewer_id, "now": _now(), "page": PAGE})
        return list(cursor.fetchall())


def report_sql(program_id: int, today: date) -> tuple[Any, ...]:
    """People, retained, mean % days abstinent (last 28 days), mean % heavy days in the first
    and the last 28 days and their mean difference (people with both): the report's headline
    numbers, unrounded and unsuppressed."""
    from django.db import connection, transaction

    day = connection.ops.adapt_datefield_value
    since = today - timedelta(days=PERIOD - 1)
    sql = REPORT_SQL.format(first_end=FIRST_END[connection.vendor])
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Its cost estimate crosses the JIT thresholds, and compiling would then take
            # longer than the query itself (about 1 s against 0.15 s at 1,000 people).
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(
            sql,
            {
                "program": program_id,
                "now": _now(),
                "today": day(today),
                "since": day(since),
                "two_periods": day(since - timedelta(days=PERIOD - 1)),
                "heavy": HEAVY,
                "min_days": MIN_DAYS,
            },
        )
        row = cursor.fetchone()
    return tuple(float(v) if v is not None else None for v in row)


def report_in_a_process(program_id: int) -> dict[str, float]:
    """One program report in a fresh process (bench/memory.py): the peak memory it adds
    (``peak_added_mb``), its time and its CPU time (``seconds``, ``cpu_seconds``)."""
    finished = subprocess.run(
        [sys.executable, "-m", "bench.memory", str(program_id)],
        env=database.server_environment(),
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    if finished.returncode != 0:
        raise RuntimeError(f"bench.memory failed:\n{finished.stderr[-3000:]}")
    found: dict[str, float] = json.loads(finished.stdout.strip().splitlines()[-1])
    return found


def _caseloads(programs: Sequence[seed.Program], days: int, most: int) -> list[Result]:
    results = []
    for program in programs:
        size = len(program.people)
        client = verified_client(program.clinician)
        response = client.get("/clinic/")
        if response.status_code != 200:
            raise RuntimeError(f"/clinic/ answered {response.status_code}")
        count = queries(client, "/clinic/")
        base = f"scale: caseload SQL, {size} people × {days} days"
        works = (partial(caseload_sql, program.clinician.pk), partial(client.get, "/clinic/"))
        (base_ms, ms), runs = interleaved_within(works, 2 * BUDGET_S, most)
        results.append(Result(base, base_ms, runs))
        results.append(
            Result(
                f"scale: caseload page, {size} people × {days} days",
                ms,
                runs,
                baseline=base,
                note=f"{count} queries; {verdict(ms, base_ms, CASELOAD_TARGET)}",
            )
        )
    return results


def _reports(programs: Sequence[seed.Program], days: int, most: int) -> list[Result]:
    from django.utils import timezone

    from waymark.clinic.report import program_report_for

    results = []
    today = timezone.localdate()
    for program in programs:
        size = len(program.people)
        organization = program.organization
        base = f"scale: report SQL, {size} people × {days} days"
        works = (
            partial(report_sql, organization.pk, today),
            partial(program_report_for, organization),
        )
        (base_ms, ms), runs = interleaved_within(works, 2 * BUDGET_S, most)
        results.append(Result(base, base_ms, runs))
        alone = report_in_a_process(organization.pk)
        note = (
            f"peak memory +{alone['peak_added_mb']:.0f} MB; "
            f"{alone['cpu_seconds']:.1f} s of CPU in a process of its own"
        )
        if size >= REPORT_TARGET_PEOPLE:
            note += f"; {verdict(ms, base_ms, REPORT_TARGET)}"
        results.append(
            Result(
                f"scale: program report, {size} people × {days} days",
                ms,
                runs,
                baseline=base,
                note=note,
            )
        )
    return results


CHECK_IN = {"used": True, "amounts": {"alcohol": 3}, "cravings": 4, "mood": 3}


def _writes(days: int, runs: int) -> list[Result]:
    """One check-in written through the API (today's, replaced each time), and the alert
    evaluation, for a person with 0, ``days`` and 3 × ``days`` days of history who shares
    everything with a clinician (so the evaluation has work to do)."""
    from django.test import Client
    from django.utils import timezone

    from waymark.accounts.models import User
    from waymark.clinic.actions import evaluate

    lengths = (0, days, 3 * days)
    people = {length: seed.people(1, length, seed=length, varied=False)[0] for length in lengths}
    seed.program("Bench writes", list(people.values()))
    client = Client()
    body = json.dumps(CHECK_IN)
    url = f"/api/v1/checkins/{timezone.localdate().isoformat()}"
    results = []
    first_write = "scale: write a check-in (API), 0 days of history"
    first_evaluation = "scale: alert evaluation, 0 days of history"
    for length, person_id in people.items():
        auth = f"Bearer {seed.token(person_id)}"
        put = partial(client.put, url, body, "application/json", HTTP_AUTHORIZATION=auth)
        status = put().status_code
        if status not in (200, 201):
            raise RuntimeError(f"PUT {url} answered {status}")
        results.append(
            Result(
                f"scale: write a check-in (API), {length} days of history",
                median_ms(put, runs),
                runs,
                baseline=None if length == 0 else first_write,
            )
        )
    for length, person_id in people.items():
        person = User.objects.get(pk=person_id)
        results.append(
            Result(
                f"scale: alert evaluation, {length} days of history",
                median_ms(partial(evaluate, person), runs),
                runs,
                baseline=None if length == 0 else first_evaluation,
            )
        )
    return results


def run(sizes: Sequence[int], days: int, quick: bool = False) -> list[Result]:
    """Seed the largest size once; each size is a program whose consents name its first
    ``size`` people."""
    from waymark.tracking.models import CheckIn

    most = 3 if quick else 10
    people: list[int] = []
    before, cpu = CheckIn.objects.count(), time.process_time()
    seeding = elapsed_ms(lambda: people.extend(seed.people(max(sizes), days)))
    cpu = time.process_time() - cpu
    programs = [seed.program(f"Bench {size} people", people[:size]) for size in sorted(sizes)]
    seed.check(people)
    rows = CheckIn.objects.count() - before
    results = [
        Result(
            f"scale: seeding {len(people)} people × {days} days",
            seeding,
            1,
            note=f"{rows:,} check-ins in raw bulk writes; {cpu:.0f} s of this process's CPU",
        )
    ]
    results += _caseloads(programs, days, most)
    results += _reports(programs, days, most)
    results += _writes(days, 5 if quick else 50)
    return results
