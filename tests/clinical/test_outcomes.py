"""Outcomes from a day-by-day record (CONTRACTS.md §5), computed by hand and as properties."""

from __future__ import annotations

import math
import random
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from waymark.clinical.outcomes import (
    CONTRACT_KEYS,
    DayRecord,
    OutcomeError,
    days_of_use_by_substance,
    outcomes,
    window,
)
from waymark.clinical.scoring import Sex

D = date.fromisoformat


def days(*rows: str) -> list[DayRecord]:
    """`"2024-03-01 2"` → DayRecord(2024-03-01, 2.0)."""
    return [DayRecord(D(day), float(amount)) for day, amount in (row.split() for row in rows)]


# 7-day span 03-01..03-07; 03-03 and 03-06 are missing.
WITH_MISSING = days("2024-03-01 0", "2024-03-02 2", "2024-03-04 4", "2024-03-05 0", "2024-03-07 6")


def test_missing_days_count_in_no_denominator_sex_not_given() -> None:
    result = outcomes(WITH_MISSING)
    assert (result.first, result.last) == (D("2024-03-01"), D("2024-03-07"))
    assert result.as_dict() == {
        "days_recorded": 5,
        "days_missing": 2,
        "percent_days_abstinent": 40.0,  # 2 of 5 recorded days (never of 7)
        "drinks_per_drinking_day": 4.0,  # (2 + 4 + 6) / 3
        "percent_heavy_drinking_days": 40.0,  # 4 and 6 are ≥ 4: 2 of 5
        "grams_per_day": 33.6,  # 12 drinks × 14 g / 5 days
        "who_risk_level": "medium",  # 20 < 33.6 ≤ 40
    }
    assert outcomes(WITH_MISSING, "female").as_dict() == result.as_dict()


def test_men_have_the_higher_cut_offs() -> None:
    result = outcomes(WITH_MISSING, "male")
    assert result.percent_heavy_drinking_days == 20.0  # only 6 is ≥ 5: 1 of 5
    assert result.grams_per_day == 33.6
    assert result.who_risk_level == "low"  # 33.6 ≤ 40


def test_all_abstinent() -> None:
    result = outcomes(days("2024-01-01 0", "2024-01-02 0", "2024-01-03 0"))
    assert result.as_dict() == {
        "days_recorded": 3, "days_missing": 0, "percent_days_abstinent": 100.0,
        "drinks_per_drinking_day": None, "percent_heavy_drinking_days": 0.0,
        "grams_per_day": 0.0, "who_risk_level": "abstinent",
    }  # fmt: skip


def test_all_drinking_across_a_leap_day() -> None:
    record = days("2024-02-27 5", "2024-02-28 5", "2024-02-29 5", "2024-03-01 5")
    male = outcomes(record, "male")
    # 4 days in the span (2024 is a leap year), none missing; 5 × 14 = 70 g a day.
    assert male.as_dict() == {
        "days_recorded": 4, "days_missing": 0, "percent_days_abstinent": 0.0,
        "drinks_per_drinking_day": 5.0, "percent_heavy_drinking_days": 100.0,
        "grams_per_day": 70.0, "who_risk_level": "high",  # 60 < 70 ≤ 100
    }  # fmt: skip
    assert outcomes(record).who_risk_level == "very-high"  # 70 > 60


def test_exactly_4_drinks_is_heavy_for_women_and_exactly_5_for_men() -> None:
    record = days("2024-05-01 4", "2024-05-02 3.9", "2024-05-03 5")
    female, male = outcomes(record, "female"), outcomes(record, "male")
    assert female.percent_heavy_drinking_days == pytest.approx(200 / 3)  # 4 and 5
    assert male.percent_heavy_drinking_days == pytest.approx(100 / 3)  # 5 only
    # 12.9 drinks × 14 / 3 = 60.2 g: above 60 (women), at most 100 (men).
    assert female.grams_per_day == pytest.approx(60.2)
    assert (female.who_risk_level, male.who_risk_level) == ("very-high", "high")
    assert female.drinks_per_drinking_day == pytest.approx(4.3)


