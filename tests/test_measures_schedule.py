"""The schedule maths (waymark/measures/schedule.py), pure: which measures are due on a local
date, and when (in UTC) their email goes out — time zones, DST days, a leap day and the edges
of an interval."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from waymark.measures.schedule import (
    DEFAULT_EVERY_DAYS,
    MEASURES,
    Rule,
    ScheduleError,
    due_on,
    effective,
    first_send,
    local_date,
    next_due,
    send_time,
)
from waymark.tracking.reminders import send_time as reminder_send_time

TEN = time(10, 0)
QUIET = time(20, 0)
PROGRAM, OTHER = 1, 2


def due_ids(today: date, rules: list[Rule], last: dict[str, date], start: date) -> list[str]:
    return [d.measure for d in due_on(today, rules, last, {PROGRAM: start, OTHER: start})]


def test_every_allowed_measure_is_an_instrument_and_the_defaults_are_allowed() -> None:
    from waymark.clinical.scoring import INSTRUMENT_IDS

    assert set(MEASURES) <= set(INSTRUMENT_IDS)
    assert {"bam", "phq-9", "gad-7", "audit-c", "barc-10", "assist-opioids"} <= set(MEASURES)
    assert set(DEFAULT_EVERY_DAYS) <= set(MEASURES)
    assert DEFAULT_EVERY_DAYS == {"bam": 30, "phq-9": 14, "gad-7": 14, "audit-c": 30, "barc-10": 91}


def test_a_measure_is_first_due_the_day_sharing_starts() -> None:
    rules = [Rule(PROGRAM, "phq-9", 14)]
    start = date(2026, 3, 2)
    assert due_ids(date(2026, 3, 1), rules, {}, start) == []
    assert due_ids(start, rules, {}, start) == ["phq-9"]


@pytest.mark.parametrize(
    ("days_after", "due"), [(13, False), (14, True), (15, True)], ids=["13", "14", "15"]
)
def test_then_every_days_after_the_last_time_exactly_on_the_boundary(
    days_after: int, due: bool
) -> None:
    last = date(2026, 1, 1)
    today = date.fromordinal(last.toordinal() + days_after)
    ids = due_ids(today, [Rule(PROGRAM, "phq-9", 14)], {"phq-9": last}, date(2025, 1, 1))
    assert ids == (["phq-9"] if due else [])


def test_a_leap_day_counts_as_a_day() -> None:
    # 2028 is a leap year: 30 days after 15 February is 16 March, not 17 March.
    assert next_due(30, date(2028, 2, 15), date(2028, 1, 1)) == date(2028, 3, 16)
    assert next_due(30, date(2027, 2, 15), date(2027, 1, 1)) == date(2027, 3, 17)
    # Asked on the leap day itself: the next is 91 days on, whatever the year.
    assert next_due(91, date(2028, 2, 29), date(2028, 1, 1)) == date(2028, 5, 30)


def test_never_before_sharing_started_even_after_an_old_answer() -> None:
    start = date(2026, 6, 1)
    assert next_due(14, date(2026, 1, 1), start) == start
    assert next_due(14, date(2026, 5, 25), start) == date(2026, 6, 8)


def test_a_personal_rule_replaces_the_programs_and_can_stop_a_measure() -> None:
    rules = [
        Rule(PROGRAM, "bam", 30),
        Rule(PROGRAM, "phq-9", 14),
        Rule(PROGRAM, "bam", 7, personal=True),
        Rule(PROGRAM, "phq-9", 14, active=False, personal=True),
    ]
    chosen = effective(rules)
    assert list(chosen) == ["bam"]
    assert chosen["bam"].every_days == 7


def test_the_order_of_rules_does_not_matter() -> None:
    rules = [Rule(PROGRAM, "bam", 7, personal=True), Rule(PROGRAM, "bam", 30)]
    assert effective(rules)["bam"].every_days == 7
    assert effective(list(reversed(rules)))["bam"].every_days == 7


def test_two_programs_asking_for_one_measure_ask_once_at_the_shorter_interval() -> None:
    rules = [Rule(OTHER, "gad-7", 14), Rule(PROGRAM, "gad-7", 28), Rule(PROGRAM, "bam", 30)]
    chosen = effective(rules)
    assert chosen["gad-7"].program == OTHER and chosen["gad-7"].every_days == 14
    due = due_on(date(2026, 1, 1), rules, {}, {PROGRAM: date(2026, 1, 1), OTHER: date(2026, 1, 1)})
    assert sorted(d.measure for d in due) == ["bam", "gad-7"]


def test_a_program_not_shared_with_asks_nothing() -> None:
    rules = [Rule(OTHER, "gad-7", 14)]
    assert due_on(date(2026, 1, 1), rules, {}, {PROGRAM: date(2025, 1, 1)}) == []


def test_a_stopped_program_measure_is_not_due() -> None:
    assert (
        due_ids(date(2026, 1, 1), [Rule(PROGRAM, "bam", 30, active=False)], {}, date(2025, 1, 1))
        == []
    )


@pytest.mark.parametrize(
    ("measure", "every"), [("dast-10", 30), ("cows", 30), ("bam", 0), ("bam", 6), ("bam", 366)]
)
def test_an_unknown_measure_or_interval_is_refused(measure: str, every: int) -> None:
    with pytest.raises(ScheduleError):
        Rule(PROGRAM, measure, every)


# Send times: the reminders' rules in every zone ------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "day", "expected"),
    [
        # New York: EST (UTC-5) before 8 March 2026, EDT (UTC-4) from it, EST again from 1 Nov.
        ("America/New_York", date(2026, 3, 7), datetime(2026, 3, 7, 15, 0, tzinfo=UTC)),
        ("America/New_York", date(2026, 3, 8), datetime(2026, 3, 8, 14, 0, tzinfo=UTC)),
        ("America/New_York", date(2026, 11, 1), datetime(2026, 11, 1, 15, 0, tzinfo=UTC)),
        # Madrid: CET (UTC+1), CEST (UTC+2) from 29 March 2026 until 25 October 2026.
        ("Europe/Madrid", date(2026, 3, 28), datetime(2026, 3, 28, 9, 0, tzinfo=UTC)),
        ("Europe/Madrid", date(2026, 3, 29), datetime(2026, 3, 29, 8, 0, tzinfo=UTC)),
        ("Europe/Madrid", date(2026, 10, 25), datetime(2026, 10, 25, 9, 0, tzinfo=UTC)),
        ("UTC", date(2028, 2, 29), datetime(2028, 2, 29, 10, 0, tzinfo=UTC)),
    ],
)
def test_the_email_goes_out_at_ten_local_time_on_dst_days_too(
    zone: str, day: date, expected: datetime
) -> None:
    assert send_time(day, TEN, zone) == expected


@pytest.mark.parametrize(
    ("zone", "day", "at"),
    [
        ("America/New_York", date(2026, 3, 8), time(2, 30)),  # skipped: clocks go forward
        ("America/New_York", date(2026, 11, 1), time(1, 30)),  # happens twice
        ("Europe/Madrid", date(2026, 3, 29), time(2, 30)),
        ("Europe/Madrid", date(2026, 10, 25), time(2, 30)),
    ],
)
def test_skipped_and_repeated_times_follow_the_reminders_rules(
    zone: str, day: date, at: time
) -> None:
    assert send_time(day, at, zone) == reminder_send_time(day, at, zone)


def test_a_repeated_time_is_sent_the_first_time_and_a_skipped_one_an_hour_on() -> None:
    # 1:30 on 1 November 2026 in New York happens at 05:30 UTC (EDT), then 06:30 UTC (EST).
    assert send_time(date(2026, 11, 1), time(1, 30), "America/New_York") == datetime(
        2026, 11, 1, 5, 30, tzinfo=UTC
    )
    # 2:30 on 8 March 2026 does not exist there: sent as 3:30 EDT, 07:30 UTC.
    assert send_time(date(2026, 3, 8), time(2, 30), "America/New_York") == datetime(
        2026, 3, 8, 7, 30, tzinfo=UTC
    )


def test_the_local_date_is_the_persons_own() -> None:
    moment = datetime(2026, 3, 8, 3, 0, tzinfo=UTC)  # still 7 March in New York
    assert local_date(moment, "America/New_York") == date(2026, 3, 7)
    assert local_date(moment, "Europe/Madrid") == date(2026, 3, 8)


def test_made_before_ten_it_waits_for_ten() -> None:
    now = datetime(2026, 3, 29, 6, 0, tzinfo=UTC)  # 08:00 in Madrid, its first summer day
    assert first_send(date(2026, 3, 29), TEN, "Europe/Madrid", now, QUIET) == datetime(
        2026, 3, 29, 8, 0, tzinfo=UTC
    )


def test_made_in_the_afternoon_it_goes_at_once() -> None:
    now = datetime(2026, 3, 8, 19, 0, tzinfo=UTC)  # 15:00 EDT
    assert first_send(date(2026, 3, 8), TEN, "America/New_York", now, QUIET) == now


def test_made_in_the_evening_it_waits_for_ten_the_next_morning() -> None:
    now = datetime(2026, 10, 25, 20, 30, tzinfo=UTC)  # 21:30 CET, the day clocks went back
    assert first_send(date(2026, 10, 25), TEN, "Europe/Madrid", now, QUIET) == datetime(
        2026, 10, 26, 9, 0, tzinfo=UTC
    )
