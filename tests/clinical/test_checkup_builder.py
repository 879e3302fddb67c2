"""The web check-up's stored answers rebuild the profile the command line would read."""

from __future__ import annotations

from typing import Any

import pytest

from tests.reference import load
from waymark.clinical.checkup import (
    PROFILE,
    PROFILE_VERSION,
    Answers,
    IncompleteCheckUpError,
    StoredAnswer,
    answers_from_profile,
    applicable_steps,
    build_profile,
    crisis_reported,
)
from waymark.clinical.pathway import recommend
from waymark.clinical.profile import KINDS, parse_profile

VIGNETTES: list[dict[str, Any]] = load("vignettes.json")


@pytest.mark.parametrize("vignette", VIGNETTES, ids=[v["name"] for v in VIGNETTES])
def test_stored_answers_give_the_same_recommendation_as_the_profile(
    vignette: dict[str, Any],
) -> None:
    profile = vignette["profile"]
    rebuilt = build_profile(Answers(answers_from_profile(profile)))
    again, first = recommend(parse_profile(rebuilt)), recommend(parse_profile(profile))
    # The web asks the PHQ-2 before the rest of a PHQ-9, so its profile holds both, and
    # `scores` lists every instrument; the page says the short form once (`shown_scores`).
    assert again.shown_scores == first.shown_scores
    assert {**again.as_dict(), "scores": None} == {**first.as_dict(), "scores": None}


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


def _uses(*substances: str, **prescribed: bool) -> Answers:
    return Answers(
        [StoredAnswer(PROFILE, "substances", value=list(substances))]
        + [StoredAnswer(PROFILE, "prescribed", value=v, context=s) for s, v in prescribed.items()]
    )


def test_the_safety_step_follows_the_patterns_for_everyone_who_uses_something() -> None:
    assert "safety" not in applicable_steps(_answers())
    for substances in (["alcohol"], ["tobacco"], ["cannabis", "opioids"]):
        steps = applicable_steps(_uses(*substances))
        assert steps[steps.index("patterns") + 1] == "safety"


@pytest.mark.parametrize(
    ("answers", "moud", "kinds", "overdose", "release"),
    [
        (_uses("alcohol"), False, {}, False, True),
        (_uses("tobacco"), False, {}, False, False),
        (_uses("cannabis", "tobacco"), False, {}, False, True),
        (_uses("opioids", opioids=True), True, {}, True, True),  # prescribed opioids: overdose
        (_uses("opioids"), True, {"opioids": ("unknown-pills", "xylazine")}, True, True),
        (_uses("benzodiazepines", benzodiazepines=True), False, {}, False, True),
        (_uses("benzodiazepines", benzodiazepines=False), False,
         {"benzodiazepines": ("unknown-pills",)}, True, True),
        (_uses("stimulants", "alcohol"), False, {"stimulants": ("unknown-pills",)}, True, True),
        (_uses("other"), False, {"other": KINDS}, True, True),
    ],
)  # fmt: skip
def test_each_safety_question_is_asked_only_where_it_applies(
    answers: Answers,
    moud: bool,
    kinds: dict[str, tuple[str, ...]],
    overdose: bool,
    release: bool,
) -> None:
    assert answers.asks_moud() is moud
    assert {s: answers.kinds_asked(s) for s in answers.substances if answers.kinds_asked(s)} == (
        kinds
    )
    assert answers.asks_overdose() is overdose
    assert answers.asks_recent_release() is release


def _stored(answers: list[StoredAnswer], *extra: tuple[str, Any, str]) -> Answers:
    return Answers(answers + [StoredAnswer(PROFILE, k, value=v, context=c) for k, v, c in extra])


BASICS = [
    StoredAnswer(PROFILE, "age", value=34),
    StoredAnswer(PROFILE, "goal", value="safer-use"),
    StoredAnswer(PROFILE, "substances", value=["opioids", "other", "alcohol"]),
]


