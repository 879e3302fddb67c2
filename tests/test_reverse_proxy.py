"""Waymark behind Caddy, as deploy/Caddyfile sets it up, with real processes on loopback.

`waymark serve` (gunicorn, DEBUG=False, HTTPS=True, WAYMARK_TRUSTED_PROXIES=127.0.0.1) runs on
a free port of 127.0.0.1, with a fresh SQLite database and keys in a temporary folder. Caddy
runs the example's site block in front of it on https://127.0.0.1:<port>, with a certificate
from its own internal CA (`tls internal`) instead of a public one, its storage in the same
folder, no admin endpoint, and nothing installed into the system's trust store. The client
trusts only that CA's root, and sends each request from an address of its own in 127.0.0.0/8
(127.0.0.2, ...), so the address Waymark records can be told apart from Caddy's (127.0.0.1).
What Waymark recorded is read from its database file.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import sqlite3
import ssl
import subprocess
import sys
import time
from base64 import urlsafe_b64encode
from collections.abc import Iterator
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.caddy

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "deploy" / "Caddyfile"
WAYMARK = [sys.executable, "-m", "waymark"]
USERNAME, PASSWORD = "proxy-test", secrets.token_urlsafe(16)
SPOOFED = "203.0.113.66"  # what a client claims in X-Forwarded-For
START_SECONDS = 60  # a bound on start-up, far above the few seconds it takes

PREPARE = f"""
from django.core.management import call_command
call_command("migrate", verbosity=0)
from waymark.accounts.models import User
User.objects.create_user({USERNAME!r}, password={PASSWORD!r})
"""

# Test-only global options; the site block comes from deploy/Caddyfile.
GLOBAL_OPTIONS = """{{
	admin off
	skip_install_trust
	storage file_system {{
		root {storage}
	}}
	http_port {http_port}
	grace_period 1s
	servers {{
		protocols h1 h2
	}}
}}

"""


@dataclass(frozen=True)
class Stack:
    https: str  # https://127.0.0.1:PORT, through Caddy
    http: str  # http://127.0.0.1:PORT, Caddy's redirect to HTTPS
    app: str  # http://127.0.0.1:PORT, gunicorn itself
    database: Path
    root_certificate: Path

    def client(self, source: str) -> httpx.Client:
        """A client whose requests come from `source` and that trusts only Caddy's CA."""
        context = ssl.create_default_context(cafile=str(self.root_certificate))
        transport = httpx.HTTPTransport(verify=context, local_address=source)
        return httpx.Client(transport=transport, timeout=10)

    def query(self, sql: str) -> list[tuple[object, ...]]:
        with contextlib.closing(sqlite3.connect(self.database, timeout=10)) as connection:
            return connection.execute(sql).fetchall()


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def fernet_key() -> str:
    return urlsafe_b64encode(secrets.token_bytes(32)).decode()


def caddyfile(storage: Path, http_port: int, https_port: int, app_port: int) -> str:
    """deploy/Caddyfile's site block, on 127.0.0.1 with Caddy's internal CA."""
    example = EXAMPLE.read_text(encoding="utf-8")
    site = example[example.index("waymark.example.org {") :]
    assert site.count("127.0.0.1:8000") == 1
    site = site.replace(
        "waymark.example.org {",
        f"https://127.0.0.1:{https_port} {{\n\tbind 127.0.0.1\n\ttls internal",
        1,
    ).replace("127.0.0.1:8000", f"127.0.0.1:{app_port}")
    options = GLOBAL_OPTIONS.format(storage=storage, http_port=http_port)
    return options + site


