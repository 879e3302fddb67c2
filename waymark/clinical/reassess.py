"""Re-assessment: when a check-up is due again, change since the first one, worsening, and
the next step once a harm-reduction goal has held for weeks (PRODUCT.md, journey step 5).

Pure: dates, totals and day records in; typed results and translatable :class:`Message` s
out. Every number here is described in docs/clinical-rules.md, "Re-assessment and the next
step", with the FACTS.md section it rests on, or marked ❓ where it is ours.

- Worsening (:func:`worsening`) is a severity band that moved the wrong way, by the
  instrument's own order of bands, or a PHQ-9 total up by 5 points or more. It is never a
  diagnosis: each one carries a message suggesting to talk to someone who can help.
- Suicidal thoughts (PHQ-9 item 9) are *not* handled here: the safety rules show crisis
  support at once from any check-up, whatever the change (FACTS.md §11.1).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from waymark.clinical.plan import STAGE_SIGNAL_WEEKS
from waymark.clinical.progress import SUPERVISED, Day, Targets, check_days
from waymark.clinical.scoring import Band, Score, get_instrument
from waymark.clinical.text import N_, Message, say

# Screeners are due again every 4 weeks unless configured otherwise ❓ ours: PRODUCT.md says
# "every few weeks"; FACTS.md §2.7/§2.9 screen the last 2 weeks and suggest "repeat later"
# for a mild PHQ-9, and §2.12 tracks BARC-10 "over time"; none gives a number.
DEFAULT_EVERY_DAYS = 28
# Past the due date by this many days, the check-up is "overdue" rather than "due" ❓ ours.
OVERDUE_AFTER_DAYS = 14
# A PHQ-9 total up by this many points is a worsening, whatever the bands ❓: the 5-point
# figure comes from the issue (a common minimal clinically important difference); FACTS.md
# §2.7 gives the bands but no figure for change.
PHQ9_WORSE_BY = 5
# Instruments whose higher totals are better: BARC-10 measures recovery resources, and 47 or
# more went with sustained remission (FACTS.md §2.12). Every other instrument scores
# problems, so a higher total is worse.
HIGHER_IS_BETTER = frozenset({"barc-10"})

# The next step: the goal held for the last 4 full weeks (STAGE_SIGNAL_WEEKS, the same
# number the staged plan names ❓ ours), each with at least 5 of 7 days recorded ❓ ours,
# so that a week of two check-ins cannot count as a week kept.
WEEKS_MET = STAGE_SIGNAL_WEEKS
MIN_DAYS_A_WEEK = 5
TRIAL_WEEKS = 4  # a trial of abstinence lasts four weeks, then the person decides ❓ ours
NEXT_STEP_APPROACHES = ("harm-reduction", "staged")


class Due(StrEnum):
    NOT_YET = "not-yet"
    DUE = "due"
    OVERDUE = "overdue"


class Direction(StrEnum):
    BETTER = "better"
    SAME = "same"
    WORSE = "worse"


def due_on(last_completed: date, every_days: int = DEFAULT_EVERY_DAYS) -> date:
    """The day the screeners are due again after a check-up completed on ``last_completed``."""
    if every_days < 1:
        raise ValueError("a check-up is due again after at least 1 day")
    return last_completed + timedelta(days=every_days)


def due_status(last_completed: date, today: date, every_days: int = DEFAULT_EVERY_DAYS) -> Due:
    due = due_on(last_completed, every_days)
    if today < due:
        return Due.NOT_YET
    if today < due + timedelta(days=OVERDUE_AFTER_DAYS):
        return Due.DUE
    return Due.OVERDUE


# Change since baseline ----------------------------------------------------------------------

InstrumentResult = Score | int  # a scored instrument, or its total alone


@dataclass(frozen=True)
class Measure:
    """One instrument's total and band at one check-up."""

    instrument: str
    total: int
    band: Band


