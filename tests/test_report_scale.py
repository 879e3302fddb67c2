"""The program report at scale: the bounded, chunked loader gives exactly the numbers of the
whole-record loading it replaced (written out here as the oracle), in a number of queries
that depends on the chunks, never on the people."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.programs import make_consent, make_person, make_program, make_staff
from tests.test_clinic import complete_crisis_checkup
from waymark.accounts.models import Consent, Membership, Organization, Role, User
from waymark.checkup.history import scores
from waymark.checkup.models import Answer, CheckUp
from waymark.clinic.report import program_report_for
from waymark.clinical import progress as core
from waymark.clinical.report import MIN_CELL, PersonRecord, Report, program_report
from waymark.progress.record import day_from_row, with_drinks
from waymark.tracking.models import CheckIn, SubstanceAmount

pytestmark = pytest.mark.django_db


def today() -> date:
    return timezone.localdate()


def old_program_report_for(program: Organization, on: date) -> Report:
    """The loading the report had before it was bounded: every check-in of every consenting
    person, in memory at once. Kept here as the oracle."""
    now = timezone.now()
    consents = Consent.objects.filter(
        organization=program, revoked_at__isnull=True, starts_at__lte=now, ends_at__gt=now
    ).values_list("person_id", "share_checkins", "share_checkups", "starts_at")
    people: dict[int, dict[str, object]] = {}
    for person_id, checkins, checkups, starts_at in consents:
        entry = people.setdefault(
            person_id, {"checkins": False, "checkups": False, "since": starts_at}
        )
        entry["checkins"] = bool(entry["checkins"]) or checkins
        entry["checkups"] = bool(entry["checkups"]) or checkups
    with_checkins = [p for p, e in people.items() if e["checkins"]]
    with_checkups = [p for p, e in people.items() if e["checkups"]]
    amounts: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for check_in, substance, amount in SubstanceAmount.objects.filter(
        check_in__owner_id__in=with_checkins
    ).values_list("check_in_id", "substance", "amount"):
        amounts[check_in][substance] = amount
    days: dict[int, list[core.Day]] = defaultdict(list)
    for pk, owner, day, used, cravings, mood in (
        CheckIn.objects.filter(owner_id__in=with_checkins)
        .order_by("day")
        .values_list("pk", "owner_id", "day", "used", "cravings", "mood")
    ):
        days[owner].append(day_from_row(day, used, cravings, mood, amounts.get(pk, {})))
    screeners: dict[int, dict[str, list[tuple[date, int]]]] = defaultdict(lambda: defaultdict(list))
    for checkup in (
        CheckUp.objects.filter(
            owner_id__in=with_checkups, status=CheckUp.Status.COMPLETE, completed_at__isnull=False
        )
        .prefetch_related("answers")
        .order_by("completed_at", "pk")
    ):
        on_day = timezone.localdate(checkup.completed_at)
        for instrument_id, result in scores(checkup).items():
            screeners[checkup.owner_id or 0][instrument_id].append((on_day, result.total))
    records = [
        PersonRecord(
            enrolled_on=timezone.localdate(entry["since"]),  # type: ignore[arg-type]
            days=tuple(days.get(person_id, ())),
            screeners={k: tuple(v) for k, v in screeners.get(person_id, {}).items()},
            checkins=bool(entry["checkins"]),
        )
        for person_id, entry in people.items()
        if entry["checkins"] or entry["checkups"]
    ]
    return program_report(records, on)


def record(person: User, offsets: list[int], pattern: int = 0) -> None:
    """Check-ins ``offsets`` days from today (negative: past), in bulk: a mix of days without
    use, heavy and light drinking, other substances, two substances, and use with no amount."""
    rows = []
    for index, offset in enumerate(offsets):
        kind = (index + pattern) % 7
        rows.append(
            CheckIn(
                owner=person,
                day=today() + timedelta(days=offset),
                used=kind not in (0, 3),
                cravings=(index * 3 + pattern) % 11,
                mood=1 + (index + pattern) % 5,
            )
        )
    created = CheckIn.objects.bulk_create(rows)
    amounts = []
    for index, check_in in enumerate(created):
        kind = (index + pattern) % 7
        if kind == 1:
            amounts.append(SubstanceAmount(check_in=check_in, substance="alcohol", amount="6.50"))
        elif kind == 2:
            amounts.append(SubstanceAmount(check_in=check_in, substance="alcohol", amount="1.25"))
        elif kind == 4:
            amounts.append(SubstanceAmount(check_in=check_in, substance="cannabis", amount="2"))
        elif kind == 5:
            amounts.append(SubstanceAmount(check_in=check_in, substance="alcohol", amount="3"))
            amounts.append(SubstanceAmount(check_in=check_in, substance="opioids", amount="1"))
        elif kind == 3:  # no use, with an amount of 0 written anyway
            amounts.append(SubstanceAmount(check_in=check_in, substance="alcohol", amount="0"))
        # kind 6: used, with no amount at all (drinks unknown)
    SubstanceAmount.objects.bulk_create(amounts)


def days_back(first: int, last: int = 0, every: int = 1, skip: int = 0) -> list[int]:
    """Offsets from ``first`` days ago to ``last`` days ago, every ``every`` days, leaving out
    each ``skip``-th (a gap)."""
    offsets = list(range(-first, -last + 1, every))
    return [o for i, o in enumerate(offsets) if not skip or i % skip != skip - 1]


def seed_program() -> Organization:
    program = make_program()
    lead = make_staff(Role.LEAD, program=program)

    def person(scopes: tuple[str, ...] = ("checkins", "checkups"), **extra: object) -> User:
        someone = make_person()
        make_consent(someone, lead.membership, scopes=scopes, **extra)  # type: ignore[arg-type]
        return someone

    for n in range(12):  # long records with gaps, some reaching into the future
        someone = person()
        record(someone, days_back(150 + 7 * n, 0, skip=4 + n % 3), pattern=n)
        if n % 4 == 0:
            record(someone, [1, 3], pattern=n)  # the future never counts
        if n < 11:  # screener change: two completed check-ups, weeks apart
            complete_crisis_checkup(someone)
            CheckUp.objects.filter(owner=someone).update(
                completed_at=timezone.now() - timedelta(days=60 + n)
            )
            complete_crisis_checkup(someone)
    for length in (30, 40, 54, 55, 56, 57):  # shorter than, at and just over two periods
        record(person(), days_back(length - 1), pattern=length)
    # Every third day for five months: its first 28 recorded days run far past its first period.
    record(person(), days_back(150, 0, every=3), pattern=2)
    # A fortnight long ago, then nothing until the last three weeks.
    record(person(), days_back(300, 287) + days_back(20), pattern=3)
    record(person(), days_back(200, 100), pattern=4)  # stopped months ago: not retained
    record(person(), days_back(10), pattern=5)  # only the latest period
    person()  # shares check-ins, has none
    only_checkups = person(scopes=("checkups",))  # counts for screeners alone
    record(only_checkups, days_back(90), pattern=6)
    complete_crisis_checkup(only_checkups)
    record(person(scopes=("plan",)), days_back(90))  # shares neither: not in the report
    record(person(revoked=True), days_back(90))  # revoked: not in the report
    stranger = make_person()  # no consent at all
    record(stranger, days_back(90))
    return program


@pytest.mark.parametrize("chunk", [1, 7, 500])
def test_the_bounded_loader_gives_exactly_the_numbers_of_the_whole_records(chunk: int) -> None:
    program = seed_program()
    expected = old_program_report_for(program, today())
    assert program_report_for(program, today(), chunk=chunk) == expected
    # Not a vacuous equality: the report shows numbers in every kind of cell.
    assert expected.shown
    for found in (
        expected.retention,
        expected.percent_days_abstinent,
        expected.heavy_days_first,
        expected.heavy_day_reduction,
        expected.who_level_down,
    ):
        assert found.people >= MIN_CELL and found.value is not None
    assert any(not s.change.suppressed for s in expected.screeners)


def test_the_bounded_loader_matches_on_another_day_too() -> None:
    program = seed_program()
    earlier = today() - timedelta(days=9)
    assert program_report_for(program, earlier, chunk=5) == old_program_report_for(program, earlier)


def test_only_the_days_the_report_reads_are_loaded() -> None:
    from waymark.clinic.report import report_days

    someone = make_person()
    record(someone, days_back(365), pattern=1)
    (days,) = report_days([someone.pk], today()).values()
    # The last 28 days and the first 28 recorded days: never the whole year.
    assert len(days) == 56
    since = today() - timedelta(days=27)
    assert sum(1 for d in days if d.date >= since) == 28
    assert min(d.date for d in days) == today() - timedelta(days=365)


def people_with_checkins(count: int) -> Organization:
    program = make_program()
    lead = make_staff(Role.LEAD, program=program)
    for n in range(count):
        someone = make_person()
        make_consent(someone, lead.membership)
        record(someone, days_back(70, skip=5), pattern=n)
        checkup = CheckUp.objects.create(
            owner=someone, status=CheckUp.Status.COMPLETE, completed_at=timezone.now(), result={}
        )
        Answer.objects.create(
            checkup=checkup, instrument="profile", version="1", item="age", value=40
        )
    return program


def report_queries(program: Organization, chunk: int, counted_together: int = 10_000) -> int:
    """The report's reads (not the savepoint of its transaction, nor PostgreSQL's setting)."""
    with CaptureQueriesContext(connection) as queries:
        program_report_for(program, today(), chunk=chunk, counted_together=counted_together)
    return sum(1 for query in queries if query["sql"].lstrip().upper().startswith("SELECT"))


def test_the_query_count_depends_on_the_chunks_not_on_the_people() -> None:
    twelve, thirty_six = people_with_checkins(12), people_with_checkins(36)
    # Three chunks each: the same queries for three times the people.
    assert report_queries(twelve, chunk=4) == report_queries(thirty_six, chunk=12)
    # One query for the consents; three that count everyone's check-ins together (first days,
    # the latest period, the first period); then three a chunk: check-ups, answers, and the
    # chunk's episodes of care (none here, so no results are read for them).
    assert report_queries(thirty_six, chunk=12) == 1 + 3 + 3 * 3
    assert report_queries(thirty_six, chunk=500) == 1 + 3 + 3
    # Check-ins are counted again for each block of people counted together.
    assert report_queries(thirty_six, chunk=12, counted_together=12) == 1 + (3 + 3) * 3


def test_consents_that_share_nothing_the_report_reads_leave_no_trace() -> None:
    program = make_program()
    lead = make_staff(Role.LEAD, program=program)
    for scopes in (("plan",), ("notes",)):
        someone = make_person()
        make_consent(someone, lead.membership, scopes=scopes)
        record(someone, days_back(60))
    assert program_report_for(program).people == 0
    assert not Consent.objects.filter(organization=program).filter(
        Q(share_checkins=True) | Q(share_checkups=True)
    )


def test_the_databases_drinks_are_the_cores_for_every_kind_of_check_in() -> None:
    """`with_drinks` (SQL) against `day_from_row` (Python) on every branch of the rule: with
    and without use, an alcohol amount of none, 0, a fraction and a heavy day's, and another
    substance's amount of none, 0 and more."""
    someone = make_person()
    made = []
    day = today() - timedelta(days=100)
    for used in (False, True):
        for alcohol in (None, "0", "2.50", "4"):
            for other in (None, "0", "1"):
                day += timedelta(days=1)
                check_in = CheckIn.objects.create(owner=someone, day=day, used=used)
                amounts = {"alcohol": alcohol, "cannabis": other}
                for substance, amount in amounts.items():
                    if amount is not None:
                        SubstanceAmount.objects.create(
                            check_in=check_in, substance=substance, amount=amount
                        )
                given = {s: Decimal(a) for s, a in amounts.items() if a is not None}
                made.append((check_in.pk, day_from_row(day, used, None, None, given).drinks))
    checkins = with_drinks(CheckIn.objects.filter(owner=someone))
    in_sql = dict(checkins.values_list("pk", "drinks"))  # type: ignore[misc]
    assert len(made) == 24
    for pk, drinks in made:
        found = in_sql[pk]
        assert (None if found is None else float(found)) == drinks, pk
    # Not vacuous: all three answers occur.
    assert {None, 0.0, 2.5} <= {drinks for _, drinks in made}


def test_drinks_a_day_at_a_who_cut_off_are_read_day_by_day(monkeypatch: pytest.MonkeyPatch) -> None:
    """Seven days of 20 drinks in all (2.1 + 2.9 + …) are 40 g a day, the medium level's upper
    bound: a sum in floating point may land a hair either side of it, so the report reads such
    a person's days and counts them in the core, and gives the numbers of the whole record."""
    from waymark.clinic import report

    program = seed_program()
    edge = make_person()
    make_consent(edge, Membership.objects.get(organization=program, role=Role.LEAD))
    amounts = ["2.10", "2.90", "3.30", "2.70", "3.00", "3.00", "3.00"]
    for offset, amount in zip(days_back(6), amounts, strict=True):
        check_in = CheckIn.objects.create(
            owner=edge, day=today() + timedelta(days=offset), used=True
        )
        SubstanceAmount.objects.create(check_in=check_in, substance="alcohol", amount=amount)
    read = []
    original = report.report_days

    def spy(owners: list[int], on: date) -> dict[int, list[core.Day]]:
        read.extend(owners)
        return original(owners, on)

    monkeypatch.setattr(report, "report_days", spy)
    found = program_report_for(program, today())
    assert read == [edge.pk]
    assert found == old_program_report_for(program, today())