@pytest.mark.parametrize(
    ("total_drinks", "female", "male"),
    [
        # Over 7 recorded days, grams a day = total × 14 / 7 = 2 × total.
        (10, "low", "low"),  # 20 g: ≤ 20 is low
        (10.1, "medium", "low"),  # 20.2 g
        (20, "medium", "low"),  # 40 g: ≤ 40
        (30, "high", "medium"),  # 60 g: ≤ 60 for both
        (30.5, "very-high", "high"),  # 61 g
        (50, "very-high", "high"),  # 100 g: ≤ 100 for men
        (50.5, "very-high", "very-high"),  # 101 g
    ],
)
def test_who_levels_at_the_boundaries(total_drinks: float, female: str, male: str) -> None:
    record = [DayRecord(D("2024-06-01") + timedelta(n), 0.0) for n in range(6)]
    record.append(DayRecord(D("2024-06-07"), total_drinks))
    assert outcomes(record, "female").grams_per_day == pytest.approx(2 * total_drinks)
    assert outcomes(record, "female").who_risk_level == female
    assert outcomes(record, None).who_risk_level == female
    assert outcomes(record, "male").who_risk_level == male


def test_an_empty_record_is_all_nulls_and_zeros() -> None:
    result = outcomes([])
    assert result.as_dict() == {
        "days_recorded": 0, "days_missing": 0, "percent_days_abstinent": None,
        "drinks_per_drinking_day": None, "percent_heavy_drinking_days": None,
        "grams_per_day": None, "who_risk_level": None,
    }  # fmt: skip
    assert result.first is None and result.days_in_span == 0


def test_the_json_keys_are_exactly_the_contract() -> None:
    assert list(outcomes(WITH_MISSING).as_dict()) == [
        "days_recorded", "days_missing", "percent_days_abstinent", "drinks_per_drinking_day",
        "percent_heavy_drinking_days", "grams_per_day", "who_risk_level",
    ]  # fmt: skip
    assert tuple(outcomes([]).as_dict()) == CONTRACT_KEYS


@pytest.mark.parametrize(
    ("record", "message"),
    [
        (days("2024-01-01 1", "2024-01-02 -1"), "record 2: the amount -1 is below 0"),
        (
            days("2024-01-01 1", "2024-01-02 0", "2024-01-01 3"),
            "record 3: 2024-01-01 is recorded twice (first on record 1)",
        ),
        ([DayRecord(D("2024-01-01"), math.nan)], "record 1: the amount nan is not a number"),
        ([DayRecord(D("2024-01-01"), math.inf)], "record 1: the amount inf is not a number"),
        ([DayRecord(D("2024-01-01"), 2e6)], "record 1: the amount 2e+06 is above 1e+06"),
    ],
)
def test_bad_records_are_errors_naming_the_record(record: list[DayRecord], message: str) -> None:
    with pytest.raises(OutcomeError) as raised:
        outcomes(record)
    assert str(raised.value) == message


def test_an_error_can_be_named_in_the_callers_terms() -> None:
    with pytest.raises(OutcomeError) as raised:
        outcomes(days("2024-01-01 1", "2024-01-01 2"))
    error = raised.value
    assert (error.index, error.first_index) == (1, 0)
    lines = [2, 5]
    where = error.describe(lambda index: f"line {lines[index]}")
    assert where == "line 5: 2024-01-01 is recorded twice (first on line 2)"


def test_an_unknown_sex_is_an_error_even_for_an_empty_record() -> None:
    with pytest.raises(ValueError, match="sex"):
        outcomes([], "other")  # type: ignore[arg-type]


# --- windows -------------------------------------------------------------------------------


def test_a_window_counts_every_day_in_it_without_a_record_as_missing() -> None:
    # 7 days ending 03-07: 03-01..03-07; as WITH_MISSING, whose span is exactly that.
    assert window(WITH_MISSING, D("2024-03-07"), 7).as_dict() == outcomes(WITH_MISSING).as_dict()
    # 3 days ending 03-08: 03-06 (missing), 03-07 (6 drinks), 03-08 (missing, after the record).
    last3 = window(WITH_MISSING, D("2024-03-08"), 3)
    assert (last3.first, last3.last) == (D("2024-03-06"), D("2024-03-08"))
    assert (last3.days_recorded, last3.days_missing) == (1, 2)
    assert last3.percent_days_abstinent == 0.0 and last3.grams_per_day == 84.0
    # 28 days ending 03-07: 23 days before the first record are missing too.
    month = window(WITH_MISSING, D("2024-03-07"), 28)
    assert (month.days_recorded, month.days_missing) == (5, 23)
    assert month.percent_days_abstinent == 40.0


