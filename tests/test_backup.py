"""`waymark backup` and `waymark restore`: a backup restores row for row, with the audit trail
provable and the notes readable under the same keys, even when taken during writes; it is
private, can be encrypted, and is refused where it cannot be restored safely.

Every command runs as a real `waymark` process against databases made for these tests: SQLite
data folders, and — when DATABASE_URL points at PostgreSQL (CI's second pass) — PostgreSQL
databases created beside the test database and dropped at the end.
"""

from __future__ import annotations

import dataclasses
import json
import os
import secrets
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, LiteralString
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.conftest import TEST_AUDIT_KEY, TEST_FIELD_KEY
from waymark.backup import archive

ROOT = Path(__file__).resolve().parent.parent
WAYMARK = [sys.executable, "-m", "waymark"]
VENDORS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
OTHER_KEY = "b3RoZXItdGVzdC1rZXktZm9yLXdheW1hcmstYmFja3U="  # test only
BACKUP_KEY = "YmFja3VwLXRlc3Qta2V5LW9mLXdheW1hcmstdGVzdHM="  # test only

SEED = """
from django.test import Client
from tests.interop.people import rich_person
from waymark.audit import log
person = rich_person(Client())
for n in range(3):
    log.record("view.chart", actor=None, subject=person, detail=f"seen {n}")
log.record_many("view.caseload", actor=None, subjects=[person, person])
log.record_read("view.chart", actor=None, subject=person, detail="waiting to be sealed")
"""

# Every row of every model, each field as the application reads it (encrypted ones decrypted),
# datetimes to the microsecond.
LISTING = """
import json
from django.apps import apps
from django.db import connection
tables, listing = connection.introspection.table_names(), {}
for model in apps.get_models(include_auto_created=True):
    if model._meta.proxy or not model._meta.managed or model._meta.db_table not in tables:
        continue
    names = [field.attname for field in model._meta.concrete_fields]
    rows = model._base_manager.order_by("pk")
    listing[model._meta.label] = [[getattr(row, name) for name in names] for row in rows]
print(json.dumps(listing, default=str, sort_keys=True))
"""

NOTES = """
import json
from waymark.plans.models import PlanVersion
from waymark.tracking.models import CheckIn
notes = [c.note for c in CheckIn.objects.filter(owner__username="robin") if c.note]
plan = [v.content.get("notes") for v in PlanVersion.objects.all()]
print(json.dumps({"checkins": notes, "plans": plan}))
"""

WRITER = """
import datetime, pathlib, time
from django.db import transaction
from waymark.accounts.models import User
from waymark.audit import log
from waymark.tracking.models import CheckIn
person = User.objects.create_user("writer")
first, written = datetime.date(2000, 1, 1), 0
while not pathlib.Path({stop!r}).exists():
    with transaction.atomic():  # a check-in and its audit entry, or neither
        CheckIn.objects.create(owner=person, day=first + datetime.timedelta(days=written),
                               used=False, note=f"written during the backup {{written}}")
        log.record("checkin.test-write", actor=person, subject=person, detail=str(written))
    written += 1
    if written == 25:
        pathlib.Path({ready!r}).touch()
    time.sleep(0.002)
print(written)
"""

WRITTEN = """
import json
from waymark.audit.models import AuditEntry
from waymark.tracking.models import CheckIn
checkins = list(CheckIn.objects.filter(owner__username="writer"))
assert all(c.note.startswith("written during the backup") for c in checkins)
entries = AuditEntry.objects.filter(action="checkin.test-write").count()
print(json.dumps({"checkins": len(checkins), "entries": entries}))
"""


@dataclasses.dataclass
class Site:
    """One Waymark installation: its environment picks its own database."""

    env: dict[str, str]

    def run(self, *args: str, ok: bool = True, **extra: Any) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [*WAYMARK, *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
            **extra,
        )
        if ok:
            assert done.returncode == 0, done.stderr
        return done

    def python(self, code: str) -> Any:
        """Run code in Django here; the JSON it prints last."""
        return json.loads(self.run("shell", "-v", "0", "-c", code).stdout.splitlines()[-1])

    def with_env(self, **changes: str) -> Site:
        return Site({**self.env, **changes})


