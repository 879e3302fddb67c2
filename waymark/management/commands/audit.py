"""`waymark audit verify` and `waymark audit checkpoint`: prove the audit trail is whole.

`verify` first seals the staff reads waiting to be chained, then recomputes every entry's keyed
hash and checks the chain, and each read left waiting; with a checkpoint (a file given with
--checkpoint, else the newest in WAYMARK_AUDIT_CHECKPOINT_DIR) it also fails when the chain is
shorter than the checkpoint or was rewritten up to it. `checkpoint` writes the signed head, for
the operator to keep somewhere the database's administrators cannot reach.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from waymark.audit import log

SHOWN = 20


class Command(BaseCommand):
    help = "Check the keyed, hash-chained audit trail, or write a signed checkpoint of it."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        verify = actions.add_parser(
            "verify",
            help="seal the reads waiting, then recompute every hash and check the chain is whole",
        )
        verify.add_argument(
            "--checkpoint",
            metavar="FILE",
            help="also check against this checkpoint (default: the newest in "
            "WAYMARK_AUDIT_CHECKPOINT_DIR, if set)",
        )
        point = actions.add_parser("checkpoint", help="write a signed checkpoint of the head")
        point.add_argument(
            "--output", metavar="FILE", help="write it here (mode 0600), not to stdout"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "checkpoint":
            self._checkpoint(options.get("output"))
        else:
            self._verify(options.get("checkpoint"))

    def _checkpoint(self, output: str | None) -> None:
        try:
            point = log.checkpoint()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        text = json.dumps(point.as_dict(), indent=2) + "\n"
        if output is None:
            self.stdout.write(text, ending="")
            return
        descriptor = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(output, 0o600)
        sys.stderr.write(f"audit checkpoint written: entry {point.seq} to {output}\n")

    def _verify(self, given: str | None) -> None:
        try:
            if given:
                point: log.Checkpoint | None = log.read_checkpoint(
                    Path(given).read_text(encoding="utf-8")
                )
            else:
                point = log.latest_checkpoint(settings.WAYMARK_AUDIT_CHECKPOINT_DIR)
        except (OSError, log.CheckpointError) as error:
            raise CommandError(f"cannot read the checkpoint: {error}") from error
        self._seal()
        problems = log.verify(point)
        if problems:
            for problem in problems[:SHOWN]:
                self.stderr.write(f"audit: {problem}")
            if len(problems) > SHOWN:
                self.stderr.write(f"audit: … and {len(problems) - SHOWN} more")
            raise CommandError(f"the audit trail is broken ({len(problems)} problems)")
        head = log.head()
        count = head.seq if head else 0
        newest = head.hash if head else log.GENESIS
        against = f"; matches the checkpoint of {point.at} (entry {point.seq})" if point else ""
        self.stdout.write(f"audit trail intact: {count} entries; newest hash {newest}{against}")
        if point is None:
            self.stdout.write(
                "audit: no checkpoint given: deletion of every entry, or of the newest ones "
                "with the head moved back, is only caught against a checkpoint kept elsewhere"
            )

    def _seal(self) -> None:
        """Chain the reads waiting, saying so when they had waited long: nothing was sealing
        them, and a read deleted before it is sealed leaves no trace."""
        oldest = log.oldest_waiting()
        sealed = log.seal()
        if sealed:
            self.stdout.write(f"audit: reads sealed into the chain first: {sealed}")
        if oldest is not None and timezone.now() - oldest > log.STALLED_AFTER:
            minutes = int((timezone.now() - oldest).total_seconds() // 60)
            self.stderr.write(
                f"audit: warning: the oldest read waiting to be sealed was {minutes} minutes "
                "old: is the worker running? (it seals them every minute)"
            )
