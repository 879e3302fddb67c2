"""Outcomes from a drinking or use record: the numbers alcohol-treatment trials report.

The contract (CONTRACTS.md §5): one record per recorded day, with an amount in US standard
drinks for alcohol (or any positive number for a day of use; 0 = no use). Days between the
first and the last date without a record are *missing*: they count in no denominator (never as
abstinent) and are reported. Heavy drinking days and the WHO risk drinking level use the
sex-specific thresholds of :mod:`waymark.clinical.drinks` (FACTS.md §3), the lower ones when
sex is not given (FACTS.md §0.3).

Numbers are not rounded here: the JSON carries them as computed, and only text for people
rounds (to one decimal). Sums use :func:`math.fsum`, which is exact before its one rounding,
so the order of the records never changes a result. An empty record is not an error: nothing
was recorded, so every outcome is ``None`` and the counts are 0.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from waymark.clinical.drinks import (
    GRAMS_PER_US_DRINK,
    RiskLevel,
    heavy_day_threshold,
    who_risk_level,
)
from waymark.clinical.scoring import Sex

# The windows the progress pages show, in days.
WINDOW_DAYS = (7, 28, 90)
# An amount above this is a typing mistake, whatever the unit ❓ (ours); it also keeps the
# sums far from overflowing.
MAX_AMOUNT = 1_000_000.0

CONTRACT_KEYS = (
    "days_recorded",
    "days_missing",
    "percent_days_abstinent",
    "drinks_per_drinking_day",
    "percent_heavy_drinking_days",
    "grams_per_day",
    "who_risk_level",
)


@dataclass(frozen=True)
class DayRecord:
    date: date
    amount: float


class OutcomeError(ValueError):
    """A record that cannot be counted. ``index`` (0-based) is the record at fault;
    ``first_index`` the earlier record with the same date, for a duplicate. Use
    :meth:`describe` to name them in the caller's terms (a CSV line, a form row)."""

    def __init__(
        self, problem: str, index: int, first_index: int | None = None, of: str | None = None
    ) -> None:
        self.problem, self.index, self.first_index, self.of = problem, index, first_index, of
        super().__init__(self.describe(self._record))

    def _record(self, index: int) -> str:
        return f"{self.of} record {index + 1}" if self.of else f"record {index + 1}"

    def describe(self, where: Callable[[int], str]) -> str:
        text = f"{where(self.index)}: {self.problem}"
        if self.first_index is not None:
            text += f" (first on {where(self.first_index)})"
        return text


def check(records: Iterable[DayRecord]) -> tuple[DayRecord, ...]:
    """The records, or an OutcomeError naming the first bad one: an amount that is not a
    finite number from 0 to ``MAX_AMOUNT``, a date that is not a date, a date seen before."""
    checked = tuple(records)
    seen: dict[date, int] = {}
    for index, record in enumerate(checked):
        amount = record.amount
        if isinstance(record.date, datetime) or not isinstance(record.date, date):
            raise OutcomeError(f"{record.date!r} is not a date", index)
        if isinstance(amount, bool) or not isinstance(amount, int | float):
            raise OutcomeError(f"the amount {amount!r} is not a number", index)
        if not math.isfinite(amount):
            raise OutcomeError(f"the amount {amount!r} is not a number", index)
        if amount < 0:
            raise OutcomeError(f"the amount {amount:g} is below 0", index)
        if amount > MAX_AMOUNT:
            raise OutcomeError(f"the amount {amount:g} is above {MAX_AMOUNT:g}", index)
        if record.date in seen:
            raise OutcomeError(f"{record.date} is recorded twice", index, seen[record.date])
        seen[record.date] = index
    return checked


@dataclass(frozen=True)
class Outcomes:
    """The outcomes over the span ``first``..``last`` (both included; None when empty)."""

    first: date | None
    last: date | None
    sex: Sex | None
    days_recorded: int
    days_missing: int
    percent_days_abstinent: float | None
    drinks_per_drinking_day: float | None
    percent_heavy_drinking_days: float | None
    grams_per_day: float | None
    who_risk_level: RiskLevel | None

    @property
    def days_in_span(self) -> int:
        return self.days_recorded + self.days_missing

    def as_dict(self) -> dict[str, Any]:
        """Exactly the keys of CONTRACTS.md §5."""
        return {key: getattr(self, key) for key in CONTRACT_KEYS}


def _percent(part: int, whole: int) -> float:
    return 100 * part / whole


def _days_from(first: date | None, last: date | None) -> int:
    return 0 if first is None or last is None else (last - first).days + 1