@dataclasses.dataclass
class Seeded:
    site: Site
    backup: Path
    listing: dict[str, Any]


class Sites:
    """Databases made for this module: SQLite data folders or PostgreSQL databases (dropped
    when the module ends); the seeded source of each kind is made once."""

    def __init__(self, factory: pytest.TempPathFactory) -> None:
        self.factory = factory
        self.created: list[str] = []
        self.seeded_by_vendor: dict[str, Seeded] = {}

    def new(self, vendor: str, name: str) -> Site:
        folder = self.factory.mktemp(name)
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")}
        env.update(
            DEBUG="True",
            WAYMARK_DATA_DIR=str(folder),
            WAYMARK_FIELD_KEYS=TEST_FIELD_KEY,
            WAYMARK_AUDIT_KEYS=TEST_AUDIT_KEY,
            ALLOWED_HOSTS="testserver",  # the seed walks the check-up with the test client
            LOG_LEVEL="WARNING",
        )
        env.pop("WAYMARK_BACKUP_KEY", None)
        if vendor == "postgresql":
            database = f"waymark_backup_{name}_{secrets.token_hex(4)}"
            self._admin("CREATE DATABASE {}", database)
            self.created.append(database)
            parts = urlsplit(os.environ["DATABASE_URL"])
            env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{database}"))
        return Site(env)

    def seeded(self, vendor: str) -> Seeded:
        if vendor not in self.seeded_by_vendor:
            site = self.new(vendor, "source")
            site.run("migrate", "--noinput", "-v", "0")
            site.run("shell", "-v", "0", "-c", SEED)
            backup = self.factory.mktemp("backups") / "seeded.waymark"
            site.run("backup", "--output", str(backup))
            self.seeded_by_vendor[vendor] = Seeded(site, backup, site.python(LISTING))
        return self.seeded_by_vendor[vendor]

    def drop_all(self) -> None:
        for database in self.created:
            self._admin("DROP DATABASE IF EXISTS {} WITH (FORCE)", database)

    @staticmethod
    def _admin(statement: LiteralString, database: str) -> None:
        import psycopg
        from psycopg import sql

        with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as admin:
            admin.execute(sql.SQL(statement).format(sql.Identifier(database)))


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sites]:
    made = Sites(tmp_path_factory)
    yield made
    made.drop_all()


