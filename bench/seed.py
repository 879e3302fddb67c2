"""Seeding at scale: thousands of people with a year or more of daily check-ins each, and the
consents that put them in a clinician's caseload, fast enough to make millions of rows in
about half a minute of CPU.

The rows come from the seeded generator (`synthetic.day_rows`) and go in with raw bulk writes
through Django's connection, never the ORM row by row: large `executemany` batches on SQLite
(with the journal in memory and `synchronous=OFF` while seeding: a crash only loses a throwaway
database), `COPY … FROM STDIN` on PostgreSQL (psycopg 3), followed there by the
`VACUUM ANALYZE` autovacuum would soon run. Columns the benchmarks do not vary take their
model's default, prepared once: an encrypted empty note is one Fernet token shared by every
row (in real use each row has a fresh one; the size is the same). Public ids are unique and in
order from a random start, which fills their indexes faster than random ones would.
`check()` reads a seeded person back through the models.

Nothing here is anyone's data: aliases, days and amounts are made up from fixed seeds.
"""

from __future__ import annotations

import itertools
import json
import random
import secrets
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

from bench import synthetic

BATCH_ROWS = 200_000  # check-ins a write (and a transaction)
NEVER_CHECKED_IN = 0.02  # of the people seeded
STOPPED = 0.3  # of the others: their last check-in was 1 to 30 days ago
# Open alerts (independent draws per person): enough for the caseload's sort to matter.
ALERTS: tuple[tuple[str, float, dict[str, int]], ...] = (
    ("opioid-use-after-gap", 0.03, {"days": 5}),  # rule, chance, the alert's numbers
    ("return-to-use", 0.08, {}),
    ("craving-spike", 0.15, {"cravings": 9}),
)


def _datetime(value: datetime) -> str:
    """As Django stores an aware datetime (in UTC) on both databases."""
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")


def _uuids() -> Iterator[str]:
    """Unique public ids in order (an ordered index fills fast), from a random start: 32 hex
    digits, which a UUID column takes on both databases."""
    start = secrets.randbits(127)
    return (f"{start + n:032x}" for n in itertools.count())


def _prepared(field: Any, value: object) -> object:
    """A constant as the column stores it, the same text on SQLite and PostgreSQL."""
    from django.db import models

    from waymark.fields import EncryptedField

    if isinstance(field, EncryptedField):
        return field.get_prep_value(value)  # encrypted once, shared by every row
    if value is None:
        return None
    if isinstance(field, models.JSONField):
        return json.dumps(value)
    if isinstance(value, datetime):
        return _datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


class Table:
    """Bulk writes to one model's table: ``columns`` (attribute names: ``owner_id``) come with
    each row, every other column takes its default, prepared once. A column with neither is an
    error, so a new required field stops the seeding with its name instead of writing a bad
    row."""

    def __init__(self, model: Any, columns: Sequence[str]) -> None:
        from django.db import connection
        from django.utils import timezone

        self.table = model._meta.db_table
        fields = {f.attname: f for f in model._meta.concrete_fields}
        given = [fields[name] for name in columns]
        now = timezone.now()
        constants: list[object] = []
        rest = []
        for field in fields.values():
            if field.attname in columns or field.primary_key:  # an id not given: the next one
                continue
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                value: object = now
            elif not field.unique and (
                field.has_default() or field.null or field.empty_strings_allowed
            ):
                value = field.get_default()  # None for a nullable field, "" for text
            else:
                raise ValueError(f"seed: give {model.__name__}.{field.name} in each row")
            rest.append(field)
            constants.append(_prepared(field, value))
        self.columns = [f.column for f in given + rest]
        self.constants = tuple(constants)
        self.postgres = connection.vendor == "postgresql"

    def write(self, rows: Iterable[Sequence[object]]) -> None:
        from django.db import connection, transaction

        names = ", ".join(f'"{column}"' for column in self.columns)
        constants = self.constants
        with transaction.atomic(), connection.cursor() as cursor:
            if self.postgres:
                with cursor.copy(f'COPY "{self.table}" ({names}) FROM STDIN') as copy:
                    for chunk in _chunks((*row, *constants) for row in rows):
                        copy.write(chunk)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(
                    f'INSERT INTO "{self.table}" ({names}) VALUES ({marks})',
                    cast(Any, ((*row, *constants) for row in rows)),  # any iterable will do
                )


