"""Progress: milestones by hand and as properties, targets from the plan, the summary sentence."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.reference import load
from waymark.clinical import progress
from waymark.clinical.outcomes import DayRecord, outcomes, window
from waymark.clinical.pathway import recommend
from waymark.clinical.plan import draft_plan
from waymark.clinical.profile import SUBSTANCES, parse_profile
from waymark.clinical.progress import Day, Targets, milestones, summary
from waymark.clinical.taper import Step

D = date.fromisoformat
VIGNETTES = {v["name"]: v["profile"] for v in load("vignettes.json")}


def no_use(day: str, **extra: Any) -> Day:
    return Day(D(day), 0.0, False, **extra)


def drank(day: str, amount: float, **extra: Any) -> Day:
    return Day(D(day), amount, True, substances=frozenset({"alcohol"}), **extra)


# 03-04 and 03-12 are missing. Slips: 03-07 (after 03-06) is back on 03-09, 2 days later;
# 03-10 (after 03-09) is back on 03-11, 1 day later; 03-13 (after 03-11) is still going.
RECORD = [
    no_use("2024-03-01"), no_use("2024-03-02"), no_use("2024-03-03"),
    no_use("2024-03-05"), no_use("2024-03-06"),
    drank("2024-03-07", 4), drank("2024-03-08", 2),
    no_use("2024-03-09"), drank("2024-03-10", 3), no_use("2024-03-11"),
    drank("2024-03-13", 1),
]  # fmt: skip
# The plan starts on 03-05: a taper of 4, 4, 3, then 2 a day from 03-08 on.
TAPER = Targets(D("2024-03-05"), (Step(1, 4.0), Step(2, 4.0), Step(3, 3.0), Step(4, 2.0)), 2.0)


def test_milestones_by_hand() -> None:
    result = milestones(RECORD, TAPER, baseline=5.0)
    assert result.days_recorded == 11
    # 01, 02, 03, 05, 06, 09, 11.
    assert result.days_without_use == 7
    # 01–03: the missing 03-04 ends the run, so 05–06 start another (never a run of 5).
    assert result.best_run == 3
    # Targets from 03-05: 05 (0 ≤ 4), 06 (0 ≤ 4), 07 (4 > 3), 08 (2 ≤ 2), 09, 10 (3 > 2),
    # 11, 13 (1 ≤ 2): 8 days with a target, 6 within it.
    assert (result.days_with_target, result.days_within_plan) == (8, 6)
    # 10 drinks over 11 recorded days, against 5 a day before: 100 × (5 − 10/11) / 5.
    assert result.drinks_per_day == pytest.approx(10 / 11)
    assert result.reduction_percent == pytest.approx(100 * (5 - 10 / 11) / 5)
    assert (result.slips, result.back_on_track_latest, result.back_on_track_median) == (2, 1, 1.5)


def test_a_missing_day_is_never_a_day_without_use() -> None:
    run = [no_use("2024-01-01"), no_use("2024-01-02"), no_use("2024-01-04")]
    result = milestones(run)
    assert (result.days_without_use, result.best_run) == (3, 2)
    filled = milestones([*run, no_use("2024-01-03")])
    assert (filled.days_without_use, filled.best_run) == (4, 4)


def test_a_slip_after_a_gap_still_counts_and_time_back_counts_the_calendar() -> None:
    # Last recorded day before the slip was without use (03-01); back 4 days after 03-03.
    record = [no_use("2024-03-01"), drank("2024-03-03", 2), no_use("2024-03-07")]
    result = milestones(record)
    assert (result.slips, result.back_on_track_latest) == (1, 4)


def test_use_before_any_day_without_use_is_not_a_slip() -> None:
    result = milestones([drank("2024-03-01", 3), no_use("2024-03-02")])
    assert (result.slips, result.back_on_track_latest, result.back_on_track_median) == (
        0,
        None,
        None,
    )


def test_no_baseline_no_reduction_and_more_is_negative() -> None:
    assert milestones(RECORD).reduction_percent is None
    assert milestones(RECORD, baseline=0.0).reduction_percent is None
    more = milestones([drank("2024-03-01", 6), drank("2024-03-02", 6)], baseline=4.0)
    assert more.reduction_percent == pytest.approx(-50.0)


def test_a_day_of_use_without_an_amount_counts_for_use_not_for_drinking() -> None:
    unknown = Day(D("2024-03-02"), None, True)
    days = [no_use("2024-03-01"), unknown, drank("2024-03-03", 2)]
    assert progress.drinking_record(days) == [
        DayRecord(D("2024-03-01"), 0.0),
        DayRecord(D("2024-03-03"), 2.0),
    ]
    assert [r.amount for r in progress.use_record(days)] == [0.0, 1.0, 1.0]
    # Nothing is known about cannabis on the day without amounts.
    cannabis = progress.use_record(days, "cannabis")
    assert [r.date for r in cannabis] == [D("2024-03-01"), D("2024-03-03")]
    assert milestones(days, Targets(D("2024-03-01"), (), 0.0)).days_with_target == 2


def test_a_day_is_checked() -> None:
    with pytest.raises(ValueError, match="without use"):
        Day(D("2024-03-01"), 2.0, False)
    with pytest.raises(ValueError, match="cravings"):
        Day(D("2024-03-01"), 0.0, False, cravings=11)
    with pytest.raises(ValueError, match="mood"):
        Day(D("2024-03-01"), 0.0, False, mood=0)
    with pytest.raises(ValueError, match="twice"):
        milestones([no_use("2024-03-01"), drank("2024-03-01", 1)])


def test_targets_follow_the_taper_then_hold_its_end() -> None:
    assert TAPER.on(D("2024-03-04")) is None
    assert [TAPER.on(D("2024-03-05") + timedelta(days=n)) for n in range(6)] == [
        4.0, 4.0, 3.0, 2.0, 2.0, 2.0,
    ]  # fmt: skip
    assert Targets(D("2024-03-05"), (), 0.0).on(D("2025-01-01")) == 0.0


def _profile(name: str) -> Any:
    return parse_profile(VIGNETTES[name])


def _targets(name: str, approach: str) -> Targets | None:
    profile = _profile(name)
    result = recommend(profile)
    draft = draft_plan(profile, result, approach)
    return progress.plan_targets(profile, result, approach, draft.taper, D("2024-03-01"))


def test_plan_targets_by_path() -> None:
    weekend = "weekend drinker over limits, wants to cut down"  # female, 8 days a month
    assert _targets(weekend, "harm-reduction") == Targets(D("2024-03-01"), (), 3.0)
    assert _targets(weekend, "abstinence") == Targets(D("2024-03-01"), (), 0.0)
    # Under 21: the low-risk limits are not for this person, so no number to cut down to.
    young = parse_profile({**VIGNETTES[weekend], "age": 19})
    result = recommend(young)
    for approach, expected in (("harm-reduction", None), ("abstinence", 0.0)):
        taper = draft_plan(young, result, approach).taper
        targets = progress.plan_targets(young, result, approach, taper, D("2024-03-01"))
        assert (targets.after if targets else None) == expected
    # No drinking at all: no drink target.
    assert _targets("cocaine on weekends", "abstinence") is None


def test_no_home_target_where_withdrawal_needs_a_clinician() -> None:
    for name in (
        "heavy drinking with withdrawal seizures, wants to stop",
        "liver disease, wants to cut down",
    ):
        assert _targets(name, "abstinence") is None
        assert _targets(name, "harm-reduction") is None
    profile = _profile("weekend drinker over limits, wants to cut down")
    result = recommend(profile)
    later = ("medically-supervised-withdrawal",)
    assert (
        progress.plan_targets(profile, result, "abstinence", None, D("2024-03-01"), later) is None
    )


def test_a_taper_in_the_plan_gives_its_steps() -> None:
    name = "many returns to use, low confidence, wants to stop"  # 7 drinks on 20 days
    profile = _profile(name)
    result = recommend(profile)
    draft = draft_plan(profile, result, "abstinence")
    targets = progress.plan_targets(profile, result, "abstinence", draft.taper, D("2024-03-01"))
    assert draft.taper is not None and not draft.taper.refused
    assert targets is not None and targets.steps == draft.taper.steps
    assert targets.on(D("2024-03-01")) == draft.taper.steps[0].limit
    assert targets.on(D("2025-03-01")) == draft.taper.steps[-1].limit == 0.0


def test_baseline_is_typical_amount_times_days_over_30() -> None:
    assert progress.baseline_drinks_per_day(
        _profile("weekend drinker over limits, wants to cut down")
    ) == pytest.approx(5 * 8 / 30)
    assert progress.baseline_drinks_per_day(_profile("cocaine on weekends")) is None


# Series -------------------------------------------------------------------------------------


def test_the_daily_series_leaves_missing_days_empty() -> None:
    points = progress.daily(RECORD, D("2024-03-13"), TAPER, count=10)
    missing = points[0]
    assert missing.date == D("2024-03-04")
    assert (missing.recorded, missing.drinks, missing.target) == (False, None, None)
    assert [p.within_plan for p in points[3:7]] == [False, True, True, False]


def test_weeks_are_iso_weeks_and_use_the_outcomes() -> None:
    # 2024-03-04 is a Monday; the week of 03-11 runs to 03-13 (the end) only.
    weeks = progress.weekly(RECORD, D("2024-03-13"), weeks=3)
    assert [(w.start, w.end) for w in weeks] == [
        (D("2024-02-26"), D("2024-03-03")),
        (D("2024-03-04"), D("2024-03-10")),
        (D("2024-03-11"), D("2024-03-13")),
    ]
    assert [(w.iso_year, w.iso_week) for w in weeks] == [(2024, 9), (2024, 10), (2024, 11)]
    middle = weeks[1]
    record = progress.drinking_record(RECORD)
    assert middle.drinking == window(record, D("2024-03-10"), 7)
    # 03-05, 06, 07 (4), 08 (2), 09, 10 (3): one heavy day (≥ 4 with sex not given).
    assert (middle.days_recorded, middle.heavy_days) == (6, 1)
    assert (middle.use.days_used, middle.use.days_recorded, middle.use.days_missing) == (3, 6, 1)
    assert weeks[2].days == 3 and weeks[2].drinking.days_missing == 1


def test_weekly_means_of_cravings_and_mood_skip_days_without_them() -> None:
    days = [
        no_use("2024-03-04", cravings=2, mood=4),
        drank("2024-03-05", 1, cravings=6),
        no_use("2024-03-06", mood=2),
    ]
    (week,) = progress.weekly(days, D("2024-03-10"), weeks=1)
    assert (week.cravings, week.mood) == (4.0, 3.0)
    (empty,) = progress.weekly(days, D("2024-03-17"), weeks=1)
    assert (empty.cravings, empty.mood, empty.drinking.days_recorded) == (None, None, 0)


def test_windows_are_the_outcomes_of_the_record() -> None:
    spans = progress.windows(RECORD, D("2024-03-13"))
    assert [days for days, _ in spans] == [7, 28, 90, None]
    record = progress.drinking_record(RECORD)
    assert spans[1][1] == window(record, D("2024-03-13"), 28)
    assert spans[-1][1] == outcomes(record)


def test_days_of_use_by_substance() -> None:
    days = [
        *RECORD,
        Day(D("2024-03-12"), 0.0, True, substances=frozenset({"cannabis"})),
    ]
    counts = progress.days_of_use(days, ["alcohol", "cannabis"], D("2024-03-13"), 28)
    recent, whole = counts["alcohol"]
    assert (recent.days_used, recent.days_recorded) == (4, 12)
    assert (whole.days_used, whole.days_recorded) == (4, 12)
    assert counts["cannabis"][0].days_used == 1


# The summary --------------------------------------------------------------------------------

END = D("2024-03-28")  # the last 28 days are 03-01..03-28


def four_weeks(drinking_days: int, drinks: float, recorded: int = 20) -> list[Day]:
    days = [
        drank(f"2024-03-{n:02d}", drinks) if n <= drinking_days else no_use(f"2024-03-{n:02d}")
        for n in range(1, recorded + 1)
    ]
    return days


def test_summary_with_too_little_to_say() -> None:
    assert summary([], END).template == progress.NOTHING_YET
    old = [no_use("2023-01-01")]
    assert str(summary(old, END)) == (
        "Nothing was recorded in the last 28 days; whenever you are ready, a check-in picks "
        "things up again, and everything you recorded before still counts."
    )
    few = four_weeks(1, 2, recorded=3)
    assert str(summary(few, END)) == (
        "You recorded 3 of the last 28 days — a few more check-ins and this page can say more "
        "about how things are going."
    )


def test_summary_down_from_before() -> None:
    # 20 recorded, 5 with 2 drinks: 10 drinks over 20 days = 0.5 a day, against 6 before.
    assert str(summary(four_weeks(5, 2), END, baseline=6.0)) == (
        "In the last 28 days you recorded 20 days, 15 of them without drinking, and averaged 0.5 "
        "drinks a day, down from 6.0 before you started."
    )


def test_summary_about_the_same_and_up_point_to_help_without_blame() -> None:
    same = summary(four_weeks(10, 2), END, baseline=1.05)  # 1.0 a day: within 10%
    assert same.template == progress.SAME
    up = summary(four_weeks(10, 4), END, baseline=1.0)  # 2.0 a day
    assert up.template == progress.UP
    assert "talk it over with someone who can help" in str(up)
    for word in ("fail", "bad", "should", "only"):
        assert word not in str(up).lower()


def test_summary_without_baseline_all_free_and_use_only() -> None:
    assert str(summary(four_weeks(5, 3), END)) == (
        "In the last 28 days you recorded 20 days, 15 of them without drinking; on the days you "
        "drank, you had 3.0 drinks on average."
    )
    assert summary(four_weeks(0, 0), END).template == progress.ALL_FREE
    assert summary(four_weeks(0, 0), END, baseline=4.0).template == progress.ALL_FREE_BASELINE
    assert str(summary(four_weeks(5, 3), END, drinking=False)) == (
        "In the last 28 days you recorded 20 days, 15 of them without using."
    )


# Properties ---------------------------------------------------------------------------------

START = D("2024-01-01")


@st.composite
def day_lists(draw: st.DrawFn, max_size: int = 40) -> list[Day]:
    offsets = draw(st.lists(st.integers(0, 80), unique=True, max_size=max_size))
    days = []
    for offset in offsets:
        used = draw(st.booleans())
        amount = draw(st.one_of(st.none(), st.floats(0, 30, allow_nan=False))) if used else 0.0
        other = draw(st.sets(st.sampled_from(SUBSTANCES))) if used else set()
        if used and amount:
            other.add("alcohol")
        days.append(
            Day(
                START + timedelta(days=offset),
                amount,
                used,
                draw(st.one_of(st.none(), st.integers(0, 10))),
                draw(st.one_of(st.none(), st.integers(1, 5))),
                frozenset(other - ({"alcohol"} if not amount else set())),
            )
        )
    return days


targets_or_none = st.one_of(
    st.none(),
    st.builds(
        Targets,
        st.dates(START, START + timedelta(days=90)),
        st.lists(st.floats(0, 20, allow_nan=False), max_size=10).map(
            lambda limits: tuple(Step(n + 1, limit) for n, limit in enumerate(limits))
        ),
        st.one_of(st.none(), st.floats(0, 20, allow_nan=False)),
    ),
)
baselines = st.one_of(st.none(), st.floats(0, 40, allow_nan=False))
sexes = st.sampled_from(["female", "male", None])

NEVER_DECREASE = ("days_recorded", "days_without_use", "best_run", "days_within_plan", "slips")


@given(day_lists(), st.integers(1, 10), targets_or_none, baselines, sexes)
def test_milestones_never_decrease_when_a_day_without_use_is_added(
    days: list[Day], gap: int, targets: Targets | None, baseline: float | None, sex: Any
) -> None:
    last = max((day.date for day in days), default=START)
    before = milestones(days, targets, baseline, sex)
    after = milestones([*days, Day(last + timedelta(days=gap), 0.0, False)], targets, baseline, sex)
    for name in NEVER_DECREASE:
        assert getattr(after, name) >= getattr(before, name), name
    if before.reduction_percent is not None:
        assert after.reduction_percent is not None
        assert after.reduction_percent >= before.reduction_percent


@given(day_lists(), st.integers(0, 100), st.booleans(), st.one_of(st.none(), st.floats(0, 30)))
def test_days_without_use_never_decrease_when_any_day_is_added(
    days: list[Day], offset: int, used: bool, amount: float | None
) -> None:
    when = START + timedelta(days=offset)
    if any(day.date == when for day in days):
        return
    new = Day(when, amount if used else 0.0, used)
    before, after = milestones(days), milestones([*days, new])
    assert after.days_without_use >= before.days_without_use
    assert after.best_run >= before.best_run
    assert after.days_recorded == before.days_recorded + 1


@given(day_lists(), st.integers(0, 120), baselines, sexes, st.booleans())
def test_the_summary_renders_for_any_record(
    days: list[Day], end_offset: int, baseline: float | None, sex: Any, drinking: bool
) -> None:
    message = summary(days, START + timedelta(days=end_offset), sex, baseline, drinking)
    text = str(message)
    assert text.endswith(".") and "%(" not in text
    assert message.template in {
        progress.NOTHING_YET, progress.NOTHING_LATELY, progress.TOO_FEW, progress.USE_ONLY,
        progress.ALL_FREE, progress.ALL_FREE_BASELINE, progress.PER_DRINKING_DAY,
        progress.DOWN, progress.SAME, progress.UP,
    }  # fmt: skip


@given(day_lists(), st.integers(0, 120), targets_or_none, sexes)
def test_the_series_cover_their_span_whatever_the_record(
    days: list[Day], end_offset: int, targets: Targets | None, sex: Any
) -> None:
    end = START + timedelta(days=end_offset)
    points = progress.daily(days, end, targets)
    assert len(points) == progress.DAILY_DAYS and points[-1].date == end
    recorded = {day.date for day in days}
    assert all(p.recorded == (p.date in recorded) for p in points)
    weeks = progress.weekly(days, end, sex=sex)
    assert len(weeks) == progress.WEEKS and weeks[-1].end == end
    for week in weeks:
        assert week.drinking.days_recorded + week.drinking.days_missing == week.days
        assert 0 <= week.heavy_days <= week.drinking.days_recorded