def measure(instrument_id: str, result: InstrumentResult) -> Measure:
    """A Score keeps its own band (sex-specific cut-offs included); a bare total is banded
    with the cautious cut-offs (FACTS.md §0.3)."""
    if isinstance(result, Score):
        return Measure(instrument_id, result.total, result.band)
    band = get_instrument(instrument_id).band_for(result)
    return Measure(instrument_id, result, band)


def severity_rank(instrument_id: str, band_id: str) -> int:
    """The band's place from least to most severe, by the instrument's own direction."""
    order = [band.id for band in sorted(get_instrument(instrument_id).bands_for(None),
                                        key=lambda band: band.min)]  # fmt: skip
    rank = order.index(band_id)
    return len(order) - 1 - rank if instrument_id in HIGHER_IS_BETTER else rank


def direction(instrument_id: str, before: int, after: int) -> Direction:
    if before == after:
        return Direction.SAME
    worse = after < before if instrument_id in HIGHER_IS_BETTER else after > before
    return Direction.WORSE if worse else Direction.BETTER


@dataclass(frozen=True)
class Change:
    instrument: str
    baseline: Measure
    latest: Measure
    direction: Direction

    @property
    def difference(self) -> int:
        return self.latest.total - self.baseline.total


def changes(
    baseline: Mapping[str, InstrumentResult], latest: Mapping[str, InstrumentResult]
) -> list[Change]:
    """Change per instrument given at both, in the order of ``latest``."""
    found = []
    for instrument_id, result in latest.items():
        if instrument_id not in baseline:
            continue
        before, after = (
            measure(instrument_id, baseline[instrument_id]),
            measure(instrument_id, result),
        )
        found.append(
            Change(
                instrument_id, before, after, direction(instrument_id, before.total, after.total)
            )
        )
    return found


def baseline_and_latest(
    series: Sequence[Mapping[str, InstrumentResult]],
) -> tuple[dict[str, InstrumentResult], dict[str, InstrumentResult]]:
    """From check-ups oldest first: for each instrument, its result at the first check-up
    that gave it (the baseline) and at the most recent one that did (the latest)."""
    first: dict[str, InstrumentResult] = {}
    last: dict[str, InstrumentResult] = {}
    for results in series:
        for instrument_id, result in results.items():
            first.setdefault(instrument_id, result)
            last[instrument_id] = result
    return first, last


# Worsening ----------------------------------------------------------------------------------

BAND_UP = "band-up"
POINTS_UP = "points-up"

WORSE_BAND = N_(
    "Your %(instrument)s answers moved from %(before)d to %(after)d points, into a more "
    "serious range. This suggests things have been harder lately. Consider talking to a "
    "doctor or counsellor soon — you do not have to wait for things to get worse."
)
WORSE_POINTS = N_(
    "Your %(instrument)s score went up by %(points)d points, from %(before)d to %(after)d. "
    "This suggests your mood has been lower lately. Consider talking to a doctor or "
    "counsellor soon — you do not have to wait for things to get worse."
)


@dataclass(frozen=True)
class Worsening:
    instrument: str
    before: Measure
    after: Measure
    reasons: tuple[str, ...]  # BAND_UP and/or POINTS_UP
    message: Message


def _worsening(instrument_id: str, before: Measure, after: Measure) -> Worsening | None:
    reasons: list[str] = []
    if severity_rank(instrument_id, after.band.id) > severity_rank(instrument_id, before.band.id):
        reasons.append(BAND_UP)
    if instrument_id == "phq-9" and after.total - before.total >= PHQ9_WORSE_BY:
        reasons.append(POINTS_UP)
    if not reasons:
        return None
    name = get_instrument(instrument_id).short_name
    numbers = {"instrument": name, "before": before.total, "after": after.total}
    if BAND_UP in reasons:
        message = say(WORSE_BAND, **numbers)
    else:
        message = say(WORSE_POINTS, points=after.total - before.total, **numbers)
    return Worsening(instrument_id, before, after, tuple(reasons), message)


