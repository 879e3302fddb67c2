"""Actions that change check-ins: each in one transaction (views stay thin).

Which days can be recorded: today and the ``BACKFILL_DAYS`` before it. Timeline follow-back
asks about up to 90 days back, and recall further back is too unreliable to count; a day in
the future has not happened yet. "Today" is the date in the site's TIME_ZONE.

Retries: one check-in a person a day, so sending a day's form again edits that day rather than
adding a second one. Each rendered form also carries an idempotency key; the check-in keeps the
key of the submission that last changed it, and the same submission arriving again (a double
tap, a browser retry) is recognised and changes nothing — it never raises.

Cost: a check-in is written in one statement (`_write`, an upsert), then its amounts (a DELETE
of a replaced day's, one INSERT); nothing is read back and nothing depends on how many days the
person has recorded. The statements are written once (a check-in write runs them on every API
request: composed by the ORM each time, they cost more than running them). On PostgreSQL the
upsert, the amounts (one statement that deletes the substances no longer given and upserts the
rest) and the alert job go as one message (`_write_in_one_trip`).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Literal, cast

from django.db import connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field
from django.utils import timezone

from waymark import rows
from waymark.accounts.models import User
from waymark.clinic.hooks import record_changed, record_changed_statements
from waymark.clinical.profile import SUBSTANCES
from waymark.tracking.models import CheckIn, Helper, Mood, SubstanceAmount, Trigger

BACKFILL_DAYS = 90
MAX_CRAVINGS = 10
MAX_AMOUNT = Decimal("200")  # more in one day is a typing mistake, whatever the unit ❓ (ours)
MAX_NOTE = 2000

Closed = Literal["future", "too-old"]

# The choices, in their order (`.values` builds a new list on every call).
MOODS = frozenset(Mood.values)
TRIGGERS = tuple(Trigger.values)
HELPERS = tuple(Helper.values)


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
        if self.mood is not None and self.mood not in MOODS:
            raise ValueError(f"mood must be one of {sorted(MOODS)}")
        for name, chosen, known in (
            ("triggers", self.triggers, TRIGGERS),
            ("helped", self.helped, HELPERS),
        ):
            if unknown := set(chosen) - set(known):
                raise ValueError(f"unknown {name}: {sorted(unknown)}")
        if len(self.note) > MAX_NOTE:
            raise ValueError(f"the note is longer than {MAX_NOTE} characters")


def _refuse_closed(day: date) -> None:
    why = why_closed(day)
    if why is not None:
        raise DayNotOpenError(day, why)


# A day's row: what a later submission overwrites, and everything a new day is inserted with.
_OVERWRITTEN = ("used", "cravings", "mood", "triggers", "helped", "note", "updated_at")
_INSERTED = ("public_id", "owner", "day", "created_at", *_OVERWRITTEN)
_RETURNED = ("id", "public_id", "created_at", "idempotency_key")


def _field(name: str) -> Field[Any, Any]:
    return cast("Field[Any, Any]", CheckIn._meta.get_field(name))


def _upsert(check_in: CheckIn, *, replace: bool) -> tuple[str, list[Any]]:
    """The one statement that writes ``check_in`` (unsaved, with a fresh public_id) as its
    owner's day, and its parameters. Plain SQL that SQLite (3.35 or later) and PostgreSQL both
    run; the ORM cannot put a WHERE on ON CONFLICT. Its text is written once (`_upsert_sql`).

    - A new day is inserted. Its ``idempotency_key`` is stored unless another of the person's
      days holds it already (a form sent to the wrong day: that day keeps it, as the unique
      constraint "one_checkin_per_submission" wants).
    - A day already recorded is left as it is unless ``replace``; then it is overwritten, and
      locked by the statement until commit, so two writes of one day queue up — except when
      it holds this very key already: the same submission again, nothing changes. Its key
      becomes the new one, or stays when none was sent or another day holds it.
    - RETURNING gives the row only when it was written; a new row keeps our public_id.
    """

    def value(name: str) -> Any:  # as the field saves it: the note encrypted, UUIDs, JSON
        field = _field(name)
        return field.get_db_prep_save(getattr(check_in, field.attname), connection)

    params = [value(name) for name in _INSERTED]
    stored_key = value("idempotency_key")
    if stored_key is None:
        params.append(None)
    else:
        params += [value("owner"), stored_key, stored_key]
        if replace:
            params.append(stored_key)
    db, keyed = rows.database(), stored_key is not None
    sql = rows.once(
        db, (_upsert_sql, replace, keyed), lambda: _upsert_sql(db, replace=replace, keyed=keyed)
    )
    return sql, params


def _upsert_sql(db: BaseDatabaseWrapper, *, replace: bool, keyed: bool) -> str:
    """The text of `_upsert`'s statement, with or without replacing, with or without a key."""
    table = rows.table(db, CheckIn)

    def column(name: str) -> str:
        return rows.column(db, CheckIn, name)

    columns = ", ".join(column(name) for name in (*_INSERTED, "idempotency_key"))
    key, owner = column("idempotency_key"), column("owner")
    key_sql = (
        f"CASE WHEN EXISTS (SELECT 1 FROM {table} WHERE {owner} = %s AND {key} = %s) "  # noqa: S608
        "THEN NULL ELSE %s END"
        if keyed
        else "%s"
    )
    if not replace:
        action = "DO NOTHING"
    else:
        sets = [f"{column(name)} = EXCLUDED.{column(name)}" for name in _OVERWRITTEN]
        sets.append(f"{key} = COALESCE(EXCLUDED.{key}, {table}.{key})")
        action = "DO UPDATE SET " + ", ".join(sets)
        if keyed:  # "IS DISTINCT FROM", in words both databases know
            action += f" WHERE {table}.{key} IS NULL OR {table}.{key} <> %s"
    return (
        f"INSERT INTO {table} ({columns}) "  # noqa: S608 (names from the model, values as %s)
        f"VALUES ({', '.join(['%s'] * len(_INSERTED))}, {key_sql}) "
        f"ON CONFLICT ({owner}, {column('day')}) {action} "
        f"RETURNING {', '.join(column(name) for name in _RETURNED)}"
    )


