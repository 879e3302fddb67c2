"""`waymark restore FILE`: put a backup into the configured database, which must be empty.

Refused, before anything is written: a backup of the other kind of database (SQLite restores to
SQLite, PostgreSQL to PostgreSQL), one made by a newer Waymark (its migrations are unknown
here: a database cannot be migrated backwards), a damaged or undecryptable file, and a database
that holds data. A backup from an older Waymark is restored and then migrated. Last, the audit
trail is verified with WAYMARK_AUDIT_KEYS and its head compared with the manifest's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from waymark.backup import BackupError, archive, one_line

SHOWN = 5


class Command(BaseCommand):
    help = "Restore a backup from `waymark backup` into the configured, empty database."
    requires_system_checks: list[str] = []  # noqa: RUF012 (Django reads this attribute)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE", help="a file from `waymark backup`")
        parser.add_argument(
            "--decrypt-key-file",
            metavar="FILE",
            help="the Fernet key(s) it was encrypted with (default: WAYMARK_BACKUP_KEY or "
            "WAYMARK_BACKUP_KEY_FILE)",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="only open the file, check it is whole and describe it; change nothing",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Imported here, once Django is set up: docs/cli.md is made from this parser without it.
        from django.contrib.contenttypes.models import ContentType

        from waymark.backup import databases, state

        try:
            keys = archive.keys_from(options["decrypt_key_file"])
            manifest, dump = archive.read(Path(options["file"]), keys)
            if manifest.vendor == "sqlite":
                databases.check_sqlite_dump(dump)
            self.stdout.write(_describe(manifest))
            if options["check"]:
                return
            self._refuse_what_cannot_be_restored(manifest)
            databases.load(dump)
        except BackupError as error:
            raise CommandError(str(error)) from error
        except DatabaseError as error:
            raise CommandError(f"the database refused the restore: {one_line(error)}") from error
        ContentType.objects.clear_cache()  # ids may differ from the database's before
        self._migrate(state.pending_migrations())
        self._verify(manifest)

    def _migrate(self, pending: int) -> None:
        """Bring a backup from an older Waymark up to this one's migrations."""
        if not pending:
            return
        try:
            call_command("migrate", interactive=False, verbosity=0)
        except DatabaseError as error:
            raise CommandError(
                f"restored, but `waymark migrate` failed: {one_line(error)}"
            ) from error
        self.stdout.write(
            f"migrated: {pending} newer migration{'s' if pending != 1 else ''} applied"
        )

    @staticmethod
    def _refuse_what_cannot_be_restored(manifest: archive.Manifest) -> None:
        from waymark.backup import databases, state

        here = databases.vendor()
        if manifest.vendor != here:
            raise BackupError(
                f"this is a backup of a {_kind(manifest)} database and Waymark is set up for "
                f"{archive.VENDORS[here]}: SQLite backups restore to SQLite and PostgreSQL "
                "backups to PostgreSQL (docs/operations.md says how to move between them)"
            )
        unknown = state.unknown_migrations(manifest.migrations)
        if unknown:
            shown = ", ".join(unknown[:SHOWN]) + (" …" if len(unknown) > SHOWN else "")
            raise BackupError(
                f"the backup was made by a newer Waymark ({manifest.waymark_version}): it has "
                f"migrations this version does not know ({shown}), and a database cannot be "
                f"migrated backwards. Restore it with Waymark {manifest.waymark_version} or newer"
            )
        databases.refuse_unless_empty()

    def _verify(self, manifest: archive.Manifest) -> None:
        from waymark.audit import log

        problems = log.verify()
        if problems:
            raise CommandError(
                f"restored, but the audit trail does not verify ({len(problems)} problems, the "
                f"first: {problems[0]}): are WAYMARK_AUDIT_KEYS the keys it was signed with? "
                "`waymark audit verify` lists every problem"
            )
        head = log.head()
        seq, hash_ = (head.seq, head.hash) if head else (0, log.GENESIS)
        if (seq, hash_) != (manifest.audit_seq, manifest.audit_hash):
            raise CommandError(
                f"restored, but the audit head (entry {seq}) is not the manifest's (entry "
                f"{manifest.audit_seq}): the backup's dump and manifest do not belong together"
            )
        self.stdout.write(
            f"audit trail intact: {seq} entries; newest hash {hash_}, as in the backup's manifest"
        )
        self.stdout.write("restored. Start the server and the worker again.")


def _describe(manifest: archive.Manifest) -> str:
    count = sum(len(names) for names in manifest.migrations.values())
    return (
        f"backup of {manifest.created_at}: {_kind(manifest)}, made by Waymark "
        f"{manifest.waymark_version}, {count} migrations, audit entry {manifest.audit_seq}"
    )


def _kind(manifest: archive.Manifest) -> str:
    return archive.VENDORS.get(manifest.vendor, manifest.vendor)
