"""Progress: milestones that never reset, series for the charts, and one honest sentence.

Every outcome number (percent days abstinent, drinks per drinking day, heavy drinking days,
grams a day, the WHO risk level, days of use) comes from :mod:`waymark.clinical.outcomes`, the
same functions `waymark outcomes` runs, so the progress page and the command line agree on the
same record. This module only chooses the days to pass in and adds what outcomes does not
measure: milestones, targets from the plan, and weekly means of cravings and mood.

Days not recorded are *missing*, never days without use: they count in no total, and a missing
day ends a run of days without use. Milestones are counts over the whole record, so they never
fall back to zero: a day of use adds nothing, and takes nothing away.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise

from waymark.clinical.drinks import GRAMS_PER_US_DRINK
from waymark.clinical.outcomes import (
    WINDOW_DAYS,
    DayRecord,
    DaysOfUse,
    Outcomes,
    days_of_use_by_substance,
    outcomes,
    window,
)
from waymark.clinical.pathway import Recommendation
from waymark.clinical.plan import drinking_limit
from waymark.clinical.profile import Profile
from waymark.clinical.risk import HIGH
from waymark.clinical.scoring import Sex
from waymark.clinical.taper import Step, Taper
from waymark.clinical.text import N_, Message, say

ALCOHOL = "alcohol"
ANY = "any"  # the pseudo-substance of "used anything" in days_of_use_by_substance
SUMMARY_DAYS = 28  # the summary sentence looks at the last four weeks
DAILY_DAYS = 28  # the daily chart of drinks against the target
WEEKS = 12  # the weekly charts
# Fewer recorded days than this in the last four weeks, and the summary says so rather than
# drawing a picture from a handful of days ❓ (ours).
MIN_DAYS_FOR_SUMMARY = 7
# Within 10% of the amount before starting is "about the same" ❓ (ours).
ABOUT_THE_SAME = 0.10
MAX_CRAVINGS = 10
MOODS = (1, 2, 3, 4, 5)
# Safety findings that rule out a daily target to cut down to at home.
SUPERVISED = ("medically-supervised-withdrawal", "no-self-taper")

NOTHING_YET = N_(
    "Nothing is recorded yet: your first check-in starts the picture, and every day you "
    "record will count."
)
NOTHING_LATELY = N_(
    "Nothing was recorded in the last %(days)d days; whenever you are ready, a check-in picks "
    "things up again, and everything you recorded before still counts."
)
TOO_FEW = N_(
    "You recorded %(recorded)d of the last %(days)d days — a few more check-ins and this page "
    "can say more about how things are going."
)
USE_ONLY = N_(
    "In the last %(days)d days you recorded %(recorded)d days, %(free)d of them without using."
)
ALL_FREE = N_(
    "In the last %(days)d days you recorded %(recorded)d days, and all of them were without "
    "drinking."
)
ALL_FREE_BASELINE = N_(
    "In the last %(days)d days you recorded %(recorded)d days, all of them without drinking — "
    "before you started, you had about %(before)s drinks a day."
)
PER_DRINKING_DAY = N_(
    "In the last %(days)d days you recorded %(recorded)d days, %(free)d of them without drinking; "
    "on the days you drank, you had %(per_drinking_day)s drinks on average."
)
DOWN = N_(
    "In the last %(days)d days you recorded %(recorded)d days, %(free)d of them without drinking, "
    "and averaged %(now)s drinks a day, down from %(before)s before you started."
)
SAME = N_(
    "In the last %(days)d days you recorded %(recorded)d days, %(free)d of them without drinking, "
    "and averaged %(now)s drinks a day, about the same as the %(before)s before you started."
)
UP = N_(
    "In the last %(days)d days you recorded %(recorded)d days, %(free)d of them without drinking, "
    "and averaged %(now)s drinks a day, up from %(before)s before you started — a good time "
    "to look at your plan again, or to talk it over with someone who can help."
)


@dataclass(frozen=True)
class Day:
    """One recorded day (a check-in). ``amount`` is US standard drinks of alcohol; None when
    the person used but gave no amount (the day then counts for use, not for drinking).
    ``substances`` are those recorded with an amount above 0."""

    date: date
    amount: float | None
    used: bool
    cravings: int | None = None
    mood: int | None = None
    substances: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.amount is not None and (not math.isfinite(self.amount) or self.amount < 0):
            raise ValueError(f"{self.date}: the amount must be a number of at least 0")
        if not self.used and (self.amount or self.substances):
            raise ValueError(f"{self.date}: an amount above 0 on a day without use")
        if self.cravings is not None and not 0 <= self.cravings <= MAX_CRAVINGS:
            raise ValueError(f"{self.date}: cravings must be 0 to {MAX_CRAVINGS}")
        if self.mood is not None and self.mood not in MOODS:
            raise ValueError(f"{self.date}: mood must be 1 to 5")

    @property
    def drinks(self) -> float | None:
        """Drinks of alcohol: 0 on a day without use; None when not known."""
        return 0.0 if not self.used else self.amount


def check_days(days: Iterable[Day]) -> tuple[Day, ...]:
    """The days in date order; a date recorded twice is a ValueError."""
    ordered = tuple(sorted(days, key=lambda day: day.date))
    for before, after in pairwise(ordered):
        if before.date == after.date:
            raise ValueError(f"{after.date} is recorded twice")
    return ordered


def drinking_record(days: Iterable[Day]) -> list[DayRecord]:
    """The record `waymark outcomes` reads: one row per recorded day whose drinks are known."""
    return [DayRecord(day.date, drinks) for day in days if (drinks := day.drinks) is not None]


def use_record(days: Iterable[Day], substance: str = ANY) -> list[DayRecord]:
    """1 for a day of use of ``substance`` (or of anything, for ``ANY``), 0 for a day without;
    a day of use with no amounts at all says nothing about one substance, so it is left out."""
    records: list[DayRecord] = []
    for day in days:
        if substance == ANY:
            used: bool | None = day.used
        elif substance == ALCOHOL:
            drinks = day.drinks
            used = None if drinks is None else drinks > 0
        elif substance in day.substances:
            used = True
        else:
            used = None if day.used and not day.substances else False
        if used is not None:
            records.append(DayRecord(day.date, 1.0 if used else 0.0))
    return records


def drinks_per_day(result: Outcomes) -> float | None:
    """The average drinks a recorded day, from the outcome's grams a day."""
    return None if result.grams_per_day is None else result.grams_per_day / GRAMS_PER_US_DRINK


