"""Caseload alerts on crafted records, and properties that must hold for any record."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from waymark.clinical import alerts
from waymark.clinical.alerts import CheckUp, Priority, Record, evaluate
from waymark.clinical.progress import Day, Targets
from waymark.clinical.scoring import score
from waymark.clinical.taper import Step

TODAY = date(2026, 3, 20)


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def none(days_ago: int, **extra: Any) -> Day:
    return Day(ago(days_ago), 0.0, False, **extra)


def drank(days_ago: int, amount: float, **extra: Any) -> Day:
    return Day(ago(days_ago), amount, True, substances=frozenset({"alcohol"}), **extra)


def opioids(days_ago: int) -> Day:
    return Day(ago(days_ago), 0.0, True, substances=frozenset({"opioids"}))


def ids(record: Record) -> list[str]:
    return [alert.id for alert in evaluate(record)]


def test_a_quiet_record_with_a_check_in_today_raises_nothing() -> None:
    assert evaluate(Record(TODAY, days=(none(0, cravings=2), none(1, cravings=3)))) == []


def test_suicidal_thoughts_in_a_recent_check_up_are_urgent_and_first() -> None:
    record = Record(
        TODAY,
        days=(none(0), none(1)),
        checkups=(CheckUp(ago(2), crisis_reported=True),),
    )
    found = evaluate(record)
    assert [a.id for a in found] == ["suicidal-thoughts"]
    assert found[0].priority is Priority.URGENT
    assert found[0].evidence == ago(2)
    assert found[0].key == f"suicidal-thoughts:{ago(2).isoformat()}"


def test_a_crisis_in_the_latest_check_up_counts_however_old_it_is() -> None:
    """The latest check-up is the person's picture now (a crisis reported before sharing began
    must reach the clinician); its key is the same every time, so it is stored once."""
    record = Record(TODAY, days=(none(0),), checkups=(CheckUp(ago(30), crisis_reported=True),))
    assert ids(record) == ["suicidal-thoughts"]
    assert evaluate(record)[0].key == evaluate(record)[0].key


def test_an_old_crisis_behind_a_newer_check_up_still_raises_one_alert_of_its_own_day() -> None:
    """Issue 16: any check-up with a crisis, however old and whatever came after, raises
    once (its key is its day: an alert stored already is not stored again)."""
    checkups = (CheckUp(ago(700), crisis_reported=True), CheckUp(ago(20)))
    found = evaluate(Record(TODAY, days=(none(0),), checkups=checkups))
    assert [(a.id, a.evidence) for a in found] == [("suicidal-thoughts", ago(700))]


def test_a_recent_check_up_of_someone_pregnant_and_using_is_high() -> None:
    record = Record(
        TODAY,
        days=(none(0),),
        checkups=(
            CheckUp(ago(3), pregnant_and_using=True),
            CheckUp(ago(20), pregnant_and_using=True),
        ),
    )
    found = evaluate(record)
    assert [(a.id, a.evidence) for a in found] == [("pregnant-and-using", ago(3))]
    assert found[0].priority is Priority.HIGH


def test_opioid_use_after_a_week_without_is_urgent() -> None:
    days = (opioids(12), *(none(d) for d in range(11, 2, -1)), opioids(2), none(1), none(0))
    found = evaluate(Record(TODAY, days=days))
    assert [a.id for a in found] == ["opioid-use-after-gap"]
    assert found[0].priority is Priority.URGENT
    assert found[0].evidence == ago(2)
    assert found[0].message.params == {"days": 10}


def test_opioid_use_on_consecutive_days_is_no_gap() -> None:
    days = tuple(opioids(d) for d in range(6, -1, -1))
    assert "opioid-use-after-gap" not in ids(Record(TODAY, days=days))


def test_the_gap_can_start_at_the_last_use_a_check_up_gave() -> None:
    # The check-up said the last use was 10 days before it; use is recorded today.
    checkup = CheckUp(ago(5), opioid_last_use_days_ago=10)
    assert ids(Record(TODAY, days=(opioids(0),), checkups=(checkup,))) == ["opioid-use-after-gap"]


def test_first_recorded_opioid_use_with_no_known_history_is_no_gap() -> None:
    assert ids(Record(TODAY, days=(opioids(0),))) == []


def test_return_to_use_on_an_abstinence_plan_is_one_alert_per_run() -> None:
    days = (none(6), drank(5, 3), drank(4, 2), none(3), none(2), drank(1, 1), none(0))
    record = Record(TODAY, days=days, approach="abstinence", plan_start=ago(10))
    found = [a for a in evaluate(record) if a.id == "return-to-use"]
    assert [a.evidence for a in found] == [ago(1), ago(5)]
    assert all(a.priority is Priority.HIGH for a in found)


def test_use_on_a_harm_reduction_plan_is_not_a_return_to_use() -> None:
    days = (none(2), drank(1, 3), none(0))
    record = Record(TODAY, days=days, approach="harm-reduction", plan_start=ago(10))
    assert "return-to-use" not in ids(record)


def test_use_before_the_abstinence_plan_began_does_not_count() -> None:
    days = (drank(5, 3), none(4), none(3), none(2), none(1), none(0))
    record = Record(TODAY, days=days, approach="abstinence", plan_start=ago(4))
    assert ids(record) == []


def test_no_check_in_for_three_days_is_raised_once_per_silence() -> None:
    found = evaluate(Record(TODAY, days=(none(3),)))
    assert [(a.id, a.evidence) for a in found] == [("no-checkin", ago(3))]
    assert found[0].priority is Priority.NORMAL
    later = evaluate(Record(TODAY + timedelta(days=4), days=(none(3),)))
    assert [a.key for a in later] == [found[0].key]


def test_two_days_without_a_check_in_is_not_yet_an_alert() -> None:
    assert ids(Record(TODAY, days=(none(2),))) == []


def test_a_person_who_never_checked_in_counts_from_when_watching_began() -> None:
    assert ids(Record(TODAY, watching_since=ago(4))) == ["no-checkin"]
    assert ids(Record(TODAY, watching_since=ago(1))) == []
    assert ids(Record(TODAY)) == []


def test_cravings_of_eight_are_a_spike() -> None:
    found = evaluate(Record(TODAY, days=(none(1, cravings=2), none(0, cravings=8))))
    assert [(a.id, a.evidence) for a in found] == [("craving-spike", ago(0))]


def test_a_rise_of_four_over_the_persons_own_mean_is_a_spike() -> None:
    days = (none(3, cravings=1), none(2, cravings=1), none(1, cravings=1), none(0, cravings=5))
    assert ids(Record(TODAY, days=days)) == ["craving-spike"]


def test_a_rise_needs_three_earlier_ratings_to_make_a_mean() -> None:
    days = (none(1, cravings=0), none(0, cravings=5))
    assert ids(Record(TODAY, days=days)) == []


def test_high_cravings_day_after_day_are_one_alert() -> None:
    days = tuple(none(d, cravings=9) for d in range(3, -1, -1))
    assert [a.evidence for a in evaluate(Record(TODAY, days=days))] == [ago(3)]


TAPER = Targets(ago(6), (Step(1, 6.0), Step(3, 5.0), Step(5, 4.0)), 4.0)


def test_drinks_above_the_taper_step_are_raised() -> None:
    # Taper days: ago(6)..ago(2). ago(4) is day 3 (limit 5): 6 drinks is over.
    days = (drank(6, 6), drank(5, 6), drank(4, 6), drank(3, 5), drank(2, 4), none(1), none(0))
    found = evaluate(Record(TODAY, days=days, targets=TAPER))
    assert [(a.id, a.evidence) for a in found] == [("taper-not-followed", ago(4))]
    assert found[0].message.params == {"drinks": "6", "limit": "5"}


def test_drinks_within_every_step_raise_nothing() -> None:
    days = (drank(6, 6), drank(5, 5.5), drank(4, 5), drank(3, 4), drank(2, 4), none(1), none(0))
    assert ids(Record(TODAY, days=days, targets=TAPER)) == []


def test_an_abstinence_target_is_not_a_taper() -> None:
    days = (drank(1, 2), none(0))
    assert ids(Record(TODAY, days=days, targets=Targets(ago(5), (), 0.0))) == []


def test_a_phq9_rise_of_five_is_a_worsening() -> None:
    checkups = (
        CheckUp(ago(40), results={"phq-9": 5}),
        CheckUp(ago(1), results={"phq-9": 9}),  # same band (mild), +4: not worse
    )
    assert ids(Record(TODAY, days=(none(0),), checkups=checkups)) == []
    checkups = (CheckUp(ago(40), results={"phq-9": 5}), CheckUp(ago(1), results={"phq-9": 10}))
    found = evaluate(Record(TODAY, days=(none(0),), checkups=checkups))
    assert [(a.id, a.evidence, a.priority) for a in found] == [
        ("worsening-screener", ago(1), Priority.HIGH)
    ]
    assert found[0].message.params == {"instrument": "PHQ-9", "before": 5, "after": 10}


def test_worsening_compares_with_the_previous_result_and_reads_scores() -> None:
    audit_low = score("audit", [1, 0, 0, 0, 0, 0, 0, 0, 0, 0])
    audit_high = score("audit", [4, 4, 4, 4, 0, 0, 0, 0, 0, 0])
    checkups = (
        CheckUp(ago(60), results={"audit": audit_high}),
        CheckUp(ago(30), results={"audit": audit_low}),
        CheckUp(ago(2), results={"audit": audit_high}),
    )
    assert ids(Record(TODAY, days=(none(0),), checkups=checkups)) == ["worsening-screener"]


def test_alerts_come_most_urgent_first() -> None:
    days = (none(5, cravings=9),)
    record = Record(TODAY, days=days, checkups=(CheckUp(ago(3), crisis_reported=True),))
    found = evaluate(record)
    assert [a.id for a in found] == ["suicidal-thoughts", "craving-spike", "no-checkin"]
    assert [a.priority for a in found] == sorted((a.priority for a in found), reverse=True)


def test_every_rule_cites_its_source() -> None:
    for rule in alerts.RULES:
        assert rule.source
        assert (
            "ours" in rule.source
            or "FACTS" in rule.source
            or "CONTRACTS" in rule.source
            or ("reassess" in rule.source)
        )


# Properties ---------------------------------------------------------------------------------


@st.composite
def records(draw: st.DrawFn) -> Record:
    count = draw(st.integers(0, 30))
    offsets = sorted(draw(st.sets(st.integers(0, 40), max_size=count)))
    days = []
    for offset in offsets:
        used = draw(st.booleans())
        cravings = draw(st.none() | st.integers(0, 10))
        if used:
            substance = draw(st.sampled_from(["alcohol", "opioids"]))
            amount = draw(st.floats(0.5, 20)) if substance == "alcohol" else 0.0
            days.append(Day(ago(offset), amount, True, cravings, substances=frozenset({substance})))
        else:
            days.append(Day(ago(offset), 0.0, False, cravings))
    approach = draw(st.sampled_from([None, "abstinence", "harm-reduction", "staged"]))
    return Record(
        TODAY,
        days=tuple(days),
        approach=approach,
        plan_start=ago(draw(st.integers(0, 40))) if approach else None,
        targets=TAPER if draw(st.booleans()) else None,
    )


@given(records(), st.integers(0, alerts.LOOKBACK_DAYS - 1))
def test_adding_a_suicidal_report_always_yields_an_urgent_alert_first(
    record: Record, days_ago: int
) -> None:
    crisis = CheckUp(ago(days_ago), crisis_reported=True)
    found = evaluate(Record(**{**record.__dict__, "checkups": (crisis,)}))
    assert any(a.id == "suicidal-thoughts" and a.evidence == ago(days_ago) for a in found)
    assert found[0].priority is Priority.URGENT


@given(records())
def test_keys_are_unique_and_evidence_is_never_in_the_future(record: Record) -> None:
    found = evaluate(record)
    assert len({a.key for a in found}) == len(found)
    assert all(a.evidence <= TODAY for a in found)
    assert [a.priority for a in found] == sorted((a.priority for a in found), reverse=True)


@given(records())
def test_evaluating_twice_gives_the_same_alerts(record: Record) -> None:
    assert [a.key for a in evaluate(record)] == [a.key for a in evaluate(record)]


@given(records())
def test_a_check_in_today_never_leaves_a_missed_check_in_alert(record: Record) -> None:
    days = (*(d for d in record.days if d.date != TODAY), Day(TODAY, 0.0, False))
    assert "no-checkin" not in ids(Record(**{**record.__dict__, "days": days}))
