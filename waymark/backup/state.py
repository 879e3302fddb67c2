"""What a database holds, as far as backup and restore care: its migrations, the audit chain's
head, and whether it is empty."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from waymark.audit import log
from waymark.audit.models import ChainHead

MIGRATIONS_TABLE = MigrationRecorder.Migration._meta.db_table
# The tables `migrate` fills by itself in a new database, and the cache: rows in these do not
# make a database "not empty".
BOOKKEEPING = {
    MIGRATIONS_TABLE,
    "django_content_type",
    "auth_permission",
    settings.CACHES["default"].get("LOCATION", ""),
}


@dataclass(frozen=True)
class State:
    migrations: dict[str, list[str]]
    audit_seq: int
    audit_hash: str


def read_state(cursor: Any) -> State:
    """The applied migrations and the audit head, read with a plain DB-API cursor (so it works
    inside pg_dump's snapshot and on a SQLite copy alike)."""
    cursor.execute(f"SELECT app, name FROM {MIGRATIONS_TABLE} ORDER BY id")  # noqa: S608 (a constant)
    migrations: dict[str, list[str]] = {}
    for app, name in cursor.fetchall():
        migrations.setdefault(app, []).append(name)
    seq, hash_ = 0, log.GENESIS
    if "0001_initial" in migrations.get("audit", []):
        cursor.execute(
            f"SELECT seq, hash FROM {ChainHead._meta.db_table} WHERE id = {log.HEAD}"  # noqa: S608
        )
        row = cursor.fetchone()
        if row is not None:
            seq, hash_ = int(row[0]), str(row[1])
    return State(migrations, seq, hash_)


def is_migrated() -> bool:
    return MIGRATIONS_TABLE in connection.introspection.table_names()


def unknown_migrations(applied: dict[str, list[str]]) -> list[str]:
    """Migrations the backup has applied that this code does not have: it was made by a newer
    Waymark, and a database cannot be migrated backwards."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    for migration in loader.disk_migrations.values():
        known.update((app, name) for app, name in migration.replaces)
    return [
        f"{app}.{name}"
        for app, names in sorted(applied.items())
        for name in names
        if (app, name) not in known
    ]


def pending_migrations() -> int:
    """How many of this code's migrations the database does not have yet."""
    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def tables_with_data() -> list[str]:
    """The tables that hold rows, leaving out what `migrate` itself writes."""
    found = []
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            if table in BOOKKEEPING:
                continue
            cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")  # noqa: S608
            if cursor.fetchone() is not None:
                found.append(table)
    return found