def _copy_text(value: object) -> str:
    """One value in COPY's text format; our text never holds a tab, newline or backslash."""
    return "\\N" if value is None else str(value)


def _chunks(rows: Iterable[Sequence[object]], size: int = 20_000) -> Iterator[str]:
    lines: list[str] = []
    for row in rows:
        lines.append("\t".join(map(_copy_text, row)))
        if len(lines) == size:
            yield "\n".join(lines) + "\n"
            lines = []
    if lines:
        yield "\n".join(lines) + "\n"


def _next_id(model: Any) -> int:
    from django.db.models import Max

    return int(model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


def _reset_sequences(*models: Any) -> None:
    """PostgreSQL: the id sequences past the ids written here (SQLite needs nothing)."""
    from django.core.management.color import no_style
    from django.db import connection

    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), list(models)):
            cursor.execute(statement)


def _alone(vendor: str) -> bool:
    """On ``vendor``, and outside any transaction (a test's): only there may the database's
    settings change, or VACUUM run."""
    from django.db import connection

    return connection.vendor == vendor and not connection.in_atomic_block


class _Tuned:
    """SQLite: no waiting for the disk and no write-ahead log while seeding (each page is
    written once), and a large page cache (the indexes of millions of rows); put back as
    waymark/settings.py has them afterwards."""

    def __enter__(self) -> None:
        from django.db import connection

        if _alone("sqlite"):
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA journal_mode=MEMORY")
                cursor.execute("PRAGMA synchronous=OFF")
                cursor.execute("PRAGMA cache_size=-400000")  # KiB

    def __exit__(self, *exc: object) -> None:
        from django.db import connection

        if _alone("sqlite"):
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
                cursor.execute("PRAGMA cache_size=-2000")  # SQLite's default


def _settle(*models: Any) -> None:
    """PostgreSQL: statistics and the visibility map, as autovacuum leaves them after a load."""
    from django.db import connection

    if not _alone("postgresql"):
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f'VACUUM ANALYZE "{model._meta.db_table}"')


def people(count: int, days: int, seed: int = 1, varied: bool = True) -> list[int]:
    """``count`` people with ``days`` days of check-ins each up to today, some missed; their
    ids. ``varied``: some stopped checking in a while ago, a few never began, a few have open
    alerts (a caseload); else every record ends today."""
    from django.utils import timezone

    from waymark.accounts.models import User
    from waymark.clinic.models import PRIORITY_RANK, Alert, Priority
    from waymark.clinical.alerts import RULES_BY_ID
    from waymark.tracking.models import CheckIn, SubstanceAmount

    today = timezone.localdate()
    dates = [(today - timedelta(days=offset)).isoformat() for offset in range(days + 31)]
    users = Table(User, ("id", "username", "public_id", "password"))
    check_ins = Table(CheckIn, ("id", "public_id", "owner_id", "day", "used", "cravings", "mood"))
    amounts = Table(SubstanceAmount, ("check_in_id", "substance", "amount"))
    alerts = Table(Alert, ("public_id", "person_id", "rule", "priority", "rank", "evidence_on",
                           "dedupe_key", "params"))  # fmt: skip
    params = {rule: Alert._meta.get_field("params").get_prep_value(p) for rule, _, p in ALERTS}
    first_person, next_check_in = _next_id(User), _next_id(CheckIn)
    ids = list(range(first_person, first_person + count))
    with _Tuned():
        uuids = _uuids()
        users.write((pk, f"person-{pk:06d}", next(uuids), "!bench") for pk in ids)
        pending: list[tuple[object, ...]] = []
        pending_amounts: list[tuple[object, ...]] = []
        found: list[tuple[object, ...]] = []
        for pk in ids:
            rng = random.Random(seed * 1_000_003 + pk)
            draw = rng.random() if varied else 0.5
            length = 0 if draw < NEVER_CHECKED_IN else days
            gap = rng.randint(1, 30) if draw > 1 - STOPPED else 0
            for offset, used, drinks, cravings, mood in synthetic.day_rows(rng, length):
                pending.append((next_check_in, next(uuids), pk,
                                dates[offset + gap], used, cravings, mood))  # fmt: skip
                if used:
                    pending_amounts.append((next_check_in, "alcohol", drinks))
                next_check_in += 1
            for rule, chance, _ in ALERTS if varied else ():
                if rng.random() < chance:
                    priority = Priority(RULES_BY_ID[rule].priority.id)
                    evidence = dates[gap + rng.randint(0, 6)]
                    found.append((next(uuids), pk, rule, priority.value, PRIORITY_RANK[priority],
                                  evidence, f"{rule}:{evidence}", params[rule]))  # fmt: skip
            if len(pending) >= BATCH_ROWS:
                check_ins.write(pending)
                amounts.write(pending_amounts)
                pending, pending_amounts = [], []
        check_ins.write(pending)
        amounts.write(pending_amounts)
        alerts.write(found)
    _reset_sequences(User, CheckIn)
    _settle(User, CheckIn, SubstanceAmount, Alert)
    return ids