def test_the_safety_answers_build_a_version_2_profile() -> None:
    answers = _stored(
        BASICS,
        ("last_use_days_ago", 0, "opioids"),
        ("last_use_days_ago", 14, "alcohol"),
        ("moud", True, "opioids"),
        ("kinds", ["xylazine", "unknown-pills"], "opioids"),
        ("kinds", ["gabapentinoids"], "other"),
        ("overdose_past", "past-year", ""),
        ("has_naloxone", False, ""),
        ("uses_alone", "often", ""),
        ("recent_release", True, ""),
    )
    profile = build_profile(answers)
    assert profile["version"] == PROFILE_VERSION == 2
    opioids, other, alcohol = profile["substances"]
    assert opioids == {"substance": "opioids", "primary": True, "last_use_days_ago": 0,
                       "moud": True, "kinds": ["xylazine", "unknown-pills"]}  # fmt: skip
    assert other == {"substance": "other", "kinds": ["gabapentinoids"]}
    assert alcohol == {"substance": "alcohol", "last_use_days_ago": 14}
    assert profile["overdose"] == {"past": "past-year", "has_naloxone": False,
                                   "uses_alone": "often"}  # fmt: skip
    assert profile["recent_release"] is True
    parsed = parse_profile(profile)
    assert parsed.version == 2 and parsed.recent_release and parsed.overdose.uses_alone == "often"
    assert parsed.use_of("opioids").moud  # type: ignore[union-attr]


def test_an_answered_no_is_kept_and_a_skipped_question_is_left_out() -> None:
    answers = _stored(BASICS, ("moud", False, "opioids"), ("has_naloxone", True, ""),
                      ("recent_release", False, ""))  # fmt: skip
    profile = build_profile(answers)
    assert profile["substances"][0] == {"substance": "opioids", "primary": True, "moud": False}
    assert profile["overdose"] == {"has_naloxone": True}  # past and uses_alone: not asked
    assert profile["recent_release"] is False
    parse_profile(profile)


def test_a_check_up_stored_before_the_safety_step_still_builds() -> None:
    """Answers from before version 2 (the opioid last use was asked on its own then)."""
    answers = _stored(BASICS, ("last_use_days_ago", 12, "opioids"), ("days_used_past_30", 3,
                      "alcohol"))  # fmt: skip
    profile = build_profile(answers)
    assert profile["version"] == 2
    assert not {"overdose", "recent_release"} & set(profile)
    for use in profile["substances"]:
        assert not {"moud", "kinds"} & set(use)
    assert profile["substances"][0]["last_use_days_ago"] == 12
    assert parse_profile(profile).overdose.past is None


def test_a_version_2_profile_comes_back_from_its_answers() -> None:
    profile = {
        "version": 2, "age": 29, "goal": "cut-down", "recent_release": False,
        "substances": [
            {"substance": "opioids", "primary": True, "last_use_days_ago": 9, "moud": False,
             "kinds": ["unknown-pills"]},
            {"substance": "other", "last_use_days_ago": 1, "kinds": ["ghb", "ketamine"]},
        ],
        "overdose": {"past": "never", "has_naloxone": True, "uses_alone": "sometimes"},
    }  # fmt: skip
    parse_profile(profile)
    assert build_profile(Answers(answers_from_profile(profile))) == profile


def _with(profile: dict[str, Any], *extra: StoredAnswer) -> dict[str, Any]:
    return build_profile(Answers([*answers_from_profile(profile), *extra]))


def test_injecting_in_the_past_three_months_feeds_the_route() -> None:
    """ASSIST question 8 does not say which drug: the drugs whose route was not given are
    marked injected; with every route given, the main drug is; alcohol never is."""
    injected = StoredAnswer(PROFILE, "injected", value="past-3-months")
    unknown = {"version": 2, "age": 30, "goal": "stop",
               "substances": [{"substance": "alcohol"}, {"substance": "opioids"},
                              {"substance": "stimulants", "route": "smoked"}]}  # fmt: skip
    routes = {u["substance"]: u.get("route") for u in _with(unknown, injected)["substances"]}
    assert routes == {"alcohol": None, "opioids": "injected", "stimulants": "smoked"}
    given = {**unknown, "substances": [{"substance": "opioids", "route": "smoked"},
                                       {"substance": "stimulants", "route": "snorted",
                                        "primary": True}]}  # fmt: skip
    routes = {u["substance"]: u.get("route") for u in _with(given, injected)["substances"]}
    assert routes == {"opioids": "smoked", "stimulants": "injected"}
    earlier = StoredAnswer(PROFILE, "injected", value="earlier")
    assert all("route" not in u for u in _with(unknown, earlier)["substances"][:2])
    assert "syringe-services" in recommend(parse_profile(_with(unknown, injected))).safety
