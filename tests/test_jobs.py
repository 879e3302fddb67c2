"""Background jobs and `waymark worker`: claimed once across processes, leases that expire
are claimed again, at-most-once kinds never run twice, ticks run once per turn, a job queued
again after a change runs once more (after its run in hand, never beside it), and the command
stops cleanly on SIGTERM.

The process tests run real `waymark worker` processes against a database of their own: a
SQLite file made for the module, or — when DATABASE_URL points at PostgreSQL — the test
database itself, so the same tests cover SKIP LOCKED there.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from waymark.jobs import Retry, enqueue, register, register_tick, requeue, requeue_statements
from waymark.jobs.models import Job, Tick
from waymark.jobs.registry import KINDS, TICKS
from waymark.jobs.worker import (
    Worker,
    backoff,
    claim_next,
    purge_old_jobs,
    run_due_ticks,
    run_job,
    try_claim,
)

ROOT = Path(__file__).resolve().parent.parent
WAYMARK = [sys.executable, "-m", "waymark"]

ran: list[tuple[str, Any]] = []
_registered_ticks = set(TICKS)  # before any fixture clears them


@pytest.fixture(autouse=True)
def _test_kinds() -> Iterator[None]:
    """Job kinds and ticks of these tests only; the real ones stay registered."""
    kinds, ticks = dict(KINDS), dict(TICKS)
    TICKS.clear()  # the real ticks (reminders) are tested in tests/test_reminders.py
    ran.clear()

    def remember(job: Job) -> str:
        ran.append((job.kind, job.payload))
        return "remembered"

    def fail(job: Job) -> None:
        ran.append((job.kind, job.payload))
        raise RuntimeError("it broke")

    def not_yet(job: Job) -> None:
        ran.append((job.kind, job.payload))
        raise Retry("the server said: later")

    def seen_done(job: Job) -> str:
        # At most once: by the time the handler runs, the row already says done.
        done = Job.objects.get(pk=job.pk).done_at is not None
        ran.append((job.kind, done))
        return "ok"

    register("test.once", seen_done, at_most_once=True)
    register("test.once-fails", fail, at_most_once=True)
    register("test.once-retry", not_yet, at_most_once=True, max_attempts=2)
    register("test.least", remember, lease_seconds=60)
    register("test.least-fails", fail, max_attempts=2)
    yield
    KINDS.clear()
    KINDS.update(kinds)
    TICKS.clear()
    TICKS.update(ticks)


# --- in one process ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_same_dedupe_key_is_queued_once() -> None:
    assert enqueue("test.least", "k1", payload={"n": 1})
    assert not enqueue("test.least", "k1", payload={"n": 2})
    assert Job.objects.get().payload == {"n": 1}
    with pytest.raises(ValueError, match="unknown job kind"):
        enqueue("nobody.knows", "k2")


@pytest.mark.django_db
def test_due_jobs_run_and_future_ones_wait() -> None:
    now = timezone.now()
    enqueue("test.least", "due", run_at=now - timedelta(seconds=1), payload={"n": "due"})
    enqueue("test.least", "later", run_at=now + timedelta(hours=1), payload={"n": "later"})
    assert Worker("w1").run_once(now) == 1
    assert ran == [("test.least", {"n": "due"})]
    done = Job.objects.get(dedupe_key="due")
    assert done.done_at is not None and done.attempts == 1 and done.outcome == "remembered"
    assert Job.objects.get(dedupe_key="later").done_at is None
    assert Worker("w1").run_once(now) == 0  # nothing runs twice


@pytest.mark.django_db
def test_a_job_claimed_by_one_worker_cannot_be_claimed_by_another() -> None:
    now = timezone.now()
    enqueue("test.least", "one", run_at=now)
    job = Job.objects.get()
    kind = KINDS["test.least"]
    # Both workers saw the row as due; their conditional UPDATEs race, and one wins.
    assert try_claim(job.pk, kind, "worker-b", now)
    assert not try_claim(job.pk, kind, "worker-a", now)
    assert claim_next("worker-a", now) is None
    assert Job.objects.get().claimed_by == "worker-b"


@pytest.mark.django_db
def test_an_expired_lease_is_claimed_again_after_a_restart() -> None:
    now = timezone.now()
    enqueue("test.least", "held", run_at=now - timedelta(minutes=10))
    # A worker claimed it, then died (or was restarted) before finishing.
    crashed = claim_next("crashed-worker", now - timedelta(minutes=5))
    assert crashed is not None and crashed.lease_expires_at is not None
    assert ran == []
    # While the lease holds, nobody else takes it ...
    assert Worker("w2").run_once(crashed.lease_expires_at - timedelta(seconds=1)) == 0
    # ... and once it has expired, the next worker does.
    assert Worker("w2").run_once(now) == 1
    job = Job.objects.get()
    assert ran == [("test.least", {})]
    assert job.done_at is not None and job.claimed_by == "w2" and job.attempts == 2


@pytest.mark.django_db
def test_an_at_most_once_job_is_done_before_it_runs_and_never_runs_again() -> None:
    now = timezone.now()
    enqueue("test.once", "a", run_at=now)
    enqueue("test.once-fails", "b", run_at=now)
    assert Worker("w").run_once(now) == 2
    assert ran[0] == ("test.once", True)
    failed = Job.objects.get(dedupe_key="b")
    assert failed.done_at is not None and "it broke" in failed.last_error and failed.failed
    # Even once any lease would have expired, neither is claimed again.
    assert Worker("w").run_once(now + timedelta(days=1)) == 0
    assert len(ran) == 2


@pytest.mark.django_db
def test_a_crash_during_an_at_most_once_job_means_it_is_missed_not_repeated() -> None:
    now = timezone.now()
    enqueue("test.once", "crash", run_at=now)
    assert claim_next("crashed-worker", now) is not None  # claimed, then the worker died
    assert Worker("w").run_once(now + timedelta(days=1)) == 0
    assert ran == []


@pytest.mark.django_db
def test_retry_queues_an_at_most_once_job_again_up_to_its_attempts() -> None:
    now = timezone.now()
    enqueue("test.once-retry", "r", run_at=now)
    Worker("w").run_once(now)
    job = Job.objects.get()
    assert job.done_at is None and job.claimed_by is None and job.run_at >= now + backoff(1)
    assert "later" in job.last_error
    assert Worker("w").run_once(now) == 0  # not before its new time
    Worker("w").run_once(job.run_at)
    job.refresh_from_db()
    assert job.attempts == 2 and job.done_at is not None  # max_attempts reached: given up
    assert len(ran) == 2


@pytest.mark.django_db
def test_a_failing_at_least_once_job_is_retried_then_given_up() -> None:
    now = timezone.now()
    enqueue("test.least-fails", "f", run_at=now)
    Worker("w").run_once(now)
    job = Job.objects.get()
    assert job.done_at is None and job.attempts == 1 and "RuntimeError" in job.last_error
    Worker("w").run_once(job.run_at)
    job.refresh_from_db()
    assert job.done_at is not None and job.attempts == 2 and job.failed
    assert backoff(1) == timedelta(minutes=1) and backoff(20) == timedelta(hours=1)


@pytest.mark.django_db
def test_a_job_of_a_kind_this_worker_does_not_know_is_left_for_one_that_does() -> None:
    now = timezone.now()
    enqueue("test.least", "x", run_at=now)
    Job.objects.update(kind="newer.kind")
    assert Worker("w").run_once(now) == 0
    assert Job.objects.get().claimed_by is None


@pytest.mark.django_db
def test_a_tick_runs_once_per_turn_whichever_workers_ask() -> None:
    calls: list[str] = []
    register_tick("test.tick", 60, lambda: calls.append("tick"))
    now = timezone.now()
    assert run_due_ticks(now) == 1
    assert run_due_ticks(now) == 0  # another worker, the same moment
    assert run_due_ticks(now + timedelta(seconds=59)) == 0
    assert run_due_ticks(now + timedelta(seconds=60)) == 1
    assert calls == ["tick", "tick"]


@pytest.mark.django_db
def test_a_failing_tick_is_recorded_and_runs_again_next_turn() -> None:
    def broken() -> None:
        raise RuntimeError("tick broke")

    register_tick("test.broken", 30, broken)
    now = timezone.now()
    assert run_due_ticks(now) == 1
    assert "tick broke" in Tick.objects.get(name="test.broken").last_error
    assert run_due_ticks(now + timedelta(seconds=30)) == 1


# --- queued again after a change -------------------------------------------------------------


def _state(job: Job) -> tuple[Any, ...]:
    job.refresh_from_db()
    return (job.done_at, job.claimed_by, job.run_at, job.attempts, job.rerun, job.payload)


@pytest.mark.django_db
def test_queued_again_a_new_job_is_queued_and_a_waiting_one_left_as_it_is() -> None:
    assert enqueue("test.least", "p", payload={"n": 1}, again=True)
    job = Job.objects.get()
    waiting = _state(job)
    assert waiting[0] is None and waiting[1] is None and waiting[5] == {"n": 1}
    assert enqueue("test.least", "p", payload={"n": 2}, again=True)
    assert _state(job) == waiting  # it has read nothing yet: nothing to do
    assert Worker("w").run_once() == 1
    assert Worker("w").run_once() == 0
    assert ran == [("test.least", {"n": 1})]


@pytest.mark.django_db
def test_queued_again_a_done_job_waits_again_with_fresh_attempts() -> None:
    enqueue("test.least", "p", again=True)
    Worker("w").run_once()
    Job.objects.update(attempts=3, last_error="an earlier failure")
    later = timezone.now() + timedelta(minutes=5)
    enqueue("test.least", "p", again=True, run_at=later)
    job = Job.objects.get()
    assert (job.done_at, job.claimed_by, job.lease_expires_at) == (None, None, None)
    assert (job.attempts, job.last_error, job.rerun, job.run_at) == (0, "", False, later)
    assert Worker("w").run_once(later) == 1
    assert len(ran) == 2


@pytest.mark.django_db
def test_queued_again_while_running_runs_once_more_after_never_beside() -> None:
    enqueue("test.least", "p", again=True)
    running = claim_next("w1")
    assert running is not None
    enqueue("test.least", "p", again=True)  # a change while it runs (it may have read before)
    enqueue("test.least", "p", again=True)  # and another: still once more, not twice
    assert Job.objects.get().rerun
    assert claim_next("w2") is None  # never two runs of one job at once
    assert run_job(running, "w1")
    job = Job.objects.get()
    assert (job.done_at, job.claimed_by, job.rerun, job.attempts) == (None, None, False, 0)
    assert Worker("w2").run_once() == 1
    assert Worker("w2").run_once() == 0
    assert Job.objects.get().done_at is not None
    assert len(ran) == 2


@pytest.mark.django_db
def test_a_job_whose_claim_expired_is_waiting_not_running() -> None:
    now = timezone.now()
    enqueue("test.least", "p", again=True, run_at=now - timedelta(minutes=10))
    assert claim_next("died", now - timedelta(minutes=5)) is not None  # a 60 s lease, long gone
    enqueue("test.least", "p", again=True)
    assert not Job.objects.get().rerun  # the next claim reads the change anyway
    assert Worker("w").run_once() == 1
    assert Worker("w").run_once() == 0


@pytest.mark.django_db
def test_a_run_that_fails_while_asked_again_is_retried_then_queued_again() -> None:
    enqueue("test.least-fails", "f", again=True)
    job = claim_next("w")
    assert job is not None
    enqueue("test.least-fails", "f", again=True)
    run_job(job, "w")  # fails: retried later, and the retry reads the change
    job.refresh_from_db()
    assert (job.done_at, job.rerun, job.attempts) == (None, False, 1)
    claimed = claim_next("w", job.run_at)
    assert claimed is not None
    enqueue("test.least-fails", "f", again=True)
    run_job(claimed, "w")  # its last attempt fails, but a change came meanwhile
    job.refresh_from_db()
    assert (job.done_at, job.claimed_by, job.rerun, job.attempts) == (None, None, False, 0)


@pytest.mark.django_db
def test_queueing_again_is_one_query_once_the_job_exists(
    django_assert_num_queries: Callable[..., Any],
) -> None:
    with django_assert_num_queries(3):  # the first time: UPDATE, INSERT, UPDATE
        enqueue("test.least", "p", again=True)
    with django_assert_num_queries(1):  # waiting
        enqueue("test.least", "p", again=True)
    Worker("w").run_once()
    with django_assert_num_queries(1):  # done
        enqueue("test.least", "p", again=True)
    job = claim_next("w")
    assert job is not None
    with django_assert_num_queries(1):  # running
        enqueue("test.least", "p", again=True)


@pytest.mark.django_db
def test_requeue_takes_many_keys_in_a_fixed_number_of_queries(
    django_assert_num_queries: Callable[..., Any],
) -> None:
    enqueue("test.least", "done", again=True)
    Worker("w").run_once()
    enqueue("test.least", "waiting", again=True)
    with django_assert_num_queries(3):
        requeue("test.least", {"done": {}, "waiting": {}, "new": {"n": 1}})
    assert sorted(Job.objects.filter(done_at=None).values_list("dedupe_key", flat=True)) == [
        "done",
        "new",
        "waiting",
    ]
    with django_assert_num_queries(1):
        requeue("test.least", {"done": {}, "waiting": {}, "new": {}})


def _job_states() -> dict[str, tuple[Any, ...]]:
    """Each job's state; of its times, only which are set and whether it may run now."""
    fields = ("kind", "payload", "claimed_by", "attempts", "rerun", "last_error")
    now = timezone.now()
    return {
        job.dedupe_key: (
            job.done_at is None,
            job.claimed_at is None,
            job.lease_expires_at is None,
            job.run_at <= now,
            *(getattr(job, f) for f in fields),
        )
        for job in Job.objects.order_by("dedupe_key")
    }


