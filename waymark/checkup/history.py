"""A person's completed check-ups, newest first, each with the change since the one before;
and the re-assessment: when the screeners are due again, the change per instrument since the
first check-up that gave it, and whether the latest is worse (`waymark.clinical.reassess`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext

from waymark.checkup.actions import stored_answers
from waymark.checkup.models import CheckUp
from waymark.clinical import reassess
from waymark.clinical.checkup import IncompleteCheckUpError, build_profile
from waymark.clinical.profile import ProfileError, parse_profile
from waymark.clinical.scoring import Score, get_instrument
from waymark.clinical.text import N_

TRACKED = ("audit", "dast-10", "phq-9", "gad-7", "barc-10")


@dataclass
class HistoryRow:
    checkup: CheckUp
    result: dict[str, Any]
    totals: dict[str, int]
    changes: list[dict[str, Any]] = field(default_factory=list)


def scores(checkup: CheckUp) -> dict[str, Score]:
    """The tracked screeners the check-up gave, scored (answers prefetched, ideally)."""
    try:
        profile = parse_profile(build_profile(stored_answers(checkup)))
    except (IncompleteCheckUpError, ProfileError):
        return {}
    found = {}
    for instrument_id in TRACKED:
        score = profile.score(instrument_id)
        if score is not None:
            found[instrument_id] = score
    return found


def _totals(checkup: CheckUp) -> dict[str, int]:
    return {instrument_id: score.total for instrument_id, score in scores(checkup).items()}


def history_rows(completed: list[CheckUp]) -> list[HistoryRow]:
    """``completed`` newest first (answers prefetched: one query for all of them)."""
    rows = [HistoryRow(c, c.result or {}, _totals(c)) for c in completed]
    for newer, older in pairwise(rows):
        for key in ("urgency", "severity", "approach", "care_level"):
            before, after = older.result.get(key), newer.result.get(key)
            if before != after:
                newer.changes.append({"what": key, "before": before, "after": after})
        for instrument_id in TRACKED:
            before_total = older.totals.get(instrument_id)
            after_total = newer.totals.get(instrument_id)
            if before_total is not None and after_total is not None:
                newer.changes.append(
                    {"what": instrument_id, "before": before_total, "after": after_total,
                     "difference": after_total - before_total}
                )  # fmt: skip
    return rows


# Re-assessment ------------------------------------------------------------------------------


def completed_on(checkup: CheckUp) -> date:
    return timezone.localdate(checkup.completed_at or checkup.created_at)


def every_days() -> int:
    return int(getattr(settings, "WAYMARK_REASSESS_DAYS", reassess.DEFAULT_EVERY_DAYS))


@dataclass(frozen=True)
class Due:
    """When the screeners are due again after the latest check-up."""

    last: date
    on: date
    status: reassess.Due

    @property
    def now(self) -> bool:
        return self.status is not reassess.Due.NOT_YET

    @property
    def overdue(self) -> bool:
        return self.status is reassess.Due.OVERDUE


def due(last: date | None, today: date | None = None) -> Due | None:
    if last is None:
        return None
    today = today or timezone.localdate()
    days = every_days()
    return Due(last, reassess.due_on(last, days), reassess.due_status(last, today, days))


@dataclass(frozen=True)
class ChangeRow:
    """One instrument's change since baseline, with the dates of both check-ups."""

    change: reassess.Change
    name: str
    baseline_on: date
    latest_on: date


@dataclass(frozen=True)
class Reassessment:
    due: Due | None
    changes: tuple[ChangeRow, ...]
    worsening: tuple[reassess.Worsening, ...]  # the latest check-up against earlier ones


def _worse(series: Sequence[dict[str, Score]]) -> tuple[reassess.Worsening, ...]:
    """The latest check-up against the first to give each instrument (the baseline) and
    against the one before it: a rise since the last check-up is shown even when the first
    was worse still. One entry an instrument; the baseline's comes first."""
    if len(series) < 2:
        return ()
    first, _ = reassess.baseline_and_latest(series[:-1])
    found: dict[str, reassess.Worsening] = {}
    for earlier in (first, series[-2]):
        for worse in reassess.worsening(earlier, series[-1]):
            found.setdefault(worse.instrument, worse)
    return tuple(found[i] for i in TRACKED if i in found)


def reassessment(completed: Sequence[CheckUp], today: date | None = None) -> Reassessment:
    """``completed`` oldest first, answers prefetched (one query however many there are)."""
    if not completed:
        return Reassessment(None, (), ())
    series = [scores(checkup) for checkup in completed]
    dates = [completed_on(checkup) for checkup in completed]
    first_at: dict[str, date] = {}
    last_at: dict[str, date] = {}
    for when, given in zip(dates, series, strict=True):
        for instrument_id in given:
            first_at.setdefault(instrument_id, when)
            last_at[instrument_id] = when
    baseline, latest = reassess.baseline_and_latest(series)
    by_id = {change.instrument: change for change in reassess.changes(baseline, latest)}
    rows = tuple(
        ChangeRow(by_id[i], get_instrument(i).short_name, first_at[i], last_at[i])
        for i in TRACKED
        if i in by_id and first_at[i] != last_at[i]  # given more than once
    )
    return Reassessment(due(dates[-1], today), rows, _worse(series))


# In words, for the pages ----------------------------------------------------------------------

DIRECTION_WORDS = {
    reassess.Direction.BETTER: N_("Better"),
    reassess.Direction.SAME: N_("No change"),
    reassess.Direction.WORSE: N_("Worse"),
}


def _reading(total: int, band_label: str, on: date) -> str:
    return gettext("%(total)d (%(band)s), %(date)s") % {
        "total": total,
        "band": gettext(band_label),
        "date": date_format(on, "DATE_FORMAT"),
    }


def change_words(row: ChangeRow) -> dict[str, str]:
    """One row of the "since your first check-up" table, in words (never arrows alone)."""
    change = row.change
    points = abs(change.difference)
    if change.difference == 0:
        moved = gettext("No change")
    else:
        template = (
            ngettext("%(points)d point higher", "%(points)d points higher", points)
            if change.difference > 0
            else ngettext("%(points)d point lower", "%(points)d points lower", points)
        )
        moved = gettext("%(direction)s: %(moved)s") % {
            "direction": gettext(DIRECTION_WORDS[change.direction]),
            "moved": template % {"points": points},
        }
    return {
        "instrument": change.instrument,
        "name": row.name,
        "direction": change.direction.value,
        "baseline": _reading(change.baseline.total, change.baseline.band.label, row.baseline_on),
        "latest": _reading(change.latest.total, change.latest.band.label, row.latest_on),
        "change": moved,
        "higher_is_better": str(change.instrument in reassess.HIGHER_IS_BETTER),
    }
