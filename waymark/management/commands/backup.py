"""`waymark backup --output FILE`: a consistent snapshot of the whole database in one file.

Safe beside a running Waymark. The file (mode 0600) holds the dump and a manifest: the Waymark
version, the database vendor, the applied migrations, when it was made and the audit chain's
head. Encrypted when a key is given (--encrypt-key-file, or WAYMARK_BACKUP_KEY). See
docs/operations.md, "Backup and restore".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from django.utils import timezone

from waymark.backup import BackupError, archive, one_line


class Command(BaseCommand):
    help = "Write a consistent backup of the database, with a manifest, to one file (0600)."
    # A backup needs only the database: a deployment check failing must not stop it.
    requires_system_checks: list[str] = []  # noqa: RUF012 (Django reads this attribute)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", required=True, metavar="FILE", help="write it here")
        parser.add_argument("--force", action="store_true", help="replace FILE if it exists")
        parser.add_argument(
            "--encrypt-key-file",
            metavar="FILE",
            help="encrypt with the Fernet key in FILE (default: WAYMARK_BACKUP_KEY or "
            "WAYMARK_BACKUP_KEY_FILE, if set; else not encrypted)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        output = Path(options["output"])
        try:
            keys = archive.keys_from(options["encrypt_key_file"])
            if output.exists() and not options["force"]:  # before the work, not after
                raise BackupError(f"{output} already exists: give --force to replace it")
            manifest, dump = self._snapshot()
            data = archive.pack(manifest, dump)
            if keys:
                data = archive.encrypt(data, keys)
            archive.write_private(output, data, replace=options["force"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        except DatabaseError as error:
            raise CommandError(f"cannot read the database: {one_line(error)}") from error
        sealed = "encrypted" if keys else "not encrypted"
        self.stdout.write(
            f"backup written: {output} ({len(data)} bytes, "
            f"{archive.VENDORS[manifest.vendor]}, audit entry {manifest.audit_seq}, {sealed})"
        )

    @staticmethod
    def _snapshot() -> tuple[archive.Manifest, bytes]:
        from waymark.backup import databases, state
        from waymark.cli import version

        vendor = databases.vendor()
        if not state.is_migrated():
            raise BackupError("the database has no tables: nothing to back up (waymark migrate?)")
        at = timezone.now().isoformat()
        dump, found = databases.snapshot()
        manifest = archive.Manifest(
            waymark_version=version(),
            vendor=vendor,
            created_at=at,
            migrations=found.migrations,
            audit_seq=found.audit_seq,
            audit_hash=found.audit_hash,
            dump_name=archive.DUMP_NAMES[vendor],
            dump_bytes=len(dump),
            dump_sha256=archive.sha256(dump),
        )
        return manifest, dump
