"""The web check-up's stored answers rebuild the profile the command line would read."""

from __future__ import annotations

from typing import Any

import pytest

from tests.reference import load
from waymark.clinical.checkup import (
    PROFILE,
    Answers,
    IncompleteCheckUpError,
    StoredAnswer,
    answers_from_profile,
    applicable_steps,
    build_profile,
    crisis_reported,
)
from waymark.clinical.pathway import recommend
from waymark.clinical.profile import parse_profile

VIGNETTES: list[dict[str, Any]] = load("vignettes.json")


@pytest.mark.parametrize("vignette", VIGNETTES, ids=[v["name"] for v in VIGNETTES])
def test_stored_answers_give_the_same_recommendation_as_the_profile(
    vignette: dict[str, Any],
) -> None:
    profile = vignette["profile"]
    rebuilt = build_profile(Answers(answers_from_profile(profile)))
    assert (
        recommend(parse_profile(rebuilt)).as_dict() == recommend(parse_profile(profile)).as_dict()
    )


def test_an_unfinished_check_up_names_what_is_missing() -> None:
    with pytest.raises(IncompleteCheckUpError) as caught:
        build_profile(Answers([StoredAnswer(PROFILE, "age", value=30)]))
    assert caught.value.missing == ["goal", "substances"]


def _answers(*pairs: tuple[str, Any]) -> Answers:
    return Answers(StoredAnswer(PROFILE, key, value=value) for key, value in pairs)


def test_only_the_steps_that_apply_are_asked() -> None:
    nothing_yet = applicable_steps(_answers())
    assert "audit" not in nothing_yet and "dast-10" not in nothing_yet
    drinking = applicable_steps(_answers(("substances", ["alcohol"])))
    assert {"audit", "criteria-alcohol", "withdrawal"} <= set(drinking)
    assert "dast-10" not in drinking
    smoking = applicable_steps(_answers(("substances", ["tobacco"])))
    assert {"audit", "dast-10", "withdrawal"}.isdisjoint(smoking)
    assert not any(step.startswith("criteria-") for step in smoking)


def test_the_phq_9_follows_only_a_positive_phq_2() -> None:
    negative = Answers([StoredAnswer("phq-2", "interest", option=1),
                        StoredAnswer("phq-2", "depressed", option=1)])  # fmt: skip
    positive = Answers([StoredAnswer("phq-2", "interest", option=2),
                        StoredAnswer("phq-2", "depressed", option=1)])  # fmt: skip
    assert "phq-9" not in applicable_steps(negative)
    assert "phq-9" in applicable_steps(positive)


def test_criteria_are_asked_for_at_most_three_main_substances_primary_first() -> None:
    answers = _answers(
        ("substances", ["cannabis", "alcohol", "opioids", "stimulants", "tobacco"]),
        ("primary", "opioids"),
    )
    criteria = [s for s in applicable_steps(answers) if s.startswith("criteria-")]
    assert criteria[0] == "criteria-opioids" and len(criteria) == 3


@pytest.mark.parametrize(
    ("answers", "crisis"),
    [
        ([StoredAnswer(PROFILE, "suicidal_thoughts", value=True)], True),
        ([StoredAnswer(PROFILE, "suicidal_thoughts", value=False)], False),
        ([StoredAnswer("phq-9", "self-harm", option=1)], True),
        ([StoredAnswer("phq-9", "self-harm", option=0)], False),
        ([], False),
    ],
)
def test_a_crisis_is_seen_as_soon_as_it_is_answered(
    answers: list[StoredAnswer], crisis: bool
) -> None:
    assert crisis_reported(Answers(answers)) is crisis
