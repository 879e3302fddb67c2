"""The program report: outcomes across people, and no cell under 11 people."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from datetime import date, timedelta

import pytest

from waymark.clinical.progress import Day
from waymark.clinical.report import (
    MIN_CELL,
    PERIOD_DAYS,
    PersonRecord,
    ReportBuilder,
    program_report,
    report_as_dict,
    report_from_dict,
)

TODAY = date(2026, 6, 30)


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def improving(sex: str | None = None) -> PersonRecord:
    """56 days: the first 28 with 6 drinks every day (heavy, WHO 'high' for 84 g), the last
    28 with 2 drinks on odd days and none on even ones (no heavy days; 14 g a day: 'low')."""
    days = [Day(ago(d), 6.0, True, substances=frozenset({"alcohol"})) for d in range(55, 27, -1)]
    days += [
        Day(ago(d), 2.0, True, substances=frozenset({"alcohol"}))
        if d % 2
        else Day(ago(d), 0.0, False)
        for d in range(27, -1, -1)
    ]
    return PersonRecord(ago(56), tuple(days), None, {"phq-9": [(ago(56), 15), (ago(2), 8)]})


def gone_quiet() -> PersonRecord:
    """Checked in for a week two months ago, never since."""
    days = tuple(Day(ago(d), 0.0, False) for d in range(70, 63, -1))
    return PersonRecord(ago(70), days)


def test_a_program_of_ten_shows_no_number_at_all() -> None:
    report = program_report([improving() for _ in range(10)], TODAY)
    assert report.people == 10
    assert not report.shown
    for cell in (
        report.retention,
        report.percent_days_abstinent,
        report.heavy_day_reduction,
        report.who_level_down,
        report.screeners[0].change,
    ):
        assert cell.suppressed
        assert cell.value is None


def test_a_program_of_eleven_shows_its_outcomes() -> None:
    report = program_report([improving() for _ in range(MIN_CELL)], TODAY)
    assert report.shown
    assert report.retention.value == 100.0
    assert report.percent_days_abstinent.value == 50.0
    assert report.heavy_days_first.value == 100.0
    assert report.heavy_days_latest.value == 0.0
    assert report.heavy_day_reduction.value == 100.0
    assert report.who_level_down.value == 100.0
    (phq9,) = report.screeners
    assert phq9.instrument == "phq-9"
    assert phq9.change.value == -7.0
    assert phq9.better.value == 100.0


def test_each_cell_is_suppressed_by_its_own_count() -> None:
    # 11 people in all, so retention shows; only 10 have enough record for change.
    people = [improving() for _ in range(10)] + [gone_quiet()]
    report = program_report(people, TODAY)
    assert report.retention.value == pytest.approx(100 * 10 / 11, abs=0.1)
    assert report.heavy_day_reduction.people == 10
    assert report.heavy_day_reduction.value is None
    assert report.percent_days_abstinent.value is None


def test_people_who_stopped_checking_in_lower_retention() -> None:
    people = [improving() for _ in range(11)] + [gone_quiet() for _ in range(11)]
    assert program_report(people, TODAY).retention.value == 50.0


def test_days_after_the_report_date_do_not_count() -> None:
    future = Day(TODAY + timedelta(days=1), 9.0, True, substances=frozenset({"alcohol"}))
    person = improving()
    with_future = PersonRecord(person.enrolled_on, (*person.days, future), None, person.screeners)
    report = program_report([with_future] * MIN_CELL, TODAY)
    assert report.heavy_days_latest.value == 0.0


def test_an_empty_program_suppresses_everything() -> None:
    report = program_report([], TODAY)
    assert report.people == 0
    assert report.retention.value is None
    assert report.screeners == ()


def test_people_who_share_only_check_ups_count_for_screeners_alone() -> None:
    only_checkups = PersonRecord(ago(60), (), None, {"phq-9": [(ago(60), 20), (ago(1), 10)]}, False)
    people = [improving() for _ in range(MIN_CELL)] + [only_checkups] * 3
    report = program_report(people, TODAY)
    assert report.people == MIN_CELL + 3
    assert report.retention.people == MIN_CELL
    assert report.retention.value == 100.0
    assert report.screeners[0].change.people == MIN_CELL + 3


def random_person(rng: random.Random) -> PersonRecord:
    """A record of any length (up to a year and a half) with gaps, slips, unknown amounts and
    a few days after TODAY; screeners on some."""
    length = rng.randint(0, 540)
    days = []
    for offset in range(length, -3, -1):
        if rng.random() < 0.3:
            continue
        used = rng.random() < 0.5
        known = rng.random() < 0.9
        amount = round(rng.uniform(0, 12), 2) if used and known else (None if used else 0.0)
        substances = frozenset({"alcohol"}) if used and amount else frozenset()
        days.append(Day(ago(offset), amount, used, substances=substances))
    screeners = {"phq-9": [(ago(rng.randint(0, 300)), rng.randint(0, 27)) for _ in range(3)]}
    return PersonRecord(ago(length), tuple(days), rng.choice(("female", "male", None)),
                        screeners if rng.random() < 0.5 else {}, rng.random() < 0.9)  # fmt: skip


def read_days_only(person: PersonRecord, today: date) -> PersonRecord:
    """The person's record cut to the days ReportBuilder says it reads: the first PERIOD_DAYS
    from their first day on or before ``today``, and the last PERIOD_DAYS to ``today``."""
    past = sorted((d for d in person.days if d.date <= today), key=lambda d: d.date)
    if not past:
        return replace(person, days=())
    first_end = past[0].date + timedelta(days=PERIOD_DAYS - 1)
    since = today - timedelta(days=PERIOD_DAYS - 1)
    kept = tuple(d for d in past if d.date <= first_end or d.date >= since)
    return replace(person, days=kept)


def test_the_days_the_builder_reads_give_the_whole_records_numbers() -> None:
    rng = random.Random(14)
    people = [random_person(rng) for _ in range(300)]
    expected = program_report(people, TODAY)
    assert program_report([read_days_only(p, TODAY) for p in people], TODAY) == expected
    assert expected.heavy_day_reduction.people >= MIN_CELL  # not a vacuous comparison


def test_the_builder_does_not_care_about_the_order_of_people() -> None:
    rng = random.Random(15)
    people = [random_person(rng) for _ in range(200)]
    builder = ReportBuilder(TODAY)
    for person in reversed(people):
        builder.add(person)
    assert builder.report() == program_report(people, TODAY)


def test_a_kept_report_reads_back_equal() -> None:
    rng = random.Random(16)
    report = program_report([random_person(rng) for _ in range(100)], TODAY)
    kept = json.loads(json.dumps(report_as_dict(report)))
    assert report_from_dict(kept) == report
    assert report_from_dict(report_as_dict(program_report([], TODAY))) == program_report([], TODAY)


def test_a_persons_summary_is_what_the_builder_counts() -> None:
    """`add` is `summary` then `add_summary`: a program of summaries gives the same report."""
    from waymark.clinical.report import ReportBuilder, summary

    people = [improving() for _ in range(MIN_CELL)] + [gone_quiet() for _ in range(MIN_CELL)]
    counted = ReportBuilder(TODAY)
    for person in people:
        counted.add_summary(summary(person, TODAY))
    assert counted.report() == program_report(people, TODAY)
    first = summary(improving(), TODAY)
    assert first.retained and first.first is not None and first.latest is not None