def _jobs_in_every_state() -> None:
    """A done job, a waiting one, a running one, one whose claim expired (waiting again), and
    none yet for "new"."""
    enqueue("test.least", "done", again=True)
    Worker("w").run_once()
    Job.objects.filter(dedupe_key="done").update(attempts=2, last_error="boom")
    enqueue("test.least", "running", again=True)
    assert claim_next("w") is not None
    enqueue("test.least", "expired", again=True)
    assert claim_next("gone") is not None
    Job.objects.filter(dedupe_key="expired").update(
        lease_expires_at=timezone.now() - timedelta(minutes=1)
    )
    enqueue("test.least", "waiting", again=True)


@pytest.mark.django_db
@pytest.mark.parametrize("applies", [True, False])
def test_requeue_statements_leave_the_jobs_as_requeue_does_when_their_condition_holds(
    applies: bool,
) -> None:
    """Sent with a write's own statements (PostgreSQL's one message), `requeue_statements` ends
    as `requeue` does, in every state a job can be in; with the condition false, nothing
    changes."""
    payloads = {"done": {}, "waiting": {}, "running": {}, "expired": {}, "new": {"n": 1}}
    _jobs_in_every_state()
    requeue("test.least", payloads)
    expected = _job_states()
    Job.objects.all().delete()
    _jobs_in_every_state()
    before = _job_states()
    condition = "1 = 1" if applies else "1 = 0"
    with connection.cursor() as cursor:
        for sql, params in requeue_statements("test.least", payloads, only_if=condition):
            cursor.execute(sql, params)
    assert _job_states() == (expected if applies else before)
    with pytest.raises(ValueError, match="at most once"):
        requeue_statements("test.once", {"x": {}}, only_if=condition)


