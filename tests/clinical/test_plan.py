"""Recovery plans: every safety item kept whatever the path, toolkit as the result warrants,
no home taper where one is refused, both stages on a staged path, and no doses or numbers."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.clinical.strategies import profiles
from tests.reference import load
from waymark.clinical import pathway, plan_support_text, plan_text
from waymark.clinical.pathway import recommend
from waymark.clinical.plan import (
    APPROACHES,
    HARM_REDUCTION_IDS,
    SECTIONS,
    STAGE_SIGNAL_WEEKS,
    Block,
    PlanDraft,
    Section,
    draft_plan,
)
from waymark.clinical.profile import Profile, parse_profile
from waymark.clinical.text import Message

VIGNETTES: list[dict[str, Any]] = load("vignettes.json")
CASES = [(v, approach) for v in VIGNETTES for approach in APPROACHES]
# Toolkit blocks that a safety id brings into the plan.
TOOLKIT_FOR = {
    "naloxone": "get-naloxone",
    "never-use-alone": "use-with-someone",
    "fentanyl-test-strips": "test-strips",
    "syringe-services": "syringe-services-testing",
    "medication-for-opioid-use-disorder": "moud",
    "medication-for-alcohol-use-disorder": "maud",
}
DOSE = re.compile(r"\d\s*(mg|ml)\b", re.IGNORECASE)
PHONE = re.compile(r"\b(911|988)\b|\d{3}\W{0,2}\d{3}\W?\d{4}|\b1-8\d\d\b")


def messages(value: object) -> Iterator[Message]:
    """Every Message in a draft, however deep."""
    if isinstance(value, Message):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from messages(getattr(value, field.name))
    elif isinstance(value, tuple | list):
        for item in value:
            yield from messages(item)


def section(draft: PlanDraft, section_id: str) -> Section | None:
    return next((s for s in draft.sections if s.id == section_id), None)


def block_ids(draft: PlanDraft, section_id: str) -> list[str]:
    found = section(draft, section_id)
    return [] if found is None else [block.id for block in found.blocks]


def block(draft: PlanDraft, section_id: str, block_id: str) -> Block:
    found = section(draft, section_id)
    assert found is not None, f"no {section_id} section"
    return next(b for b in found.blocks if b.id == block_id)


def text_of(item: object) -> str:
    return " ".join(str(message) for message in messages(item))


def draft_for(vignette: dict[str, Any], chosen: str | None = None) -> tuple[Profile, PlanDraft]:
    profile = parse_profile(vignette["profile"])
    return profile, draft_plan(profile, recommend(profile), chosen)


def by_name(name: str) -> dict[str, Any]:
    return next(v for v in VIGNETTES if v["name"] == name)


def check_plan(profile: Profile, chosen: str) -> PlanDraft:
    """The properties every draft has, for any profile and any chosen path."""
    result = recommend(profile)
    draft = draft_plan(profile, result, chosen)
    assert draft.chosen == chosen and draft.suggested == result.approach
    assert draft.safety == result.safety
    assert block_ids(draft, "safety") == list(result.safety)
    assert [s.id for s in draft.sections] == [s for s in SECTIONS if section(draft, s)]
    assert section(draft, "relapse-prevention") is not None
    for safety_id, block_id in TOOLKIT_FOR.items():
        if safety_id in result.safety:
            assert block_id in block_ids(draft, "toolkit"), f"{safety_id} without {block_id}"
    if "no-self-taper" in result.safety:
        assert draft.taper is None or (draft.taper.refused and draft.taper.steps == ())
    if chosen == "staged":
        assert [stage.id for stage in draft.stages] == ["now", "next"]
        assert all(stage.actions for stage in draft.stages) and draft.stage_signal is not None
    else:
        assert draft.stages == () and draft.stage_signal is None
    if chosen != "harm-reduction":
        assert "urge-surfing" in block_ids(draft, "abstinence-supports")
    for item in draft.sections:
        assert item.blocks and all(b.fact and str(b.title) for b in item.blocks)
        assert all(b.lines in (None, "help", "harm-reduction") for b in item.blocks)
    for message in messages(draft):
        said = str(message)
        assert said.strip() and "%(" not in said
        assert not DOSE.search(said), f"a dose in {said!r}"
        assert not PHONE.search(said), f"a phone number in {said!r}"
    return draft


@pytest.mark.parametrize(("vignette", "chosen"), CASES, ids=[f"{v['name']}-{a}" for v, a in CASES])
def test_the_plan_for_each_vignette_keeps_every_safety_item_on_any_path(
    vignette: dict[str, Any], chosen: str
) -> None:
    check_plan(parse_profile(vignette["profile"]), chosen)


@pytest.mark.parametrize("vignette", VIGNETTES, ids=[v["name"] for v in VIGNETTES])
def test_without_a_choice_the_plan_follows_the_suggested_path(vignette: dict[str, Any]) -> None:
    profile, draft = draft_for(vignette)
    assert draft.chosen == draft.suggested == recommend(profile).approach


@settings(max_examples=150, deadline=None)
@given(profile=profiles(), chosen=st.sampled_from(APPROACHES))
def test_any_profile_on_any_path_gives_a_safe_complete_plan(
    profile: dict[str, Any], chosen: str
) -> None:
    check_plan(parse_profile(profile), chosen)


def test_an_unknown_path_is_an_error() -> None:
    profile, _ = draft_for(VIGNETTES[0])
    with pytest.raises(ValueError, match="unknown approach"):
        draft_plan(profile, recommend(profile), "moderation")


def test_the_paths_are_the_path_engines() -> None:
    assert APPROACHES == pathway.APPROACHES


def test_heavy_drinking_with_seizures_gets_no_schedule_and_the_danger_signs() -> None:
    _, draft = draft_for(by_name("heavy drinking with withdrawal seizures, wants to stop"))
    assert draft.taper is not None and draft.taper.refused
    refused = block(draft, "toolkit", "taper")
    assert refused.lines == "help" and "supervised withdrawal" in text_of(refused)
    withdrawal = block(draft, "safety", "medically-supervised-withdrawal")
    assert withdrawal.lines == "help" and "seizure" in text_of(withdrawal)
    assert "maud" in block_ids(draft, "toolkit")
    assert "Talk to a doctor before stopping again" in text_of(draft.personal)


def test_injecting_fentanyl_on_harm_reduction_gets_the_whole_toolkit() -> None:
    _, draft = draft_for(by_name("injects fentanyl, not ready to stop"))
    toolkit = block_ids(draft, "toolkit")
    for block_id in ("get-naloxone", "use-with-someone", "test-strips", "syringe-services-testing"):
        assert block_id in toolkit
    assert {"moud", "safer-opioids"} <= set(toolkit)
    assert block(draft, "toolkit", "use-with-someone").lines == "harm-reduction"
    naloxone = block(draft, "safety", "naloxone")
    assert naloxone.lines == "help" and len(naloxone.steps) >= 5
    assert "Call emergency services" in str(naloxone.steps[0])
    assert "drinking-limits" not in toolkit and draft.taper is None


def test_a_weekend_drinker_gets_the_womens_limits_and_no_daily_schedule() -> None:
    _, draft = draft_for(by_name("weekend drinker over limits, wants to cut down"))
    limits = text_of(block(draft, "toolkit", "drinking-limits"))
    assert "No more than 3 standard drinks on any day" in limits
    assert "No more than 7 standard drinks in a week" in limits
    assert "drink-free days" in limits
    assert draft.taper is None and section(draft, "safety") is None


def test_without_sex_the_more_careful_limits_apply() -> None:
    profile = parse_profile(
        {"version": 1, "age": 40, "goal": "cut-down",
         "substances": [{"substance": "alcohol", "days_used_past_30": 10, "typical_amount": 6}]}
    )  # fmt: skip
    limits = text_of(block(draft_plan(profile, recommend(profile)), "toolkit", "drinking-limits"))
    assert "No more than 3 standard drinks" in limits and "did not tell us your sex" in limits


def test_a_man_drinking_daily_without_danger_signs_gets_a_schedule_to_his_limit() -> None:
    profile = parse_profile(
        {"version": 1, "age": 40, "sex": "male", "goal": "cut-down",
         "substances": [{"substance": "alcohol", "days_used_past_30": 25, "typical_amount": 8}]}
    )  # fmt: skip
    draft = draft_plan(profile, recommend(profile))
    assert draft.taper is not None and not draft.taper.refused
    assert draft.taper.steps[0].limit == 8 and draft.taper.steps[-1].limit == 4
    assert "from 8 to 4 standard drinks" in text_of(block(draft, "toolkit", "taper"))
    abstinence = draft_plan(profile, recommend(profile), "abstinence")
    assert abstinence.taper is not None and abstinence.taper.steps[-1].limit == 0


def test_a_schedule_never_stands_beside_a_no_self_taper_finding_raised_for_opioids() -> None:
    profile = parse_profile(
        {"version": 1, "age": 40, "sex": "male", "goal": "cut-down",
         "substances": [{"substance": "alcohol", "days_used_past_30": 25, "typical_amount": 8},
                        {"substance": "opioids", "prescribed": True}]}
    )  # fmt: skip
    result = recommend(profile)
    assert "no-self-taper" in result.safety
    draft = draft_plan(profile, result)
    assert draft.taper is not None and draft.taper.refused and draft.taper.steps == ()


def test_liver_disease_on_a_staged_path_refuses_the_schedule_and_says_why() -> None:
    _, draft = draft_for(by_name("liver disease, wants to cut down"))
    assert draft.chosen == "staged" and draft.taper is not None and draft.taper.refused
    assert "liver disease" in text_of(block(draft, "toolkit", "drinking-limits"))
    assert "abstinence-safer" in block_ids(draft, "toolkit")
    now = " ".join(str(action) for action in draft.stages[0].actions)
    assert "doctor" in now and "drink-free" not in now
    assert str(STAGE_SIGNAL_WEEKS) in str(draft.stage_signal)


def test_pregnancy_with_opioids_says_do_not_stop_suddenly() -> None:
    _, draft = draft_for(by_name("pregnant, uses opioids"))
    pregnancy = text_of(block(draft, "safety", "pregnancy-care"))
    assert "Do not stop opioids suddenly" in pregnancy
    assert "standard care in pregnancy" in pregnancy


def test_after_a_break_from_opioids_a_slip_warns_of_lost_tolerance() -> None:
    _, draft = draft_for(by_name("out of detox two weeks, opioid cravings"))
    assert "tolerance is lower" in text_of(block(draft, "relapse-prevention", "after-a-slip"))
    assert "reduced-tolerance" in block_ids(draft, "safety")


def test_the_lost_tolerance_warning_after_a_slip_is_only_for_opioids() -> None:
    _, draft = draft_for(by_name("weekend drinker over limits, wants to cut down"))
    slip = text_of(block(draft, "relapse-prevention", "after-a-slip"))
    assert "information, not failure" in slip and "tolerance" not in slip


def test_suicidal_thoughts_bring_a_crisis_block_and_plan_with_the_help_lines() -> None:
    _, draft = draft_for(by_name("suicidal thoughts on PHQ-9 while drinking lightly"))
    assert block(draft, "safety", "crisis-support").lines == "help"
    assert block(draft, "relapse-prevention", "crisis-plan").lines == "help"
    assert "Tell my doctor or counsellor about my thoughts" in text_of(draft.personal)


def test_benzodiazepines_never_get_a_schedule_on_any_path() -> None:
    vignette = by_name("daily non-prescribed benzodiazepines, wants to stop")
    for chosen in APPROACHES:
        _, draft = draft_for(vignette, chosen)
        assert draft.taper is None
        assert "reduced slowly" in text_of(block(draft, "safety", "no-self-taper"))


def test_abstinence_leaves_out_safer_use_and_drinking_limits() -> None:
    _, draft = draft_for(by_name("many returns to use, low confidence, wants to stop"))
    assert draft.chosen == "abstinence"
    toolkit = block_ids(draft, "toolkit")
    assert "drinking-limits" not in toolkit and not any(b.startswith("safer-") for b in toolkit)
    assert set(block_ids(draft, "abstinence-supports")) >= {
        "urge-surfing", "delay-distract-decide", "halt", "triggers", "support-network",
        "meetings", "activities",
    }  # fmt: skip


def test_harm_reduction_gets_the_lighter_supports() -> None:
    _, draft = draft_for(by_name("occasional cannabis, no problems"))
    supports = section(draft, "abstinence-supports")
    assert supports is not None and "urge-surfing" not in block_ids(draft, "abstinence-supports")
    assert "safer-cannabis" in block_ids(draft, "toolkit")


def test_no_harm_reduction_item_and_abstinence_means_no_toolkit() -> None:
    profile = parse_profile(
        {"version": 1, "age": 40, "goal": "stop", "substances": [{"substance": "cannabis"}]}
    )
    result = recommend(profile)
    assert not set(result.safety) & set(HARM_REDUCTION_IDS)
    assert section(draft_plan(profile, result), "toolkit") is None


def test_medication_is_never_given_as_a_dose() -> None:
    for words in (plan_text, plan_support_text):
        for name, value in vars(words).items():
            for said in value if isinstance(value, tuple) else [value]:
                if isinstance(said, str):
                    assert not DOSE.search(said), f"{name}: {said}"


def test_the_suggestions_are_tailored_to_the_substance_and_path() -> None:
    _, drinking = draft_for(by_name("weekend drinker over limits, wants to cut down"))
    assert "Payday" in [str(t) for t in drinking.personal.triggers]
    assert "Moderation Management" in [str(m) for m in drinking.personal.meetings]
    _, opioids = draft_for(by_name("injects fentanyl, not ready to stop"))
    assert "Carry naloxone every time" in [str(g) for g in opioids.personal.goals]
    _, stopping = draft_for(by_name("heavy drinking with withdrawal seizures, wants to stop"))
    assert "Alcoholics Anonymous (AA)" in [str(m) for m in stopping.personal.meetings]
    assert 'Thinking "just one won\'t matter"' in [str(w) for w in stopping.personal.warning_signs]


def test_no_drinking_limit_numbers_where_the_limits_are_not_for_the_person() -> None:
    from waymark.clinical.pathway import recommend as _recommend
    from waymark.clinical.profile import parse_profile as _parse

    profile = _parse(
        {"version": 1, "age": 50, "goal": "cut-down", "health": ["liver-disease"],
         "substances": [{"substance": "alcohol", "days_used_past_30": 4, "typical_amount": 3}]}
    )  # fmt: skip
    draft = draft_plan(profile, _recommend(profile), "harm-reduction")
    limits = [b for s in draft.sections for b in s.blocks if b.id == "drinking-limits"]
    assert limits, "a harm-reduction plan for a drinker has the limits block"
    assert not any("No more than" in str(bullet) for bullet in limits[0].bullets)
