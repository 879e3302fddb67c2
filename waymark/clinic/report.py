"""The program report's data: each consenting person's record, de-identified, for
`waymark.clinical.report` (which suppresses every cell under 11 people).

Who counts: people with a consent to the program that is active now. Check-in outcomes use
only the people who share check-ins; screener change only those who share check-ups. The lead
sees counts and means, never a person.

Bounded, for programs of thousands: people are read in chunks of ``CHUNK_PEOPLE`` (a fixed
number of queries each), and of each person's check-ins only those the report reads — the
first PERIOD_DAYS of their record and the last PERIOD_DAYS — so memory does not grow with the
length of anyone's record, nor with the size of the program beyond one chunk.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import chain
from typing import Any

from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from waymark.accounts.models import Consent, Organization, User
from waymark.checkup.history import scores
from waymark.checkup.models import CheckUp
from waymark.clinic.episodes import program_rows
from waymark.clinical import progress as core
from waymark.clinical.episodes import Outcome
from waymark.clinical.report import PERIOD_DAYS, PersonRecord, Report, ReportBuilder
from waymark.progress.record import day_from_row
from waymark.tracking.models import CheckIn

# People read together: each chunk is 5 queries (first days, last days, check-ups, answers,
# episodes), and 1 more when some of the chunk have episodes (their measures).
# 500 keeps a chunk to about 28,000 check-ins, a few megabytes ❓ (ours).
CHUNK_PEOPLE = 500

# A check-in's columns, then one amount: a row per (check-in, amount), a check-in without
# amounts once with None for both.
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
    program: Organization, today: date | None = None, chunk: int = CHUNK_PEOPLE
) -> Report:
    today = today or timezone.localdate()
    people = consenting(program)
    builder = ReportBuilder(today, target=program.followup_target)
    ids = sorted(people)
    for start in range(0, len(ids), chunk):
        some = {person: people[person] for person in ids[start : start + chunk]}
        checkups = [person for person, sharing in some.items() if sharing.checkups]
        screeners = _screeners(checkups) if checkups else {}
        with _collector_paused():
            checkins = [person for person, sharing in some.items() if sharing.checkins]
            days = report_days(checkins, today) if checkins else {}
            for person_id, sharing in some.items():
                builder.add(_record(sharing, days.get(person_id, []), screeners.get(person_id)))
        phq9 = {person: found.get("phq-9", []) for person, found in screeners.items()}
        _add_episodes(builder, program, checkups, today, phq9)
    return builder.report()


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
    for person_id, outcomes in by_person.items():
        builder.add_episodes(person_id, outcomes)


def _record(
    sharing: Sharing, days: list[core.Day], screeners: dict[str, list[tuple[date, int]]] | None
) -> PersonRecord:
    return PersonRecord(
        enrolled_on=timezone.localdate(sharing.since),
        days=tuple(days),
        screeners={k: tuple(v) for k, v in (screeners or {}).items()},
        checkins=sharing.checkins,
    )


@contextmanager
def _collector_paused() -> Iterator[None]:
    """CPython's cycle collector paused while a chunk's check-ins are read and counted. That
    makes tens of thousands of small objects (rows, days, the core's records), none in a cycle
    and each freed by its reference count; the collector would walk the whole heap again and
    again for nothing, about a quarter of the report's time at 10,000 people
    (docs/performance.md). The check-ups, whose model instances do refer to each other, are
    read before it, and it runs again after each chunk (unless something else had paused
    it)."""
    paused_here = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused_here:
            gc.enable()


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
    people = User.objects.filter(pk__in=owners).order_by("checkins__pk")
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
            owner_id__in=owners,
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
