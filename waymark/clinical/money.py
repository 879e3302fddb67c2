"""Money not spent: what a person's usual spend on a day of use comes to over the recorded
days on which they did not use.

An optional motivation figure the person turns on by giving their usual spend (issue 17). It
only ever counts up: a recorded day without any use adds the usual spend; a day of use adds
nothing and takes nothing away (there is no "money spent" figure, and never a negative one); a
day not recorded is *missing*, never a day without use, as everywhere in progress
(:mod:`waymark.clinical.progress`). The amounts are the person's own estimate, so the totals
are rounded to whole units (half up) and say nothing more exact than that.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from waymark.clinical.progress import SUMMARY_DAYS, Day, check_days

WHOLE = Decimal(1)


@dataclass(frozen=True)
class NotSpent:
    """Over ``days`` days up to the day asked about (None: every recorded day)."""

    days: int | None
    days_without_use: int  # recorded days with no use of anything
    amount: int  # the usual spend times those days, in whole units


@dataclass(frozen=True)
class MoneyNotSpent:
    typical_spend: Decimal
    recent: NotSpent  # the last ``SUMMARY_DAYS`` days, as the page's other recent numbers
    whole: NotSpent  # every recorded day: like the milestones, it never goes back

    @property
    def windows(self) -> tuple[NotSpent, NotSpent]:
        return (self.recent, self.whole)


def times(typical_spend: Decimal, days: int) -> int:
    """The usual spend times ``days``, rounded half up to a whole unit."""
    return int((typical_spend * days).quantize(WHOLE, rounding=ROUND_HALF_UP))


def _check(typical_spend: Decimal) -> None:
    if not isinstance(typical_spend, Decimal) or not typical_spend.is_finite():
        raise ValueError("the usual spend must be a finite Decimal")
    if typical_spend < 0:
        raise ValueError("the usual spend must be at least 0")


def money_not_spent(
    days: Iterable[Day], typical_spend: Decimal, end: date, length: int = SUMMARY_DAYS
) -> MoneyNotSpent:
    """The usual spend times the recorded days without use: in the ``length`` days ending on
    ``end``, and over the whole record."""
    _check(typical_spend)
    if length < 1:
        raise ValueError("the window must be at least one day")
    free = [day.date for day in check_days(days) if not day.used]
    start = end - timedelta(days=length - 1)
    recent = sum(1 for when in free if start <= when <= end)
    return MoneyNotSpent(
        typical_spend=typical_spend,
        recent=NotSpent(length, recent, times(typical_spend, recent)),
        whole=NotSpent(None, len(free), times(typical_spend, len(free))),
    )
