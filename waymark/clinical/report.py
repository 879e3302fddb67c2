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
from typing import Any

from waymark.clinical.drinks import RISK_LEVELS
from waymark.clinical.episodes import DEFAULT_TARGET, Outcome
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
class PersonSummary:
    """A person's check-ins as the report reads them, counted: whether they checked in during
    the last PERIOD_DAYS, the outcomes of those days (``latest``), and those of the first
    PERIOD_DAYS of their record (``first``) when that period ends before the latest begins
    (else None: no change can be told). Screeners and ``checkins`` as in PersonRecord."""

    retained: bool = False
    latest: Outcomes | None = None
    first: Outcomes | None = None
    screeners: Mapping[str, Sequence[tuple[date, int]]] = field(default_factory=dict, hash=False)
    checkins: bool = True


def latest_period(today: date) -> tuple[date, date]:
    """The report's latest period: the PERIOD_DAYS days that end ``today``."""
    return today - timedelta(days=PERIOD_DAYS - 1), today


def first_period(first_day: date, today: date) -> tuple[date, date] | None:
    """The first PERIOD_DAYS of a record that starts on ``first_day``, or None when they run
    into the latest period (a record shorter than two periods shows no change)."""
    end = first_day + timedelta(days=PERIOD_DAYS - 1)
    return (first_day, end) if end < latest_period(today)[0] else None


def summary(person: PersonRecord, today: date) -> PersonSummary:
    """The person's summary from their days up to ``today``."""
    if not person.checkins:
        return PersonSummary(screeners=person.screeners, checkins=False)
    days = tuple(sorted((d for d in person.days if d.date <= today), key=_date))
    since, _ = latest_period(today)
    records = drinking_record(days)
    latest = window(records, today, PERIOD_DAYS, person.sex)
    period = first_period(days[0].date, today) if days else None
    first = window(records, period[1], PERIOD_DAYS, person.sex) if period else None
    retained = any(d.date >= since for d in days)
    return PersonSummary(retained, latest, first, person.screeners)


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
class EpisodeSummary:
    """Episodes and follow-up (`waymark.clinical.episodes`). Each cell's ``people`` is the
    number of different people behind it, and a cell is withheld under MIN_CELL people ❓
    (one person can have several episodes; counting people keeps the report's rule)."""

    target: int  # the program's follow-up target, in percent
    episodes: Cell  # value: how many episodes
    followup_rate: Cell  # percent of episodes whose window closed that had a follow-up
    response: Cell  # percent of episodes with baseline and outcome PHQ-9 that responded
    remission: Cell  # ... that were in remission
    bam_use_change: Cell  # mean change in BAM use, follow-up minus baseline
    bam_use_better: Cell  # percent of those episodes whose BAM use went down


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
    # Added with episodes of care (issue 16): None in a report kept before them.
    episodes: EpisodeSummary | None = None

    @property
    def shown(self) -> bool:
        return self.people >= MIN_CELL


def _enough(result: Outcomes) -> bool:
    return result.days_recorded >= MIN_DAYS


def _who_rank(result: Outcomes) -> int | None:
    level = result.who_risk_level
    return None if level is None else RISK_LEVELS.index(level)


