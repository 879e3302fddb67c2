"""Caseload alerts from measures (issue 16): missed measures in a row, a BAM's elevated risk
factors, PHQ-9 item 9 in a measure, and suicidal thoughts in any check-up, however old."""

from __future__ import annotations

from datetime import date, timedelta

from waymark.clinical import alerts
from waymark.clinical.alerts import (
    MISSED_IN_A_ROW,
    Asked,
    CheckUp,
    Measure,
    Priority,
    Record,
    evaluate,
    window,
)
from waymark.clinical.progress import Day
from waymark.clinical.scoring import score

TODAY = date(2026, 3, 20)
CHECKED_IN = (Day(TODAY, 0.0, False),)  # so no missed check-in joins the alerts


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def found(**fields: object) -> list[tuple[str, date]]:
    record = Record(TODAY, days=CHECKED_IN, **fields)  # type: ignore[arg-type]
    return [(a.id, a.evidence) for a in evaluate(record)]


def phq9(item9: int) -> Measure:
    """A PHQ-9 as the engine scores it, its flags the engine's."""
    result = score("phq-9", [1, 1, 1, 0, 0, 0, 0, 0, item9])
    return Measure("phq-9", ago(3), frozenset(result.flags))


def bam(risk_points: int, days_ago: int = 2) -> Measure:
    """A BAM whose risk items (1, 2, 3, 8, 11, 15) give ``risk_points``, scored by the engine."""
    answers = [0] * 23
    risk_items = [0, 1, 2, 13, 16, 20]  # positions of items 1, 2, 3, 8, 11 and 15
    for position in risk_items:
        answers[position] = min(4, risk_points)
        risk_points -= answers[position]
    result = score("bam", answers)
    return Measure(
        "bam",
        ago(days_ago),
        frozenset(result.flags),
        {k: int(v) for k, v in result.subscales.items()},
    )


# Missed measures ---------------------------------------------------------------------------


def test_two_requests_of_one_measure_expired_in_a_row_raise_with_the_last_due_date() -> None:
    asked = (Asked("phq-9", ago(30), False), Asked("phq-9", ago(16), False))
    [alert] = evaluate(Record(TODAY, days=CHECKED_IN, asked=asked))
    assert (alert.id, alert.priority, alert.evidence) == ("missed-measures", Priority.HIGH, ago(16))
    assert alert.message.params == {"count": MISSED_IN_A_ROW, "instrument": "PHQ-9"}
    assert alert.rule.scope == "checkups"


def test_one_missed_request_is_not_yet_a_pattern() -> None:
    assert found(asked=(Asked("phq-9", ago(16), False),)) == []


def test_an_answer_after_the_misses_ends_the_run() -> None:
    asked = (
        Asked("phq-9", ago(44), False),
        Asked("phq-9", ago(30), False),
        Asked("phq-9", ago(16), True),
    )
    assert found(asked=asked) == []


def test_a_miss_after_an_answer_starts_a_new_count() -> None:
    asked = (Asked("phq-9", ago(30), True), Asked("phq-9", ago(16), False))
    assert found(asked=asked) == []


def test_misses_are_counted_per_measure_not_across_measures() -> None:
    """Three measures due the same day and missed are one missed day, not a run of three."""
    same_day = tuple(Asked(m, ago(10), False) for m in ("bam", "phq-9", "gad-7"))
    assert found(asked=same_day) == []
    # a measure skipped every time while another is answered is still raised
    asked = (
        Asked("bam", ago(70), False),
        Asked("bam", ago(40), False),
        Asked("phq-9", ago(20), True),
        Asked("phq-9", ago(6), True),
    )
    assert found(asked=asked) == [("missed-measures", ago(40))]


def test_each_further_miss_raises_again_with_its_own_date() -> None:
    first = (Asked("phq-9", ago(30), False), Asked("phq-9", ago(16), False))
    more = (*first, Asked("phq-9", ago(2), False))
    assert found(asked=first) == [("missed-measures", ago(16))]
    assert found(asked=more) == [("missed-measures", ago(2))]


def test_an_old_run_of_misses_is_the_persons_state_now_no_lookback() -> None:
    asked = (Asked("bam", ago(200), False), Asked("bam", ago(170), False))
    assert found(asked=asked) == [("missed-measures", ago(170))]


