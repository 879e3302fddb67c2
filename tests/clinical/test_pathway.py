"""Properties every recommendation has, for any valid profile."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.clinical.strategies import HEALTH, profiles
from waymark.clinical import labels, safety
from waymark.clinical.care import CARE_LEVELS, URGENCY_LEVELS
from waymark.clinical.factors import FACTOR_IDS
from waymark.clinical.pathway import APPROACHES, recommend
from waymark.clinical.profile import CRITERIA, SUBSTANCES, parse_profile

Profile = dict[str, Any]


def run(profile: Profile) -> dict[str, Any]:
    return recommend(parse_profile(profile)).as_dict()


def _with(profile: Profile, key: str, **values: Any) -> Profile:
    changed = copy.deepcopy(profile)
    changed[key] = {**changed.get(key, {}), **values}
    return changed


def add_suicidal_thoughts(profile: Profile, data: st.DataObject) -> Profile:
    return _with(profile, "mental_health", suicidal_thoughts=True)


def add_withdrawal_history(profile: Profile, data: st.DataObject) -> Profile:
    key = data.draw(st.sampled_from(["seizures", "delirium_tremens", "current_symptoms"]))
    return _with(profile, "withdrawal_history", **{key: True})


def add_health_condition(profile: Profile, data: st.DataObject) -> Profile:
    changed = copy.deepcopy(profile)
    condition = data.draw(st.sampled_from(HEALTH))
    changed["health"] = sorted({*changed.get("health", []), condition})
    return changed


def add_pregnancy(profile: Profile, data: st.DataObject) -> Profile:
    return {**copy.deepcopy(profile), "pregnant": True}


def add_criterion(profile: Profile, data: st.DataObject) -> Profile:
    changed = copy.deepcopy(profile)
    use = data.draw(st.sampled_from(changed["substances"]))
    use["criteria"] = sorted({*use.get("criteria", []), data.draw(st.sampled_from(CRITERIA))})
    return changed


def add_substance(profile: Profile, data: st.DataObject) -> Profile:
    changed = copy.deepcopy(profile)
    present = {use["substance"] for use in changed["substances"]}
    missing = [s for s in SUBSTANCES if s not in present]
    if missing:
        changed["substances"].append({"substance": data.draw(st.sampled_from(missing))})
    return changed


def add_injection(profile: Profile, data: st.DataObject) -> Profile:
    changed = copy.deepcopy(profile)
    data.draw(st.sampled_from(changed["substances"]))["route"] = "injected"
    return changed


def drink_more(profile: Profile, data: st.DataObject) -> Profile:
    changed = copy.deepcopy(profile)
    for use in changed["substances"]:
        if use["substance"] == "alcohol":
            use["typical_amount"] = use.get("typical_amount", 0) + data.draw(st.integers(1, 20))
    return changed


def stop_taking_as_prescribed(profile: Profile, data: st.DataObject) -> Profile:
    changed = copy.deepcopy(profile)
    for use in changed["substances"]:
        use["prescribed"] = False
    return changed


RISKS: list[Callable[[Profile, st.DataObject], Profile]] = [
    add_suicidal_thoughts, add_withdrawal_history, add_health_condition, add_pregnancy,
    add_criterion, add_substance, add_injection, drink_more, stop_taking_as_prescribed,
]  # fmt: skip


@settings(max_examples=300)
@given(profile=profiles(), data=st.data())
def test_adding_a_risk_never_removes_a_safety_finding(
    profile: Profile, data: st.DataObject
) -> None:
    risk = data.draw(st.sampled_from(RISKS))
    before = set(run(profile)["safety"])
    after = set(run(risk(profile, data))["safety"])
    assert before <= after, f"{risk.__name__} removed {before - after}"


@given(profile=profiles())
def test_any_opioid_use_brings_naloxone(profile: Profile) -> None:
    if any(use["substance"] == "opioids" for use in profile["substances"]):
        assert "naloxone" in run(profile)["safety"]


@given(profile=profiles())
def test_suicidal_thoughts_always_bring_crisis_support_and_urgency(profile: Profile) -> None:
    result = run(_with(profile, "mental_health", suicidal_thoughts=True))
    assert "crisis-support" in result["safety"]
    assert result["safety"][0] == "crisis-support"
    assert result["urgency"] == "urgent"


@given(profile=profiles(), item9=st.integers(1, 3))
def test_phq_9_item_9_brings_crisis_support_whatever_the_total(
    profile: Profile, item9: int
) -> None:
    profile = copy.deepcopy(profile)
    profile["instruments"] = {**profile.get("instruments", {}), "phq-9": [0] * 8 + [item9]}
    result = run(profile)
    assert "crisis-support" in result["safety"] and result["urgency"] == "urgent"


@given(profile=profiles())
def test_the_recommendation_is_complete_and_uses_only_public_ids(profile: Profile) -> None:
    result = run(profile)
    json.dumps(result)
    assert result["approach"] in APPROACHES
    assert result["urgency"] in URGENCY_LEVELS
    assert result["care_level"] in CARE_LEVELS
    assert result["severity"] in labels.SEVERITY
    assert set(result["signs"]) <= set(CRITERIA)
    assert result["safety"] == [s for s in safety.SAFETY_IDS if s in result["safety"]]
    assert [f["factor"] for f in result["factors"]] == list(FACTOR_IDS)
    assert all(f["leans"] in ("abstinence", "harm-reduction", "neutral") for f in result["factors"])
    assert all(f["reason"].strip() for f in result["factors"])
    # At most six, unless more steps come from safety findings: those are never cut.
    assert 3 <= len(result["next_steps"]) <= max(6, len(result["safety"]) + 3)
    assert result["substance"] in {use["substance"] for use in profile["substances"]}


@given(profile=profiles())
def test_the_goal_leads_the_approach(profile: Profile) -> None:
    result = run(profile)
    if profile["age"] < 18:
        assert result["approach"] == "abstinence"  # no adult path under 18
    elif profile["goal"] == "stop":
        assert result["approach"] == "abstinence"
    elif profile["goal"] in ("cut-down", "safer-use"):
        assert result["approach"] in ("harm-reduction", "staged")


@given(profile=profiles())
def test_dangerous_withdrawal_always_rules_out_a_self_taper(profile: Profile) -> None:
    result = run(profile)
    safety_ids, withdrawal = result["safety"], result["risks"]["withdrawal"]
    assert ("medically-supervised-withdrawal" in safety_ids) == (withdrawal != "none")
    if withdrawal == "high":
        assert "no-self-taper" in safety_ids


@given(profile=profiles())
def test_it_never_says_you_have_a_disorder(profile: Profile) -> None:
    text = json.dumps(run(profile)).lower()
    assert "you have a" not in text.replace("you have a seizure", "").replace(
        "you have a stable", ""
    )


def test_the_person_marked_primary_is_the_substance_of_the_approach() -> None:
    profile = {
        "version": 1, "age": 40, "goal": "cut-down",
        "substances": [{"substance": "alcohol"}, {"substance": "cannabis", "primary": True}],
    }  # fmt: skip
    assert run(profile)["substance"] == "cannabis"


def test_a_prescribed_opioid_taken_as_prescribed_still_brings_naloxone_but_not_test_strips() -> (
    None
):
    profile = {
        "version": 1, "age": 60, "goal": "unsure",
        "substances": [{"substance": "opioids", "prescribed": True, "days_used_past_30": 30,
                        "criteria": ["tolerance", "withdrawal"]}],
    }  # fmt: skip
    result = run(profile)
    assert "naloxone" in result["safety"]
    assert "fentanyl-test-strips" not in result["safety"]
    assert result["severity"] == "none"


def test_severe_alcohol_use_makes_abstinence_safer_but_respects_a_cut_down_goal() -> None:
    profile = {
        "version": 1, "age": 50, "goal": "cut-down",
        "substances": [{"substance": "alcohol", "days_used_past_30": 12, "typical_amount": 6,
                        "criteria": list(CRITERIA[:7])}],
        "readiness": {"readiness": 6, "confidence": 6},
    }  # fmt: skip
    result = run(profile)
    assert result["abstinence_safer"] is True
    assert result["approach"] == "staged"
    assert result["factors"][0]["leans"] == "harm-reduction"


def test_a_minor_is_still_shown_every_safety_finding_and_pointed_to_youth_help() -> None:
    profile = {
        "version": 1, "age": 16, "goal": "unsure",
        "substances": [{"substance": "opioids", "route": "smoked"}],
        "mental_health": {"suicidal_thoughts": True},
    }  # fmt: skip
    result = recommend(parse_profile(profile))
    assert result.adult is False
    assert {"crisis-support", "naloxone"} <= set(result.safety)
    assert any("adults" in str(step) for step in result.next_steps)


@pytest.mark.parametrize("rule", safety.RULES, ids=[r.id for r in safety.RULES])
def test_every_safety_rule_cites_its_fact_and_adds_only_public_ids(
    rule: safety.SafetyRule,
) -> None:
    assert rule.fact and rule.summary
    assert set(rule.adds) <= set(safety.SAFETY_IDS)


def test_every_safety_id_has_plain_words() -> None:
    assert set(safety.SAFETY_TEXT) == set(safety.SAFETY_IDS) == set(labels.SAFETY_TITLE)


def test_stopping_prescribed_opioids_is_planned_with_the_prescriber() -> None:
    profile = {
        "version": 1, "age": 45, "goal": "stop",
        "substances": [{"substance": "opioids", "prescribed": True, "days_used_past_30": 30}],
    }  # fmt: skip
    result = run(profile)
    assert {"no-self-taper", "naloxone"} <= set(result["safety"])
    # A pain prescription with no criteria met is not an opioid use disorder: no MOUD step.
    assert "medication-for-opioid-use-disorder" not in result["safety"]
    assert any("prescriber" in step for step in result["next_steps"])
    assert result["urgency"] != "none"


def test_tobacco_alone_never_calls_for_a_treatment_program() -> None:
    profile = {
        "version": 1, "age": 45, "goal": "stop", "support": {"stable_housing": False},
        "substances": [{"substance": "tobacco", "criteria": list(CRITERIA)}],
    }  # fmt: skip
    result = run(profile)
    assert result["severity"] == "severe"
    assert (result["urgency"], result["care_level"]) == ("consider", "brief-intervention")


def test_cannabis_withdrawal_beside_light_drinking_is_not_alcohol_withdrawal() -> None:
    profile = {
        "version": 1, "age": 30, "goal": "cut-down",
        "withdrawal_history": {"current_symptoms": True},
        "substances": [{"substance": "cannabis", "days_used_past_30": 30},
                       {"substance": "alcohol", "days_used_past_30": 3, "typical_amount": 2}],
    }  # fmt: skip
    assert "medically-supervised-withdrawal" not in run(profile)["safety"]


def test_men_over_65_get_the_cautious_audit_c_cut_off() -> None:
    base = {"version": 1, "sex": "male", "goal": "unsure", "instruments": {"audit-c": [1, 1, 1]},
            "substances": [{"substance": "alcohol"}]}  # fmt: skip
    assert run({**base, "age": 40})["urgency"] == "none"
    assert run({**base, "age": 70})["urgency"] == "consider"


def test_an_audit_escalation_item_calls_for_a_professional_whatever_the_zone() -> None:
    profile = {"version": 1, "age": 40, "goal": "cut-down",
               "substances": [{"substance": "alcohol"}],
               "instruments": {"audit": [1, 0, 0, 0, 0, 2, 0, 0, 0, 0]}}  # fmt: skip
    assert run(profile)["urgency"] == "recommended"


def test_daily_use_of_an_unnamed_drug_with_withdrawal_signs_is_treated_as_a_sedative() -> None:
    profile = {
        "version": 1, "age": 30, "goal": "stop",
        "withdrawal_history": {"current_symptoms": True},
        "substances": [{"substance": "other", "days_used_past_30": 28}],
    }  # fmt: skip
    assert {"medically-supervised-withdrawal", "no-self-taper"} <= set(run(profile)["safety"])


def test_only_prescribed_opioids_send_the_person_to_their_prescriber() -> None:
    profile = {
        "version": 1, "age": 30, "goal": "safer-use",
        "substances": [{"substance": "opioids", "route": "smoked"},
                       {"substance": "benzodiazepines", "days_used_past_30": 2}],
    }  # fmt: skip
    result = recommend(parse_profile(profile))
    assert "prescriber" not in str(result.urgency_reason)