@pytest.mark.django_db
def test_an_at_most_once_kind_is_never_queued_again() -> None:
    with pytest.raises(ValueError, match="at most once"):
        enqueue("test.once", "x", again=True)
    with pytest.raises(ValueError, match="unknown job kind"):
        requeue("nobody.knows", {"x": {}})
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_queued_again_in_a_transaction_that_rolls_back_leaves_nothing() -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue("test.least", "p", again=True)
        raise RuntimeError("the write failed")
    assert not Job.objects.exists()


def test_registering_checks_its_arguments() -> None:
    with pytest.raises(ValueError):
        register_tick("test.never", 0, lambda: None)
    with pytest.raises(ValueError):
        register("", lambda job: None)


# --- real `waymark worker` processes ---------------------------------------------------------


def _on_postgresql() -> bool:
    return connection.vendor == "postgresql"


def _postgres_url() -> str:
    """The test database's URL, for worker processes to share it."""
    s = connection.settings_dict
    auth = quote(s["USER"] or "", safe="")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"], safe="")
    host = s["HOST"] or "localhost"
    return f"postgres://{auth}@{host}:{s['PORT'] or 5432}/{quote(s['NAME'], safe='')}"


@pytest.fixture(scope="module")
def sqlite_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder whose SQLite file has every migration applied (used unless the tests
    run on PostgreSQL)."""
    return tmp_path_factory.mktemp("worker-data")


def worker_env(data: Path, mail: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")}
    env.update(
        DEBUG="True",
        WAYMARK_DATA_DIR=str(data),
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(mail),
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    if _on_postgresql():
        env["DATABASE_URL"] = _postgres_url()
    return env


@pytest.fixture
def env(sqlite_data: Path, tmp_path: Path) -> dict[str, str]:
    environment = worker_env(sqlite_data, tmp_path / "mail")
    if not _on_postgresql() and not (sqlite_data / "waymark.sqlite3").exists():
        waymark(environment, "migrate", "--noinput", "-v", "0")
    return environment


def waymark(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [*WAYMARK, *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


SEED = """
import json
from django.utils import timezone
from waymark.accounts.models import User
from waymark.jobs import enqueue
from waymark.jobs.models import Job
from waymark.tracking import reminders
from waymark.tracking.models import Reminder
Job.objects.all().delete()
now = timezone.now()
day = now.date()
for n in range({count}):
    person = User.objects.create_user(f"person-{{n}}", email=f"person-{{n}}@example.org")
    Reminder.objects.create(
        owner=person, time=now.time(), time_zone="UTC", weekdays=list(range(7)),
        email_confirmed=person.email,
    )
    enqueue(reminders.KIND, reminders.dedupe_key(person, day), run_at=now,
            payload={{"person": str(person.public_id), "day": day.isoformat()}})