def test_two_requests_on_one_day_one_answered_is_no_miss() -> None:
    """Two programs may ask the same measure on one day; an answer to either counts."""
    asked = (
        Asked("phq-9", ago(30), False),
        Asked("phq-9", ago(16), False),
        Asked("phq-9", ago(16), True),
    )
    assert found(asked=asked) == []
    assert evaluate(window(Record(TODAY, days=CHECKED_IN, asked=asked))) == []


# BAM risk -----------------------------------------------------------------------------------


def test_a_bam_with_risk_factors_at_12_is_high_priority_with_its_score() -> None:
    measure = bam(12)
    assert "risk-elevated" in measure.flags
    [alert] = evaluate(Record(TODAY, days=CHECKED_IN, measures=(measure,)))
    assert (alert.id, alert.priority, alert.evidence) == ("bam-risk", Priority.HIGH, ago(2))
    assert alert.message.params == {"score": 12}


def test_a_bam_with_risk_factors_at_11_raises_nothing() -> None:
    measure = bam(11)
    assert "risk-elevated" not in measure.flags
    assert found(measures=(measure,)) == []


def test_other_bam_flags_are_not_the_risk_rule() -> None:
    flags = frozenset({"any-use", "protective-low", "heavy-drinking", "opioid-use"})
    assert found(measures=(Measure("bam", ago(1), flags, {"risk": 4}),)) == []


def test_a_bam_risk_older_than_the_lookback_is_not_raised() -> None:
    assert found(measures=(bam(20, days_ago=alerts.LOOKBACK_DAYS),)) == []
    assert found(measures=(bam(20, days_ago=alerts.LOOKBACK_DAYS - 1),)) == [
        ("bam-risk", ago(alerts.LOOKBACK_DAYS - 1))
    ]


# Suicidal thoughts: measures too, and any check-up ---------------------------------------------


def test_phq9_item_9_in_a_measure_raises_the_urgent_suicidal_thoughts_alert() -> None:
    measure = phq9(item9=1)
    assert measure.crisis
    [alert] = evaluate(Record(TODAY, days=CHECKED_IN, measures=(measure,)))
    assert (alert.id, alert.priority, alert.evidence) == (
        "suicidal-thoughts",
        Priority.URGENT,
        ago(3),
    )


def test_phq9_item_9_at_zero_raises_nothing() -> None:
    measure = phq9(item9=0)
    assert not measure.crisis
    assert found(measures=(measure,)) == []


def test_a_crisis_measure_from_long_ago_is_raised_and_kept_by_the_window() -> None:
    old = Measure("phq-9", ago(800), frozenset({"suicidal-ideation"}))
    record = Record(TODAY, days=CHECKED_IN, measures=(old,))
    assert window(record).measures == (old,)
    assert found(measures=(old,)) == [("suicidal-thoughts", ago(800))]


def test_a_check_up_and_a_measure_on_one_day_are_one_alert() -> None:
    on_day = Measure("phq-9", ago(3), frozenset({"suicidal-ideation"}))
    assert found(measures=(on_day,), checkups=(CheckUp(ago(3), crisis_reported=True),)) == [
        ("suicidal-thoughts", ago(3))
    ]


def test_every_check_up_with_a_crisis_raises_one_alert_each_however_old() -> None:
    """Including those taken before sharing began, and behind calmer ones since."""
    checkups = (
        CheckUp(ago(730), crisis_reported=True),
        CheckUp(ago(400)),
        CheckUp(ago(90), risks={"mental_health": "high"}),
        CheckUp(ago(5)),
    )
    assert found(checkups=checkups) == [
        ("suicidal-thoughts", ago(90)),
        ("suicidal-thoughts", ago(730)),
    ]


def test_the_new_rules_come_in_the_rules_order_and_cite_sources() -> None:
    ids = [rule.id for rule in alerts.RULES]
    assert ids.index("bam-risk") < ids.index("missed-measures") < ids.index("craving-spike")
    for rule in (alerts.BAM_RISK, alerts.MISSED_MEASURES):
        assert rule.source and rule.scope == "checkups"
        assert "❓" in rule.source
