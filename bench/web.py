"""Pages through Django's test client against the scratch database (bench/database.py): the
home page is the baseline (the cost of any request), then the pages whose work grows with a
person's record."""

from __future__ import annotations

import secrets
from decimal import Decimal
from functools import partial
from typing import Any

from bench import synthetic
from bench.timing import Result, median_ms


def _person(name: str, length: int) -> Any:
    """A person with ``length`` days of check-ins (some missed) ending today."""
    from waymark.accounts.models import User
    from waymark.tracking.actions import today
    from waymark.tracking.models import CheckIn, SubstanceAmount

    person = User.objects.create_user(name, password=secrets.token_urlsafe(16))
    days = synthetic.days(length, today(), seed=length)
    check_ins = CheckIn.objects.bulk_create(
        CheckIn(
            owner=person,
            day=day.date,
            used=day.used,
            cravings=day.cravings,
            mood=day.mood,
            note="synthetic" if day.used else "",
        )
        for day in days
    )
    SubstanceAmount.objects.bulk_create(
        SubstanceAmount(check_in=check_in, substance="alcohol", amount=Decimal(str(day.amount)))
        for check_in, day in zip(check_ins, days, strict=True)
        if day.used
    )
    return person


def _clinician_with_caseload(size: int, length: int) -> Any:
    """A verified clinician's test client, with ``size`` people sharing everything with them,
    each with ``length`` days of check-ins."""
    from datetime import timedelta

    from django.utils import timezone

    from waymark.access import SCOPES
    from waymark.accounts.actions import do_grant_consent
    from waymark.accounts.models import Membership, Organization, Role, User

    program = Organization.objects.create(name=f"Bench program {size}")
    staff = User.objects.create_user(f"clinician-{size}", password=secrets.token_urlsafe(16))
    membership = Membership.objects.create(user=staff, organization=program, role=Role.CLINICIAN)
    for number in range(size):
        do_grant_consent(
            _person(f"patient-{size}-{number}", length),
            organization=program,
            clinicians=[membership],
            scopes=SCOPES,
            ends_at=timezone.now() + timedelta(days=365),
        )
    return verified_client(staff)


def verified_client(staff: Any) -> Any:
    """A test client signed in as ``staff``, verified with a second factor as entering a
    right code does."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=staff, name="bench", confirmed=True)
    client = Client()
    client.force_login(staff)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def queries(client: Any, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return len(captured)


def run(quick: bool = False) -> list[Result]:
    """Needs the scratch database (bench/database.py)."""
    from django.test import Client

    runs = 5 if quick else 20
    lengths = (30, 365) if quick else (30, 365, 1095)
    client = Client()
    results = [Result("web: home page", median_ms(lambda: client.get("/"), runs), runs)]
    for length in lengths:
        client.force_login(_person(f"bench-{length}", length))
        for name, url in (("progress page", "/progress/"), ("check-in page", "/track/")):
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code}")
            count = queries(client, url)
            results.append(
                Result(
                    f"web: {name}, {length} days ({count} queries)",
                    median_ms(partial(client.get, url), runs),
                    runs,
                    baseline="web: home page",
                )
            )
    for size in (5, 50) if quick else (5, 50, 200):
        clinician = _clinician_with_caseload(size, 28)
        url = "/clinic/"
        response = clinician.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        count = queries(clinician, url)
        results.append(
            Result(
                f"web: caseload, {size} people ({count} queries)",
                median_ms(partial(clinician.get, url), runs),
                runs,
                baseline="web: home page",
            )
        )
    return results