@dataclass(frozen=True)
class CheckInWrite:
    """One day's check-in made ready to write (`prepare_checkin`): the unsaved check-in, with
    a fresh public_id, and the statement that writes it with its values (the note encrypted).
    Made before the transaction, so that the transaction, which holds SQLite's one write lock,
    only runs statements. Written once (`do_record_prepared`); prepare again to try again."""

    check_in: CheckIn
    amounts: Mapping[str, Decimal]
    statement: tuple[str, list[Any]]


def _prepare(
    owner: User, day: date, data: CheckInData, key: uuid.UUID | None, *, replace: bool
) -> CheckInWrite:
    now = timezone.now()
    check_in = CheckIn(
        public_id=uuid.uuid4(),
        owner=owner,
        day=day,
        used=data.used,
        cravings=data.cravings,
        mood=data.mood,
        triggers=[t for t in TRIGGERS if t in data.triggers],
        helped=[h for h in HELPERS if h in data.helped],
        note=data.note,
        created_at=now,
        updated_at=now,
        idempotency_key=key,
    )
    return CheckInWrite(check_in, data.amounts, _upsert(check_in, replace=replace))


def _write(prepared: CheckInWrite) -> tuple[CheckIn, bool] | None:
    """Record the day in one statement (`_upsert`), without its amounts: the check-in as
    written and True when the day was new, or None when nothing was written (the day holds
    this very key already, or it was recorded and the write does not replace)."""
    check_in = prepared.check_in
    fresh_id = check_in.public_id
    db = rows.database()
    with db.cursor() as cursor:
        cursor.execute(*prepared.statement)
        row = cursor.fetchone()
    if row is None:
        return None
    for name, raw in zip(_RETURNED, row, strict=True):  # attnames too: none is a relation
        setattr(check_in, name, rows.value(db, CheckIn, name, raw))
    check_in._state.adding = False
    check_in._state.db = db.alias
    return check_in, check_in.public_id == fresh_id