def worsening(
    baseline: Mapping[str, InstrumentResult], latest: Mapping[str, InstrumentResult]
) -> list[Worsening]:
    """The instruments that got worse from ``baseline`` to ``latest`` (both keyed by
    instrument id, e.g. ``{"phq-9": 12}`` or ``{"phq-9": score}``): the band moved to a more
    serious one by the instrument's own order, or the PHQ-9 total rose by 5 or more.
    Instruments missing from either side are left out."""
    found = []
    for change in changes(baseline, latest):
        worse = _worsening(change.instrument, change.baseline, change.latest)
        if worse is not None:
            found.append(worse)
    return found


# The next step ------------------------------------------------------------------------------

LOWER_TARGET = "lower-target"
ABSTINENCE_TRIAL = "abstinence-trial"

MET = N_(
    "You have kept within your plan's limit of %(limit)s drinks a day for the last %(weeks)d "
    "weeks. That took work. If you want to, you could take a next step — or keep going as "
    "you are. Both are good choices, and the choice is yours."
)
MET_STAGED = N_(
    "You have kept within your plan's limit of %(limit)s drinks a day for the last %(weeks)d "
    "weeks: the signal your staged plan was waiting for. When you feel ready, the next stage "
    "is stopping; there is no rush."
)
LOWER = N_("Lower my limit to %(limit)s drinks a day.")
LOWER_CLINICIAN = N_(
    "Lower my limit to %(limit)s drinks a day — planned with a doctor first, because your "
    "check-up suggests cutting down should be medically supervised."
)
TRIAL = N_(
    "Try %(weeks)d weeks without drinking, then decide what comes next. You can go back to "
    "your limit at any time."
)
TRIAL_CLINICIAN = N_(
    "Try %(weeks)d weeks without drinking — planned with a doctor, not stopped at home: your "
    "check-up suggests that stopping alcohol or sedatives could bring dangerous withdrawal, "
    "so it should be medically supervised."
)


@dataclass(frozen=True)
class WeekKept:
    start: date  # the Monday
    days_counted: int  # recorded days with known drinks and a target
    kept: bool  # enough days counted, and every one within the target


@dataclass(frozen=True)
class Offer:
    kind: str  # LOWER_TARGET or ABSTINENCE_TRIAL
    limit: float  # the new most a day (0 for the trial)
    with_clinician: bool
    message: Message


@dataclass(frozen=True)
class NextStep:
    limit: float  # the limit that was kept
    weeks: tuple[WeekKept, ...]
    message: Message
    offers: tuple[Offer, ...]


def full_weeks(today: date, count: int = WEEKS_MET) -> list[date]:
    """The Mondays of the last ``count`` full weeks (Monday to Sunday) before ``today``'s
    week, oldest first."""
    this_monday = today - timedelta(days=today.weekday())
    return [this_monday - timedelta(weeks=back) for back in range(count, 0, -1)]


def _chosen_since(targets: Targets) -> date | None:
    """The day the person last chose a limit of their own: the weeks count from then."""
    if isinstance(targets, OwnLimits) and targets.changes:
        return max(since for since, _ in targets.changes)
    return None


def weeks_kept(days: Iterable[Day], targets: Targets, today: date) -> tuple[WeekKept, ...]:
    """Each of the last full weeks: was the plan's daily limit kept? A day of use with no
    amount cannot show it was, so it breaks the week; a day not recorded counts for nothing,
    and so does a day before the person last chose a limit of their own (a step taken starts
    the count again)."""
    by_date = {day.date: day for day in check_days(days)}
    since = _chosen_since(targets)
    weeks = []
    for monday in full_weeks(today):
        counted, kept = 0, True
        for offset in range(7):
            when = monday + timedelta(days=offset)
            day, limit = by_date.get(when), targets.on(when)
            if day is None or limit is None or (since is not None and when < since):
                continue
            drinks = day.drinks
            if drinks is None or drinks > limit:
                kept = False
                continue
            counted += 1
        weeks.append(WeekKept(monday, counted, kept and counted >= MIN_DAYS_A_WEEK))
    return tuple(weeks)


