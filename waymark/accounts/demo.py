"""The demo program for `waymark demo`: a program, a clinician with FIXED, PUBLIC two-step
credentials, and the demo person's consent — so a newcomer can click through the staff side.

Never use these anywhere but a local demo: the password, the authenticator secret and the
backup codes are printed by the command and written in docs/programs.md. `waymark demo`
refuses to run when Waymark answers to any host other than this machine.
"""

from __future__ import annotations

import base64
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from waymark.access import SCOPES
from waymark.accounts.actions import do_grant_consent
from waymark.accounts.models import Consent, Membership, Organization, Role, User

PROGRAM = "Riverside Outpatient (demo)"
CLINICIAN = "demo-clinician"
CLINICIAN_PASSWORD = "waymark-demo-clinician"  # noqa: S105 (public demo credentials)
# Base32, as typed into an authenticator app (or `oathtool --totp -b SECRET`).
TOTP_SECRET = "DEMODEMODEMODEMOWAYMARKWAYMARK22"  # noqa: S105 (public demo credentials)
BACKUP_CODES = tuple(f"demobackup{n:02d}" for n in range(1, 11))
# A program lead, to see the program report and the admin site: same secret, own backup codes.
LEAD = "demo-lead"
LEAD_PASSWORD = "waymark-demo-lead"  # noqa: S105 (public demo credentials)
LEAD_BACKUP_CODES = tuple(f"demolead{n:02d}" for n in range(1, 11))


def _demo_staff(
    username: str,
    password: str,
    names: tuple[str, str],
    program: Organization,
    role: Role,
    codes: tuple[str, ...],
) -> Membership:
    """A staff account with the public demo secret and backup codes (restored every run)."""
    user, created = User.objects.get_or_create(
        username=username, defaults={"first_name": names[0], "last_name": names[1]}
    )
    if created:
        user.set_password(password)
        user.save()
    membership, _ = Membership.objects.get_or_create(
        user=user, organization=program, defaults={"role": role}
    )
    key = base64.b32decode(TOTP_SECRET).hex()
    TOTPDevice.objects.update_or_create(
        user=user, name="demo authenticator", defaults={"key": key, "confirmed": True}
    )
    # The backup codes work once each; every run of `waymark demo` restores all ten.
    backup, _ = StaticDevice.objects.get_or_create(
        user=user, name="backup codes", defaults={"confirmed": True}
    )
    backup.token_set.all().delete()
    StaticToken.objects.bulk_create(StaticToken(device=backup, token=c) for c in codes)
    return membership


def add_demo_program(person: User) -> list[str]:
    """Create (or refresh) the demo program; returns the lines to print."""
    with transaction.atomic():
        program, _ = Organization.objects.get_or_create(name=PROGRAM)
        membership = _demo_staff(
            CLINICIAN, CLINICIAN_PASSWORD, ("Dana", "Ortiz"), program, Role.CLINICIAN, BACKUP_CODES
        )
        _demo_staff(LEAD, LEAD_PASSWORD, ("Lee", "Park"), program, Role.LEAD, LEAD_BACKUP_CODES)
        shared = Consent.objects.filter(
            person=person,
            clinicians=membership,
            revoked_at__isnull=True,
            ends_at__gt=timezone.now(),
        ).exists()
        if not shared:
            do_grant_consent(
                person,
                organization=program,
                clinicians=[membership],
                scopes=SCOPES,
                ends_at=timezone.now() + timedelta(days=365),
            )
    return [
        f"Demo program {PROGRAM!r}: staff username {CLINICIAN!r}, password "
        f"{CLINICIAN_PASSWORD!r}; the demo person shares everything with this clinician.",
        f"  Two-step code: add the secret {TOTP_SECRET} to an authenticator app "
        f"(or run `oathtool --totp -b {TOTP_SECRET}`),",
        f"  or use a backup code (each works once; `waymark demo` restores them): "
        f"{', '.join(BACKUP_CODES)}",
        f"  Program lead (the program report, the admin at /admin/): username {LEAD!r}, "
        f"password {LEAD_PASSWORD!r}, the same secret, backup codes "
        f"{', '.join(LEAD_BACKUP_CODES)}",
        "  DEMO CREDENTIALS ONLY: they are public. Never create them on a real server.",
    ]