def test_a_window_with_no_record_in_it_is_all_missing() -> None:
    result = window(WITH_MISSING, D("2025-01-01"), 90)
    assert (result.days_recorded, result.days_missing) == (0, 90)
    assert result.percent_days_abstinent is None and result.who_risk_level is None


@pytest.mark.parametrize("bad", [0, -7, 7.5, True])
def test_a_window_needs_a_whole_number_of_days(bad: int) -> None:
    with pytest.raises(ValueError, match="days"):
        window(WITH_MISSING, D("2024-03-07"), bad)


def test_a_window_checks_the_whole_record() -> None:
    with pytest.raises(OutcomeError, match="record 2"):
        window(days("2024-01-01 1", "2020-01-01 -2"), D("2024-01-01"), 7)


def test_days_of_use_by_substance() -> None:
    record = {
        "alcohol": WITH_MISSING,  # 3 of 5 recorded days with use, 2 missing
        "cannabis": days("2024-03-05 1", "2024-03-06 0.5"),
        "tobacco": [],
    }
    result = days_of_use_by_substance(record)
    assert (result["alcohol"].days_used, result["alcohol"].days_recorded) == (3, 5)
    assert result["alcohol"].days_missing == 2
    assert result["alcohol"].percent_days_used == 60.0
    assert (result["cannabis"].days_used, result["cannabis"].days_missing) == (2, 0)
    assert result["tobacco"].percent_days_used is None
    # The 7 days ending 03-07: cannabis is recorded on 2 of them, so 5 are missing.
    weekly = days_of_use_by_substance(record, end=D("2024-03-07"), days=7)
    assert (weekly["cannabis"].days_used, weekly["cannabis"].days_missing) == (2, 5)
    assert (weekly["tobacco"].days_recorded, weekly["tobacco"].days_missing) == (0, 7)


def test_days_of_use_errors_name_the_substance() -> None:
    with pytest.raises(OutcomeError) as raised:
        days_of_use_by_substance({"cannabis": days("2024-01-01 1", "2024-01-02 -1")})
    assert str(raised.value) == "cannabis record 2: the amount -1 is below 0"
    with pytest.raises(ValueError, match="both"):
        days_of_use_by_substance({}, end=D("2024-01-01"))


# --- properties ----------------------------------------------------------------------------

START = D("2024-01-01")
amounts = st.one_of(st.just(0.0), st.decimals(0, 30, places=2).map(float))


@st.composite
def records(draw: st.DrawFn, min_size: int = 1) -> list[DayRecord]:
    offsets = draw(st.lists(st.integers(0, 120), min_size=min_size, max_size=40, unique=True))
    return [DayRecord(START + timedelta(offset), draw(amounts)) for offset in offsets]


sexes: st.SearchStrategy[Sex | None] = st.sampled_from([None, "female", "male"])


@given(record=records(), sex=sexes)
def test_percentages_are_within_0_and_100_and_heavy_days_are_drinking_days(
    record: list[DayRecord], sex: Sex | None
) -> None:
    result = outcomes(record, sex)
    assert result.percent_days_abstinent is not None
    assert result.percent_heavy_drinking_days is not None
    assert 0 <= result.percent_days_abstinent <= 100
    assert 0 <= result.percent_heavy_drinking_days <= 100 - result.percent_days_abstinent + 1e-9


@given(record=records(min_size=0))
def test_missing_and_recorded_days_make_the_span(record: list[DayRecord]) -> None:
    result = outcomes(record)
    dates = [r.date for r in record]
    span = (max(dates) - min(dates)).days + 1 if dates else 0
    assert result.days_recorded == len(record)
    assert result.days_recorded + result.days_missing == span == result.days_in_span


