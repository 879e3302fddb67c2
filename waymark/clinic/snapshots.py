"""Kept program reports, for programs too large to compute on every visit.

A program with more consenting people than ``WAYMARK_REPORT_LIVE_LIMIT`` shows its latest kept
report (`ReportSnapshot`), dated, and a lead may ask for a new one; `waymark worker` computes
it (job kind ``KIND``) and refreshes each large program's report once a day (tick ``TICK``).
Under the limit the report is computed on each visit, as it always was.

One job row per program (dedupe key ``report-snapshot:<program id>``): asking again while a
computation is queued or running changes nothing, and a finished one is queued again
(`waymark.jobs.enqueue(..., again=True)`).
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from waymark.accounts.models import Consent, Organization
from waymark.clinic.models import ReportSnapshot
from waymark.clinic.report import consenting_count, program_report_for
from waymark.clinical.report import Report, report_as_dict, report_from_dict
from waymark.jobs import enqueue, register, register_tick
from waymark.jobs.models import Job

logger = logging.getLogger(__name__)

KIND = "clinic.report-snapshot"
TICK = "clinic.report-snapshots"
# Hourly, so a large program's report is for today within an hour of midnight; the tick only
# queues a computation when the latest kept report is for an earlier day.
TICK_SECONDS = 3600
# Far above the time a report takes (about 4 s of CPU at 10,000 people, docs/performance.md),
# and short enough that a report whose worker died is taken up again soon ❓ (ours).
LEASE_SECONDS = 10 * 60
KEEP = 30  # kept reports a program, newest first ❓ (ours: a month of daily refreshes)


class Refresh(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    FAILED = "failed"  # the last computation gave up (see the job's error)


@dataclass(frozen=True)
class Shown:
    """What the report page and its API twin show: the report (None while the first one is
    prepared), when it was computed, whether live, and any computation under way."""

    report: Report | None
    computed_at: datetime | None
    live: bool
    refresh: Refresh | None


def is_large(program: Organization) -> bool:
    return consenting_count(program) > settings.WAYMARK_REPORT_LIVE_LIMIT


def report_for(program: Organization) -> Shown:
    """Live under the limit; above it the latest kept report, queueing the first one."""
    if not is_large(program):
        started = timezone.now()
        return Shown(program_report_for(program), started, live=True, refresh=None)
    latest, state = latest_snapshot(program), refresh_state(program)
    if latest is None:
        if state not in (Refresh.QUEUED, Refresh.RUNNING):
            state = request_snapshot(program)
        return Shown(None, None, live=False, refresh=state)
    report, computed_at = latest
    return Shown(report, computed_at, live=False, refresh=state)


def compute_again(program: Organization) -> Refresh | None:
    """A lead's "Compute again": queued for a large program; nothing to do for a live one."""
    return request_snapshot(program) if is_large(program) else None


def latest_snapshot(program: Organization) -> tuple[Report, datetime] | None:
    kept = ReportSnapshot.objects.filter(program=program).values_list("report", "computed_at")
    for report, computed_at in kept[:KEEP]:
        try:
            return report_from_dict(report), computed_at
        except (KeyError, TypeError, ValueError):  # kept by an older version: skip it
            continue
    return None


def _key(program: Organization) -> str:
    return f"report-snapshot:{program.pk}"


def refresh_state(program: Organization) -> Refresh | None:
    job = Job.objects.filter(dedupe_key=_key(program)).first()
    if job is None:
        return None
    if job.done_at is not None:
        return Refresh.FAILED if job.last_error else None
    running = job.claimed_by and job.lease_expires_at and job.lease_expires_at > timezone.now()
    return Refresh.RUNNING if running else Refresh.QUEUED


def request_snapshot(program: Organization) -> Refresh:
    """Queue a computation of the program's report, unless one is queued or running."""
    state = refresh_state(program)
    if state in (Refresh.QUEUED, Refresh.RUNNING):
        return state
    enqueue(KIND, _key(program), payload={"program": program.pk}, again=True)
    return Refresh.QUEUED


def save_snapshot(program: Organization) -> ReportSnapshot:
    """Compute the program's report now and keep it (and only the KEEP latest)."""
    started = timezone.now()
    result = program_report_for(program)
    snapshot = ReportSnapshot.objects.create(
        program=program, computed_at=started, today=result.today, report=report_as_dict(result)
    )
    older = ReportSnapshot.objects.filter(program=program).values_list("pk", flat=True)[KEEP:]
    ReportSnapshot.objects.filter(pk__in=list(older)).delete()
    return snapshot


def _compute(job: Job) -> str:
    program = Organization.objects.filter(pk=job.payload.get("program")).first()
    if program is None:
        return "skipped: no such program"
    save_snapshot(program)
    return "computed"


def large_programs() -> list[Organization]:
    """The programs over the live limit, in one query."""
    sharing = Consent.objects.active().filter(Q(share_checkins=True) | Q(share_checkups=True))
    large = (
        sharing.order_by()
        .values("organization")
        .annotate(people=Count("person", distinct=True))
        .filter(people__gt=settings.WAYMARK_REPORT_LIVE_LIMIT)
        .values_list("organization", flat=True)
    )
    return list(Organization.objects.filter(pk__in=list(large)))


def refresh_large_programs() -> int:
    """The tick: queue a computation for each large program whose latest kept report is not
    for today (a failed one is tried again at the next tick); how many were queued."""
    today = timezone.localdate()
    queued = 0
    for program in large_programs():
        latest = ReportSnapshot.objects.filter(program=program).values_list("today").first()
        if latest is not None and latest[0] >= today:
            continue
        if refresh_state(program) not in (Refresh.QUEUED, Refresh.RUNNING):
            request_snapshot(program)
            queued += 1
    if queued:
        logger.info("queued %d program reports", queued)
    return queued


def register_jobs() -> None:
    register(KIND, _compute, max_attempts=3, lease_seconds=LEASE_SECONDS)
    register_tick(TICK, TICK_SECONDS, refresh_large_programs)
