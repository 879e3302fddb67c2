"""`waymark serve`: the production-grade server (gunicorn) after the system checks pass."""

from __future__ import annotations

import io
import os
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import connections

# gunicorn restarts a worker whose request has run this long (its own default is 30 s). 60 s
# leaves room for the slowest legitimate requests on a busy 2-core machine (a program's FHIR
# export, a plan's PDF; a large program's report is computed by the worker, never here) and
# still frees a stuck worker within a minute ❓ (ours).
TIMEOUT = 60
# On a restart or stop, the requests in hand get this long to finish (gunicorn's default);
# deploy/waymark.service's TimeoutStopSec (40 s) is set above it.
GRACEFUL_TIMEOUT = 30
# Threads a worker serves requests with: 1 is gunicorn's sync worker, one request at a time.
# More let a worker go on while a request waits on the database, but on 2 shared cores they
# measured no more writes a second and fewer reads (the threads share one interpreter lock),
# and on SQLite writers queued for its one write lock made the slowest writes 3–4× the median
# (docs/performance.md) ❓. For machines whose requests mostly wait.
THREADS = 1


class Command(BaseCommand):
    help = "Check the configuration, then serve Waymark with gunicorn."
    # The checks run in handle(), so that a failure stops the server before it starts.
    requires_system_checks: list[str] = []  # noqa: RUF012 (Django reads this attribute)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS", "2")))
        parser.add_argument(
            "--threads",
            type=int,
            default=int(os.environ.get("THREADS", str(THREADS))),
            help=f"threads each worker serves requests with (env THREADS; default {THREADS})",
        )
        parser.add_argument(
            "--timeout",
            type=int,
            default=int(os.environ.get("TIMEOUT", str(TIMEOUT))),
            help="seconds a request may take before gunicorn restarts its worker "
            f"(env TIMEOUT; default {TIMEOUT})",
        )
        parser.add_argument(
            "--graceful-timeout",
            type=int,
            default=int(os.environ.get("GRACEFUL_TIMEOUT", str(GRACEFUL_TIMEOUT))),
            help="seconds the requests in hand may take to finish on a restart or stop "
            f"(env GRACEFUL_TIMEOUT; default {GRACEFUL_TIMEOUT})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("check", fail_level="ERROR")
        # The checks that ask the database (`waymark.W001`: would PostgreSQL log statements'
        # values?): only their warnings are printed, and a database not up yet stops nothing.
        call_command(
            "check",
            tags=["database"],
            databases=["default"],
            stdout=io.StringIO(),
            stderr=self.stderr,
        )
        connections.close_all()  # the check's own connection: gunicorn's workers open theirs
        bind = f"{options['host']}:{options['port']}"
        self.stdout.write(f"Waymark is serving on http://{bind}/  (Ctrl+C stops it)")
        self.stdout.flush()
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "waymark.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(options["workers"]),
            "--threads",
            str(options["threads"]),
            "--timeout",
            str(options["timeout"]),
            "--graceful-timeout",
            str(options["graceful_timeout"]),
            "--access-logfile",
            "-",
            "--forwarded-allow-ips",
            os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        ]
        # Replace this process with gunicorn, so signals reach it directly.
        os.execv(sys.executable, argv)  # noqa: S606 (fixed argv, no shell)