class ReportBuilder:
    """The report built one person at a time, so that a large program's records need never be
    in memory together: ``add`` each person once (in any order), then ``report()``.

    Of a person's days it reads only those that fall in the first PERIOD_DAYS of their record
    (from their first day on or before ``today``) and in the last PERIOD_DAYS ending ``today``;
    a record holding just those days gives the same numbers as the whole record.
    """

    def __init__(self, today: date, target: int = DEFAULT_TARGET) -> None:
        self.today = today
        self.target = target  # the program's follow-up target, carried into the report
        self._people = 0
        self._tracked = 0
        self._retained = 0
        self._abstinent: list[float] = []
        self._first_heavy: list[float] = []
        self._latest_heavy: list[float] = []
        self._reduction: list[float] = []
        self._who_down: list[float] = []
        self._instruments: set[str] = set()
        self._changes: dict[str, list[float]] = {}
        self._better: dict[str, int] = {}
        self._episodes = _EpisodeTally()

    def add_episodes(self, person: object, outcomes: Sequence[Outcome]) -> None:
        """One person's episodes (``person`` is any key that tells people apart)."""
        self._episodes.add(person, outcomes)

    def add(self, person: PersonRecord) -> None:
        """A person from their days: counted here (`summary`), then as `add_summary`."""
        self.add_summary(summary(person, self.today))

    def add_summary(self, person: PersonSummary) -> None:
        """A person whose days are already counted, by `summary` or by a database."""
        self._people += 1
        self._add_screeners(person.screeners)
        if not person.checkins:
            return
        self._tracked += 1
        if person.retained:
            self._retained += 1
        latest, first = person.latest, person.first
        if latest is None:
            raise ValueError("a person who shares check-ins needs the latest period counted")
        if _enough(latest) and latest.percent_days_abstinent is not None:
            self._abstinent.append(latest.percent_days_abstinent)
        # Change needs two separate periods: the record must be at least two periods long.
        if first is None or not (_enough(first) and _enough(latest)):
            return
        before, after = first.percent_heavy_drinking_days, latest.percent_heavy_drinking_days
        if before is not None and after is not None:
            self._first_heavy.append(before)
            self._latest_heavy.append(after)
            self._reduction.append(before - after)
        rank_before, rank_after = _who_rank(first), _who_rank(latest)
        if rank_before is not None and rank_after is not None:
            self._who_down.append(1.0 if rank_after < rank_before else 0.0)

    def _add_screeners(self, screeners: Mapping[str, Sequence[tuple[date, int]]]) -> None:
        for instrument, given in screeners.items():
            self._instruments.add(instrument)
            series = sorted(given)
            if len(series) < 2:
                continue
            difference = series[-1][1] - series[0][1]
            self._changes.setdefault(instrument, []).append(difference)
            if (difference > 0) if instrument in HIGHER_IS_BETTER else (difference < 0):
                self._better[instrument] = self._better.get(instrument, 0) + 1

    def report(self) -> Report:
        return Report(
            today=self.today,
            people=self._people,
            retention=share(self._retained, self._tracked),
            percent_days_abstinent=cell(self._abstinent),
            heavy_days_first=cell(self._first_heavy),
            heavy_days_latest=cell(self._latest_heavy),
            heavy_day_reduction=cell(self._reduction),
            who_level_down=share(int(sum(self._who_down)), len(self._who_down)),
            screeners=tuple(self._screener_change(i) for i in sorted(self._instruments)),
            episodes=self._episodes.summary(self.target),
        )

    def _screener_change(self, instrument: str) -> ScreenerChange:
        changes = self._changes.get(instrument, [])
        better = share(self._better.get(instrument, 0), len(changes))
        return ScreenerChange(instrument, cell(changes), better)