@given(record=records(), extra=st.integers(-30, 150), sex=sexes)
def test_adding_an_abstinent_day_never_raises_grams_per_day(
    record: list[DayRecord], extra: int, sex: Sex | None
) -> None:
    day = START + timedelta(extra)
    if any(r.date == day for r in record):
        return
    before = outcomes(record, sex)
    after = outcomes([*record, DayRecord(day, 0)], sex)
    assert before.grams_per_day is not None and after.grams_per_day is not None
    assert after.grams_per_day <= before.grams_per_day
    assert after.drinks_per_drinking_day == before.drinks_per_drinking_day


@given(record=records(), order=st.randoms(use_true_random=False), sex=sexes)
def test_the_order_of_the_records_does_not_matter(
    record: list[DayRecord], order: random.Random, sex: Sex | None
) -> None:
    shuffled = list(record)
    order.shuffle(shuffled)
    assert outcomes(shuffled, sex) == outcomes(record, sex)


@given(record=records(min_size=0), end=st.integers(-10, 130), size=st.sampled_from([7, 28, 90]))
def test_a_window_always_adds_up_to_its_days(record: list[DayRecord], end: int, size: int) -> None:
    result = window(record, START + timedelta(end), size)
    assert result.days_recorded + result.days_missing == size


# Counts (the program report's database path) ------------------------------------------------

AMOUNTS_IN_HUNDREDTHS = st.lists(st.integers(min_value=0, max_value=99_999), max_size=40)


@given(AMOUNTS_IN_HUNDREDTHS, st.sampled_from([None, "female", "male"]))
def test_outcomes_from_exact_decimal_counts_match_the_records_but_near_a_cut_off(
    hundredths: list[int], sex: Sex | None
) -> None:
    """What a database gives (counts, and the drinks summed exactly in decimals) makes the
    same outcomes as the records summed in floating point: every count and percentage equal,
    the grams a day within rounding, and the WHO level equal whenever `near_a_cutoff` does
    not flag it."""
    from decimal import Decimal

    from waymark.clinical.drinks import heavy_day_threshold, near_a_cutoff
    from waymark.clinical.outcomes import Tally, from_tally

    start = D("2024-01-01")
    records = [DayRecord(start + timedelta(days=n), a / 100) for n, a in enumerate(hundredths)]
    end = start + timedelta(days=39)
    expected = window(records, end, 40, sex)
    threshold = heavy_day_threshold(sex)
    exact = Tally(
        recorded=len(hundredths),
        abstinent=sum(1 for a in hundredths if a == 0),
        heavy=sum(1 for a in hundredths if a >= 100 * threshold),
        drinks=float(sum(Decimal(a) / 100 for a in hundredths)),
    )
    found = from_tally(exact, start, end, sex)
    for key in ("days_recorded", "days_missing", "percent_days_abstinent"):
        assert getattr(found, key) == getattr(expected, key)
    assert found.percent_heavy_drinking_days == expected.percent_heavy_drinking_days
    if expected.grams_per_day is None:
        assert found.grams_per_day is None and found.who_risk_level is None
        return
    assert found.grams_per_day == pytest.approx(expected.grams_per_day, rel=1e-12, abs=1e-12)
    if not near_a_cutoff(expected.grams_per_day, sex):
        assert found.who_risk_level == expected.who_risk_level


def test_a_tally_that_cannot_be_is_refused() -> None:
    from waymark.clinical.outcomes import Tally

    for recorded, abstinent, heavy, drinks in ((2, 3, 0, 0.0), (2, 0, 3, 9.0), (2, 1, 2, 9.0),
                                               (2, 0, 0, -1.0), (1, -1, 0, 0.0)):  # fmt: skip
        with pytest.raises(ValueError, match="cannot be"):
            Tally(recorded, abstinent, heavy, drinks)


def test_near_a_cutoff_is_a_millionth_of_a_gram_either_side() -> None:
    from waymark.clinical.drinks import near_a_cutoff

    assert near_a_cutoff(40.0) and near_a_cutoff(40.0000005) and near_a_cutoff(19.9999995)
    assert not near_a_cutoff(40.00001) and not near_a_cutoff(0.0)
    assert near_a_cutoff(100.0, "male") and not near_a_cutoff(100.0, "female")