@pytest.fixture(params=VENDORS)
def vendor(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _error(done: subprocess.CompletedProcess[str]) -> str:
    """The one line a refused command says why on."""
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


def _head(site: Site) -> list[Any]:
    return list(site.python(
        "import json; from waymark.audit import log; h = log.head(); "
        "print(json.dumps([h.seq, h.hash] if h else [0, log.GENESIS]))"
    ))  # fmt: skip


# --- the round trip ------------------------------------------------------------------------


@pytest.mark.parametrize("migrated_first", [False, True], ids=["new", "migrated"])
def test_a_backup_restores_row_for_row_into_an_empty_database(
    sites: Sites, vendor: str, migrated_first: bool
) -> None:
    source = sites.seeded(vendor)
    manifest, _ = archive.read(source.backup, None)
    assert manifest.vendor == vendor
    assert manifest.audit_seq >= 5
    target = sites.new(vendor, "target")
    if migrated_first:  # what `migrate` writes by itself does not count as data
        target.run("migrate", "--noinput", "-v", "0")

    done = target.run("restore", str(source.backup))

    assert "audit trail intact" in done.stdout
    listing = target.python(LISTING)
    assert listing == source.listing
    filled = {label for label, rows in listing.items() if rows}
    assert {"accounts.User", "tracking.CheckIn", "plans.PlanVersion", "audit.AuditEntry"} <= filled
    assert len(listing["audit.PendingRead"]) == 1  # a read not sealed yet comes along, checked
    notes = target.python(NOTES)
    assert "Call Alex before payday — ñ, 日本" in notes["plans"]
    assert 'day 1: a note, with "quotes"\nand a second line' in notes["checkins"]
    assert _head(target) == [manifest.audit_seq, manifest.audit_hash]
    verified = target.run("audit", "verify").stdout
    assert "reads sealed into the chain first: 1" in verified and "audit trail intact" in verified
    assert _head(target)[0] == manifest.audit_seq + 1


def test_a_backup_taken_during_writes_restores_to_a_consistent_database(
    sites: Sites, vendor: str, tmp_path: Path
) -> None:
    source = sites.new(vendor, "busy")
    source.run("migrate", "--noinput", "-v", "0")
    stop, ready = tmp_path / "stop", tmp_path / "ready"
    writer = subprocess.Popen(
        [*WAYMARK, "shell", "-v", "0", "-c", WRITER.format(stop=str(stop), ready=str(ready))],
        env=source.env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not ready.exists():
            assert writer.poll() is None, writer.communicate()[1]
            assert time.monotonic() < deadline, "the writer never got going"
            time.sleep(0.05)
        source.run("backup", "--output", str(tmp_path / "busy.waymark"))
    finally:
        stop.touch()
        out, err = writer.communicate(timeout=60)
    assert writer.returncode == 0, err
    written = int(out.strip().splitlines()[-1])
    manifest, _ = archive.read(tmp_path / "busy.waymark", None)
    target = sites.new(vendor, "calm")

    target.run("restore", str(tmp_path / "busy.waymark"))  # it verifies the trail itself

    found = target.python(WRITTEN)
    # Each check-in was written with its audit entry: the snapshot has both or neither.
    assert found["checkins"] == found["entries"]
    assert 25 <= found["entries"] < written  # taken while the writer went on
    assert manifest.audit_seq == found["entries"]
    assert _head(target) == [manifest.audit_seq, manifest.audit_hash]


def test_a_backup_from_an_older_waymark_is_restored_then_migrated(
    sites: Sites, vendor: str, tmp_path: Path
) -> None:
    folder = Path(__file__).resolve().parent.parent / "waymark" / "tracking" / "migrations"
    *_, previous, latest = sorted(path.stem for path in folder.glob("0*.py"))
    source = sites.new(vendor, "older")
    source.run("migrate", "--noinput", "-v", "0")
    source.run("migrate", "tracking", previous, "--noinput", "-v", "0")  # one migration behind
    source.run("backup", "--output", str(tmp_path / "older.waymark"))
    target = sites.new(vendor, "newer")

    done = target.run("restore", str(tmp_path / "older.waymark"))

    assert "migrated: 1 newer migration applied" in done.stdout
    shown = target.run("showmigrations", "tracking").stdout
    assert f"[X] {latest}" in shown


def test_a_database_that_holds_data_is_never_restored_over(sites: Sites, vendor: str) -> None:
    source = sites.seeded(vendor)

    done = source.site.run("restore", str(source.backup), ok=False)

    assert "the database is not empty (" in _error(done)
    assert "restore only into an empty database" in _error(done)


# --- the file: private, encrypted, refused when it cannot be restored ------------------------


def test_the_backup_file_is_private_and_never_replaced_without_force(
    sites: Sites, tmp_path: Path
) -> None:
    source = sites.seeded("sqlite").site
    output = tmp_path / "private.waymark"

    source.run("backup", "--output", str(output), umask=0)

    assert stat.S_IMODE(output.stat().st_mode) == 0o600
    before = output.read_bytes()
    refused = source.run("backup", "--output", str(output), ok=False)
    assert _error(refused) == f"CommandError: {output} already exists: give --force to replace it"
    assert output.read_bytes() == before
    source.run("backup", "--output", str(output), "--force", umask=0)
    assert stat.S_IMODE(output.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["private.waymark"]  # no partial file left


def test_an_encrypted_backup_is_unreadable_without_its_key_and_restores_with_it(
    sites: Sites, tmp_path: Path
) -> None:
    source = sites.seeded("sqlite")
    key_file = tmp_path / "backup.key"
    key_file.write_text(BACKUP_KEY + "\n")
    output = tmp_path / "sealed.waymark"

    done = source.site.run("backup", "--output", str(output), "--encrypt-key-file", str(key_file))

    assert "encrypted)" in done.stdout
    sealed = output.read_bytes()
    assert sealed.startswith(b"waymark-backup-encrypted/1\n")
    for clear in (b"robin@example.org", b"manifest.json", b"SQLite format 3", b"\x1f\x8b"):
        assert clear not in sealed
    target = sites.new("sqlite", "sealed")
    no_key = target.run("restore", str(output), ok=False)
    assert "is encrypted: give its key with --decrypt-key-file" in _error(no_key)
    wrong = target.run("restore", str(output), "--decrypt-key-file", str(tmp_path / "x"), ok=False)
    assert "cannot read the key file" in _error(wrong)
    other = target.with_env(WAYMARK_BACKUP_KEY=OTHER_KEY).run("restore", str(output), ok=False)
    assert "the key does not open this backup" in _error(other)
    # An older key listed after a newer one still opens it (keys are rotated like field keys).
    rotated = target.with_env(WAYMARK_BACKUP_KEY=f"{OTHER_KEY},{BACKUP_KEY}")
    rotated.run("restore", str(output))
    assert target.python(LISTING) == source.listing


def test_without_the_audit_keys_the_restored_trail_cannot_be_proven(sites: Sites) -> None:
    source = sites.seeded("sqlite")
    target = sites.new("sqlite", "keyless").with_env(WAYMARK_AUDIT_KEYS=OTHER_KEY)

    done = target.run("restore", str(source.backup), ok=False)

    line = _error(done)
    assert line.startswith("CommandError: restored, but the audit trail does not verify (")
    assert "which is not configured" in line
    # The data is there: with the right key the trail is proven.
    proven = target.with_env(WAYMARK_AUDIT_KEYS=TEST_AUDIT_KEY).run("audit", "verify")
    assert "audit trail intact" in proven.stdout


def _altered(source: Seeded, path: Path, **changes: Any) -> Path:
    manifest, dump = archive.read(source.backup, None)
    path.write_bytes(archive.pack(dataclasses.replace(manifest, **changes), dump))
    return path


def test_a_backup_from_a_newer_waymark_is_refused(sites: Sites, tmp_path: Path) -> None:
    source = sites.seeded("sqlite")
    manifest, _ = archive.read(source.backup, None)
    future = {**manifest.migrations, "audit": [*manifest.migrations["audit"], "0099_future"]}
    newer = _altered(source, tmp_path / "newer.waymark", migrations=future, waymark_version="9.0")
    target = sites.new("sqlite", "behind")

    line = _error(target.run("restore", str(newer), ok=False))

    assert "made by a newer Waymark (9.0)" in line
    assert "audit.0099_future" in line
    assert "cannot be migrated backwards" in line
    assert not (Path(target.env["WAYMARK_DATA_DIR"]) / "waymark.sqlite3").exists()


def test_a_backup_of_the_other_kind_of_database_is_refused(sites: Sites, tmp_path: Path) -> None:
    other = _altered(sites.seeded("sqlite"), tmp_path / "other.waymark", vendor="postgresql")

    line = _error(sites.new("sqlite", "kind").run("restore", str(other), ok=False))

    assert "a backup of a PostgreSQL database and Waymark is set up for SQLite" in line
    assert "SQLite backups restore to SQLite and PostgreSQL backups to PostgreSQL" in line


def test_a_damaged_backup_is_refused(sites: Sites, tmp_path: Path) -> None:
    manifest, dump = archive.read(sites.seeded("sqlite").backup, None)
    damaged = tmp_path / "damaged.waymark"
    damaged.write_bytes(archive.pack(manifest, dump[:4096] + b"x" + dump[4097:]))
    target = sites.new("sqlite", "damaged")

    line = _error(target.run("restore", str(damaged), ok=False))

    assert "the backup is damaged: its dump does not match its manifest's SHA-256" in line
    text = tmp_path / "text.waymark"
    text.write_text("hello")
    assert "is not a Waymark backup" in _error(target.run("restore", str(text), ok=False))


def test_check_describes_a_backup_and_changes_nothing(sites: Sites) -> None:
    source = sites.seeded("sqlite")
    target = sites.new("sqlite", "checked")

    done = target.run("restore", "--check", str(source.backup))

    assert done.stdout.startswith("backup of ")
    assert "SQLite, made by Waymark" in done.stdout
    assert not (Path(target.env["WAYMARK_DATA_DIR"]) / "waymark.sqlite3").exists()
