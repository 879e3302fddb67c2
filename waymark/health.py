"""`GET /healthz`: is this Waymark able to serve, and is its worker alive?

For a load balancer or a monitor: no sign-in, no data about anyone, nothing from the request
reflected. It answers 200 with `{"status": "ok"}` when the database answers and the worker has
run its heartbeat recently, else 503, naming which check failed. The worker's heartbeat is a
tick it runs every minute (`worker.heartbeat`); "recently" is WAYMARK_WORKER_STALE_SECONDS.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

HEARTBEAT_TICK = "worker.heartbeat"
HEARTBEAT_SECONDS = 60


def heartbeat() -> None:
    """The worker's heartbeat: running it is the whole point (its tick row records when)."""


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return "failed"
    return "ok"


def _worker() -> str:
    from waymark.jobs.models import Tick

    try:
        seen = (
            Tick.objects.filter(name=HEARTBEAT_TICK).values_list("last_run_at", flat=True).first()
        )
    except DatabaseError:
        return "unknown"
    if seen is None:
        return "never-seen"
    stale = timedelta(seconds=settings.WAYMARK_WORKER_STALE_SECONDS)
    return "ok" if timezone.now() - seen <= stale else "stale"


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    database = _database()
    checks = {"database": database, "worker": _worker() if database == "ok" else "unknown"}
    healthy = all(state == "ok" for state in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "failed", "checks": checks},
        status=200 if healthy else 503,
    )