def counted(percent: float | None, of: int) -> int:
    """The number of days behind an outcome's percentage of ``of`` recorded days."""
    return 0 if percent is None else round(percent * of / 100)


# The plan's targets -------------------------------------------------------------------------


@dataclass(frozen=True)
class Targets:
    """The most a day the plan sets: the taper's steps from ``start`` (its day 1), then
    ``after`` (also from ``start`` when there is no taper). No target before ``start``."""

    start: date
    steps: tuple[Step, ...] = ()
    after: float | None = None

    def on(self, day: date) -> float | None:
        if day < self.start:
            return None
        number = (day - self.start).days + 1  # the taper's day 1 is ``start``
        limit = self.after
        for step in self.steps:
            if step.day > number:
                break
            limit = step.limit
        return limit


def plan_targets(
    profile: Profile,
    result: Recommendation,
    approach: str,
    taper: Taper | None,
    start: date,
    also_safety: Iterable[str] = (),
) -> Targets | None:
    """Daily drink targets from a plan, or None where the plan sets no number at home.

    The targets are the plan's own numbers, read from the same risk model, so the chart can
    never show a line the plan does not give: a taper schedule gives its steps and ends at its
    target; without one, the abstinence path aims at 0 and the others at the plan's drinking
    limit (none where it gives none). Where withdrawal needs a clinician (risk high, a
    `no-self-taper` finding, or ``also_safety`` from a later check-up saying so), or stopping
    could bring withdrawal and no schedule was made, there is no home target at all: a line on
    a chart must not suggest cutting down alone.
    """
    if not profile.uses(ALCOHOL):
        return None
    model = result.risks
    if model.withdrawal.level == HIGH or "no-self-taper" in result.safety:
        return None
    if any(finding in SUPERVISED for finding in also_safety):
        return None
    if taper is not None and taper.refused:
        return None
    if taper is not None and taper.steps:
        steps = tuple(sorted(taper.steps, key=lambda step: step.day))
        return Targets(start, steps, steps[-1].limit)
    if model.supervised_withdrawal:
        return None
    if approach == "abstinence":
        return Targets(start, (), 0.0)
    limit = drinking_limit(result, approach)
    return None if limit is None else Targets(start, (), float(limit[0]))


def baseline_drinks_per_day(profile: Profile) -> float | None:
    """Drinks a day before starting, from a check-up: the typical amount on a drinking day
    times the drinking days of the past 30, over 30."""
    use = profile.use_of(ALCOHOL)
    if use is None or use.typical_amount is None or use.days_used_past_30 is None:
        return None
    return use.typical_amount * use.days_used_past_30 / 30


