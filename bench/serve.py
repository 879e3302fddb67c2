"""Write throughput against the cheapest GET, through a real `waymark serve` (gunicorn) on the
scratch database: ``clients`` threads at once, each with its own keep-alive connection (which
gunicorn's sync workers close after each answer: the client then connects again) and its own
person, who has a year of history and shares everything with a clinician (so each write
queues an alert evaluation, as in real use; no worker runs it here).

The GET is `/healthz` (one `SELECT 1` and one small read): what any request costs. Each write
is a PUT of one of the last week's check-ins with an API token, as an app sends it. Reported:
requests a second for each, the writes' share of the GET rate (target: at least 60%), and the
writes' p50 and p99 latency (target: p99 at most 3 × p50). The client runs on the same machine
as the server, so on two cores it takes some of the CPU the server could have used.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from bench import database, seed, server
from bench.timing import Result

GET_SHARE_TARGET = 0.6
P99_TARGET = 3.0


@dataclass(frozen=True)
class Load:
    seconds: float
    latencies_ms: list[float]
    failures: int

    @property
    def rate(self) -> float:
        return len(self.latencies_ms) / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


Request = tuple[str, str, bytes | None, dict[str, str]]  # method, path, body, headers


def _load(port: int, plans: Sequence[Sequence[Request]]) -> Load:
    """Each plan on its own thread and connection, all starting together."""
    latencies: list[list[float]] = [[] for _ in plans]
    failures = [0] * len(plans)
    ready = threading.Barrier(len(plans) + 1)

    def client(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        ready.wait()
        for method, path, body, headers in plans[index]:
            start = time.perf_counter()
            try:
                connection.request(method, path, body, headers)
                response = connection.getresponse()
                response.read()
                ok = response.status < 400
            except (OSError, http.client.HTTPException):
                connection.close()  # the next request opens a new connection
                ok = False
            latencies[index].append((time.perf_counter() - start) * 1000)
            failures[index] += not ok
        connection.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(len(plans))]
    for thread in threads:
        thread.start()
    ready.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - start
    return Load(seconds, [ms for each in latencies for ms in each], sum(failures))


def _gets(count: int) -> list[Request]:
    return [("GET", "/healthz", None, {})] * count


def _puts(secret: str, count: int, today: date, offset: int) -> list[Request]:
    """``count`` check-ins of the last week, each different from the one before."""
    plan: list[Request] = []
    headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
    for n in range(count):
        day = today - timedelta(days=(n + offset) % 7)
        used = n % 2 == 0
        body = {"used": used, "amounts": {"alcohol": 1 + n % 6} if used else {},
                "cravings": n % 11, "mood": 1 + n % 5}  # fmt: skip
        plan.append(("PUT", f"/api/v1/checkins/{day.isoformat()}", json.dumps(body).encode(),
                     headers))  # fmt: skip
    return plan


def _heartbeat() -> None:
    """A worker's heartbeat far ahead, so that /healthz answers 200 without a worker."""
    from django.utils import timezone

    from waymark.health import HEARTBEAT_TICK
    from waymark.jobs.models import Tick

    later = timezone.now() + timedelta(days=1)
    Tick.objects.update_or_create(
        name=HEARTBEAT_TICK, defaults={"next_run_at": later, "last_run_at": later}
    )


def _note(load: Load) -> str:
    failed = f", {load.failures} failed" if load.failures else ""
    return f"{load.rate:.0f} requests/s, p99 {load.percentile(0.99):.1f} ms{failed}"


def run(folder: Path, clients: int = 32, requests: int = 25, days: int = 365) -> list[Result]:
    """``requests`` writes per client, and four times as many GETs (they are quick)."""
    from django.db import connections
    from django.utils import timezone

    people = seed.people(clients, days, seed=7, varied=False)
    seed.program("Bench serve", people)
    secrets_ = [seed.token(person) for person in people]
    _heartbeat()
    connections.close_all()  # SQLite: nothing of this process's holds the file
    today = timezone.localdate()
    port = server.free_port()
    log = folder / "serve.log"
    process = server.start(
        port, log, database.server_environment(ALLOWED_HOSTS="127.0.0.1", HOME=str(folder))
    )
    try:
        server.wait_until_up(process, port, log)
        # Warm-up: every gunicorn worker imports and connects before anything is timed.
        _load(port, [_gets(2) + _puts(secret, 1, today, 6) for secret in secrets_])
        gets = _load(port, [_gets(4 * requests) for _ in secrets_])
        puts = _load(port, [_puts(secret, requests, today, 0) for secret in secrets_])
    finally:
        server.stop(process)
    if not puts.latencies_ms or puts.failures == len(puts.latencies_ms):
        raise RuntimeError(f"every write failed:\n{server.tail(log)}")
    get_name = f"serve: GET /healthz, {clients} clients"
    p50, p99 = puts.percentile(0.5), puts.percentile(0.99)
    share = puts.rate / gets.rate if gets.rate else 0.0
    verdicts = (
        f"{share:.0%} of the GET rate (target ≥ 60%: {_met(share >= GET_SHARE_TARGET)}), "
        f"p99 {p99 / p50 if p50 else 0:.1f}× p50 (target ≤ 3×: {_met(p99 <= P99_TARGET * p50)})"
    )
    return [
        Result(get_name, gets.percentile(0.5), len(gets.latencies_ms), note=_note(gets)),
        Result(
            f"serve: PUT a check-in, {clients} clients",
            p50,
            len(puts.latencies_ms),
            baseline=get_name,
            note=f"{_note(puts)}; {verdicts}",
        ),
    ]


def _met(ok: bool) -> str:
    return "met" if ok else "missed"
