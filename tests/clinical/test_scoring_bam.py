"""The Brief Addiction Monitor (CONTRACTS.md §1b): three subscales and flags, no single total.

The 23 answers follow the VA form: items 1-6, item 7's drug classes 7A-7G, then items 8-17.
No worked example was found in a scoring guide we could read, so the examples here are worked
by hand from the published subscale rules (docs/clinical-rules.md, BAM).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from waymark.clinical import checkup, scoring

BAM = scoring.get_instrument("bam")
# The published number of each answer position.
NUMBERS = ["1", "2", "3", "4", "5", "6", "7A", "7B", "7C", "7D", "7E", "7F", "7G",
           "8", "9", "10", "11", "12", "13", "14", "15", "16", "17"]  # fmt: skip
SUBSCALE_ITEMS = {
    "use": ["4", "5", "6"],
    "risk": ["1", "2", "3", "8", "11", "15"],
    "protective": ["9", "10", "12", "13", "14", "16"],
}
NO_USE = [1, 2, 3, 0, None, 0, *[None] * 7, 2, 3, 4, 2, 2, 3, 1, 2, 4, 3]


def answers(**by_number: int | None) -> list[int | None]:
    """All zeros (no use, nothing skipped), with the given published items changed."""
    given: list[int | None] = [0] * len(NUMBERS)
    for number, answer in by_number.items():
        given[NUMBERS.index(number.removeprefix("q").upper())] = answer
    return given


def subscales(given: Sequence[int | None]) -> dict[str, int]:
    return dict(scoring.score("bam", given).subscales)


def test_it_asks_the_23_answers_of_the_form_in_order() -> None:
    ids = [item.id for item in BAM.items]
    assert len(ids) == 23
    assert ids[NUMBERS.index("4") : NUMBERS.index("7A")] == [
        "alcohol-days", "heavy-drinking-days", "drug-days",
    ]  # fmt: skip
    assert ids[NUMBERS.index("7E")] == "drug-days-opiates"
    assert ids[NUMBERS.index("17")] == "progress-satisfaction"
    assert all(BAM.items[i].text.startswith("In the past 30 days") for i in range(6, 13))


def test_each_subscale_sums_the_items_of_the_scoring_guide() -> None:
    for subscale in BAM.subscales:
        numbers = [NUMBERS[BAM.item_index(item_id)] for item_id in subscale.items]
        assert numbers == SUBSCALE_ITEMS[subscale.id]


def test_item_7_and_item_17_count_in_no_subscale() -> None:
    counted = {item_id for subscale in BAM.subscales for item_id in subscale.items}
    left_out = [NUMBERS[i] for i, item in enumerate(BAM.items) if item.id not in counted]
    assert left_out == ["7A", "7B", "7C", "7D", "7E", "7F", "7G", "17"]


@pytest.mark.parametrize(
    ("subscale", "lowest", "highest"), [("use", 0, 12), ("risk", 0, 24), ("protective", 0, 24)]
)
def test_every_subscale_reaches_its_published_minimum_and_maximum(
    subscale: str, lowest: int, highest: int
) -> None:
    part = next(s for s in BAM.subscales if s.id == subscale)
    assert BAM.subscale_range(part) == (lowest, highest)
    least = [0] * 23
    most = [len(item.options) - 1 for item in BAM.items]
    assert subscales(least)[subscale] == lowest
    assert subscales(most)[subscale] == highest


def test_income_scores_no_0_and_yes_4() -> None:
    income = BAM.items[NUMBERS.index("14")]
    assert [(o.label, o.points) for o in income.options] == [("No", 0), ("Yes", 4)]


def test_a_worked_example() -> None:
    """Fair health, 4-8 bad nights, 9-15 upset days; drank 1-3 days, none heavy; no drugs;
    slightly bothered by cravings, considerably confident, 4-8 meeting days, 1-3 risky days,
    moderately helped by spirituality, 16-30 work days, enough income, slightly bothered by
    family problems, 9-15 days with supportive people, moderately satisfied."""
    given = [3, 2, 3, 1, 0, 0, *[None] * 7, 1, 3, 2, 1, 2, 4, 1, 1, 3, 2]
    result = scoring.score("bam", given)
    assert dict(result.subscales) == {
        "use": 1 + 0 + 0,
        "risk": 3 + 2 + 3 + 1 + 1 + 1,
        "protective": 3 + 2 + 2 + 4 + 4 + 3,
    }
    assert result.flags == ("any-use",)


def test_it_has_no_single_total_and_says_so() -> None:
    result = scoring.score("bam", NO_USE)
    public = result.as_dict()
    assert (public["total"], public["max"], public["band"]) == (None, None, None)
    assert (public["band_label"], public["meaning"]) == (None, None)
    assert public["subscales"] == {
        "use": {"score": 0, "min": 0, "max": 12, "label": "Use"},
        "risk": {"score": 12, "min": 0, "max": 24, "label": "Risk factors"},
        "protective": {"score": 20, "min": 0, "max": 24, "label": "Protective factors"},
    }
    json.dumps(public)
    assert not BAM.has_total and BAM.total_range is None
    with pytest.raises(scoring.NoTotalError, match="bam has no single total"):
        _ = result.total
    with pytest.raises(scoring.NoTotalError):
        _ = result.band


def test_instruments_with_a_total_report_no_subscales() -> None:
    public = scoring.score("phq-9", [0] * 9).as_dict()
    assert public["subscales"] == {} and public["total"] == 0


# --- flags ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "flag", "raised"),
    [
        (answers(), "any-use", False),
        (answers(q4=1), "any-use", True),
        (answers(q6=1, q7a=1), "any-use", True),
        # Risk 11 and 12 (health, sleep, mood, cravings, risky days, family problems).
        (answers(q1=4, q2=4, q3=3), "risk-elevated", False),
        (answers(q1=4, q2=4, q3=4), "risk-elevated", True),
        (answers(q8=4, q11=4, q15=4), "risk-elevated", True),
        # Protective 12 and 13 (confidence, meetings, spirituality, work, income, support).
        (answers(q9=4, q14=1, q16=4), "protective-low", True),
        (answers(q9=4, q14=1, q16=4, q10=1), "protective-low", False),
        (answers(), "protective-low", True),
        (answers(q4=1, q5=0), "heavy-drinking", False),
        (answers(q4=1, q5=1), "heavy-drinking", True),
        (answers(q6=1, q7e=1), "opioid-use", True),
        (answers(q6=1, q7a=4), "opioid-use", False),
        (answers(q6=1, q7b=2), "sedative-use", True),
    ],
)
def test_a_flag_is_raised_at_its_cut_off_and_not_below(
    given: list[int | None], flag: str, raised: bool
) -> None:
    assert (flag in scoring.score("bam", given).flags) is raised


def test_its_flags_are_a_clinician_s_points_of_attention_not_crisis_findings() -> None:
    assert BAM.flag_rules and not any(rule.crisis for rule in BAM.flag_rules)
    phq9 = scoring.get_instrument("phq-9")
    assert [rule.crisis for rule in phq9.flag_rules] == [True]


# --- skip logic -------------------------------------------------------------------------------


def test_no_drinking_lets_heavy_drinking_days_go_unasked() -> None:
    given = answers(q5=None)
    assert subscales(given)["use"] == 0
    with pytest.raises(scoring.ScoringError, match=r"bam item 5 \(heavy-drinking-days\)"):
        scoring.score("bam", answers(q4=1, q5=None))


def test_no_drug_use_lets_the_drug_classes_go_unasked() -> None:
    skipped = {f"q7{letter}": None for letter in "abcdefg"}
    assert subscales(answers(**skipped))["use"] == 0
    with pytest.raises(scoring.ScoringError, match=r"bam item 7 \(drug-days-marijuana\)"):
        scoring.score("bam", answers(q6=1, **skipped))


def test_nothing_else_may_be_left_out() -> None:
    for number in ("1", "4", "6", "8", "14", "17"):
        with pytest.raises(scoring.ScoringError, match="an answer is required here"):
            scoring.score("bam", answers(**{f"q{number}": None}))


@given(classes=st.lists(st.integers(0, 4), min_size=7, max_size=7))
def test_the_drug_classes_never_change_a_subscale(classes: list[int]) -> None:
    base = answers(q6=2)
    with_classes = [*base[:6], *classes, *base[13:]]
    assert subscales(with_classes) == subscales(base)


# --- languages --------------------------------------------------------------------------------


def test_the_spanish_is_our_own_unvalidated_translation() -> None:
    words = BAM.wording("es")
    assert words.translated and words.unvalidated
    assert words.text_for(BAM.items[0]).startswith("En los últimos 30 días")


@given(data=st.data())
def test_the_same_answers_score_the_same_in_spanish(data: st.DataObject) -> None:
    given = [data.draw(st.integers(0, len(item.options) - 1)) for item in BAM.items]
    spanish = BAM.wording("es")
    by_label = []
    for item, answer in zip(BAM.items, given, strict=True):
        label = spanish.option_labels(item)[answer]
        by_label.append(spanish.option_labels(item).index(label))
    assert scoring.score("bam", by_label).as_dict() == scoring.score("bam", given).as_dict()


# --- where it is (not) offered ----------------------------------------------------------------


def test_it_is_offered_in_no_check_up_step_quick_screen_or_profile() -> None:
    from waymark.screeners.catalogue import SELF_SCREENS

    assert "bam" not in SELF_SCREENS
    assert not any(step.startswith("bam") for step in checkup.STEPS)
    schema: dict[str, Any] = json.loads(scoring.read_data_file("profile.schema.json"))
    assert "bam" not in schema["properties"]["instruments"]["propertyNames"]["enum"]


def test_the_quick_screen_form_can_render_and_score_it() -> None:
    """Not wired to any page (a program adds it as a measure later), but the one form that
    asks any instrument can: 23 radio groups, in the page's language, scored by the engine."""
    from django.utils import translation

    from waymark.screeners.forms import InstrumentForm

    with translation.override("es"):
        form = InstrumentForm(BAM)
        fields = form.item_fields()
        assert len(fields) == 23
        assert "¿cuántos días tomaste CUALQUIER cantidad de alcohol?" in fields[3].label
        assert 'type="radio"' in str(fields[0])
    posted = {item.id: str(answer) for item, answer in zip(BAM.items, NO_USE, strict=True)
              if answer is not None}  # fmt: skip
    form = InstrumentForm(BAM, posted)
    assert form.is_valid(), form.errors
    assert form.score is not None and dict(form.score.subscales)["risk"] == 12
    form = InstrumentForm(BAM, {**posted, "alcohol-days": "1"})
    assert not form.is_valid() and "heavy-drinking-days" in form.errors