"""

# The seeded jobs (the reminder tick also queues each person's reminder for tomorrow).
REPORT = """
import json
from django.utils import timezone
from waymark.jobs.models import Job
due = Job.objects.filter(run_at__lte=timezone.now())
print(json.dumps([[j.outcome, j.done_at is not None, j.attempts] for j in due]))
"""


def sent_to(mail: Path) -> list[str]:
    """The recipient of every email the file backend wrote, one entry per email."""
    recipients = []
    for file in mail.glob("*.log"):
        for line in file.read_text(encoding="utf-8").splitlines():
            if line.startswith("To: "):
                recipients.append(line.removeprefix("To: "))
    return recipients


@pytest.mark.django_db(transaction=True)
def test_two_worker_processes_send_each_reminder_exactly_once(
    env: dict[str, str], tmp_path: Path
) -> None:
    count = 24
    waymark(env, "shell", "-c", SEED.format(count=count))
    workers = [
        subprocess.Popen(
            [*WAYMARK, "worker", "--once"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [worker.communicate() for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0], outputs
    recipients = sent_to(tmp_path / "mail")
    assert sorted(recipients) == sorted(f"person-{n}@example.org" for n in range(count))
    jobs = json.loads(waymark(env, "shell", "-c", REPORT).splitlines()[-1])
    assert jobs == [["sent", True, 1]] * count
    ran_jobs = [int(out.split(" ran ")[1].split()[0]) for out, _ in outputs]
    assert sum(ran_jobs) == count  # between them, each job claimed by one worker only


@pytest.mark.django_db(transaction=True)
def test_sigterm_lets_the_worker_finish_and_exit_0(env: dict[str, str]) -> None:
    worker = subprocess.Popen(
        [*WAYMARK, "worker", "--poll", "0.1"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert worker.stdout is not None
    started = worker.stdout.readline()  # blocks until the loop is running
    assert "started" in started, worker.stderr.read() if worker.stderr else ""
    worker.send_signal(signal.SIGTERM)
    out, err = worker.communicate()
    assert worker.returncode == 0, err
    assert "stopped" in out
    assert "Traceback" not in err


@pytest.mark.parametrize("poll", ["0", "-1", "soon", "nan", "99999"])
def test_a_bad_poll_interval_exits_2_with_one_line(poll: str, tmp_path: Path) -> None:
    env = worker_env(tmp_path / "data", tmp_path / "mail")
    done = subprocess.run(
        [*WAYMARK, "worker", "--poll", poll],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "--poll" in done.stderr


@pytest.mark.django_db
def test_finished_jobs_are_forgotten_after_30_days() -> None:
    now = timezone.now()
    enqueue("test.least", "old", run_at=now)
    enqueue("test.least", "recent", run_at=now)
    enqueue("test.least", "open", run_at=now + timedelta(days=60))
    Job.objects.filter(dedupe_key="old").update(done_at=now - timedelta(days=31))
    Job.objects.filter(dedupe_key="recent").update(done_at=now - timedelta(days=29))
    assert purge_old_jobs(now) == 1
    assert sorted(Job.objects.values_list("dedupe_key", flat=True)) == ["open", "recent"]


def test_the_purge_tick_is_registered() -> None:
    assert "jobs.purge" in _registered_ticks


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_row_another_worker_holds_is_skipped_not_waited_for() -> None:
    now = timezone.now()
    enqueue("test.least", "first", run_at=now - timedelta(minutes=1))
    enqueue("test.least", "second", run_at=now)
    holding, release = threading.Event(), threading.Event()

    def another_worker_claiming_first() -> None:
        try:
            with transaction.atomic():
                Job.objects.select_for_update().get(dedupe_key="first")
                holding.set()
                # Only a safety net: the main thread sets this as soon as it has claimed.
                release.wait(timeout=60)
        finally:
            connections.close_all()

    other = threading.Thread(target=another_worker_claiming_first)
    other.start()
    holding.wait()
    try:
        job = claim_next("me", now)  # SKIP LOCKED: passes over "first" instead of waiting
    finally:
        release.set()
        other.join()
    assert job is not None and job.dedupe_key == "second"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_two_workers_never_run_one_job_at_once_and_miss_no_change() -> None:
    """Two Worker threads and a writer: each write changes a person's data and queues their
    job again in the same transaction (held open a moment, so workers race it). No job ever
    runs beside itself, and each job's last run read its person's last change."""
    from waymark.accounts.models import User

    people = [User.objects.create_user(f"worker-race-{n}") for n in range(4)]
    lock = threading.Lock()
    running: set[str] = set()
    overlaps: list[str] = []
    seen: dict[str, int] = {}

    def reads(job: Job) -> str:
        with lock:
            if job.dedupe_key in running:
                overlaps.append(job.dedupe_key)
            running.add(job.dedupe_key)
        try:
            version = int(User.objects.get(pk=job.payload["person"]).last_name or 0)
            time.sleep(0.003)  # a run long enough for writes to land during it
            with lock:
                seen[job.dedupe_key] = version
        finally:
            with lock:
                running.discard(job.dedupe_key)
        return "read"

    register("test.reads", reads, lease_seconds=60)
    written: dict[str, int] = {}
    writing = threading.Event()
    writing.set()

    def writer() -> None:
        try:
            for step in range(120):
                person = people[step // 3 % len(people)]  # three in a row: one may wait
                key = f"reads:{person.pk}"
                with transaction.atomic():
                    User.objects.filter(pk=person.pk).update(last_name=str(step))
                    enqueue("test.reads", key, payload={"person": person.pk}, again=True)
                    time.sleep(0.004)
                written[key] = step
        finally:
            writing.clear()
            connections.close_all()

    def worker(name: str) -> None:
        try:
            while True:
                if Worker(name).run_once() == 0:
                    if not writing.is_set() and not Job.objects.filter(done_at=None).exists():
                        return
                    time.sleep(0.002)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer)] + [
        threading.Thread(target=worker, args=(f"w{n}",)) for n in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert overlaps == []
    assert seen == written
    assert not Job.objects.filter(done_at=None).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_waiting_job_queued_again_waits_for_the_change_to_commit() -> None:
    """A worker that claimed the job now would read the data before the change: the row is
    locked until the change's transaction ends, and SKIP LOCKED passes it over."""
    enqueue("test.least", "p", again=True)  # waiting, committed
    holding, release = threading.Event(), threading.Event()

    def a_change_in_its_transaction() -> None:
        try:
            with transaction.atomic():
                enqueue("test.least", "p", again=True)
                holding.set()
                release.wait(timeout=60)
        finally:
            connections.close_all()

    change = threading.Thread(target=a_change_in_its_transaction)
    change.start()
    holding.wait()
    try:
        assert claim_next("w") is None
    finally:
        release.set()
        change.join()
    assert claim_next("w") is not None
