"""The throwaway database the web, scale and serve benchmarks share, set up once a run.

It never touches a real database: a fresh SQLite file in a temporary folder, or — when
WAYMARK_BENCH_DATABASE_URL names a scratch PostgreSQL database — a schema of its own in it,
created for the run and dropped after it (tables outside that schema are never read or
written). The keys are made up for the run, so nothing written can be read afterwards anyway.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from base64 import urlsafe_b64encode
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

_configured: list[Path] = []


def _key() -> str:
    return urlsafe_b64encode(secrets.token_bytes(32)).decode()


def _in_schema(url: str, schema: str) -> str:
    """The URL with the schema as the connection's search path (dj-database-url passes
    ``options`` to psycopg)."""
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}options={quote(f'-c search_path={schema}', safe='')}"


def _postgres(url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(statement)  # a fixed statement with a generated name


def configure(folder: Path, database_url: str | None) -> None:
    """Point Django at the scratch database and migrate it: once a process."""
    if _configured:
        raise RuntimeError("the benchmark database is set up once a process")
    os.environ.pop("DATABASE_URL", None)
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.update(
        DJANGO_SETTINGS_MODULE="waymark.settings",
        DEBUG="False",
        SECRET_KEY=secrets.token_urlsafe(50),
        WAYMARK_FIELD_KEYS=_key(),
        WAYMARK_AUDIT_KEYS=_key(),
        WAYMARK_DATA_DIR=str(folder),
        ALLOWED_HOSTS="testserver",
        WAYMARK_API_RATE_LIMIT="0",
        LOG_LEVEL="WARNING",
    )
    import logging

    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    logging.getLogger("axes").setLevel(logging.WARNING)  # one line a sign-in is noise here
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    call_command("migrate", verbosity=0)
    _configured.append(folder)


@contextmanager
def scratch() -> Iterator[Path]:
    """Set up the scratch database for this process; the folder holds it (SQLite) and the
    data folder. Removed afterwards, with the PostgreSQL schema."""
    url = os.environ.get("WAYMARK_BENCH_DATABASE_URL", "")
    schema = f"waymark_bench_{secrets.token_hex(4)}" if url else ""
    with tempfile.TemporaryDirectory(prefix="waymark-bench-") as folder:
        if schema:
            _postgres(url, f"CREATE SCHEMA {schema}")
        try:
            configure(Path(folder), _in_schema(url, schema) if schema else None)
            yield Path(folder)
        finally:
            if schema:
                from django.db import connections

                connections.close_all()
                _postgres(url, f"DROP SCHEMA {schema} CASCADE")


def vendor() -> str:
    from django.db import connection

    return "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"


def server_environment(**extra: str) -> dict[str, str]:
    """The environment for another process on the same database (a server, a measurement):
    this one's, which configure() filled in."""
    return {**os.environ, "PYTHONUNBUFFERED": "1", **extra}
