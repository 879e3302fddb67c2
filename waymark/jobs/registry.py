"""What the worker knows how to do: job kinds and periodic ticks, registered by each area.

Delivery is chosen per kind, explicitly:

- **at most once** (``at_most_once=True``, e.g. reminder emails): the job is marked done in the
  very UPDATE that claims it, before the handler runs. A worker that dies mid-job, or a handler
  that fails, leaves the job done and unsent: a missed reminder, never a second one. A handler
  that knows nothing went out yet (the mail server refused the connection) raises ``Retry``,
  and the job is queued again.
- **at least once** (the default, for idempotent work such as re-evaluating alerts): the job is
  marked done after the handler returns. A failure is retried with a growing delay up to
  ``max_attempts``; a worker that dies leaves a claim whose lease expires, and another worker
  runs the job again. Such a job can be asked to run again after each change to what it reads
  (``enqueue(..., again=True)``, `requeue`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from waymark import rows

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper

    from waymark.jobs.models import Job

# A handler gets its claimed job and may return a short outcome to keep on the row ("sent",
# "skipped: already checked in"): never clinical detail.
Handler = Callable[["Job"], str | None]


class Retry(Exception):  # noqa: N818 (it is an instruction, not an error)
    """Raised by a handler that knows its work did not happen: run the job again later,
    even for an at-most-once kind."""


@dataclass(frozen=True)
class Kind:
    name: str
    handler: Handler
    at_most_once: bool
    max_attempts: int
    lease: timedelta


@dataclass(frozen=True)
class PeriodicTick:
    name: str
    every: timedelta
    run: Callable[[], object]


KINDS: dict[str, Kind] = {}
TICKS: dict[str, PeriodicTick] = {}


def register(
    kind: str,
    handler: Handler,
    *,
    at_most_once: bool = False,
    max_attempts: int = 5,
    lease_seconds: int = 300,
) -> None:
    """Teach the worker a job kind. ``lease_seconds`` must be longer than the handler takes:
    after it, another worker may claim the job again."""
    if not 0 < len(kind) <= 64:
        raise ValueError("a job kind is 1 to 64 characters")
    KINDS[kind] = Kind(kind, handler, at_most_once, max_attempts, timedelta(seconds=lease_seconds))


def register_tick(name: str, every_seconds: float, run: Callable[[], object]) -> None:
    """Run ``run()`` about every ``every_seconds``, in one worker at a time across all
    machines. A tick that fails runs again at its next turn, so it must be safe to repeat
    (queue jobs with ``enqueue``, whose dedupe key makes repeats harmless)."""
    if every_seconds <= 0:
        raise ValueError("every_seconds must be above 0")
    if not 0 < len(name) <= 64:
        raise ValueError("a tick name is 1 to 64 characters")
    TICKS[name] = PeriodicTick(name, timedelta(seconds=every_seconds), run)


def _known(kind: str) -> Kind:
    if kind not in KINDS:
        raise ValueError(f"unknown job kind {kind!r}: register() it first")
    return KINDS[kind]


def enqueue(
    kind: str,
    dedupe_key: str,
    *,
    run_at: datetime | None = None,
    payload: Mapping[str, Any] | None = None,
    again: bool = False,
) -> bool:
    """Queue one job; False when a job with this dedupe key exists already (done or not).
    With ``again``, the job runs (once more) after the caller's transaction commits, whatever
    state it is in (`requeue`), and the answer is True. The payload is stored in plain text:
    ids and dates only, never clinical detail."""
    from waymark.jobs.models import Job

    if again:
        requeue(kind, {dedupe_key: payload or {}}, run_at=run_at)
        return True
    _known(kind)
    if Job.objects.filter(dedupe_key=dedupe_key).exists():
        return False
    try:
        with transaction.atomic():  # a savepoint: another process may queue it first
            Job.objects.create(
                kind=kind,
                dedupe_key=dedupe_key,
                run_at=run_at or timezone.now(),
                payload=dict(payload or {}),
            )
    except IntegrityError:
        return False
    return True


def _again_allowed(kind: str) -> None:
    """Only a known at-least-once kind may be queued again: one that runs at most once never
    runs twice."""
    if _known(kind).at_most_once:
        raise ValueError(f"{kind!r} runs at most once: it cannot be queued again")


def requeue(
    kind: str, payloads: Mapping[str, Mapping[str, Any]], *, run_at: datetime | None = None
) -> None:
    """Make each job (dedupe key: payload) run once more after the caller's transaction
    commits: for work that reads data the caller has just changed (a person's alerts after a
    check-in). By the job's state:

    - none yet: queued;
    - waiting (unclaimed, or its claim expired): left as it is, since it has read nothing yet;
    - done: waiting again, from ``run_at`` (now), with its attempts back to 0;
    - running: marked ``rerun``, and the worker queues it again as it finishes, since the run
      in hand may have read the data before this change.

    One UPDATE when every job exists already, else an INSERT of the missing ones and the UPDATE
    again (for a job another transaction queued meanwhile). The UPDATE locks the rows until the
    caller commits, so no worker claims a waiting job and reads the data before the change is
    visible (PostgreSQL's SKIP LOCKED passes the row over; SQLite has one writer at a time).
    A job keeps the payload it was first queued with. Only for at-least-once kinds: one that
    runs at most once is never run again."""
    from waymark.jobs.models import Job

    _again_allowed(kind)
    now = timezone.now()
    start = run_at or now
    keys = list(payloads)
    if _again(keys, start, now) == len(keys):
        return
    Job.objects.bulk_create(
        [
            Job(kind=kind, dedupe_key=key, run_at=start, payload=dict(payload))
            for key, payload in payloads.items()
        ],
        ignore_conflicts=True,
    )
    _again(keys, start, now)


Statement = tuple[str, list[Any]]


def requeue_statements(
    kind: str, payloads: Mapping[str, Mapping[str, Any]], *, only_if: str
) -> list[Statement]:
    """`requeue`'s work as statements for a caller that sends them with its own in one round
    trip (PostgreSQL runs several statements sent together as one transaction), applied only
    where the SQL condition ``only_if`` holds when they run (it may read what the caller's
    earlier statements did). ``only_if`` is a constant of the caller's code, never built from
    data, and holds no ``%`` (the text is kept per connection and its parameters are bound by
    psycopg). One upsert a job: a missing job is inserted, waiting; an existing one is changed
    by `_again`'s very expressions. The jobs end as `requeue` leaves them (a job's id is drawn
    even when it exists: ids are 64-bit), with one difference on the safe side: "now" is taken
    as the statements are made, so a claim whose lease ran out while the caller's statements
    waited for a lock still counts as running, and its job runs once more."""
    from waymark.jobs.models import Job

    _again_allowed(kind)
    db = rows.database()
    now = timezone.now()
    adapt = db.ops.adapt_datetimefield_value
    fields = [f for f in Job._meta.concrete_fields if not f.primary_key]
    sql = rows.once(db, (_upsert_sql, only_if), lambda: _upsert_sql(db, only_if))
    statements: list[Statement] = []
    for key, payload in payloads.items():
        job = Job(kind=kind, dedupe_key=key, run_at=now, payload=dict(payload))
        values = [f.get_db_prep_save(f.pre_save(job, add=True), db) for f in fields]
        statements.append((sql, [*values, adapt(now), adapt(now), True]))
    return statements


def _upsert_sql(db: BaseDatabaseWrapper, only_if: str) -> str:
    """`requeue_statements`' upsert: one job's values, then `_again_sets`' three."""
    from waymark.jobs.models import Job

    table = db.ops.quote_name(Job._meta.db_table)
    fields = [f for f in Job._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(db.ops.quote_name(str(f.column)) for f in fields)
    key = db.ops.quote_name(str(Job._meta.get_field("dedupe_key").column))
    return (
        f"INSERT INTO {table} ({columns}) "
        f"SELECT {', '.join(['%s'] * len(fields))} WHERE {only_if} "
        f"ON CONFLICT ({key}) DO UPDATE SET {_again_sets(table)}"
    )


def _again(keys: list[str], run_at: datetime, now: datetime) -> int:
    """The UPDATE of `requeue` for the jobs with these dedupe keys; how many of them exist.

    Written as SQL once, not built by the ORM on each call: it runs inside every check-in
    write, where composing its eight CASE expressions cost more than the rest of the write.
    Every expression reads the row as it was before the UPDATE (SQL's rule, on SQLite and
    PostgreSQL alike), so the conditions on ``done_at`` see the old value."""
    db = rows.database()
    adapt = db.ops.adapt_datetimefield_value
    with db.cursor() as cursor:
        sql = rows.once(db, (_again_sql, len(keys)), lambda: _again_sql(db, len(keys)))
        cursor.execute(sql, [adapt(run_at), adapt(now), True, *keys])
        return int(cursor.rowcount)


def _again_sql(db: BaseDatabaseWrapper, count: int) -> str:
    """The text of `_again`'s UPDATE for ``count`` dedupe keys."""
    from waymark.jobs.models import Job

    table = db.ops.quote_name(Job._meta.db_table)
    return (
        f"UPDATE {table} SET {_again_sets(table)} "  # noqa: S608 (names from the model)
        f"WHERE dedupe_key IN ({', '.join(['%s'] * count)})"
    )


def _again_sets(table: str) -> str:
    """What queueing a job again changes, by its state (`requeue`), read from the row as it
    was (``table``'s); three parameters: the new run_at, now, True."""
    done = f"{table}.done_at IS NOT NULL"
    running = (
        f"{table}.done_at IS NULL AND {table}.claimed_by IS NOT NULL "
        f"AND {table}.lease_expires_at >= %s"
    )
    return (
        f"run_at = CASE WHEN {done} THEN %s ELSE {table}.run_at END, "
        f"claimed_by = CASE WHEN {done} THEN NULL ELSE {table}.claimed_by END, "
        f"claimed_at = CASE WHEN {done} THEN NULL ELSE {table}.claimed_at END, "
        f"lease_expires_at = CASE WHEN {done} THEN NULL ELSE {table}.lease_expires_at END, "
        f"attempts = CASE WHEN {done} THEN 0 ELSE {table}.attempts END, "
        f"last_error = CASE WHEN {done} THEN '' ELSE {table}.last_error END, "
        f"rerun = CASE WHEN {running} THEN %s ELSE {table}.rerun END, "
        f"done_at = NULL"
    )
