"""Taper schedules keep their invariants, and are refused where a self-taper is unsafe."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from waymark.clinical.profile import parse_profile
from waymark.clinical.taper import STABILISATION_DAYS, TaperError, taper

amounts = st.decimals(min_value=1, max_value=17, places=2).map(float)


@given(start=amounts, fraction=st.floats(0, 0.99))
def test_any_schedule_keeps_the_contract(start: float, fraction: float) -> None:
    target = round(start * fraction, 2)
    assume(target < start)
    result = taper(start, target)
    assert not result.refused and result.reason is None
    limits = [step.limit for step in result.steps]
    assert [step.day for step in result.steps] == list(range(1, len(limits) + 1))
    assert limits[:STABILISATION_DAYS] == [start] * STABILISATION_DAYS
    assert limits[-1] == target
    for before, after in pairwise(limits):
        assert after <= before
        assert before - after <= 0.1 * start


@given(start=st.decimals(min_value=5, max_value=17, places=1).map(float))
def test_limits_move_in_half_drinks_where_ten_percent_allows(start: float) -> None:
    limits = [step.limit for step in taper(start, 0).steps][STABILISATION_DAYS:]
    assert all((limit * 2).is_integer() for limit in limits)


def test_it_refuses_above_17_drinks_a_day_and_names_supervised_withdrawal() -> None:
    result = taper(17.5, 4)
    assert result.refused and result.steps == ()
    assert result.reason is not None and "supervised withdrawal" in result.reason


def test_it_never_makes_a_schedule_for_benzodiazepines() -> None:
    result = taper(8, 2, substance="benzodiazepines")
    assert result.refused and "supervised withdrawal" in (result.reason or "")


@pytest.mark.parametrize("substance", ["opioids", "stimulants", "cannabis"])
def test_it_makes_schedules_for_alcohol_only(substance: str) -> None:
    result = taper(8, 2, substance=substance)
    assert result.refused and "prescriber" in (result.reason or "")


def test_a_profile_that_does_not_list_alcohol_gets_no_schedule() -> None:
    profile = parse_profile(
        {"version": 1, "age": 30, "goal": "cut-down",
         "substances": [{"substance": "cannabis"}]}
    )  # fmt: skip
    result = taper(8, 2, profile=profile)
    assert result.refused and "no drinking" in (result.reason or "")


def test_someone_who_stopped_drinking_weeks_ago_gets_no_schedule() -> None:
    profile = parse_profile(
        {"version": 2, "age": 50, "goal": "stop",
         "substances": [{"substance": "alcohol", "days_used_past_30": 5, "typical_amount": 12,
                         "last_use_days_ago": 21}],
         "withdrawal_history": {"seizures": True}, "recent_release": True}
    )  # fmt: skip
    result = taper(8, 2, profile=profile)
    assert result.refused and "stopped drinking 21 days ago" in (result.reason or "")


def test_no_drinking_in_the_past_month_is_not_called_stopping_0_days_ago() -> None:
    """Contract review: "you stopped drinking 0 days ago" for no drinking days and no date."""
    profile = parse_profile(
        {"version": 2, "age": 40, "goal": "stop",
         "substances": [{"substance": "alcohol", "days_used_past_30": 0, "typical_amount": 5}]}
    )  # fmt: skip
    result = taper(5, 0, profile=profile)
    assert result.refused and "no drinking in the past 30 days" in (result.reason or "")
    assert "0 days ago" not in (result.reason or "")


def test_under_18_never_gets_a_schedule() -> None:
    profile = parse_profile(
        {"version": 1, "age": 16, "goal": "cut-down",
         "substances": [{"substance": "alcohol", "days_used_past_30": 20, "typical_amount": 6}]}
    )  # fmt: skip
    result = taper(6, 2, profile=profile)
    assert result.refused and "under 18" in (result.reason or "")


def test_a_drinking_profile_is_checked_at_the_amount_asked_for() -> None:
    profile = parse_profile(
        {"version": 1, "age": 30, "goal": "cut-down", "pregnant": True,
         "substances": [{"substance": "alcohol", "days_used_past_30": 2, "typical_amount": 1}]}
    )  # fmt: skip
    assert taper(8, 2, profile=profile).refused


def _profile(**extra: Any) -> Any:
    return parse_profile(
        {"version": 1, "age": 40, "goal": "cut-down",
         "substances": [{"substance": "alcohol", "days_used_past_30": 10}], **extra}
    )  # fmt: skip


@pytest.mark.parametrize(
    "extra",
    [
        {"withdrawal_history": {"seizures": True}},
        {"withdrawal_history": {"delirium_tremens": True}},
        {"health": ["taking-sedating-medication"]},
        {"health": ["liver-disease"]},
        {"health": ["seizure-disorder"]},
        {"pregnant": True},
        {"substances": [{"substance": "alcohol"}, {"substance": "benzodiazepines"}]},
    ],
)
def test_it_refuses_for_a_profile_where_a_self_taper_is_unsafe(extra: dict[str, Any]) -> None:
    result = taper(10, 2, profile=_profile(**extra))
    assert result.refused
    assert result.reason is not None and "supervised withdrawal" in result.reason


def test_it_offers_a_schedule_for_a_profile_without_red_flags() -> None:
    assert not taper(10, 2, profile=_profile()).refused


@pytest.mark.parametrize(
    ("start", "target", "message"),
    [(8, 8, "below the starting amount"), (8, -1, "below 0"), (0.5, 0, "at least 1")],
)
def test_it_rejects_amounts_that_make_no_schedule(
    start: float, target: float, message: str
) -> None:
    with pytest.raises(TaperError, match=message):
        taper(start, target)


def test_withdrawal_symptoms_refuse_a_taper_even_where_drinking_was_listed_as_light() -> None:
    profile = parse_profile(
        {"version": 1, "age": 40, "goal": "cut-down",
         "withdrawal_history": {"current_symptoms": True},
         "substances": [{"substance": "alcohol", "days_used_past_30": 3}]}
    )  # fmt: skip
    assert taper(10, 2, profile=profile).refused


def test_another_substance_s_rule_does_not_refuse_an_alcohol_taper() -> None:
    profile = parse_profile(
        {"version": 1, "age": 40, "goal": "stop",
         "substances": [{"substance": "opioids", "prescribed": True},
                        {"substance": "alcohol", "days_used_past_30": 20, "typical_amount": 6}]}
    )  # fmt: skip
    assert not taper(6, 2, profile=profile).refused


def test_a_taper_for_an_unnamed_drug_is_refused_as_a_possible_sedative() -> None:
    result = taper(6, 2, substance="other")
    assert result.refused and "supervised withdrawal" in (result.reason or "")
