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
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.timing import Result

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = Path("/usr/bin/chromium")
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu"
TARGET = 95
START_SECONDS = 60


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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _waymark() -> list[str]:
    script = Path(sys.executable).parent / "waymark"
    return [str(script)] if script.exists() else [sys.executable, "-m", "waymark"]


@contextmanager
def served(folder: Path) -> Iterator[str]:
    """`waymark serve` on the scratch database (bench.database), its static files collected
    as in production; yields its address."""
    from bench import database

    environment = database.server_environment(ALLOWED_HOSTS="127.0.0.1", HOME=str(folder))
    subprocess.run(
        [*_waymark(), "collectstatic", "--noinput", "--verbosity", "0"],
        env=environment,
        check=True,
        stdin=subprocess.DEVNULL,
    )
    port = _free_port()
    log = (folder / "lighthouse-serve.log").open("wb")
    process = subprocess.Popen(
        [*_waymark(), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=environment,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_until_up(process, port)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)
        log.close()


def _wait_until_up(process: subprocess.Popen[bytes], port: int) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("waymark serve exited before it was up")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            connection.getresponse().read()
            connection.close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"waymark serve was not up in {START_SECONDS} s")


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
