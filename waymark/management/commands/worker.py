"""`waymark worker`: run background work (reminders, and whatever other areas register) from
the database. Start as many as you like, on as many machines: each job runs in one of them."""

from __future__ import annotations

import signal
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value <= 3600:  # also refuses nan and inf
        raise CommandError(
            f"--poll must be a number of seconds above 0 and at most 3600, not {text!r}",
            returncode=2,
        )
    return value


class Command(BaseCommand):
    help = (
        "Run background jobs and periodic ticks (reminders, …) claimed from the database. "
        "SIGTERM or Ctrl+C finishes the job in hand, then exits 0."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once",
            action="store_true",
            help="run what is due now, then exit (for cron and tests)",
        )
        parser.add_argument(
            "--poll",
            type=str,
            default=None,
            metavar="SECONDS",
            help="how long to wait when nothing is due (default: WAYMARK_WORKER_POLL_SECONDS)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        poll = (
            _seconds(options["poll"])
            if options["poll"] is not None
            else float(settings.WAYMARK_WORKER_POLL_SECONDS)
        )
        from waymark.jobs.worker import Worker  # here: the reference docs read the parser alone

        worker = Worker()
        if options["once"]:
            count = worker.run_once()
            self.stdout.write(f"Worker {worker.id} ran {count} job(s).")
            return

        def stop(signum: int, frame: FrameType | None) -> None:
            worker.stop()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write(f"Worker {worker.id} started; checking for due work every {poll:g}s.")
        self.stdout.flush()
        worker.run_forever(poll)
        self.stdout.write(f"Worker {worker.id} stopped.")
