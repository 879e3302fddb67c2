"""`waymark serve`: the production-grade server (gunicorn) after the system checks pass."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Check the configuration, then serve Waymark with gunicorn."
    # The checks run in handle(), so that a failure stops the server before it starts.
    requires_system_checks: list[str] = []  # noqa: RUF012 (Django reads this attribute)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS", "2")))

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("check", fail_level="ERROR")
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
            "--access-logfile",
            "-",
            "--forwarded-allow-ips",
            os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        ]
        # Replace this process with gunicorn, so signals reach it directly.
        os.execv(sys.executable, argv)  # noqa: S606 (fixed argv, no shell)