def _number(value: float) -> str:
    return f"{value:g}"


def next_step(
    approach: str,
    days: Iterable[Day],
    targets: Targets | None,
    today: date,
    safety: Iterable[str] = (),
) -> NextStep | None:
    """The next step to offer, or None: only on the harm-reduction or staged path, with a
    daily drinking limit from the plan above 0, kept in each of the last 4 full weeks.

    The offers are a limit one drink lower (whole drinks, never below 1) and a trial of
    weeks without drinking. Where the check-up found that withdrawal needs medical
    supervision (FACTS.md §4.1, §4.2, §11.2), both say to plan the change with a doctor,
    never to stop at home. An offer, never a push: the person may keep things as they are.
    """
    if approach not in NEXT_STEP_APPROACHES or targets is None:
        return None
    limit = targets.on(today)
    if limit is None or limit <= 0:
        return None
    weeks = weeks_kept(days, targets, today)
    if not all(week.kept for week in weeks):
        return None
    supervised = any(finding in SUPERVISED for finding in safety)
    offers = []
    lower = math.ceil(limit) - 1
    if lower >= 1:
        template = LOWER_CLINICIAN if supervised else LOWER
        offers.append(
            Offer(LOWER_TARGET, float(lower), supervised, say(template, limit=_number(lower)))
        )
    trial = TRIAL_CLINICIAN if supervised else TRIAL
    offers.append(Offer(ABSTINENCE_TRIAL, 0.0, supervised, say(trial, weeks=TRIAL_WEEKS)))
    intro = MET_STAGED if approach == "staged" else MET
    message = say(intro, limit=_number(limit), weeks=len(weeks))
    return NextStep(limit, weeks, message, tuple(offers))


# Limits the person chose ---------------------------------------------------------------------


@dataclass(frozen=True)
class OwnLimits(Targets):
    """The plan's targets, lowered from each date in ``changes`` to the limit the person
    chose then. A chosen limit only ever lowers the plan's: where the plan sets none (no home
    target, as with supervised withdrawal), none is set."""

    changes: tuple[tuple[date, float], ...] = ()

    def on(self, day: date) -> float | None:
        limit = super().on(day)
        if limit is None:
            return None
        chosen = [own for since, own in sorted(self.changes) if since <= day]
        return min(limit, chosen[-1]) if chosen else limit


def with_own_limits(
    targets: Targets | None, limits: Iterable[tuple[date, float]]
) -> Targets | None:
    """``targets`` with the limits the person chose (from a date on), or as they are."""
    chosen = tuple(sorted(limits))
    if targets is None or not chosen:
        return targets
    return OwnLimits(targets.start, targets.steps, targets.after, chosen)


@dataclass(frozen=True)
class PathTargets(Targets):
    """The targets of each path the plan has followed, each from the day it began, so a
    chart shows the old path's target up to a switch and the new one's after it."""

    paths: tuple[tuple[date, Targets | None], ...] = ()

    def on(self, day: date) -> float | None:
        current: Targets | None = None
        for since, targets in sorted(self.paths, key=lambda path: path[0]):
            if since <= day:
                current = targets
        return current.on(day) if current is not None else None


def path_targets(paths: Sequence[tuple[date, Targets | None]]) -> Targets | None:
    """One set of targets over every path, or None when no path set a target at home."""
    if not any(targets is not None for _, targets in paths):
        return None
    if len(paths) == 1:
        return paths[0][1]
    first = min(since for since, _ in paths)
    return PathTargets(first, paths=tuple(paths))
