"""`waymark audit verify`: check that no audit entry was edited, deleted or cut off."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from waymark.audit import log

SHOWN = 20


class Command(BaseCommand):
    help = "Check the hash-chained audit trail: 'waymark audit verify'."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        actions.add_parser("verify", help="recompute every hash and check the chain is whole")

    def handle(self, *args: Any, **options: Any) -> None:
        problems = log.verify()
        if problems:
            for problem in problems[:SHOWN]:
                self.stderr.write(f"audit: {problem}")
            if len(problems) > SHOWN:
                self.stderr.write(f"audit: … and {len(problems) - SHOWN} more")
            raise CommandError(f"the audit trail is broken ({len(problems)} problems)")
        head = log.head()
        count = head.seq if head else 0
        newest = head.hash if head else log.GENESIS
        # Writing the newest hash down elsewhere (a ticket, a printed log) lets a later check
        # prove that the whole trail, not only its links, is as it was.
        self.stdout.write(f"audit trail intact: {count} entries; newest hash {newest}")
