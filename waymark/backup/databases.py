"""Taking a snapshot of the configured database, and loading one into it: SQLite or PostgreSQL.

SQLite: the online backup API copies every page in one step under a read lock, so writers
carry on (WAL) and the copy is one consistent moment; a restore copies the pages the other way,
through SQLite, which takes the write lock and leaves no stale journal behind.

PostgreSQL: a repeatable-read transaction exports its snapshot, reads the migrations and the
audit head in it, and `pg_dump --snapshot` dumps exactly that moment. A restore runs
`pg_restore` in one transaction, so a failure leaves the database as it was. The connection is
passed to both tools in PG* environment variables, never on the command line, where other
users of the machine could read the password.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.db import connection, transaction

from waymark.backup import BackupError
from waymark.backup.archive import DUMP_NAMES, VENDORS
from waymark.backup.state import State, read_state, tables_with_data

# Django's connection parameters, as the libpq environment variables both tools read.
LIBPQ_ENVIRONMENT = {
    "dbname": "PGDATABASE",
    "host": "PGHOST",
    "port": "PGPORT",
    "user": "PGUSER",
    "password": "PGPASSWORD",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "sslcrl": "PGSSLCRL",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "options": "PGOPTIONS",
}


def vendor() -> str:
    if connection.vendor not in VENDORS:
        raise BackupError(f"backups work on SQLite and PostgreSQL, not {connection.vendor}")
    return connection.vendor


def snapshot() -> tuple[bytes, State]:
    """The dump of the database now, and its migrations and audit head at that same moment."""
    return _SNAPSHOT[vendor()]()


def _sqlite_snapshot() -> tuple[bytes, State]:
    connection.ensure_connection()
    copy = sqlite3.connect(":memory:")
    try:
        connection.connection.backup(copy)  # pages=-1: all of them, in one step
        return _without_wal(copy.serialize()), read_state(copy.cursor())
    finally:
        copy.close()


def _postgres_snapshot() -> tuple[bytes, State]:
    connection.ensure_connection()
    with transaction.atomic(), connection.cursor() as cursor, _private_folder() as folder:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot_id,) = cursor.fetchone()
        state = read_state(cursor)
        dump = folder / DUMP_NAMES["postgresql"]
        # The transaction stays open while pg_dump reads its snapshot.
        _run("pg_dump", "--format=custom", f"--snapshot={snapshot_id}", f"--file={dump}")
        return dump.read_bytes(), state


_SNAPSHOT: dict[str, Callable[[], tuple[bytes, State]]] = {
    "sqlite": _sqlite_snapshot,
    "postgresql": _postgres_snapshot,
}


def check_sqlite_dump(dump: bytes) -> None:
    copy = _open_sqlite(dump)
    try:
        (result,) = copy.execute("PRAGMA quick_check").fetchone()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"the backup's SQLite database is damaged ({error})") from error
    finally:
        copy.close()
    if result != "ok":
        raise BackupError(f"the backup's SQLite database is damaged ({result})")


def refuse_unless_empty() -> None:
    found = tables_with_data()
    if found:
        shown = ", ".join(found[:3]) + (f" and {len(found) - 3} more" if len(found) > 3 else "")
        raise BackupError(
            f"the database is not empty ({shown} hold rows): restore only into an empty "
            "database, never over one in use — create a new database (PostgreSQL) or point "
            "WAYMARK_DATA_DIR or DATABASE_URL at a new SQLite file, then run restore again"
        )


def load(dump: bytes) -> None:
    """Put the dump into the configured database (checked empty before)."""
    _LOAD[vendor()](dump)


def _sqlite_load(dump: bytes) -> None:
    copy = _open_sqlite(dump)
    connection.ensure_connection()
    try:
        # Every page of the database is replaced, in one write transaction.
        copy.backup(connection.connection)
    except sqlite3.Error as error:
        raise BackupError(f"cannot write the SQLite database: {error}") from error
    finally:
        copy.close()


def _postgres_load(dump: bytes) -> None:
    # Empty tables left by `migrate` would clash with the dump's: drop them, once they are
    # locked against writers and seen to hold no rows still, in one transaction.
    tables = connection.introspection.table_names()
    if tables:
        with transaction.atomic(), connection.cursor() as cursor:
            names = ", ".join(connection.ops.quote_name(table) for table in tables)
            cursor.execute(f"LOCK TABLE {names} IN ACCESS EXCLUSIVE MODE")
            refuse_unless_empty()
            cursor.execute(f"DROP TABLE {names} CASCADE")
    connection.close()
    with _private_folder() as folder:
        path = folder / DUMP_NAMES["postgresql"]
        path.write_bytes(dump)
        # An empty --dbname makes pg_restore connect (rather than print SQL) to PGDATABASE.
        _run("pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
             "--single-transaction", "--dbname=", str(path))  # fmt: skip


_LOAD: dict[str, Callable[[bytes], None]] = {"sqlite": _sqlite_load, "postgresql": _postgres_load}


def _without_wal(image: bytes) -> bytes:
    """The database file marked as using a rollback journal, not WAL (header bytes 18 and 19,
    the file format's write and read versions: 1 legacy, 2 WAL): a WAL database cannot be
    opened from memory, and the file in a backup has no WAL file beside it. Restored into a
    WAL database, it takes that database's journal mode."""
    if image[18:20] != b"\x02\x02":
        return image
    return image[:18] + b"\x01\x01" + image[20:]


def _open_sqlite(dump: bytes) -> sqlite3.Connection:
    copy = sqlite3.connect(":memory:")
    try:
        copy.deserialize(_without_wal(dump))
    except sqlite3.DatabaseError as error:
        copy.close()
        raise BackupError(f"the backup's SQLite database is damaged ({error})") from error
    return copy


@contextmanager
def _private_folder() -> Iterator[Path]:
    """A folder only this user can read (0700), removed afterwards, for pg_dump's file."""
    with tempfile.TemporaryDirectory(prefix="waymark-backup-") as name:
        yield Path(name)


def pg_tool(name: str) -> str:
    """pg_dump or pg_restore: on PATH, else the newest under /usr/lib/postgresql (Debian)."""
    found = shutil.which(name)
    if found:
        return found
    installed = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda path: int(path.parent.parent.name) if path.parent.parent.name.isdigit() else 0,
    )
    if not installed:
        raise BackupError(
            f"{name} was not found on PATH or in /usr/lib/postgresql/*/bin: install the "
            "PostgreSQL client tools, of the server's version or newer (Debian: postgresql-client)"
        )
    return str(installed[-1])


def pg_environment() -> dict[str, str]:
    environment = dict(os.environ)
    parameters: dict[str, Any] = connection.get_connection_params()
    for parameter, variable in LIBPQ_ENVIRONMENT.items():
        if parameters.get(parameter) not in (None, ""):
            environment[variable] = str(parameters[parameter])
    environment["PGAPPNAME"] = "waymark-backup"
    return environment


def _run(name: str, *arguments: str) -> None:
    done = subprocess.run(  # noqa: S603 (a fixed tool; nothing from the network or a person)
        [pg_tool(name), *arguments],
        env=pg_environment(),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BackupError(
            f"{name} failed: {_first_error(done.stderr) or f'exit {done.returncode}'}"
        )


def _first_error(stderr: str) -> str:
    """The tool's first error and its detail line (the lines after it quote SQL)."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    for number, line in enumerate(lines):
        if "error:" in line:
            detail = lines[number + 1 : number + 2]
            return "; ".join([line, *(d for d in detail if "detail:" in d)])
    return lines[-1] if lines else ""
