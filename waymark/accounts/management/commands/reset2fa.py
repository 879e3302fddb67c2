"""`waymark reset2fa USERNAME`: remove a staff member's authenticator and backup codes (a lost
phone); they set up a new one at their next sign-in. Program leads can do the same in /admin/."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from waymark.accounts.management.commands._programs import find_user, site_link
from waymark.audit.log import record
from waymark.interop.models import ApiToken


class Command(BaseCommand):
    help = "Reset a staff member's two-step sign-in (after a lost phone)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="the staff account's username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = find_user(options["username"])
        with transaction.atomic():
            TOTPDevice.objects.filter(user=user).delete()
            StaticDevice.objects.filter(user=user).delete()
            # Their API tokens carried the old factor's verification: no longer.
            ApiToken.objects.filter(owner=user).update(verified=False)
            record(
                "staff.reset-2fa",
                actor=None,
                subject=user,
                detail="authenticator and backup codes removed, API tokens no longer verified, "
                "by waymark reset2fa",
            )
        self.stdout.write(
            f"Two-step sign-in reset for {user.username}; they set it up again at "
            f"{site_link('accounts:staff_enrol')}"
        )