# Milestones ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Milestones:
    days_recorded: int
    days_without_use: int  # recorded days with no use, over the whole record
    best_run: int  # most consecutive recorded days without use; a missing day ends a run
    days_with_target: int  # recorded days with known drinks on which the plan set a target
    days_within_plan: int  # ... and the drinks were at most that target
    baseline: float | None  # drinks a day before starting
    drinks_per_day: float | None  # drinks a day over the whole record (from outcomes)
    reduction_percent: float | None  # from baseline to drinks_per_day; negative is more
    slips: int  # returns to use after days without use, followed by a day without use again
    back_on_track_latest: int | None  # days from the latest such slip to the next day without
    back_on_track_median: float | None

    @property
    def back_on_track_usually_within(self) -> int | None:
        """The median in whole days, rounded up: "usually within N days"."""
        median = self.back_on_track_median
        return None if median is None else math.ceil(median)


def _runs(days: Sequence[Day]) -> list[int]:
    runs: list[int] = []
    length, previous = 0, None
    for day in days:
        adjacent = previous is not None and day.date - previous == timedelta(days=1)
        if day.used:
            length = 0
        else:
            length = length + 1 if adjacent and length else 1
            runs.append(length)
        previous = day.date
    return runs


def _back_on_track(days: Sequence[Day]) -> list[int]:
    """For each slip (a day of use whose previous recorded day was without use), the days
    until the next recorded day without use. A slip still going on is not counted yet."""
    times: list[int] = []
    slip: date | None = None
    for before, day in pairwise(days):
        if slip is None and day.used and not before.used:
            slip = day.date
        elif slip is not None and not day.used:
            times.append((day.date - slip).days)
            slip = None
    return times


def milestones(
    days: Iterable[Day],
    targets: Targets | None = None,
    baseline: float | None = None,
    sex: Sex | None = None,
) -> Milestones:
    ordered = check_days(days)
    runs = _runs(ordered)
    with_target = [
        (drinks, limit)
        for day in ordered
        if (drinks := day.drinks) is not None
        and targets is not None
        and (limit := targets.on(day.date)) is not None
    ]
    whole = outcomes(drinking_record(ordered), sex)
    now = drinks_per_day(whole)
    reduction = None
    if baseline is not None and baseline > 0 and now is not None:
        reduction = 100 * (baseline - now) / baseline
    times = _back_on_track(ordered)
    return Milestones(
        days_recorded=len(ordered),
        days_without_use=sum(1 for day in ordered if not day.used),
        best_run=max(runs, default=0),
        days_with_target=len(with_target),
        days_within_plan=sum(1 for drinks, limit in with_target if drinks <= limit),
        baseline=baseline,
        drinks_per_day=now,
        reduction_percent=reduction,
        slips=len(times),
        back_on_track_latest=times[-1] if times else None,
        back_on_track_median=statistics.median(times) if times else None,
    )


# Series for the charts ----------------------------------------------------------------------


@dataclass(frozen=True)
class DailyPoint:
    date: date
    recorded: bool
    used: bool | None  # None: not recorded
    drinks: float | None  # None: not recorded, or no amount given
    target: float | None

    @property
    def within_plan(self) -> bool | None:
        if self.drinks is None or self.target is None:
            return None
        return self.drinks <= self.target


def daily(
    days: Iterable[Day], end: date, targets: Targets | None = None, count: int = DAILY_DAYS
) -> tuple[DailyPoint, ...]:
    """The ``count`` days ending on ``end``, oldest first; a day not recorded stays empty."""
    by_date = {day.date: day for day in check_days(days)}
    points: list[DailyPoint] = []
    for offset in range(count - 1, -1, -1):
        when = end - timedelta(days=offset)
        target = targets.on(when) if targets is not None else None
        day = by_date.get(when)
        if day is None:
            points.append(DailyPoint(when, False, None, None, target))
        else:
            points.append(DailyPoint(when, True, day.used, day.drinks, target))
    return tuple(points)


@dataclass(frozen=True)
class Week:
    start: date  # the Monday
    end: date  # the Sunday, or the last day so far for the current week
    iso_year: int
    iso_week: int
    days_recorded: int  # check-ins in the week
    drinking: Outcomes  # the outcomes of the week's drinking record
    heavy_days: int
    use: DaysOfUse  # days of use of anything
    cravings: float | None  # the mean of the recorded values
    mood: float | None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def _mean(values: Sequence[int]) -> float | None:
    return math.fsum(values) / len(values) if values else None