def _write_amounts(check_in: CheckIn, amounts: Mapping[str, Decimal], *, new: bool) -> None:
    """A replaced day's old amounts deleted, the new ones inserted in one statement (nothing
    refers to an amount, and no signal listens to them: the ORM's delete and bulk_create
    would do just this, at the cost of composing them)."""
    db = rows.database()
    names = rows.once(db, _amount_names, lambda: _amount_names(db))
    table, check_in_column, substance_column, amount_column = names
    with db.cursor() as cursor:
        if not new:
            cursor.execute(f"DELETE FROM {table} WHERE {check_in_column} = %s", [check_in.pk])  # noqa: S608
        if amounts:
            amount = SubstanceAmount._meta.get_field("amount")
            params: list[Any] = []
            for substance, each in amounts.items():
                params += [check_in.pk, substance, amount.get_db_prep_save(each, db)]
            cursor.execute(
                f"INSERT INTO {table} ({check_in_column}, {substance_column}, {amount_column}) "  # noqa: S608
                f"VALUES {', '.join(['(%s, %s, %s)'] * len(amounts))}",
                params,
            )


# PostgreSQL: the id of the check-in the upsert wrote, kept for the rest of the transaction
# ('' when it wrote nothing), so that the statements sent with it act only on a written day.
_WRITTEN = "waymark.written_check_in"
_WRITTEN_ID = f"CAST(NULLIF(current_setting('{_WRITTEN}', true), '') AS bigint)"
_WRITTEN_ANY = f"current_setting('{_WRITTEN}', true) <> ''"


def _in_one_trip(db: BaseDatabaseWrapper) -> bool:
    """Whether the database takes `_write_in_one_trip`'s message: PostgreSQL with Django's
    default client-side binding (a server-side binding cursor sends one statement at a time:
    ``server_side_binding`` in the database's OPTIONS writes statement by statement)."""
    options = db.settings_dict.get("OPTIONS") or {}
    return db.vendor == "postgresql" and not options.get("server_side_binding")


def _write_in_one_trip(prepared: CheckInWrite) -> tuple[CheckIn, bool] | None:
    """PostgreSQL: `_write`, `_write_amounts` and `record_changed` sent as one message of three
    statements, which the server runs as one transaction when none is open (no BEGIN or COMMIT
    of their own), or in the caller's; a statement that fails undoes them all. Each statement
    still reads the data as it is when it runs (READ COMMITTED, the default and ours), as when
    they are sent one by one: a write of the same day that committed while the upsert waited
    for the row is seen by the amounts' statement that follows.

    The upsert keeps the id it wrote in a setting local to the transaction ('' when it wrote
    nothing: the same submission again); the amounts and the alert job read it, so they do
    nothing then. Answers as `_write`."""
    db = rows.database()
    check_in = prepared.check_in
    fresh_id = check_in.public_id
    upsert, upsert_params = prepared.statement
    id_column = rows.column(db, CheckIn, "id")
    statements: list[tuple[str, list[Any]]] = [
        (
            f"WITH written AS ({upsert}) SELECT written.*, "  # noqa: S608 (our statement)
            f"set_config('{_WRITTEN}', COALESCE(CAST(written.{id_column} AS text), ''), true) "
            "FROM (SELECT 1) AS always LEFT JOIN written ON true",
            upsert_params,
        ),
        _amounts_statement(db, prepared.amounts),
        *record_changed_statements(check_in.owner, only_if=_WRITTEN_ANY),
    ]
    with db.cursor() as cursor:
        cursor.execute(
            "; ".join(sql for sql, _ in statements), [p for _, ps in statements for p in ps]
        )
        row = cursor.fetchone()
    if row is None or row[0] is None:
        return None
    for name, raw in zip(_RETURNED, row, strict=False):  # the last column is the setting's
        setattr(check_in, name, rows.value(db, CheckIn, name, raw))
    check_in._state.adding = False
    check_in._state.db = db.alias
    return check_in, check_in.public_id == fresh_id


