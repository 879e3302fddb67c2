"""Money not spent: the usual spend times the recorded days without use, never anything else."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from waymark.clinical.money import money_not_spent, times
from waymark.clinical.progress import SUMMARY_DAYS, Day

D = date.fromisoformat
END = D("2024-03-31")


def free(day: str) -> Day:
    return Day(D(day), 0.0, False)


def used(day: str, amount: float | None = 3.0) -> Day:
    return Day(D(day), amount, True, substances=frozenset({"alcohol"}) if amount else frozenset())


def test_it_counts_only_recorded_days_without_use() -> None:
    # Three days without use, two of use (one with no amount), and the rest of March missing.
    days = [free("2024-03-01"), used("2024-03-02"), free("2024-03-03"), used("2024-03-04", None),
            free("2024-03-30")]  # fmt: skip
    result = money_not_spent(days, Decimal("40"), END)
    assert result.whole.days_without_use == 3 and result.whole.amount == 120
    assert result.whole.days is None


def test_days_of_use_and_missing_days_add_nothing_and_take_nothing_away() -> None:
    base = [free("2024-03-10"), free("2024-03-11")]
    with_use = [*base, used("2024-03-12"), used("2024-03-13", 12.0)]
    assert money_not_spent(base, Decimal("25"), END) == money_not_spent(
        with_use, Decimal("25"), END
    )
    assert money_not_spent(with_use, Decimal("25"), END).whole.amount == 50  # never below


def test_a_record_of_only_use_or_nothing_is_zero_never_negative() -> None:
    for days in ([], [used("2024-03-30"), used("2024-03-31")]):
        result = money_not_spent(days, Decimal("40"), END)
        assert (result.whole.amount, result.recent.amount) == (0, 0)
        assert (result.whole.days_without_use, result.recent.days_without_use) == (0, 0)


def test_a_zero_spend_comes_to_zero() -> None:
    result = money_not_spent([free("2024-03-30")], Decimal("0"), END)
    assert result.whole.days_without_use == 1 and result.whole.amount == 0


def test_the_last_four_weeks_and_the_whole_record() -> None:
    start = END - timedelta(days=SUMMARY_DAYS - 1)  # the window's first day
    days = [Day(start - timedelta(days=1), 0.0, False), Day(start, 0.0, False),
            Day(END, 0.0, False)]  # fmt: skip
    result = money_not_spent(days, Decimal("10"), END)
    assert result.recent.days == SUMMARY_DAYS
    assert (result.recent.days_without_use, result.recent.amount) == (2, 20)
    assert (result.whole.days_without_use, result.whole.amount) == (3, 30)
    assert result.windows == (result.recent, result.whole)


def test_totals_are_rounded_half_up_to_whole_units() -> None:
    assert times(Decimal("12.50"), 1) == 13
    assert times(Decimal("12.49"), 1) == 12
    assert times(Decimal("0.25"), 2) == 1  # 0.50 goes up
    assert times(Decimal("2.10"), 3) == 6  # exact in decimals: 6.30, never 6.300000001


def test_a_bad_spend_or_a_date_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 0"):
        money_not_spent([], Decimal("-1"), END)
    with pytest.raises(ValueError, match="finite"):
        money_not_spent([], Decimal("NaN"), END)
    with pytest.raises(ValueError, match="finite"):
        money_not_spent([], 12.5, END)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="twice"):
        money_not_spent([free("2024-03-01"), free("2024-03-01")], Decimal("1"), END)
    with pytest.raises(ValueError, match="one day"):
        money_not_spent([], Decimal("1"), END, length=0)


@given(
    st.lists(st.tuples(st.integers(0, 120), st.booleans()), unique_by=lambda t: t[0]),
    st.decimals(min_value=0, max_value=10_000_000, places=2, allow_nan=False),
)
def test_it_is_the_spend_times_the_days_without_use(
    marks: list[tuple[int, bool]], spend: Decimal
) -> None:
    days = [Day(END - timedelta(days=back), 1.0 if use else 0.0, use) for back, use in marks]
    result = money_not_spent(days, spend, END)
    without = sum(1 for _back, use in marks if not use)
    assert result.whole.days_without_use == without
    assert result.whole.amount == times(spend, without) >= 0
    assert 0 <= result.recent.amount <= result.whole.amount
