"""A real `waymark serve` for the benchmarks that need one (bench/serve.py, bench/lighthouse.py):
started on a free port with its output in a log file, waited for until `/healthz` answers, and
stopped."""

from __future__ import annotations

import http.client
import socket
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path

from bench.cli import waymark_command

START_SECONDS = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(port: int, log: Path, environment: Mapping[str, str]) -> subprocess.Popen[bytes]:
    """`waymark serve` on 127.0.0.1:``port``, its output (and errors) into ``log``."""
    with log.open("wb") as output:
        return subprocess.Popen(
            [*waymark_command(), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=dict(environment),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def tail(log: Path) -> str:
    return log.read_text(encoding="utf-8", errors="replace")[-3000:] if log.exists() else ""


def wait_until_up(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    """Until `/healthz` answers; a RuntimeError with the log's end if it exits or takes more
    than START_SECONDS."""
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"waymark serve exited:\n{tail(log)}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            connection.getresponse().read()
            connection.close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"waymark serve was not up in {START_SECONDS} s:\n{tail(log)}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)
