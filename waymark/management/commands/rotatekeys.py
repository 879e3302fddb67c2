"""`waymark rotatekeys`: re-encrypt every encrypted field under the newest key.

Put a new key first in WAYMARK_FIELD_KEYS, restart Waymark, run this; once it reports nothing
left under an older key (and nothing unreadable), the older keys can be removed. Each batch of
rows is read, locked and rewritten in its own transaction, and a value already under the
newest key is left alone, so the command can be interrupted and run again at any time, beside
a running Waymark.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, models, transaction

from waymark import crypto
from waymark.fields import Ciphertext, EncryptedField

SHOWN_UNREADABLE = 10


def encrypted_fields() -> list[tuple[type[models.Model], list[EncryptedField[Any, Any]]]]:
    """Every installed model with encrypted columns in its own table, with those fields."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy:  # its table is its concrete model's, done there
            continue
        fields = [f for f in model._meta.local_concrete_fields if isinstance(f, EncryptedField)]
        if fields:
            found.append((model, fields))
    return found


@dataclasses.dataclass
class Counts:
    rotated: int = 0
    current: int = 0
    unreadable: list[str] = dataclasses.field(default_factory=list)


class Command(BaseCommand):
    help = "Re-encrypt every encrypted field under the newest key in WAYMARK_FIELD_KEYS."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="count what would be re-encrypted; change nothing",
        )
        parser.add_argument(
            "--batch-size", type=int, default=500, help="rows per transaction (default 500)"
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="database alias")

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run: bool = options["dry_run"]
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")
        try:
            crypto.keys()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        found = encrypted_fields()
        if not found:
            self.stdout.write("No installed model has an encrypted field.")
            return
        unreadable: list[str] = []
        for model, fields in found:
            counts = self._rotate(
                model, fields, options["database"], options["batch_size"], dry_run
            )
            verb = "to re-encrypt" if dry_run else "re-encrypted"
            line = f"{model._meta.label}: {counts.rotated} {verb}, {counts.current} already current"
            if counts.unreadable:
                line += f", {len(counts.unreadable)} unreadable"
            self.stdout.write(line)
            unreadable += counts.unreadable
        if unreadable:
            shown = ", ".join(unreadable[:SHOWN_UNREADABLE])
            hidden = len(unreadable) - SHOWN_UNREADABLE
            more = f" and {hidden} more" if hidden > 0 else ""
            raise CommandError(
                f"{len(unreadable)} stored value(s) open with no key in WAYMARK_FIELD_KEYS and "
                f"were left as they were: {shown}{more}. Remove no key until they are dealt with."
            )

    def _rotate(
        self,
        model: type[models.Model],
        fields: list[EncryptedField[Any, Any]],
        using: str,
        batch_size: int,
        dry_run: bool,
    ) -> Counts:
        counts = Counts()
        # The tokens as stored: a plain TextField output skips the fields' decryption.
        raw = {
            f"waymark_token_{number}": models.ExpressionWrapper(
                models.F(field.attname), output_field=models.TextField()
            )
            for number, field in enumerate(fields)
        }
        manager = model._base_manager.db_manager(using)
        last_pk: Any = None
        while True:
            with transaction.atomic(using=using):
                rows = manager.annotate(**raw).order_by("pk")
                if last_pk is not None:
                    rows = rows.filter(pk__gt=last_pk)
                if not dry_run:  # no write in between may be overwritten by an older value
                    rows = rows.select_for_update()
                batch = list(rows.values_list("pk", *raw)[:batch_size])
                if not batch:
                    return counts
                for pk, *tokens in batch:
                    changes = self._changes(model, pk, fields, tokens, counts)
                    if changes and not dry_run:
                        manager.filter(pk=pk).update(**changes)
                last_pk = batch[-1][0]

    @staticmethod
    def _changes(
        model: type[models.Model],
        pk: Any,
        fields: list[EncryptedField[Any, Any]],
        tokens: list[str | None],
        counts: Counts,
    ) -> dict[str, Ciphertext]:
        changes = {}
        for field, token in zip(fields, tokens, strict=True):
            if token is None:
                continue
            if crypto.is_current(token):
                counts.current += 1
                continue
            try:
                changes[field.attname] = Ciphertext(crypto.rotate(token))
            except crypto.DecryptionError:
                counts.unreadable.append(f"{model._meta.label} pk={pk} {field.name}")
            else:
                counts.rotated += 1
        return changes
