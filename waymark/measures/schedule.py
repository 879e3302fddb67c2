"""Which measures are due, and when their email goes out: the schedule maths, pure (no Django,
no database, no clock of its own), so it is tested in milliseconds.

A program sets how often each measure goes out (`Rule`, ``personal=False``); a clinician may
set another interval for one person, or stop one measure for them (``personal=True``), which
replaces the program's rule for that measure in that program. A person who shares with two
programs that both ask for the same measure answers it once, at the shorter interval: what
they answer counts for both (the results belong to the person's record, not to a program).

A measure is first due on the day sharing with the program started (local date), then
``every_days`` after the later of the last day it was asked (a request's due date, answered or
not) and the last day it was answered (in the app or by link): an unanswered request is not
asked again every day, and an answer given early moves the next one on.

The email goes out at a fixed wall-clock time in the person's own time zone, with the same
rules as reminders (waymark/tracking/reminders.py): on the day clocks go forward, a time in
the skipped hour is sent as if the clocks had not changed (02:30 becomes 03:30); on the day
they go back, a time that happens twice is sent the first time (PEP 495, fold=0).
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

# The measures a program may schedule, in the order pages list them: the VA's Brief Addiction
# Monitor, mood and worry, alcohol, each WHO ASSIST substance class, recovery capital.
ASSIST_CLASSES = (
    "assist-tobacco",
    "assist-alcohol",
    "assist-cannabis",
    "assist-cocaine",
    "assist-amphetamines",
    "assist-inhalants",
    "assist-sedatives",
    "assist-hallucinogens",
    "assist-opioids",
    "assist-other",
)
MEASURES: tuple[str, ...] = ("bam", "phq-9", "gad-7", "audit-c", *ASSIST_CLASSES, "barc-10")
# What the schedule page offers a program that has set none yet (days). ❓ Ours, after the
# issue: BAM monthly (its questions cover 30 days), PHQ-9 and GAD-7 every two weeks (theirs
# cover 2 weeks), AUDIT-C monthly, BARC-10 quarterly (13 weeks).
DEFAULT_EVERY_DAYS: Mapping[str, int] = {
    "bam": 30,
    "phq-9": 14,
    "gad-7": 14,
    "audit-c": 30,
    "barc-10": 91,
}
MIN_EVERY_DAYS = 7  # ❓ more often than weekly is not measurement-based care, it is nagging
MAX_EVERY_DAYS = 365
# The local wall-clock time a measure's email goes out ❓ (mid-morning: not at night, not
# at the first glance at the phone), unless WAYMARK_MEASURE_SEND_HOUR says otherwise.
SEND_AT = time(10, 0)


class ScheduleError(ValueError):
    """A rule no program could set: an unknown measure or an interval out of range."""


@dataclass(frozen=True)
class Rule:
    """One schedule as it applies to a person: ``program`` is any key the caller uses for
    a program; ``active`` False stops the measure (for the person when ``personal``)."""

    program: int
    measure: str
    every_days: int
    active: bool = True
    personal: bool = False

    def __post_init__(self) -> None:
        # A stopped rule keeps whatever interval it had: only the measure must be known.
        check(self.measure, self.every_days if self.active else MIN_EVERY_DAYS)


@dataclass(frozen=True)
class Due:
    """A measure due on ``on``, asked on behalf of ``program`` (the shortest interval's)."""

    measure: str
    program: int
    every_days: int
    on: date


def check(measure: str, every_days: int) -> None:
    if measure not in MEASURES:
        raise ScheduleError(f"{measure!r} cannot be scheduled; measures are {', '.join(MEASURES)}")
    if not MIN_EVERY_DAYS <= every_days <= MAX_EVERY_DAYS:
        raise ScheduleError(
            f"every_days must be {MIN_EVERY_DAYS} to {MAX_EVERY_DAYS}, not {every_days}"
        )


def effective(rules: Iterable[Rule]) -> dict[str, Rule]:
    """Per measure, the rule that decides: within a program a personal rule replaces the
    program's; across programs the shortest active interval wins (then the lowest program
    key, so the answer never depends on the order given). Stopped measures are left out."""
    by_program: dict[tuple[int, str], Rule] = {}
    for rule in rules:
        key = (rule.program, rule.measure)
        if rule.personal or key not in by_program:
            by_program[key] = rule
    chosen: dict[str, Rule] = {}
    for rule in sorted(by_program.values(), key=lambda r: (r.every_days, r.program)):
        if rule.active and rule.measure not in chosen:
            chosen[rule.measure] = rule
    return {measure: chosen[measure] for measure in MEASURES if measure in chosen}


def next_due(every_days: int, last: date | None, start: date) -> date:
    """The first day a measure is due: the day sharing started, then ``every_days`` after
    the last time it was asked or answered (never before sharing started)."""
    if last is None:
        return start
    return max(start, last + timedelta(days=every_days))


def due_on(
    today: date,
    rules: Iterable[Rule],
    last: Mapping[str, date],
    starts: Mapping[int, date],
) -> list[Due]:
    """The measures due on the local date ``today``. ``last``: per measure, the later of the
    last day asked and the last day answered; ``starts``: per program, the local date its
    sharing began (a program missing here is not shared with, so it asks nothing)."""
    found = []
    for measure, rule in effective(r for r in rules if r.program in starts).items():
        if next_due(rule.every_days, last.get(measure), starts[rule.program]) <= today:
            found.append(Due(measure, rule.program, rule.every_days, today))
    return found


def latest(*days: date | None) -> date | None:
    """The latest of some days, any of them missing."""
    known = [day for day in days if day is not None]
    return max(known) if known else None


def send_time(day: date, at: time, zone_name: str) -> datetime:
    """When (in UTC) the email for the local ``day`` at wall-clock ``at`` goes out: the same
    rule as reminders' (fold=0: the first of a repeated time; a skipped time moves on)."""
    local = datetime.combine(day, at.replace(tzinfo=None, fold=0), zoneinfo.ZoneInfo(zone_name))
    return local.astimezone(UTC)


def local_date(moment: datetime, zone_name: str) -> date:
    return moment.astimezone(zoneinfo.ZoneInfo(zone_name)).date()


def first_send(day: date, at: time, zone_name: str, now: datetime, quiet_from: time) -> datetime:
    """When a request due on ``day`` (made at ``now``) is emailed: at ``at`` that day; when
    it was made after that, at once, unless it is already ``quiet_from`` or later there (an
    evening email about questions helps nobody), then at ``at`` the next day."""
    planned = send_time(day, at, zone_name)
    if planned >= now:
        return planned
    local_now = now.astimezone(zoneinfo.ZoneInfo(zone_name))
    if local_now.date() == day and local_now.time() < quiet_from:
        return now
    return send_time(local_now.date() + timedelta(days=1), at, zone_name)
