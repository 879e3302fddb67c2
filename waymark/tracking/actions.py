"""Actions that change check-ins: each in one transaction (views stay thin).

Which days can be recorded: today and the ``BACKFILL_DAYS`` before it. Timeline follow-back
asks about up to 90 days back, and recall further back is too unreliable to count; a day in
the future has not happened yet. "Today" is the date in the site's TIME_ZONE.

Retries: one check-in a person a day, so sending a day's form again edits that day rather than
adding a second one. Each rendered form also carries an idempotency key; the check-in keeps the
key of the submission that last changed it, and the same submission arriving again (a double
tap, a browser retry) is recognised and changes nothing — it never raises.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

from django.db import IntegrityError, transaction
from django.utils import timezone

from waymark.accounts.models import User
from waymark.clinic.hooks import record_changed
from waymark.clinical.profile import SUBSTANCES
from waymark.tracking.models import CheckIn, Helper, Mood, SubstanceAmount, Trigger

BACKFILL_DAYS = 90
MAX_CRAVINGS = 10
MAX_AMOUNT = Decimal("200")  # more in one day is a typing mistake, whatever the unit ❓ (ours)
MAX_NOTE = 2000

Closed = Literal["future", "too-old"]


class DayNotOpenError(ValueError):
    """A day that cannot be recorded: ``why`` is "future" or "too-old"."""

    def __init__(self, day: date, why: Closed) -> None:
        super().__init__(f"{day.isoformat()} cannot be recorded: {why}")
        self.day = day
        self.why = why


def today() -> date:
    return timezone.localdate()


def earliest_open_day(on: date | None = None) -> date:
    return (on or today()) - timedelta(days=BACKFILL_DAYS)


def why_closed(day: date, on: date | None = None) -> Closed | None:
    """Why ``day`` cannot be recorded, or None when it can."""
    on = on or today()
    if day > on:
        return "future"
    if day < earliest_open_day(on):
        return "too-old"
    return None


@dataclass(frozen=True)
class CheckInData:
    """One day's answers, checked: any invalid value raises ValueError."""

    used: bool
    amounts: Mapping[str, Decimal] = field(default_factory=dict)
    cravings: int | None = None
    mood: int | None = None
    triggers: Sequence[str] = ()
    helped: Sequence[str] = ()
    note: str = ""

    def __post_init__(self) -> None:
        for substance, amount in self.amounts.items():
            if substance not in SUBSTANCES:
                raise ValueError(f"unknown substance {substance!r}")
            if not Decimal(0) <= amount <= MAX_AMOUNT:
                raise ValueError(f"{substance}: the amount must be 0 to {MAX_AMOUNT}")
        if not self.used and any(amount > 0 for amount in self.amounts.values()):
            raise ValueError("an amount above 0 on a day without use")
        if self.cravings is not None and not 0 <= self.cravings <= MAX_CRAVINGS:
            raise ValueError(f"cravings must be 0 to {MAX_CRAVINGS}")
        if self.mood is not None and self.mood not in Mood.values:
            raise ValueError(f"mood must be one of {Mood.values}")
        for name, chosen, known in (
            ("triggers", self.triggers, Trigger.values),
            ("helped", self.helped, Helper.values),
        ):
            if unknown := set(chosen) - set(known):
                raise ValueError(f"unknown {name}: {sorted(unknown)}")
        if len(self.note) > MAX_NOTE:
            raise ValueError(f"the note is longer than {MAX_NOTE} characters")


def _refuse_closed(day: date) -> None:
    why = why_closed(day)
    if why is not None:
        raise DayNotOpenError(day, why)


def _locked(owner: User, day: date) -> tuple[CheckIn, bool]:
    """The person's check-in for ``day``, locked for this transaction; created (empty) when
    there is none. True when it was created here."""
    existing = CheckIn.objects.select_for_update().filter(owner=owner, day=day).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():  # a savepoint: a parallel request may create it first
            return CheckIn.objects.create(owner=owner, day=day, used=False), True
    except IntegrityError:
        return CheckIn.objects.select_for_update().get(owner=owner, day=day), False


def _apply(check_in: CheckIn, data: CheckInData) -> None:
    check_in.used = data.used
    check_in.cravings = data.cravings
    check_in.mood = data.mood
    check_in.triggers = [t for t in Trigger.values if t in data.triggers]
    check_in.helped = [h for h in Helper.values if h in data.helped]
    check_in.note = data.note
    check_in.save()
    check_in.amounts.all().delete()
    SubstanceAmount.objects.bulk_create(
        SubstanceAmount(check_in=check_in, substance=substance, amount=amount)
        for substance, amount in data.amounts.items()
    )


def _claim_key(check_in: CheckIn, key: uuid.UUID) -> None:
    """Record ``key`` as the submission that last changed ``check_in``, unless another day
    already holds it (a form sent to the wrong day): then that day keeps it."""
    try:
        with transaction.atomic():
            CheckIn.objects.filter(pk=check_in.pk).update(idempotency_key=key)
            check_in.idempotency_key = key
    except IntegrityError:
        pass


@transaction.atomic
def do_record_checkin(
    owner: User, day: date, data: CheckInData, idempotency_key: uuid.UUID | None = None
) -> CheckIn:
    """Record (or change) the person's check-in for ``day``.

    Raises DayNotOpenError for a day in the future or more than BACKFILL_DAYS back.
    """
    _refuse_closed(day)
    check_in, _created = _locked(owner, day)
    if idempotency_key is not None and check_in.idempotency_key == idempotency_key:
        return check_in  # this very submission was applied already
    _apply(check_in, data)
    if idempotency_key is not None:
        _claim_key(check_in, idempotency_key)
    record_changed(owner)
    return check_in


@dataclass(frozen=True)
class Filled:
    created: list[date]
    already_recorded: list[date]


@transaction.atomic
def do_fill_days(owner: User, days: Mapping[date, CheckInData]) -> Filled:
    """Record the given days that have no check-in yet; days already recorded are left as
    they are, so sending the same form twice changes nothing the second time."""
    for day in days:
        _refuse_closed(day)
    created, already = [], []
    for day in sorted(days):
        check_in, new = _locked(owner, day)
        if new:
            _apply(check_in, days[day])
            created.append(day)
        else:
            already.append(day)
    record_changed(owner)
    return Filled(created, already)
