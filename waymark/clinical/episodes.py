"""Episodes of care: baseline, follow-up and discharge measures, response and remission.

An episode is one admission of one person to one program, until discharge. Its results come in
as plain :class:`Result` values (a PHQ-9 total, or a BAM "use" subscale score, with the local
date it was given), from measures and completed check-ups alike; no name, no id.

Choices (issue 16, item 4), each ours unless a source is named:

- **Baseline**: the result nearest the admission day within admission − 30 days to admission
  + 14 days ❓ (results just before admission are the intake; a fortnight after still
  describes the start). On a tie, the earlier result ❓.
- **Follow-up window**: admission + ``months`` (default 6) ± ``days`` (default 30) ❓, set per
  program. Adding months keeps the day of the month, or the month's last day when it has fewer
  days (31 August + 6 months is 28 or 29 February). Follow-up is *achieved* when any result
  (PHQ-9 or BAM) falls in the window, both ends included. The follow-up measure is the result
  nearest the window's middle ❓ (on a tie, the earlier).
- **Discharge measure**: the result nearest the discharge day within ± 14 days ❓.
- **Response** (PHQ-9): a drop of at least 50% from baseline to follow-up — or, without a
  follow-up, to discharge ❓ — as the issue defines it. The 50% drop and the < 5 remission
  cut-off are the conventions of the PHQ-9 literature ⚠️ (Kroenke K, Spitzer RL, Williams JB.
  J Gen Intern Med 2001;16:606-613 describes the scores; the response and remission uses are
  from later measurement-based-care work and are not in our FACTS file). A baseline of 0
  cannot drop by half: no response is computed for it ❓.
- **Remission** (PHQ-9): the same outcome result (follow-up, else discharge) under 5.
- **BAM use** (items 4–6, the "use" subscale): change from baseline to follow-up; lower is
  better ❓ (the subscale counts days of use).
- **Follow-up rate**: episodes with follow-up achieved among those whose window has *closed*
  (its last day is before ``today``), discharged or not: an episode still inside its window is
  not counted yet, so the rate does not dip while follow-ups are still possible ❓.

Pure: no Django, no I/O.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

PHQ9 = "phq-9"
BAM = "bam"

BASELINE_BEFORE_DAYS = 30  # ❓
BASELINE_AFTER_DAYS = 14  # ❓
DISCHARGE_DAYS = 14  # ❓
DEFAULT_MONTHS = 6  # the example
DEFAULT_DAYS = 30  # the example
DEFAULT_TARGET = 80  # percent, the default
RESPONSE_DROP = 0.5  # issue 16: PHQ-9 drop of 50% or more ⚠️
REMISSION_BELOW = 5  # issue 16: PHQ-9 under 5 ⚠️


@dataclass(frozen=True)
class Result:
    """One measure result: the PHQ-9 total, or the BAM use subscale score."""

    on: date
    instrument: str
    score: int


@dataclass(frozen=True)
class FollowUp:
    """A program's follow-up settings."""

    months: int = DEFAULT_MONTHS
    days: int = DEFAULT_DAYS
    target: int = DEFAULT_TARGET  # percent


@dataclass(frozen=True)
class Episode:
    admitted_on: date
    discharged_on: date | None = None
    discharge_reason: str = ""


@dataclass(frozen=True)
class Outcome:
    """What one episode shows, on ``today``."""

    episode: Episode
    window_start: date
    window_end: date
    window_closed: bool
    followup_achieved: bool
    baseline_phq9: int | None
    followup_phq9: int | None
    discharge_phq9: int | None
    baseline_bam_use: int | None
    followup_bam_use: int | None

    @property
    def outcome_phq9(self) -> int | None:
        """The PHQ-9 that response and remission read: follow-up, else discharge."""
        return self.followup_phq9 if self.followup_phq9 is not None else self.discharge_phq9

    @property
    def response(self) -> bool | None:
        """None when it cannot be said (no baseline, no outcome, or a baseline of 0)."""
        before, after = self.baseline_phq9, self.outcome_phq9
        if before is None or after is None or before == 0:
            return None
        return (before - after) >= RESPONSE_DROP * before

    @property
    def remission(self) -> bool | None:
        if self.baseline_phq9 is None or self.outcome_phq9 is None:
            return None
        return self.outcome_phq9 < REMISSION_BELOW

    @property
    def bam_use_change(self) -> int | None:
        """Follow-up minus baseline: negative is fewer days of use."""
        if self.baseline_bam_use is None or self.followup_bam_use is None:
            return None
        return self.followup_bam_use - self.baseline_bam_use


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months, clamped to the month's last day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def followup_window(admitted_on: date, settings: FollowUp) -> tuple[date, date, date]:
    """(first day, target day, last day) of the follow-up window."""
    target = add_months(admitted_on, settings.months)
    spread = timedelta(days=settings.days)
    return target - spread, target, target + spread


def nearest(
    results: Iterable[Result], instrument: str, to: date, first: date, last: date
) -> int | None:
    """The score of ``instrument`` nearest ``to`` within [first, last]; the earlier on a tie."""
    found = [r for r in results if r.instrument == instrument and first <= r.on <= last]
    if not found:
        return None
    return min(found, key=lambda r: (abs((r.on - to).days), r.on)).score


def outcome(
    episode: Episode, results: Sequence[Result], today: date, settings: FollowUp = FollowUp()
) -> Outcome:
    admitted = episode.admitted_on
    start, target, end = followup_window(admitted, settings)
    first = admitted - timedelta(days=BASELINE_BEFORE_DAYS)
    last = admitted + timedelta(days=BASELINE_AFTER_DAYS)
    discharge_phq9 = None
    if episode.discharged_on is not None:
        spread = timedelta(days=DISCHARGE_DAYS)
        at = episode.discharged_on
        discharge_phq9 = nearest(results, PHQ9, at, at - spread, at + spread)
    return Outcome(
        episode=episode,
        window_start=start,
        window_end=end,
        window_closed=end < today,
        followup_achieved=any(start <= r.on <= end and r.on <= today for r in results),
        baseline_phq9=nearest(results, PHQ9, admitted, first, last),
        followup_phq9=nearest(results, PHQ9, target, start, end),
        discharge_phq9=discharge_phq9,
        baseline_bam_use=nearest(results, BAM, admitted, first, last),
        followup_bam_use=nearest(results, BAM, target, start, end),
    )
