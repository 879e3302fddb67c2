"""Re-assessment by hand: due dates, change since baseline, worsening, the next step."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from waymark.clinical import reassess
from waymark.clinical.progress import Day, Targets
from waymark.clinical.reassess import (
    ABSTINENCE_TRIAL,
    BAND_UP,
    LOWER_TARGET,
    POINTS_UP,
    Direction,
    Due,
    baseline_and_latest,
    changes,
    due_on,
    due_status,
    next_step,
    weeks_kept,
    with_own_limits,
    worsening,
)
from waymark.clinical.scoring import score
from waymark.clinical.taper import Step

D = date.fromisoformat
MONDAY = D("2024-04-01")  # a Monday: the four full weeks before it start 03-04
THREE_A_DAY = Targets(D("2024-01-01"), (), 3.0)


# Due again ----------------------------------------------------------------------------------


def test_a_check_up_is_due_every_28_days_unless_configured() -> None:
    assert due_on(D("2024-03-01")) == D("2024-03-29")
    assert due_on(D("2024-03-01"), 14) == D("2024-03-15")
    with pytest.raises(ValueError):
        due_on(D("2024-03-01"), 0)


def test_due_status_is_not_yet_then_due_then_overdue_two_weeks_later() -> None:
    done = D("2024-03-01")
    assert due_status(done, D("2024-03-28")) is Due.NOT_YET
    assert due_status(done, D("2024-03-29")) is Due.DUE
    assert due_status(done, D("2024-04-11")) is Due.DUE
    assert due_status(done, D("2024-04-12")) is Due.OVERDUE


# Change and worsening -----------------------------------------------------------------------


def test_phq9_up_by_4_in_the_same_band_is_not_a_worsening() -> None:
    assert worsening({"phq-9": 10}, {"phq-9": 14}) == []  # moderate 10–14 both times


def test_phq9_up_by_5_is_a_worsening_even_in_the_same_band() -> None:
    # 20 → 25 stays "severe" (20–27): only the 5-point rule catches it.
    [found] = worsening({"phq-9": 20}, {"phq-9": 25})
    assert found.instrument == "phq-9"
    assert found.reasons == (POINTS_UP,)
    assert (found.before.total, found.after.total) == (20, 25)
    text = str(found.message)
    assert "from 20 to 25" in text and "doctor or counsellor" in text
    assert "you have" not in text.lower().replace("you have to wait", "")


def test_phq9_up_5_across_a_band_carries_both_reasons() -> None:
    [found] = worsening({"phq-9": 9}, {"phq-9": 14})  # mild → moderate, +5
    assert found.reasons == (BAND_UP, POINTS_UP)
    assert (found.before.band.id, found.after.band.id) == ("mild", "moderate")


def test_a_band_up_by_one_point_is_a_worsening() -> None:
    [found] = worsening({"gad-7": 9}, {"gad-7": 10})  # mild → moderate
    assert found.reasons == (BAND_UP,)
    assert "more serious range" in str(found.message)


def test_a_band_down_is_not_a_worsening_and_reads_better() -> None:
    assert worsening({"audit": 17}, {"audit": 9}) == []  # zone 3 → zone 2
    [change] = changes({"audit": 17}, {"audit": 9})
    assert change.direction is Direction.BETTER and change.difference == -8


def test_barc10_counts_down_as_worse_because_higher_is_more_recovery_capital() -> None:
    [found] = worsening({"barc-10": 50}, {"barc-10": 40})  # strong → developing
    assert found.reasons == (BAND_UP,)
    assert changes({"barc-10": 40}, {"barc-10": 50})[0].direction is Direction.BETTER
    assert worsening({"barc-10": 40}, {"barc-10": 50}) == []


def test_gad7_up_5_within_a_band_is_not_a_worsening_the_5_point_rule_is_phq9s() -> None:
    assert worsening({"gad-7": 15}, {"gad-7": 21}) == []


def test_an_instrument_missing_on_either_side_is_left_out() -> None:
    assert worsening({"phq-9": 3}, {"gad-7": 20}) == []
    assert changes({"phq-9": 3, "audit": 4}, {"phq-9": 3}) == changes({"phq-9": 3}, {"phq-9": 3})
    assert changes({"phq-9": 3}, {"phq-9": 3})[0].direction is Direction.SAME


def test_a_score_keeps_its_own_sex_specific_band() -> None:
    # AUDIT-C 3 is positive for women and negative for men (CONTRACTS.md §1).
    male = score("audit-c", [1, 1, 1], sex="male")
    female = score("audit-c", [1, 1, 1], sex="female")
    assert male.total == female.total == 3
    assert worsening({"audit-c": 2}, {"audit-c": male}) == []
    assert [w.reasons for w in worsening({"audit-c": 2}, {"audit-c": female})] == [(BAND_UP,)]


def test_baseline_is_the_first_check_up_with_each_instrument_latest_the_last() -> None:
    series = [{"audit": 20}, {"audit": 15, "phq-9": 8}, {"audit": 12}]
    first, last = baseline_and_latest(series)
    assert first == {"audit": 20, "phq-9": 8}
    assert last == {"audit": 12, "phq-9": 8}


# The next step ------------------------------------------------------------------------------


def steady(first: date, days: int, drinks: float = 2.0, skip: int | None = None) -> list[Day]:
    """``days`` days from ``first`` at ``drinks`` a day; every ``skip``-th day not recorded."""
    record = []
    for offset in range(days):
        if skip and offset % skip == skip - 1:
            continue
        amount = drinks if offset % 2 else 0.0
        record.append(Day(first + timedelta(days=offset), amount, amount > 0))
    return record


def test_four_full_weeks_within_the_limit_bring_the_offer() -> None:
    record = steady(D("2024-03-04"), 28)
    step = next_step("harm-reduction", record, THREE_A_DAY, MONDAY)
    assert step is not None
    assert [week.start for week in step.weeks] == [D("2024-03-04"), D("2024-03-11"),
                                                  D("2024-03-18"), D("2024-03-25")]  # fmt: skip
    assert [(o.kind, o.limit, o.with_clinician) for o in step.offers] == [
        (LOWER_TARGET, 2.0, False),
        (ABSTINENCE_TRIAL, 0.0, False),
    ]
    assert "limit of 3 drinks a day for the last 4 weeks" in str(step.message)
    assert "the choice is yours" in str(step.message)
    assert str(step.offers[0].message) == "Lower my limit to 2 drinks a day."


def test_three_weeks_are_not_enough() -> None:
    record = steady(D("2024-03-11"), 21)  # the week of 03-04 has nothing recorded
    assert next_step("harm-reduction", record, THREE_A_DAY, MONDAY) is None
    weeks = weeks_kept(record, THREE_A_DAY, MONDAY)
    assert [w.kept for w in weeks] == [False, True, True, True]


def test_one_day_above_the_limit_breaks_its_week() -> None:
    record = steady(D("2024-03-04"), 28)
    record[9] = Day(record[9].date, 4.0, True)  # 03-13, in the second week
    assert [w.kept for w in weeks_kept(record, THREE_A_DAY, MONDAY)] == [True, False, True, True]
    assert next_step("harm-reduction", record, THREE_A_DAY, MONDAY) is None


def test_five_recorded_days_a_week_are_enough_and_four_are_not() -> None:
    five = steady(D("2024-03-04"), 28, skip=4)  # 2 days a week missing, at most
    assert all(w.days_counted >= 5 for w in weeks_kept(five, THREE_A_DAY, MONDAY))
    assert next_step("harm-reduction", five, THREE_A_DAY, MONDAY) is not None
    # Week 2 (03-11 to 03-17) misses 03-11 and 03-15; without 03-12 it has 4 days.
    four = [d for d in five if d.date != D("2024-03-12")]
    assert weeks_kept(four, THREE_A_DAY, MONDAY)[1].days_counted == 4
    assert next_step("harm-reduction", four, THREE_A_DAY, MONDAY) is None


def test_a_day_of_use_with_no_amount_cannot_show_the_week_was_kept() -> None:
    record = steady(D("2024-03-04"), 28)
    record[20] = Day(record[20].date, None, True)
    assert next_step("harm-reduction", record, THREE_A_DAY, MONDAY) is None


def test_the_current_week_does_not_count_yet() -> None:
    record = [*steady(D("2024-03-04"), 28), Day(D("2024-04-02"), 9.0, True)]
    assert next_step("harm-reduction", record, THREE_A_DAY, D("2024-04-03")) is not None


def test_days_before_the_plan_began_count_for_nothing() -> None:
    late = Targets(D("2024-03-11"), (), 3.0)
    assert next_step("harm-reduction", steady(D("2024-03-04"), 28), late, MONDAY) is None


def test_no_offer_on_the_abstinence_path_without_targets_or_at_zero() -> None:
    record = steady(D("2024-03-04"), 28, drinks=0.0)
    assert next_step("abstinence", record, THREE_A_DAY, MONDAY) is None
    assert next_step("harm-reduction", record, None, MONDAY) is None
    zero = Targets(D("2024-01-01"), (), 0.0)
    assert next_step("harm-reduction", record, zero, MONDAY) is None


def test_at_one_drink_a_day_only_the_trial_is_offered() -> None:
    one = Targets(D("2024-01-01"), (), 1.0)
    step = next_step("harm-reduction", steady(D("2024-03-04"), 28, drinks=1.0), one, MONDAY)
    assert step is not None and [o.kind for o in step.offers] == [ABSTINENCE_TRIAL]


def test_the_staged_path_names_stopping_as_its_next_stage() -> None:
    step = next_step("staged", steady(D("2024-03-04"), 28), THREE_A_DAY, MONDAY)
    assert step is not None and "next stage is stopping" in str(step.message)


def test_supervised_withdrawal_means_planning_with_a_doctor_never_stopping_at_home() -> None:
    for finding in ("medically-supervised-withdrawal", "no-self-taper"):
        step = next_step(
            "harm-reduction", steady(D("2024-03-04"), 28), THREE_A_DAY, MONDAY, (finding,)
        )
        assert step is not None
        assert all(o.with_clinician for o in step.offers)
        trial = str(step.offers[-1].message)
        assert "planned with a doctor, not stopped at home" in trial
        assert "medically supervised" in trial


def test_a_taper_in_progress_is_judged_day_by_day() -> None:
    taper = Targets(D("2024-03-04"), (Step(1, 6.0), Step(8, 4.0), Step(15, 3.0)), 3.0)
    record = [Day(D("2024-03-04") + timedelta(days=n), 5.0, True) for n in range(7)]
    record += steady(D("2024-03-11"), 21)
    step = next_step("harm-reduction", record, taper, MONDAY)
    assert step is not None and step.limit == 3.0


# Limits the person chose --------------------------------------------------------------------


def test_a_chosen_limit_lowers_the_target_from_its_date_and_never_raises_it() -> None:
    own = with_own_limits(THREE_A_DAY, [(D("2024-04-01"), 2.0)])
    assert own is not None
    assert own.on(D("2024-03-31")) == 3.0
    assert own.on(D("2024-04-01")) == 2.0
    assert own.on(D("2023-12-31")) is None
    higher = with_own_limits(THREE_A_DAY, [(D("2024-04-01"), 5.0)])
    assert higher is not None and higher.on(D("2024-04-02")) == 3.0
    later = with_own_limits(THREE_A_DAY, [(D("2024-04-01"), 2.0), (D("2024-04-10"), 1.0)])
    assert later is not None and later.on(D("2024-04-10")) == 1.0


def test_no_plan_target_means_no_chosen_limit_either() -> None:
    assert with_own_limits(None, [(D("2024-04-01"), 2.0)]) is None
    assert with_own_limits(THREE_A_DAY, []) is THREE_A_DAY


def test_the_5_point_figure_is_the_documented_one() -> None:
    assert reassess.PHQ9_WORSE_BY == 5
    assert reassess.WEEKS_MET == 4 and reassess.MIN_DAYS_A_WEEK == 5


def test_each_path_s_target_holds_from_its_own_start_until_the_next() -> None:
    harm = Targets(D("2024-03-01"), (), 3.0)
    stop = Targets(D("2024-03-10"), (), 0.0)
    both = reassess.path_targets([(D("2024-03-01"), harm), (D("2024-03-10"), stop)])
    assert both is not None
    assert [both.on(D(day)) for day in ("2024-02-29", "2024-03-01", "2024-03-09")] == [
        None,
        3.0,
        3.0,
    ]
    assert both.on(D("2024-03-10")) == 0.0
    supervised = reassess.path_targets([(D("2024-03-01"), harm), (D("2024-03-10"), None)])
    assert supervised is not None and supervised.on(D("2024-03-11")) is None
    assert reassess.path_targets([(D("2024-03-01"), None)]) is None
    assert reassess.path_targets([(D("2024-03-01"), harm)]) is harm


def test_a_limit_just_chosen_starts_the_four_weeks_again() -> None:
    record = steady(D("2024-03-04"), 28, drinks=2.0)
    lowered = with_own_limits(THREE_A_DAY, [(D("2024-03-18"), 2.0)])
    assert lowered is not None
    # Two weeks under the new limit of 2 are not four.
    assert next_step("harm-reduction", record, lowered, MONDAY) is None
    later = [*record, *steady(D("2024-04-01"), 14, drinks=2.0)]
    step = next_step("harm-reduction", later, lowered, D("2024-04-15"))
    assert step is not None and step.limit == 2.0
    assert [o.limit for o in step.offers] == [1.0, 0.0]