@dataclass(frozen=True)
class Program:
    organization: Any  # an Organization
    clinician: Any  # a User: a clinician of the program, named in every consent
    people: list[int]


def program(name: str, person_ids: Sequence[int], role: str = "clinician") -> Program:
    """A program whose clinician everyone in ``person_ids`` shares everything with, for a
    year from yesterday (consents written in bulk)."""
    from django.utils import timezone

    from waymark.accounts.models import Consent, Membership, Organization, User

    organization = Organization.objects.create(name=name)
    clinician = User.objects.create_user(f"{name.lower().replace(' ', '-')}-{role}")
    membership = Membership.objects.create(user=clinician, organization=organization, role=role)
    now = timezone.now()
    starts, ends = _datetime(now - timedelta(days=1)), _datetime(now + timedelta(days=365))
    first = _next_id(Consent)
    consents = Table(Consent, ("id", "public_id", "person_id", "organization_id", "starts_at",
                               "ends_at", "share_checkups", "share_plan", "share_checkins",
                               "share_notes"))  # fmt: skip
    named = Table(Consent.clinicians.through, ("consent_id", "membership_id"))
    uuids = _uuids()
    rows = [(first + n, next(uuids), pk, organization.pk, starts, ends, True, True, True, True)
            for n, pk in enumerate(person_ids)]  # fmt: skip
    with _Tuned():
        consents.write(rows)
        named.write((row[0], membership.pk) for row in rows)
    _reset_sequences(Consent)
    _settle(Consent, Consent.clinicians.through)
    return Program(organization, clinician, list(person_ids))


def token(person_id: int) -> str:
    """A new read-and-write API token of the person's: its secret."""
    from waymark.api.tokens import PREFIX, SHOWN_PREFIX, digest
    from waymark.interop.models import ApiToken

    secret = PREFIX + secrets.token_urlsafe(32)
    ApiToken.objects.create(
        owner_id=person_id,
        name="bench",
        prefix=secret[:SHOWN_PREFIX],
        digest=digest(secret),
        scope=ApiToken.Scope.READ_WRITE,
    )
    return secret


def check(person_ids: Sequence[int]) -> None:
    """What was written reads back through the models: the people, their check-ins with
    decrypted notes and their amounts, their alerts with decrypted numbers."""
    from waymark import access
    from waymark.accounts.models import User
    from waymark.clinic.models import Alert
    from waymark.tracking.models import CheckIn

    person = User.objects.get(pk=person_ids[-1])
    check_ins = list(CheckIn.objects.filter(owner=person).prefetch_related("amounts"))
    assert all(c.note == "" and c.triggers == [] for c in check_ins), "check-ins unreadable"
    assert all(c.amounts.all() or not c.used for c in check_ins), "amounts missing"
    assert all(isinstance(a.params, dict) for a in Alert.objects.filter(person=person))
    assert access.staff_who_can_see(person).exists() or not person.consents.exists()