def weekly(
    days: Iterable[Day], end: date, weeks: int = WEEKS, sex: Sex | None = None
) -> tuple[Week, ...]:
    """The ``weeks`` ISO weeks (Monday to Sunday) up to the one holding ``end``, oldest first;
    the current week counts only the days up to ``end``."""
    ordered = check_days(days)
    drinking = drinking_record(ordered)
    use = use_record(ordered)
    this_monday = end - timedelta(days=end.weekday())
    series: list[Week] = []
    for back in range(weeks - 1, -1, -1):
        monday = this_monday - timedelta(weeks=back)
        last = min(monday + timedelta(days=6), end)
        length = (last - monday).days + 1
        inside = [day for day in ordered if monday <= day.date <= last]
        result = window(drinking, last, length, sex)
        year, number, _ = monday.isocalendar()
        series.append(
            Week(
                start=monday,
                end=last,
                iso_year=year,
                iso_week=number,
                days_recorded=len(inside),
                drinking=result,
                heavy_days=counted(result.percent_heavy_drinking_days, result.days_recorded),
                use=days_of_use_by_substance({ANY: use}, last, length)[ANY],
                cravings=_mean([d.cravings for d in inside if d.cravings is not None]),
                mood=_mean([d.mood for d in inside if d.mood is not None]),
            )
        )
    return tuple(series)


def windows(
    days: Iterable[Day], end: date, sex: Sex | None = None
) -> tuple[tuple[int | None, Outcomes], ...]:
    """The outcomes of the last 7, 28 and 90 days, then of the whole record (None)."""
    record = drinking_record(check_days(days))
    spans: list[tuple[int | None, Outcomes]] = [
        (length, window(record, end, length, sex)) for length in WINDOW_DAYS
    ]
    spans.append((None, outcomes(record, sex)))
    return tuple(spans)


def days_of_use(
    days: Iterable[Day], substances: Sequence[str], end: date, length: int = SUMMARY_DAYS
) -> dict[str, tuple[DaysOfUse, DaysOfUse]]:
    """Days of use of each substance: over the last ``length`` days, and over the record."""
    ordered = check_days(days)
    records = {substance: use_record(ordered, substance) for substance in substances}
    recent = days_of_use_by_substance(records, end, length)
    whole = days_of_use_by_substance(records)
    return {substance: (recent[substance], whole[substance]) for substance in substances}


# The summary sentence -----------------------------------------------------------------------


def _drinks(amount: float) -> str:
    """Drinks in text: always one decimal ("1.0 drinks"), as the command line rounds."""
    return f"{amount:.1f}"


def summary(
    days: Iterable[Day],
    end: date,
    sex: Sex | None = None,
    baseline: float | None = None,
    drinking: bool = True,
) -> Message:
    """One honest, kind sentence about the last four weeks; it never scolds, and it says when
    too few days are recorded to say much. ``drinking`` speaks of drinks; otherwise of use."""
    ordered = check_days(days)
    start = end - timedelta(days=SUMMARY_DAYS - 1)
    recent = sum(1 for day in ordered if start <= day.date <= end)
    if not ordered:
        return say(NOTHING_YET)
    if recent == 0:
        return say(NOTHING_LATELY, days=SUMMARY_DAYS)
    if recent < MIN_DAYS_FOR_SUMMARY:
        return say(TOO_FEW, recorded=recent, days=SUMMARY_DAYS)
    record = drinking_record(ordered)
    result = window(record, end, SUMMARY_DAYS, sex)
    if not drinking or result.days_recorded == 0:
        use = days_of_use_by_substance({ANY: use_record(ordered)}, end, SUMMARY_DAYS)[ANY]
        free = use.days_recorded - use.days_used
        return say(USE_ONLY, days=SUMMARY_DAYS, recorded=use.days_recorded, free=free)
    drank = days_of_use_by_substance({ALCOHOL: record}, end, SUMMARY_DAYS)[ALCOHOL]
    counts = {
        "days": SUMMARY_DAYS,
        "recorded": result.days_recorded,
        "free": result.days_recorded - drank.days_used,
    }
    now = drinks_per_day(result) or 0.0
    has_baseline = baseline is not None and baseline > 0
    if drank.days_used == 0:
        if has_baseline:
            return say(ALL_FREE_BASELINE, before=_drinks(baseline or 0.0), **counts)
        return say(ALL_FREE, **counts)
    if not has_baseline or baseline is None:
        per_drinking_day = result.drinks_per_drinking_day or 0.0
        return say(PER_DRINKING_DAY, per_drinking_day=_drinks(per_drinking_day), **counts)
    change = (now - baseline) / baseline
    template = DOWN if change <= -ABOUT_THE_SAME else UP if change >= ABOUT_THE_SAME else SAME
    return say(template, now=_drinks(now), before=_drinks(baseline), **counts)
