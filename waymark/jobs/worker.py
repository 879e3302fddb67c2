"""The worker loop: claim due jobs and due ticks from the database, run them, repeat.

Claiming is safe across processes and machines, on SQLite and PostgreSQL alike:

1. Find a due job. On PostgreSQL the candidate is read with ``SELECT … FOR UPDATE SKIP LOCKED``
   inside the claiming transaction, so workers pass over each other's rows instead of queueing
   on them. SQLite has no row locks: there the transaction takes the database's write lock
   (``transaction_mode`` IMMEDIATE in the settings), so claims are taken one at a time.
2. Claim it with one conditional UPDATE (``WHERE pk = … AND (claimed_by IS NULL OR lease
   expired) AND done_at IS NULL``). Exactly one worker's UPDATE changes the row; any other gets
   0 rows and moves on. Nothing here assumes a single process.

Which jobs may run twice, and which never do, is decided per kind (`registry`). A job asked
to run again while it runs (``Job.rerun``, `registry.requeue`) is queued again as it finishes,
in the same UPDATE that would have marked it done.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.db import DatabaseError, close_old_connections, connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from waymark.jobs.models import Job, Tick, where
from waymark.jobs.registry import KINDS, TICKS, Kind, Retry
from waymark.logs import private_error

logger = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=1)
MAX_ERROR = 2000  # characters of an error kept on the row
# Finished jobs are kept this long, for people running Waymark to look into, then deleted.
KEEP_DONE = timedelta(days=30)


def default_worker_id() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def backoff(attempts: int) -> timedelta:
    """1 minute after the first failure, then 2, 4, … up to an hour."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def _claimable(now: datetime) -> Q:
    return Q(done_at=None, run_at__lte=now) & (Q(claimed_by=None) | Q(lease_expires_at__lt=now))


def try_claim(pk: int, kind: Kind, worker_id: str, now: datetime) -> bool:
    """The claim itself: one conditional UPDATE that changes the row for exactly one worker.
    False when another worker claimed (or finished) it first."""
    return (
        Job.objects.filter(_claimable(now), pk=pk).update(
            claimed_by=worker_id,
            claimed_at=now,
            lease_expires_at=now + kind.lease,
            attempts=F("attempts") + 1,
            # At most once: done in the same step that claims it, before it runs.
            done_at=now if kind.at_most_once else None,
        )
        == 1
    )


def claim_next(worker_id: str, now: datetime | None = None) -> Job | None:
    """Claim the next due job of a kind this process knows, or None when there is none."""
    now = now or timezone.now()
    due = Job.objects.filter(_claimable(now), kind__in=list(KINDS)).order_by("run_at", "pk")
    if not due.exists():  # a plain read first: no write lock taken when nothing is due
        return None
    if connection.features.has_select_for_update_skip_locked:
        due = due.select_for_update(skip_locked=True)
    while True:
        with transaction.atomic():
            candidate = due.values_list("pk", "kind").first()
            if candidate is None:
                return None
            pk, kind_name = candidate
            if try_claim(pk, KINDS[kind_name], worker_id, now):
                return Job.objects.get(pk=pk)
        # Another worker claimed it between our read and our UPDATE: try the next one.


def _short(error: BaseException) -> str:
    """The error as the job's row keeps it: a database error without its message, which can
    quote a row's values (`private_error`)."""
    return private_error(error)[:MAX_ERROR]


def run_job(job: Job, worker_id: str) -> bool:
    """Run a claimed job; True when it finished without error."""
    kind: Kind = KINDS[job.kind]
    mine = Job.objects.filter(pk=job.pk, claimed_by=worker_id)
    try:
        outcome = (kind.handler(job) or "")[:200]
    except Retry as error:
        _failed(mine, job, kind, error, retry=True)
        return False
    except Exception as error:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        _failed(mine, job, kind, error, retry=not kind.at_most_once)
        return False
    logger.info("job %s (%s): %s", job.pk, job.kind, outcome or "done")
    if kind.at_most_once:
        mine.update(outcome=outcome, last_error="")
    elif not mine.update(**finished(timezone.now()), outcome=outcome, last_error=""):
        logger.warning("job %s (%s) finished after its lease was lost", job.pk, job.kind)
    return True