class _EpisodeTally:
    """Episodes counted one person at a time: for each cell, the episodes and hits behind it
    and the people they belong to."""

    def __init__(self) -> None:
        self.groups: dict[str, list[int]] = {}  # name: [episodes, hits]
        self.people: dict[str, set[object]] = {}
        self.bam_changes: list[float] = []
        self.bam_people: set[object] = set()

    def _count(self, name: str, person: object, hit: bool) -> None:
        tally = self.groups.setdefault(name, [0, 0])
        tally[0] += 1
        tally[1] += int(hit)
        self.people.setdefault(name, set()).add(person)

    def add(self, person: object, outcomes: Sequence[Outcome]) -> None:
        for found in outcomes:
            self._count("episodes", person, True)
            if found.window_closed:
                self._count("followup", person, found.followup_achieved)
            if found.response is not None:
                self._count("response", person, found.response)
            if found.remission is not None:
                self._count("remission", person, found.remission)
            change = found.bam_use_change
            if change is not None:
                self._count("bam", person, change < 0)
                self.bam_changes.append(float(change))
                self.bam_people.add(person)

    def _share(self, name: str) -> Cell:
        episodes, hits = self.groups.get(name, [0, 0])
        people = len(self.people.get(name, ()))
        if people < MIN_CELL:
            return Cell(people, None)
        return Cell(people, round(100 * hits / episodes, 1))

    def summary(self, target: int) -> EpisodeSummary:
        people = len(self.people.get("episodes", ()))
        count = self.groups.get("episodes", [0, 0])[0]
        change = None
        if len(self.bam_people) >= MIN_CELL:
            change = round(statistics.fmean(self.bam_changes), 1)
        return EpisodeSummary(
            target=target,
            episodes=Cell(people, float(count) if people >= MIN_CELL else None),
            followup_rate=self._share("followup"),
            response=self._share("response"),
            remission=self._share("remission"),
            bam_use_change=Cell(len(self.bam_people), change),
            bam_use_better=self._share("bam"),
        )


def program_report(people: Iterable[PersonRecord], today: date) -> Report:
    """The report over ``people`` on ``today``. Only days up to ``today`` count."""
    builder = ReportBuilder(today)
    for person in people:
        builder.add(person)
    return builder.report()


def _date(day: Day) -> date:
    return day.date


# Kept reports (JSON) ------------------------------------------------------------------------


def _cell_as_dict(found: Cell) -> dict[str, Any]:
    return {"people": found.people, "value": found.value}


def _cell_from_dict(data: Mapping[str, Any]) -> Cell:
    value = data["value"]
    return Cell(int(data["people"]), None if value is None else float(value))


def report_as_dict(report: Report) -> dict[str, Any]:
    """The report as plain JSON values, to keep: `report_from_dict` gives it back equal."""
    return {
        "today": report.today.isoformat(),
        "people": report.people,
        **{name: _cell_as_dict(getattr(report, name)) for name in _CELLS},
        "screeners": [
            {
                "instrument": change.instrument,
                "change": _cell_as_dict(change.change),
                "better": _cell_as_dict(change.better),
            }
            for change in report.screeners
        ],
        "episodes": _episodes_as_dict(report.episodes),
    }


def _episodes_as_dict(summary: EpisodeSummary | None) -> dict[str, Any] | None:
    if summary is None:
        return None
    cells = {name: _cell_as_dict(getattr(summary, name)) for name in _EPISODE_CELLS}
    return {"target": summary.target, **cells}


def _episodes_from_dict(data: Mapping[str, Any] | None) -> EpisodeSummary | None:
    if data is None:
        return None
    cells = {name: _cell_from_dict(data[name]) for name in _EPISODE_CELLS}
    return EpisodeSummary(target=int(data["target"]), **cells)


def report_from_dict(data: Mapping[str, Any]) -> Report:
    """A report kept with `report_as_dict`; KeyError, TypeError or ValueError for anything
    else."""
    return Report(
        today=date.fromisoformat(data["today"]),
        people=int(data["people"]),
        **{name: _cell_from_dict(data[name]) for name in _CELLS},
        screeners=tuple(
            ScreenerChange(
                str(change["instrument"]),
                _cell_from_dict(change["change"]),
                _cell_from_dict(change["better"]),
            )
            for change in data["screeners"]
        ),
        episodes=_episodes_from_dict(data.get("episodes")),
    )


_CELLS = (
    "retention",
    "percent_days_abstinent",
    "heavy_days_first",
    "heavy_days_latest",
    "heavy_day_reduction",
    "who_level_down",
)

_EPISODE_CELLS = (
    "episodes",
    "followup_rate",
    "response",
    "remission",
    "bam_use_change",
    "bam_use_better",
)