def tail(log: Path) -> str:
    return log.read_text(encoding="utf-8", errors="replace")[-3000:] if log.exists() else ""


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    folder = tmp_path_factory.mktemp("reverse-proxy")
    data, storage = folder / "data", folder / "caddy"
    http_port, https_port, app_port = free_ports(3)
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")}
    env.update(
        DEBUG="False",
        HTTPS="True",
        WAYMARK_TRUSTED_PROXIES="127.0.0.1",
        SECRET_KEY=secrets.token_urlsafe(50),
        WAYMARK_FIELD_KEYS=fernet_key(),
        WAYMARK_AUDIT_KEYS=fernet_key(),
        WAYMARK_DATA_DIR=str(data),
        ALLOWED_HOSTS="127.0.0.1",
        WAYMARK_API_RATE_LIMIT="2",
        WORKERS="1",  # gunicorn's
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
        # No collectstatic: pages name static files as they are in the app folders.
        DJANGO_SETTINGS_MODULE="tests.plain_static_settings",
        HOME=str(folder),  # gunicorn's control socket goes under it
    )
    (folder / "Caddyfile").write_text(caddyfile(storage, http_port, https_port, app_port))
    # Caddy's own files (autosaved config, data) stay in the folder too, not in /root.
    caddy_env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(folder),
        "XDG_CONFIG_HOME": str(folder / "config"),
        "XDG_DATA_HOME": str(folder / "share"),
    }
    logs = {name: folder / f"{name}.log" for name in ("prepare", "server", "caddy")}
    caddy = shutil.which("caddy") or "caddy"
    commands = {
        "prepare": [*WAYMARK, "shell", "-c", PREPARE],
        "server": [*WAYMARK, "serve", "--host", "127.0.0.1", "--port", str(app_port)],
        "caddy": [caddy, "run", "--config", str(folder / "Caddyfile"), "--adapter", "caddyfile"],
    }
    processes: dict[str, subprocess.Popen[bytes]] = {}
    try:
        # All three at once: the database is ready long before a request can come.
        for name, command in commands.items():
            with logs[name].open("wb") as log:
                processes[name] = subprocess.Popen(
                    command,
                    env=caddy_env if name == "caddy" else env,
                    cwd=folder if name == "caddy" else ROOT,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
        code = processes["prepare"].wait(timeout=START_SECONDS)
        assert code == 0, f"preparing the database failed:\n{tail(logs['prepare'])}"
        found = Stack(
            https=f"https://127.0.0.1:{https_port}",
            http=f"http://127.0.0.1:{http_port}",
            app=f"http://127.0.0.1:{app_port}",
            database=data / "waymark.sqlite3",
            root_certificate=storage / "pki" / "authorities" / "local" / "root.crt",
        )
        deadline = time.monotonic() + START_SECONDS
        while True:
            for name in ("server", "caddy"):
                assert processes[name].poll() is None, f"{name} exited:\n{tail(logs[name])}"
            with contextlib.suppress(httpx.HTTPError, OSError):
                if found.root_certificate.exists():
                    with found.client("127.0.0.1") as client:
                        # 502 while gunicorn is not listening yet; then Waymark's own answer.
                        if client.get(f"{found.https}/healthz").status_code != 502:
                            break
            assert time.monotonic() < deadline, (
                f"not up in {START_SECONDS} s:\n{tail(logs['server'])}\n{tail(logs['caddy'])}"
            )
            time.sleep(0.1)
        yield found
    finally:
        for process in processes.values():
            stop(process)


def set_cookies(response: httpx.Response) -> SimpleCookie:
    cookies: SimpleCookie = SimpleCookie()
    for header in response.headers.get_list("set-cookie"):
        cookies.load(header)
    return cookies


def test_http_is_redirected_to_https(stack: Stack) -> None:
    with stack.client("127.0.0.2") as client:
        response = client.get(f"{stack.http}/account/login/?next=/track/")
        assert response.status_code == 308
        assert response.headers["location"] == f"{stack.https}/account/login/?next=/track/"
        assert client.get(response.headers["location"]).status_code == 200


def test_https_answers_carry_hsts_and_only_secure_cookies(stack: Stack) -> None:
    with stack.client("127.0.0.2") as client:
        page = client.get(f"{stack.https}/account/login/")
        assert page.status_code == 200
        # Django saw HTTPS through X-Forwarded-Proto: no redirect loop, and HSTS, once.
        assert page.headers.get_list("strict-transport-security") == [
            "max-age=31536000; includeSubDomains"
        ]
        assert "default-src 'self'" in page.headers["content-security-policy"]
        csrf = set_cookies(page)["csrftoken"]
        assert csrf["secure"] is True
        signed_in = client.post(
            f"{stack.https}/account/login/",
            data={
                "username": USERNAME,
                "password": PASSWORD,
                "csrfmiddlewaretoken": csrf.value,
            },
            headers={"Origin": stack.https, "Referer": f"{stack.https}/account/login/"},
        )
        assert signed_in.status_code == 302, signed_in.text[:500]
        session = set_cookies(signed_in)["sessionid"]
        assert session["secure"] is True and session["httponly"] is True


def test_the_audit_trail_records_the_client_not_caddy_nor_a_spoofed_header(
    stack: Stack,
) -> None:
    with stack.client("127.0.0.3") as client:
        page = client.get(f"{stack.https}/account/login/")
        token = set_cookies(page)["csrftoken"].value
        spoof = {"X-Forwarded-For": SPOOFED}
        signed_in = client.post(
            f"{stack.https}/account/login/",
            data={"username": USERNAME, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={**spoof, "Origin": stack.https},
        )
        assert signed_in.status_code == 302
        # Downloading one's own data is written to the audit trail, with the address.
        download = client.get(f"{stack.https}/account/data/export/json/", headers=spoof)
        assert download.status_code == 200
    addresses = stack.query("SELECT address FROM audit_auditentry WHERE action = 'export.json'")
    assert addresses == [("127.0.0.3",)]


def test_the_rate_limit_counts_each_client_apart(stack: Stack) -> None:
    body = {"instrument": "phq-2", "answers": [0, 0]}
    spoof = {"X-Forwarded-For": SPOOFED}
    with stack.client("127.0.0.4") as client:
        codes = [
            client.post(f"{stack.https}/api/v1/score", json=body, headers=spoof).status_code
            for _ in range(5)  # the limit is 2 a minute; a minute may turn once in between
        ]
    assert codes[:1] == [200] and 429 in codes
    # Another client behind the same Caddy has a count of its own.
    with stack.client("127.0.0.5") as client:
        assert client.post(f"{stack.https}/api/v1/score", json=body).status_code == 200
    # A client that reaches gunicorn directly is not a trusted proxy: its header is not read.
    with stack.client("127.0.0.6") as client:
        direct = client.post(
            f"{stack.app}/api/v1/score",
            json=body,
            headers={**spoof, "X-Forwarded-Proto": "https"},
        )
        assert direct.status_code == 200
    # The counters' keys name the address they count: ":1:waymark:api-rate:ADDRESS:MINUTE".
    keys = [str(key) for (key,) in stack.query("SELECT cache_key FROM waymark_cache")]
    counted = {key.partition("api-rate:")[2].rpartition(":")[0] for key in keys}
    assert {"127.0.0.4", "127.0.0.5", "127.0.0.6"} <= counted
    assert "127.0.0.1" not in counted and SPOOFED not in counted


def test_the_example_caddyfile_is_valid_as_it_stands(tmp_path: Path) -> None:
    """Caddy reads the whole example, comments and public host name included."""
    done = subprocess.run(
        [shutil.which("caddy") or "caddy", "adapt", "--config", str(EXAMPLE)],
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert '"dial":"127.0.0.1:8000"' in done.stdout and "waymark.example.org" in done.stdout
