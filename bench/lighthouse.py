"""Lighthouse on today's check-in page, as a signed-in person on a phone: the performance score
on Lighthouse's mobile profile (a slow 4G network and a slowed-down CPU, both simulated), served
by a real `waymark serve` (gunicorn, whitenoise, DEBUG off). Target: 95 or more.

The score depends on the machine's timing, so only `make bench` reports it and no test asserts
it; the browser tests run Lighthouse's accessibility audit on the same page (tests/e2e/
test_pwa.py, through `report`), whose result does not depend on timing. Lighthouse comes from
npm (package.json) and drives the system Chromium.

Alone: ``python -m bench.lighthouse`` (a scratch database and server of its own), or
``python -m bench.lighthouse URL --cookie 'sessionid=…'`` against a server already running.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench import server
from bench.cli import waymark_command
from bench.timing import Result

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = Path("/usr/bin/chromium")
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu"
TARGET = 95


def report(
    url: str, categories: Sequence[str], headers: dict[str, str] | None = None
) -> dict[str, Any]:
    """Lighthouse's JSON report for ``url`` (mobile profile), only ``categories``."""
    if not LIGHTHOUSE.exists():
        raise RuntimeError(f"{LIGHTHOUSE} is missing: run `npm ci`")
    with tempfile.TemporaryDirectory(prefix="waymark-lighthouse-") as folder:
        output = Path(folder) / "report.json"
        command = [
            str(LIGHTHOUSE),
            url,
            "--output=json",
            f"--output-path={output}",
            f"--only-categories={','.join(categories)}",
            f"--chrome-flags={CHROME_FLAGS}",
            "--quiet",
        ]
        if headers:
            command.append(f"--extra-headers={json.dumps(headers)}")
        environment = {**os.environ, "CHROME_PATH": str(CHROMIUM), "HOME": folder}
        subprocess.run(
            command, env=environment, cwd=folder, check=True, capture_output=True, timeout=300
        )
        found: dict[str, Any] = json.loads(output.read_text(encoding="utf-8"))
        return found


def score(found: dict[str, Any], category: str) -> int:
    """A category's score out of 100 (Lighthouse gives 0 to 1)."""
    return round(float(found["categories"][category]["score"]) * 100)


def failed_audits(found: dict[str, Any], category: str) -> list[str]:
    """The category's audits that did not pass: "id: title"."""
    audits = found["audits"]
    return [
        f"{ref['id']}: {audits[ref['id']]['title']}"
        for ref in found["categories"][category]["auditRefs"]
        if ref.get("weight") and audits[ref["id"]].get("score") not in (None, 1)
    ]


@contextmanager
def served(folder: Path) -> Iterator[str]:
    """`waymark serve` on the scratch database (bench.database), its static files collected
    as in production; yields its address."""
    from bench import database

    environment = database.server_environment(ALLOWED_HOSTS="127.0.0.1", HOME=str(folder))
    subprocess.run(
        [*waymark_command(), "collectstatic", "--noinput", "--verbosity", "0"],
        env=environment,
        check=True,
        stdin=subprocess.DEVNULL,
    )
    port = server.free_port()
    process = server.start(port, folder / "lighthouse-serve.log", environment)
    try:
        server.wait_until_up(process, port, folder / "lighthouse-serve.log")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop(process)


def session_cookie() -> str:
    """A person signed in on the scratch database, as a Cookie header's value."""
    from django.conf import settings
    from django.test import Client

    from waymark.accounts.models import User

    person, _ = User.objects.get_or_create(username="bench-lighthouse")
    client = Client()
    client.force_login(person)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def performance(url: str, cookie: str = "") -> Result:
    found = report(url, ["performance"], {"Cookie": cookie} if cookie else None)
    value = score(found, "performance")
    paint = float(found["audits"]["largest-contentful-paint"]["numericValue"])
    met = "met" if value >= TARGET else "missed"
    return Result(
        "lighthouse: today's check-in, mobile, largest paint",
        paint,
        1,
        note=f"performance {value} (target ≥ {TARGET}: {met})",
    )


def run(folder: Path) -> list[Result]:
    """Inside `bench.database.scratch()`, as bench/run.py's other server benchmarks."""
    from django.db import connections

    cookie = session_cookie()
    connections.close_all()  # SQLite: nothing of this process's holds the file
    with served(folder) as address:
        return [performance(f"{address}/track/", cookie)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.lighthouse", description=__doc__)
    parser.add_argument("url", nargs="?", help="a page on a running server (default: start one)")
    parser.add_argument("--cookie", default="", help="a Cookie header for that server")
    args = parser.parse_args(argv)
    if args.url:
        result = performance(args.url, args.cookie)
    else:
        from bench import database

        with database.scratch() as folder:
            result = run(folder)[0]
    print(f"{result.name}: {result.median_ms:.0f} ms [{result.note}]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
