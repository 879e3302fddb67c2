"""The program report's data: each consenting person's record, de-identified, for
`waymark.clinical.report` (which suppresses every cell under 11 people).

Who counts: people with a consent to the program that is active now. Check-in outcomes use
only the people who share check-ins; screener change only those who share check-ups. The lead
sees counts and means, never a person.

Bounded, for programs of thousands: people are read in chunks of ``CHUNK_PEOPLE`` (a fixed
number of queries each). Their check-ins are counted in the database, only those the report
reads — the first PERIOD_DAYS of each record and the last PERIOD_DAYS — into the few numbers
the clinical core's outcome maths starts from (`outcomes.Tally`: days recorded, without a
drink, heavy, and the drinks); no day is loaded (`counted_periods`). So memory does not grow
with the length of anyone's record, nor with the size of the program beyond one chunk, and
the report's time stays near that of the database counting (docs/performance.md).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import reduce
from itertools import chain
from operator import or_
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    Count,
    DecimalField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from waymark.accounts.models import Consent, Organization, User
from waymark.among import AmongIds
from waymark.checkup.history import scores
from waymark.checkup.models import CheckUp
from waymark.clinic.episodes import program_rows
from waymark.clinical import outcomes
from waymark.clinical import progress as core
from waymark.clinical.drinks import heavy_day_threshold, near_a_cutoff
from waymark.clinical.episodes import Outcome
from waymark.clinical.report import (
    PERIOD_DAYS,
    PersonRecord,
    PersonSummary,
    Report,
    ReportBuilder,
    first_period,
    latest_period,
    summary,
)
from waymark.progress.record import day_from_row, with_drinks
from waymark.tracking.models import CheckIn

# People whose check-ins are counted together: three queries (first days, the latest period,
# the first period), each with about one parameter a person, far below SQLite's 32,766; what
# is kept of each is a few numbers ❓ (ours).
COUNTED_TOGETHER = 10_000
# People whose check-ups are read together, each chunk in 3 queries (check-ups, answers,
# episodes), and 1 more when some of the chunk have episodes (their measures): every check-up
# comes with its answers, and 500 people's keep to a few megabytes ❓ (ours).
CHUNK_PEOPLE = 500

# `report_days` (people near a WHO cut-off, read day by day): a check-in's columns, then one
# amount: a row per (check-in, amount), a check-in without amounts once with None for both.
_ROW = ("pk", "owner_id", "day", "used", "cravings", "mood")
_AMOUNT = ("amounts__substance", "amounts__amount")


@dataclass(frozen=True)
class Sharing:
    checkins: bool
    checkups: bool
    since: datetime


def _consents(program: Organization) -> QuerySet[Consent]:
    return Consent.objects.active().filter(organization=program)


def consenting(program: Organization) -> dict[int, Sharing]:
    """Each person who shares check-ins or check-ups with the program now, by id."""
    found: dict[int, Sharing] = {}
    for person_id, checkins, checkups, starts_at in _consents(program).values_list(
        "person_id", "share_checkins", "share_checkups", "starts_at"
    ):
        before = found.get(person_id)
        if before is not None:
            checkins, checkups = checkins or before.checkins, checkups or before.checkups
            starts_at = before.since
        found[person_id] = Sharing(checkins, checkups, starts_at)
    return {
        person: sharing for person, sharing in found.items() if sharing.checkins or sharing.checkups
    }


def consenting_count(program: Organization) -> int:
    """How many people `program_report_for` reads: one COUNT, for choosing live or kept."""
    return (
        _consents(program)
        .filter(Q(share_checkins=True) | Q(share_checkups=True))
        .values("person_id")
        .distinct()
        .count()
    )


def program_report_for(
    program: Organization,
    today: date | None = None,
    chunk: int = CHUNK_PEOPLE,
    counted_together: int = COUNTED_TOGETHER,
) -> Report:
    today = today or timezone.localdate()
    builder = ReportBuilder(today, target=program.followup_target)
    # One snapshot for every query, so that the numbers agree with each other.
    with transaction.atomic(), _quick_plans():
        people = consenting(program)
        ids = sorted(people)
        for outer in range(0, len(ids), counted_together):
            block = ids[outer : outer + counted_together]
            checkins = [person for person in block if people[person].checkins]
            counted = counted_periods(checkins, today) if checkins else {}
            for start in range(0, len(block), chunk):
                some = {person: people[person] for person in block[start : start + chunk]}
                _add_chunk(builder, program, today, some, counted)
    return builder.report()


def _add_chunk(
    builder: ReportBuilder,
    program: Organization,
    today: date,
    some: dict[int, Sharing],
    counted: dict[int, PersonSummary],
) -> None:
    checkups = [person for person, sharing in some.items() if sharing.checkups]
    screeners = _screeners(checkups) if checkups else {}
    for person_id, sharing in some.items():
        given = {k: tuple(v) for k, v in screeners.get(person_id, {}).items()}
        if sharing.checkins:
            builder.add_summary(replace(counted[person_id], screeners=given))
        else:
            builder.add_summary(PersonSummary(screeners=given, checkins=False))
    phq9 = {person: found.get("phq-9", []) for person, found in screeners.items()}
    _add_episodes(builder, program, checkups, today, phq9)


@contextmanager
def _quick_plans() -> Iterator[None]:
    """PostgreSQL without JIT compilation for the report's queries (in the transaction only).
    Their cost estimates cross its thresholds, and compiling them took longer than running
    them: about 0.4 s of 0.9 s, for 2,000 people (docs/performance.md)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
    yield