def _amounts_statement(
    db: BaseDatabaseWrapper, amounts: Mapping[str, Decimal]
) -> tuple[str, list[Any]]:
    """`_write_amounts` for the check-in `_write_in_one_trip`'s upsert wrote, if it wrote one,
    in one statement: the amounts of substances no longer given deleted, the others inserted
    or changed in place (one amount a substance: "one_amount_per_substance")."""
    table, check_in_column, substance_column, amount_column = rows.once(
        db, _amount_names, lambda: _amount_names(db)
    )
    delete = f"DELETE FROM {table} WHERE {check_in_column} = {_WRITTEN_ID}"  # noqa: S608
    if not amounts:
        return delete, []
    amount = SubstanceAmount._meta.get_field("amount")
    params: list[Any] = list(amounts)
    for substance, each in amounts.items():
        params += [substance, amount.get_db_prep_save(each, db)]
    given = ", ".join(["%s"] * len(amounts))
    return (
        f"WITH gone AS ({delete} AND {substance_column} NOT IN ({given})) "  # noqa: S608
        f"INSERT INTO {table} ({check_in_column}, {substance_column}, {amount_column}) "
        f"SELECT {_WRITTEN_ID}, given.substance, given.amount "
        f"FROM (VALUES {', '.join(['(%s, %s)'] * len(amounts))}) "
        f"AS given (substance, amount) WHERE {_WRITTEN_ANY} "
        f"ON CONFLICT ({check_in_column}, {substance_column}) "
        f"DO UPDATE SET {amount_column} = EXCLUDED.{amount_column}",
        params,
    )


def _amount_names(db: BaseDatabaseWrapper) -> tuple[str, str, str, str]:
    """The amounts' table and its check-in, substance and amount columns, quoted."""

    def column(name: str) -> str:
        return rows.column(db, SubstanceAmount, name)

    return (
        rows.table(db, SubstanceAmount),
        column("check_in"),
        column("substance"),
        column("amount"),
    )


@dataclass(frozen=True)
class Recorded:
    """What `do_record_checkin` did. ``check_in`` is the day's check-in as it now is (as written,
    without reading it back; its amounts are the data's). ``applied`` is False when this very
    submission had been applied already, so nothing changed (then ``check_in`` is read)."""

    check_in: CheckIn
    created: bool
    applied: bool


def do_record_checkin(
    owner: User, day: date, data: CheckInData, idempotency_key: uuid.UUID | None = None
) -> Recorded:
    """Record (or change) the person's check-in for ``day``, in one transaction (the caller's,
    when there is one: no savepoint of its own).

    Raises DayNotOpenError for a day in the future or more than BACKFILL_DAYS back.
    """
    return do_record_prepared(prepare_checkin(owner, day, data, idempotency_key))


def prepare_checkin(
    owner: User, day: date, data: CheckInData, idempotency_key: uuid.UUID | None = None
) -> CheckInWrite:
    """`do_record_checkin`'s write, made ready before its transaction begins (for a caller
    that opens the transaction itself). Raises DayNotOpenError as it does."""
    _refuse_closed(day)
    return _prepare(owner, day, data, idempotency_key, replace=True)


def do_record_prepared(prepared: CheckInWrite) -> Recorded:
    """Run a `prepare_checkin` write, as `do_record_checkin` does."""
    owner = prepared.check_in.owner
    if _in_one_trip(rows.database()):
        written = _write_in_one_trip(prepared)
        if written is None:
            return Recorded(
                CheckIn.objects.get(owner=owner, day=prepared.check_in.day), False, False
            )
        return Recorded(*written, True)
    with transaction.atomic(savepoint=False):
        written = _write(prepared)
        if written is None:  # this very submission was applied already
            return Recorded(
                CheckIn.objects.get(owner=owner, day=prepared.check_in.day), False, False
            )
        check_in, created = written
        _write_amounts(check_in, prepared.amounts, new=created)
        record_changed(owner)
        return Recorded(check_in, created, True)


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
        written = _write(_prepare(owner, day, days[day], None, replace=False))
        if written is None:
            already.append(day)
        else:
            _write_amounts(written[0], days[day].amounts, new=True)
            created.append(day)
    record_changed(owner)
    return Filled(created, already)
