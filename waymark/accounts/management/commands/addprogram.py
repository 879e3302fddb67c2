"""`waymark addprogram NAME`: add a treatment program (an organization) to this Waymark."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from waymark.accounts.management.commands._programs import bad_input
from waymark.accounts.models import Organization


class Command(BaseCommand):
    help = "Add a program (an organization whose staff people can share with)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="the program's name, as people will see it")

    def handle(self, *args: Any, **options: Any) -> None:
        name = " ".join(options["name"].split())
        if not name or len(name) > 200:
            raise bad_input("a program name is 1 to 200 characters")
        if Organization.objects.filter(name=name).exists():
            raise bad_input(f"a program named {name!r} exists already")
        program = Organization.objects.create(name=name)
        self.stdout.write(f"Program {program.name!r} added (id {program.public_id}).")
        self.stdout.write(f"Next: waymark addstaff USERNAME --program {program.name!r} --role lead")
