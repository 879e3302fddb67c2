"""`waymark addstaff USERNAME --program NAME --role ROLE`: give an account a staff role.

A new username gets a new account with a one-time password, printed once; an existing account
just gains the role. Either way the person signs in, sets up two-step sign-in (an authenticator
app) on the enrolment page, and only then sees anything.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from waymark.accounts.management.commands._programs import bad_input, find_program, site_link
from waymark.accounts.models import Membership, Role, User
from waymark.audit.log import record


class Command(BaseCommand):
    help = "Add a staff member (clinician, lead or admin) to a program."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="the staff account's username")
        parser.add_argument("--program", required=True, help="the program's name or id")
        parser.add_argument("--role", required=True, choices=Role.values, help="the role")
        parser.add_argument("--name", default="", help='the name patients see, e.g. "Dana Ortiz"')
        parser.add_argument("--email", default="", help="the staff member's email (optional)")

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"].strip()
        if not username or len(username) > 150:
            raise bad_input("a username is 1 to 150 characters")
        program = find_program(options["program"])
        first, _, last = " ".join(options["name"].split()).partition(" ")
        password = ""
        with transaction.atomic():
            user = User.objects.filter(username=username).first()
            if user is None:
                password = secrets.token_urlsafe(12)
                user = User.objects.create_user(
                    username=username,
                    password=password,
                    email=options["email"],
                    first_name=first,
                    last_name=last,
                )
            elif first:
                user.first_name, user.last_name = first, last
                user.save(update_fields=["first_name", "last_name"])
            membership, created = Membership.objects.get_or_create(
                user=user, organization=program, defaults={"role": options["role"]}
            )
            if not created:
                membership.role, membership.active = options["role"], True
                membership.save(update_fields=["role", "active"])
            record(
                "staff.membership-change",
                actor=None,
                subject=user,
                detail=f"membership {membership.public_id}; role {membership.role}; "
                "active True; by waymark addstaff",
            )
        self.stdout.write(
            f"{user.username} is now {membership.get_role_display().lower()} at {program.name}."
        )
        if password:
            self.stdout.write(f"One-time password: {password}")
            self.stdout.write(
                "Give it privately; they should change it after signing in "
                f"({site_link('accounts:password_change')})."
            )
        self.stdout.write(f"Sign in: {site_link('accounts:login')}")
        self.stdout.write(
            f"Two-step sign-in is set up at the first sign-in: {site_link('accounts:staff_enrol')}"
        )
