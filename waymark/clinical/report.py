"""The program report: de-identified outcomes across the people in a program.

Each person comes in as a :class:`PersonRecord` (check-in days, sex for the cut-offs, screener
totals by date) with no name, no id and no free text; the report gives counts and means only.
Every outcome number comes from :mod:`waymark.clinical.outcomes`, the same functions the
progress page and `waymark outcomes` run.

Small cells are suppressed: a number resting on fewer than :data:`MIN_CELL` people is not
shown, so nobody can be picked out of a small group. 11 follows the CMS cell-size suppression
policy (no cell of 1 to 10 people is published) ❓ — FACTS.md does not state it; its §10 asks
for Part 2-grade practice and allows de-identified disclosures only.

Pure: no Django, no I/O.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from waymark.clinical.drinks import RISK_LEVELS
from waymark.clinical.outcomes import Outcomes, window
from waymark.clinical.progress import Day, drinking_record
from waymark.clinical.reassess import HIGHER_IS_BETTER
from waymark.clinical.scoring import Sex

MIN_CELL = 11  # ❓ CMS small-cell practice; see the module docstring
# A person is "retained" with a check-in in the last 28 days (ours ❓; the progress page's
# four-week summary window).
PERIOD_DAYS = 28
# A window counts for a person with at least 7 recorded days in it (progress.MIN_DAYS_FOR_SUMMARY).
MIN_DAYS = 7


@dataclass(frozen=True)
class PersonRecord:
    enrolled_on: date
    days: tuple[Day, ...] = ()
    sex: Sex | None = None
    # Screener totals by instrument id, oldest first: [(date, total), ...].
    screeners: Mapping[str, Sequence[tuple[date, int]]] = field(default_factory=dict, hash=False)
    # Whether the person's check-ins are part of the report (shared with the program): a
    # person who shares only check-ups counts for screener change alone.
    checkins: bool = True


@dataclass(frozen=True)
class Cell:
    """One number and the people behind it; ``value`` is None when suppressed (or none)."""

    people: int
    value: float | None

    @property
    def suppressed(self) -> bool:
        return self.people < MIN_CELL


def cell(values: Sequence[float]) -> Cell:
    if len(values) < MIN_CELL:
        return Cell(len(values), None)
    return Cell(len(values), round(statistics.fmean(values), 1))


def share(hits: int, people: int) -> Cell:
    """The percentage of ``people`` who are ``hits``, suppressed under MIN_CELL people (the
    group's size is what is checked; a percentage of 11 or more people names no one ❓)."""
    if people < MIN_CELL:
        return Cell(people, None)
    return Cell(people, round(100 * hits / people, 1))


@dataclass(frozen=True)
class ScreenerChange:
    instrument: str
    change: Cell  # mean change in total, latest minus first (negative: lower total)
    better: Cell  # percent of people whose total moved the good way


@dataclass(frozen=True)
class Report:
    today: date
    people: int
    retention: Cell  # percent with a check-in in the last PERIOD_DAYS
    percent_days_abstinent: Cell  # mean over people, last PERIOD_DAYS
    heavy_days_first: Cell  # mean percent heavy drinking days, first PERIOD_DAYS of the record
    heavy_days_latest: Cell  # ... and last PERIOD_DAYS, same people
    heavy_day_reduction: Cell  # mean of first - latest, in percentage points, same people
    who_level_down: Cell  # percent of people whose WHO risk level fell by at least one
    screeners: tuple[ScreenerChange, ...]

    @property
    def shown(self) -> bool:
        return self.people >= MIN_CELL


def _first_window(days: Sequence[Day], sex: Sex | None) -> Outcomes | None:
    if not days:
        return None
    end = days[0].date + timedelta(days=PERIOD_DAYS - 1)
    return window(drinking_record(days), end, PERIOD_DAYS, sex)


def _latest_window(days: Sequence[Day], today: date, sex: Sex | None) -> Outcomes:
    return window(drinking_record(days), today, PERIOD_DAYS, sex)


def _enough(result: Outcomes | None) -> bool:
    return result is not None and result.days_recorded >= MIN_DAYS


def _who_rank(result: Outcomes) -> int | None:
    level = result.who_risk_level
    return None if level is None else RISK_LEVELS.index(level)


def program_report(people: Iterable[PersonRecord], today: date) -> Report:
    """The report over ``people`` on ``today``. Only days up to ``today`` count."""
    records = [
        PersonRecord(
            p.enrolled_on,
            tuple(sorted((d for d in p.days if d.date <= today), key=_date)),
            p.sex,
            p.screeners,
            p.checkins,
        )
        for p in people
    ]
    since = today - timedelta(days=PERIOD_DAYS - 1)
    tracked = [p for p in records if p.checkins]
    retained = sum(1 for p in tracked if any(d.date >= since for d in p.days))
    abstinent: list[float] = []
    first_heavy: list[float] = []
    latest_heavy: list[float] = []
    reduction: list[float] = []
    who_down: list[float] = []
    for person in tracked:
        latest = _latest_window(person.days, today, person.sex)
        if _enough(latest) and latest.percent_days_abstinent is not None:
            abstinent.append(latest.percent_days_abstinent)
        # Change needs two separate periods: the record must be at least two periods long.
        if not person.days or person.days[0].date + timedelta(days=PERIOD_DAYS - 1) >= since:
            continue
        first = _first_window(person.days, person.sex)
        if first is None or not (_enough(first) and _enough(latest)):
            continue
        before, after = first.percent_heavy_drinking_days, latest.percent_heavy_drinking_days
        if before is not None and after is not None:
            first_heavy.append(before)
            latest_heavy.append(after)
            reduction.append(before - after)
        rank_before, rank_after = _who_rank(first), _who_rank(latest)
        if rank_before is not None and rank_after is not None:
            who_down.append(1.0 if rank_after < rank_before else 0.0)
    return Report(
        today=today,
        people=len(records),
        retention=share(retained, len(tracked)),
        percent_days_abstinent=cell(abstinent),
        heavy_days_first=cell(first_heavy),
        heavy_days_latest=cell(latest_heavy),
        heavy_day_reduction=cell(reduction),
        who_level_down=share(int(sum(who_down)), len(who_down)),
        screeners=_screener_changes(records),
    )


def _date(day: Day) -> date:
    return day.date


def _screener_changes(records: Sequence[PersonRecord]) -> tuple[ScreenerChange, ...]:
    instruments = sorted({i for p in records for i in p.screeners})
    found = []
    for instrument in instruments:
        changes: list[float] = []
        better = 0
        for person in records:
            series = sorted(person.screeners.get(instrument, ()))
            if len(series) < 2:
                continue
            difference = series[-1][1] - series[0][1]
            changes.append(difference)
            if (difference > 0) if instrument in HIGHER_IS_BETTER else (difference < 0):
                better += 1
        found.append(ScreenerChange(instrument, cell(changes), share(better, len(changes))))
    return tuple(found)
