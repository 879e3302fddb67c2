"""Factories for programs, staff and consents, shared by every test that needs them.

    program = make_program()
    clinician = make_staff(Role.CLINICIAN, program=program)   # a Staff: .user .membership .client
    person = make_person()
    make_consent(person, clinician.membership)               # every scope, active for a year
    clinician.client.get(url)                                # signed in, OTP-verified session

`make_staff(..., verified=False)` gives a signed-in session that has not entered its code;
`as_verified(user)` marks a plain User object the way django-otp's middleware marks
`request.user`, for calling `waymark.access` directly.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from waymark.access import SCOPES
from waymark.accounts.models import Consent, Membership, Organization, Role, User

PASSWORD = "a-long-password-1"
# A fixed TOTP secret for tests (hex, as django-otp stores it): tokens come from
# `totp_token(device)`, never from the clock of a phone.
TEST_TOTP_KEY = "3132333435363738393031323334353637383930"
_numbers = itertools.count(1)


@dataclass
class Staff:
    user: User
    membership: Membership
    client: Client
    device: TOTPDevice | None


def make_program(name: str | None = None) -> Organization:
    return Organization.objects.create(name=name or f"Program {next(_numbers)}")


def make_person(username: str | None = None) -> User:
    return User.objects.create_user(
        username=username or f"person{next(_numbers)}", password=PASSWORD
    )


def make_staff(
    role: str = Role.CLINICIAN,
    *,
    program: Organization | None = None,
    verified: bool = True,
    enrolled: bool = True,
    active: bool = True,
    username: str | None = None,
    client: Client | None = None,
) -> Staff:
    """A staff account with a membership, signed in on its own Client. `verified`: the
    session has entered its second factor; `enrolled`: a confirmed TOTP device exists."""
    number = next(_numbers)
    user = User.objects.create_user(
        username=username or f"staff{number}",
        password=PASSWORD,
        first_name="Alex",
        last_name=f"Rivera {number}",
    )
    membership = Membership.objects.create(
        user=user, organization=program or make_program(), role=role, active=active
    )
    device = (
        TOTPDevice.objects.create(user=user, name="phone", key=TEST_TOTP_KEY, confirmed=True)
        if enrolled
        else None
    )
    client = client or Client()
    client.force_login(user)
    if verified:
        assert device is not None, "a verified session needs an enrolled device"
        verify_session(client, device)
    return Staff(user=user, membership=membership, client=client, device=device)


def verify_session(client: Client, device: TOTPDevice) -> None:
    """What entering a correct code does: the session remembers the device."""
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def as_verified(user: User) -> User:
    """Mark a User object as django-otp's middleware marks a verified `request.user`."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    user.otp_device = device  # type: ignore[attr-defined]
    user.is_verified = lambda: device is not None  # type: ignore[attr-defined]
    return user


def totp_token(device: TOTPDevice, when: datetime | None = None) -> str:
    """The code the device's app would show now (or at `when`)."""
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = (when or timezone.now()).timestamp()
    return f"{totp.token():0{device.digits}d}"


def make_consent(
    person: User,
    clinicians: Membership | Iterable[Membership],
    *,
    scopes: Sequence[str] = SCOPES,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    revoked: bool = False,
    **extra: Any,
) -> Consent:
    """A consent as granting one would leave it (with its history), through the action."""
    from waymark.accounts.actions import do_grant_consent, do_revoke_consent

    members = [clinicians] if isinstance(clinicians, Membership) else list(clinicians)
    now = timezone.now()
    consent = do_grant_consent(
        person,
        organization=members[0].organization,
        clinicians=members,
        scopes=scopes,
        ends_at=ends_at or now + timedelta(days=365),
        starts_at=starts_at,
        **extra,
    )
    if revoked:
        do_revoke_consent(consent, actor=person)
        consent.refresh_from_db()
    return consent