@dataclass(frozen=True)
class Tally:
    """The counts a span's outcomes rest on: recorded days, those without a drink, the heavy
    ones (at the threshold of the sex they were counted for) and all the drinks. Every outcome
    comes from these (:func:`from_tally`), whoever counted them: :func:`tally` from records,
    or a database that counts the same days (waymark.clinic.report)."""

    recorded: int
    abstinent: int
    heavy: int
    drinks: float

    def __post_init__(self) -> None:
        if not 0 <= self.abstinent <= self.recorded or not 0 <= self.heavy <= self.recorded:
            raise ValueError(f"counts that cannot be: {self}")
        if self.abstinent + self.heavy > self.recorded or self.drinks < 0:
            raise ValueError(f"counts that cannot be: {self}")


def tally(records: Iterable[DayRecord], sex: Sex | None = None) -> Tally:
    """The counts of checked records: a heavy day has at least `heavy_day_threshold(sex)`."""
    amounts = [record.amount for record in records]
    threshold = heavy_day_threshold(sex)
    return Tally(
        recorded=len(amounts),
        abstinent=sum(1 for amount in amounts if amount == 0),
        heavy=sum(1 for amount in amounts if amount >= threshold),
        drinks=math.fsum(amounts),
    )


def from_tally(counted: Tally, first: date | None, last: date | None, sex: Sex | None) -> Outcomes:
    """The outcomes over ``first``..``last`` from the counts of the days recorded in it (with
    the heavy days counted at the threshold of ``sex``)."""
    span = _days_from(first, last)
    recorded = counted.recorded
    if recorded == 0:
        return Outcomes(first, last, sex, 0, span, None, None, None, None, None)
    drinking = recorded - counted.abstinent
    grams = GRAMS_PER_US_DRINK * counted.drinks / recorded
    return Outcomes(
        first=first,
        last=last,
        sex=sex,
        days_recorded=recorded,
        days_missing=span - recorded,
        percent_days_abstinent=_percent(counted.abstinent, recorded),
        # The days without a drink add 0 to the drinks: all of them are the drinking days'.
        drinks_per_drinking_day=counted.drinks / drinking if drinking else None,
        percent_heavy_drinking_days=_percent(counted.heavy, recorded),
        grams_per_day=grams,
        who_risk_level=who_risk_level(grams, sex),
    )


def _summarise(
    records: Sequence[DayRecord], first: date | None, last: date | None, sex: Sex | None
) -> Outcomes:
    return from_tally(tally(records, sex), first, last, sex)


def _span(
    records: Iterable[DayRecord], end: date | None = None, days: int | None = None
) -> tuple[tuple[DayRecord, ...], date | None, date | None]:
    """The checked records inside the span, and the span: the whole record without ``end``,
    else the ``days`` days that end on ``end``."""
    checked = check(records)
    if end is None:
        dates = [record.date for record in checked]
        return (checked, min(dates), max(dates)) if dates else (checked, None, None)
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise ValueError(f"days must be a whole number of at least 1, not {days!r}")
    start = end - timedelta(days=days - 1)
    return tuple(record for record in checked if start <= record.date <= end), start, end


def outcomes(records: Iterable[DayRecord], sex: Sex | None = None) -> Outcomes:
    """The outcomes over the whole record, from its first to its last date."""
    heavy_day_threshold(sex)  # checks `sex` even when nothing was recorded
    return _summarise(*_span(records), sex)


def window(records: Iterable[DayRecord], end: date, days: int, sex: Sex | None = None) -> Outcomes:
    """The outcomes over the ``days`` days that end on ``end`` (included).

    The span is the whole window, so every day in it without a record is missing, also those
    before the first record or after the last: recorded + missing = ``days``.
    """
    heavy_day_threshold(sex)
    return _summarise(*_span(records, end, days), sex)


@dataclass(frozen=True)
class DaysOfUse:
    days_used: int  # recorded days with an amount above 0
    days_recorded: int
    days_missing: int

    @property
    def percent_days_used(self) -> float | None:
        return _percent(self.days_used, self.days_recorded) if self.days_recorded else None


def days_of_use_by_substance(
    records_by_substance: Mapping[str, Iterable[DayRecord]],
    end: date | None = None,
    days: int | None = None,
) -> dict[str, DaysOfUse]:
    """Days of use for each substance, over its own record, or over the window of ``days``
    days ending on ``end`` when both are given (missing days as in :func:`window`).
    An error names the substance and its record."""
    if (end is None) != (days is None):
        raise ValueError("give both end and days for a window, or neither")
    result: dict[str, DaysOfUse] = {}
    for substance, records in records_by_substance.items():
        try:
            inside, first, last = _span(records, end, days)
        except OutcomeError as error:
            raise OutcomeError(error.problem, error.index, error.first_index, substance) from None
        span = _days_from(first, last)
        result[substance] = DaysOfUse(
            days_used=sum(1 for record in inside if record.amount > 0),
            days_recorded=len(inside),
            days_missing=span - len(inside),
        )
    return result