def counted_periods(owners: list[int], today: date) -> dict[int, PersonSummary]:
    """Each owner's check-ins counted the way the report reads them (`PersonSummary`), in three
    queries whatever the records' length: the first day of each record, then the latest
    period's days and the first period's, counted in the database (`_counts`). The outcomes
    come from those counts through the clinical core (`outcomes.from_tally`), as on every
    page; a person whose drinks a day land so near a WHO level's cut-off that the database's
    sum could fall on the other side of it from the core's (`drinks.near_a_cutoff`) is read
    day by day instead (`report_days`), so the numbers are the core's own."""
    since, _ = latest_period(today)
    firsts = dict(
        User.objects.filter(AmongIds("id", owners))
        .annotate(first=Subquery(_days_of_owner(today).values("day")[:1]))
        .values_list("pk", "first")
    )
    periods = {
        owner: period for owner, first in firsts.items()
        if first is not None and (period := first_period(first, today)) is not None
    }  # fmt: skip
    latest = _counts(Q(AmongIds("owner_id", owners), day__gte=since, day__lte=today))
    # Each first period runs from the record's first day (its earliest: no lower bound is
    # needed) to its own end: one condition for each end, shared by all who started together.
    ending: dict[date, list[int]] = defaultdict(list)
    for owner, (_, end) in periods.items():
        ending[end].append(owner)
    first_counts = (
        _counts(
            reduce(or_, (Q(AmongIds("owner_id", o), day__lte=end) for end, o in ending.items()))
        )
        if ending
        else {}
    )
    found: dict[int, PersonSummary] = {}
    unsettled = []
    for owner in owners:
        checkins, counted = latest.get(owner, (0, NOTHING))
        recent = outcomes.from_tally(counted, since, today, None)
        period = periods.get(owner)
        start = (
            None
            if period is None
            else outcomes.from_tally(first_counts.get(owner, (0, NOTHING))[1], *period, None)
        )
        if _near_a_cutoff(recent) or (start is not None and _near_a_cutoff(start)):
            unsettled.append(owner)
        found[owner] = PersonSummary(checkins > 0, recent, start)
    for owner, days in report_days(unsettled, today).items() if unsettled else ():
        found[owner] = summary(PersonRecord(today, tuple(days)), today)
    return found


NOTHING = outcomes.Tally(0, 0, 0, 0.0)


def _days_of_owner(today: date) -> QuerySet[CheckIn]:
    return CheckIn.objects.filter(owner=OuterRef("pk"), day__lte=today).order_by("day")


def _near_a_cutoff(found: outcomes.Outcomes) -> bool:
    grams = found.grams_per_day
    return grams is not None and near_a_cutoff(grams, found.sex)


def _counts(where: Q) -> dict[int, tuple[int, outcomes.Tally]]:
    """The check-ins ``where`` selects, counted by owner: (how many, their Tally), in one
    query. A day's drinks are `record.with_drinks`, the heavy days counted at the threshold
    for an unknown sex (the report has no one's sex), and the drinks summed as exact
    decimals."""
    heavy = heavy_day_threshold(None)
    rows = (
        with_drinks(CheckIn.objects.filter(where))
        .values("owner_id")
        .annotate(
            checkins=Count("pk"),
            recorded=Count("drinks"),
            abstinent=Count("pk", filter=Q(drinks=0)),
            heavy=Count("pk", filter=Q(drinks__gte=heavy)),
            total=Sum("drinks", output_field=TOTAL),
        )
        .order_by()
        .values_list("owner_id", "checkins", "recorded", "abstinent", "heavy", "total")
    )
    return {
        owner: (checkins, outcomes.Tally(recorded, abstinent, heavy, float(total or 0)))
        for owner, checkins, recorded, abstinent, heavy, total in rows
    }