def finished(now: datetime) -> dict[str, Any]:
    """The UPDATE that ends a run: done, unless the job was asked to run again meanwhile
    (``rerun``); then it waits again from ``now``, with fresh attempts, for any worker."""
    again = Q(rerun=True)
    return {
        "done_at": where(~again, now, "done_at"),  # to run again: left NULL, as it is now
        "run_at": where(again, now, "run_at"),
        "claimed_by": where(again, None, "claimed_by"),
        "claimed_at": where(again, None, "claimed_at"),
        "lease_expires_at": where(again, None, "lease_expires_at"),
        "attempts": where(again, 0, "attempts"),
        "rerun": False,
    }


def _failed(
    mine: QuerySet[Job], job: Job, kind: Kind, error: BaseException, *, retry: bool
) -> None:
    now = timezone.now()
    if retry and job.attempts < kind.max_attempts:
        mine.update(
            claimed_by=None,
            claimed_at=None,
            lease_expires_at=None,
            done_at=None,
            run_at=now + backoff(job.attempts),
            last_error=_short(error),
            rerun=False,  # the retry reads the data afresh
        )
    else:
        mine.update(**{**finished(now), "lease_expires_at": None}, last_error=_short(error))


def purge_old_jobs(now: datetime | None = None) -> int:
    """The jobs tick: forget jobs finished more than KEEP_DONE ago; how many went."""
    cutoff = (now or timezone.now()) - KEEP_DONE
    deleted, _ = Job.objects.filter(done_at__lt=cutoff).delete()
    return deleted


def run_due_ticks(now: datetime | None = None) -> int:
    """Run the ticks that are due and that no other worker took first; how many ran."""
    now = now or timezone.now()
    if not TICKS:
        return 0
    known = set(Tick.objects.filter(name__in=list(TICKS)).values_list("name", flat=True))
    if missing := [name for name in TICKS if name not in known]:
        Tick.objects.bulk_create(
            [Tick(name=name, next_run_at=now) for name in missing], ignore_conflicts=True
        )
    due = set(
        Tick.objects.filter(name__in=list(TICKS), next_run_at__lte=now).values_list(
            "name", flat=True
        )
    )
    ran = 0
    for tick in [t for t in TICKS.values() if t.name in due]:
        won = Tick.objects.filter(name=tick.name, next_run_at__lte=now).update(
            next_run_at=now + tick.every, last_run_at=now
        )
        if not won:
            continue
        ran += 1
        try:
            tick.run()
        except Exception as error:
            logger.exception("tick %s failed", tick.name)
            Tick.objects.filter(name=tick.name).update(last_error=_short(error))
        else:
            Tick.objects.filter(name=tick.name).exclude(last_error="").update(last_error="")
    return ran


class Worker:
    """One worker process's loop. ``stop()`` (from a signal handler) lets the job in hand
    finish, then the loop returns."""

    def __init__(self, worker_id: str | None = None) -> None:
        self.id = worker_id or default_worker_id()
        self.stopping = threading.Event()

    def stop(self) -> None:
        self.stopping.set()

    def run_once(self, now: datetime | None = None) -> int:
        """Run the due ticks, then every due job (until there is none, or stop() is called);
        how many jobs ran. ``now`` is for tests: it fixes what "due" means."""
        run_due_ticks(now)
        count = 0
        while not self.stopping.is_set():
            job = claim_next(self.id, now)
            if job is None:
                break
            run_job(job, self.id)
            count += 1
        return count

    def run_forever(self, poll_seconds: float) -> None:
        while not self.stopping.is_set():
            close_old_connections()  # a restarted database, or CONN_MAX_AGE passed
            try:
                worked = self.run_once()
            except DatabaseError:
                logger.exception("worker %s: database error; trying again", self.id)
                worked = 0
            if not worked:
                self.stopping.wait(poll_seconds)