# Drinks summed over a period: an amount's two decimals, and room for any total.
TOTAL = DecimalField(max_digits=12, decimal_places=2)


def _add_episodes(
    builder: ReportBuilder,
    program: Organization,
    people: list[int],
    today: date,
    phq9: dict[int, list[tuple[date, int]]],
) -> None:
    """The episodes of a chunk's people who share check-ups (`waymark.clinic.episodes`), with
    the check-up PHQ-9 totals the chunk has already read."""
    rows = program_rows(program, people, today, phq9) if people else []
    by_person: dict[int, list[Outcome]] = defaultdict(list)
    for row in rows:
        by_person[row.person_id].append(row.outcome)
    for person_id, found in by_person.items():
        builder.add_episodes(person_id, found)


def report_days(owners: list[int], today: date) -> dict[int, list[core.Day]]:
    """The days of each owner that the report reads, in two queries whatever the records'
    length: the last PERIOD_DAYS up to ``today``, and the first PERIOD_DAYS *recorded* days
    before them. Those hold the whole first period (it has at most PERIOD_DAYS days, and they
    are the earliest), with no date arithmetic in SQL; a few days after it may come too, and
    the report leaves them out of every window."""
    since = today - timedelta(days=PERIOD_DAYS - 1)
    nth_day = (
        CheckIn.objects.filter(owner=OuterRef("pk"), day__lt=since)
        .order_by("day")
        .values("day")[PERIOD_DAYS - 1 : PERIOD_DAYS]
    )
    # Both from the people's side, so that each person's rows are one range of the (owner, day)
    # index, and the first period's bound is worked out once a person.
    people = User.objects.filter(AmongIds("id", owners)).order_by("checkins__pk")
    columns = [("pk" if c == "owner_id" else f"checkins__{c}") for c in _ROW + _AMOUNT]
    until = Coalesce(Subquery(nth_day), Value(since - timedelta(days=1)))
    first = people.annotate(until=until).filter(checkins__day__lte=F("until"))
    latest = people.filter(checkins__day__gte=since, checkins__day__lte=today)
    days: dict[int, list[core.Day]] = defaultdict(list)
    rows = chain(first.values_list(*columns), latest.values_list(*columns))
    for owner, day in _days_from_rows(rows):
        days[owner].append(day)
    return days


def _days_from_rows(rows: Iterable[tuple[Any, ...]]) -> Iterator[tuple[int, core.Day]]:
    """(owner, day) for each check-in of ``rows``: in check-in order, so a check-in's rows (one
    per amount) come together."""
    checkin: tuple[Any, ...] = ()
    amounts: dict[str, Decimal] = {}
    for row in rows:
        if checkin and row[0] == checkin[0]:
            amounts[row[6]] = row[7]
            continue
        if checkin:
            yield _day(checkin, amounts)
        checkin, amounts = row, ({} if row[6] is None else {row[6]: row[7]})
    if checkin:
        yield _day(checkin, amounts)


def _day(checkin: tuple[Any, ...], amounts: dict[str, Decimal]) -> tuple[int, core.Day]:
    _pk, owner, day, used, cravings, mood = checkin[:6]
    return owner, day_from_row(day, used, cravings, mood, amounts)


def _screeners(owners: list[int]) -> dict[int, dict[str, list[tuple[date, int]]]]:
    """Every screener total of each owner's completed check-ups, oldest first: few rows."""
    found: dict[int, dict[str, list[tuple[date, int]]]] = defaultdict(lambda: defaultdict(list))
    for checkup in (
        CheckUp.objects.filter(
            AmongIds("owner_id", owners),
            status=CheckUp.Status.COMPLETE,
            completed_at__isnull=False,
        )
        .prefetch_related("answers")
        .order_by("completed_at", "pk")
    ):
        on = timezone.localdate(checkup.completed_at)
        for instrument_id, result in scores(checkup).items():
            found[checkup.owner_id or 0][instrument_id].append((on, result.total))
    return found
