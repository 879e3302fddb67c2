"""The safety invariants (PRODUCT.md, "Always true") over generated v1 and v2 profiles.

Everything Waymark says reads one risk model, so no two outputs may contradict: the urgency,
the care level, the safety findings, the next steps, the plan on every path (its drinking limit,
taper and goals), the wallet card and `waymark taper`. Each test states one invariant; the
regression tests at the end are profiles an earlier version got wrong.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from tests.clinical.strategies import any_profiles
from waymark.clinical import risk, safety
from waymark.clinical.care import CARE_LEVELS, URGENCY_LEVELS
from waymark.clinical.pathway import Recommendation, recommend
from waymark.clinical.plan import APPROACHES, WALLET_ORDER, PlanDraft, draft_plan
from waymark.clinical.profile import Profile, parse_profile
from waymark.clinical.progress import plan_targets
from waymark.clinical.taper import taper

EXAMPLES = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SEDATING = ("alcohol", "benzodiazepines")


def at_least(level: str, floor: str, levels: tuple[str, ...]) -> bool:
    return levels.index(level) >= levels.index(floor)


def everything(data: dict[str, Any]) -> tuple[Profile, Recommendation, dict[str, PlanDraft]]:
    profile = parse_profile(data)
    result = recommend(profile)
    plans = {path: draft_plan(profile, result, path) for path in APPROACHES}
    return profile, result, plans


def steps(result: Recommendation) -> list[str]:
    return [step.template for step in result.next_steps]


def plan_text(plan: PlanDraft) -> str:
    return " ".join(str(goal) for goal in plan.personal.goals)


@EXAMPLES
@given(data=any_profiles())
def test_the_risk_model_is_well_formed(data: dict[str, Any]) -> None:
    _, result, _ = everything(data)
    for dimension in risk.DIMENSIONS:
        found = getattr(result.risks, dimension)
        assert found.level in risk.LEVELS
        assert (found.level == "none") == (not found.reasons)
    public = result.as_dict()
    assert set(public["risks"]) == {*risk.DIMENSIONS, "reasons"}
    assert public["urgency"] in URGENCY_LEVELS and public["care_level"] in CARE_LEVELS
    assert set(public["safety"]) <= set(safety.SAFETY_IDS)
    assert all(score["meaning"] for score in public["scores"])


@EXAMPLES
@given(data=any_profiles())
def test_withdrawal_risk_drives_every_withdrawal_output(data: dict[str, Any]) -> None:
    _profile, result, plans = everything(data)
    level, ids, texts = result.risks.withdrawal.level, set(result.safety), steps(result)
    assert ("medically-supervised-withdrawal" in ids) == (level != "none")
    if level == "high":
        assert "no-self-taper" in ids
        assert at_least(result.urgency, "recommended", URGENCY_LEVELS)
        assert at_least(result.care_level, "outpatient", CARE_LEVELS)
    if level == "possible":
        assert at_least(result.urgency, "recommended", URGENCY_LEVELS)
    severity_reason = next(f.reason.template for f in result.factors if f.factor == "severity")
    if level != "none":
        assert "cutting down is a realistic goal" not in severity_reason
        # Never an abrupt stop of one's own: no "choose a start date".
        assert not any(text.startswith("Choose a start date") for text in texts)
    if level == "high" or "no-self-taper" in ids:
        assert not any(text.startswith("Set a lower limit") for text in texts)
        for plan in plans.values():
            assert plan.drinking_limit is None
            assert plan.taper is None or plan.taper.refused
            assert "No more than" not in plan_text(plan)
            assert "Drink less" not in plan_text(plan)


@EXAMPLES
@given(data=any_profiles())
def test_the_drinking_limit_is_none_whenever_a_number_is_unsafe(data: dict[str, Any]) -> None:
    _profile, result, plans = everything(data)
    model = result.risks
    for path, plan in plans.items():
        unsafe = (
            path == "abstinence"
            or model.withdrawal.level == "high"
            or model.pregnant
            or model.under_18
            or not model.drinks_now
            or "no-self-taper" in result.safety
        )
        if unsafe:
            assert plan.drinking_limit is None, path
        if plan.drinking_limit is None:
            assert "No more than" not in plan_text(plan)
        else:
            assert plan.as_dict()["drinking_limit"]["per_day"] == plan.drinking_limit[0]
        if plan.taper is not None and not plan.taper.refused:
            assert model.withdrawal.level != "high" and "no-self-taper" not in result.safety


@EXAMPLES
@given(data=any_profiles())
def test_the_progress_chart_shows_only_the_plan_s_own_numbers(data: dict[str, Any]) -> None:
    profile, result, plans = everything(data)
    for path, plan in plans.items():
        targets = plan_targets(profile, result, path, plan.taper, date(2026, 1, 1))
        if targets is None:
            continue
        assert result.risks.withdrawal.level != "high" and "no-self-taper" not in result.safety
        if targets.steps:
            assert plan.taper is not None and targets.steps == plan.taper.steps
        elif path == "abstinence":
            assert targets.after == 0 and result.risks.stopping_is_safe
        else:
            assert plan.drinking_limit is not None and targets.after == plan.drinking_limit[0]


@EXAMPLES
@given(data=any_profiles())
def test_a_taper_is_refused_whenever_withdrawal_risk_is_high(data: dict[str, Any]) -> None:
    profile, result, _ = everything(data)
    schedule = taper(6, 2, profile=profile)
    if result.risks.withdrawal.level == "high" or result.risks.under_18:
        assert schedule.refused
    if not profile.uses("alcohol"):
        assert schedule.refused
    if profile.pregnant or profile.health & {"liver-disease", "seizure-disorder"}:
        assert schedule.refused
    if not schedule.refused:
        assert schedule.steps[-1].limit == 2
        start = Decimal(6)
        assert all(
            Decimal(str(a.limit)) - Decimal(str(b.limit)) <= start / 10
            for a, b in zip(schedule.steps, schedule.steps[1:], strict=False)
        )


@EXAMPLES
@given(data=any_profiles())
def test_mental_health_risk_is_never_left_unsaid(data: dict[str, Any]) -> None:
    _, result, plans = everything(data)
    level = result.risks.mental_health.level
    assert ("crisis-support" in result.safety) == (level == "high")
    if level == "high":
        assert result.urgency == "urgent"
        for plan in plans.values():
            assert plan.wallet[0].id == "crisis-support"
    if level == "possible":
        assert any("mood" in text for text in steps(result))
        assert at_least(result.urgency, "consider", URGENCY_LEVELS)


@EXAMPLES
@given(data=any_profiles())
def test_overdose_protections_follow_the_model(data: dict[str, Any]) -> None:
    profile, result, _ = everything(data)
    ids, model = set(result.safety), result.risks
    if profile.uses("opioids"):
        assert "naloxone" in ids
    stimulants = model.state("stimulants")
    if stimulants is not None and stimulants.street:
        assert {"naloxone", "never-use-alone", "fentanyl-test-strips"} <= ids
    opioids = profile.use_of("opioids")
    sedative = (
        profile.uses(*SEDATING)
        or "taking-sedating-medication" in profile.health
        or any(use.kinds & risk.SEDATING_KINDS for use in profile.substances)
    )
    if opioids is not None and sedative:
        assert "polysubstance-overdose-risk" in ids
    if opioids is not None and (
        profile.recent_release
        or (opioids.last_use_days_ago is not None and opioids.last_use_days_ago >= 3)
    ):
        assert "reduced-tolerance" in ids
    if model.overdose.level == "high":
        assert at_least(result.urgency, "recommended", URGENCY_LEVELS)
        assert "naloxone" in ids


@EXAMPLES
@given(data=any_profiles())
def test_medication_for_opioids_is_kept_and_never_withdrawn(data: dict[str, Any]) -> None:
    profile, result, plans = everything(data)
    ids, texts = set(result.safety), steps(result)
    opioids = profile.use_of("opioids")
    on_moud = opioids is not None and opioids.moud
    assert ("continue-moud" in ids) == on_moud
    if on_moud:
        assert any(text.startswith("Keep taking your methadone") for text in texts)
        assert not any(text.startswith("Ask about medication for opioid") for text in texts)
        for plan in plans.values():
            assert "Ask about buprenorphine or methadone" not in plan_text(plan)
    if profile.pregnant and opioids is not None:
        assert {"pregnancy-care", "medication-for-opioid-use-disorder", "no-self-taper"} <= ids
        medication = ("Keep taking your methadone", "Ask about medication for opioid")
        assert any(text.startswith(medication) for text in texts)
    pain_only = opioids is not None and opioids.prescribed and not opioids.moud
    if pain_only and opioids and len(opioids.counted_criteria) < 2 and not profile.pregnant:
        # A pain prescription with no use disorder suggested is not treated as one.
        assert "medication-for-opioid-use-disorder" not in ids


@EXAMPLES
@given(data=any_profiles())
def test_under_18_gets_youth_rules_only(data: dict[str, Any]) -> None:
    profile, result, plans = everything(data)
    if profile.age >= 18:
        assert "under-18" not in result.safety
        return
    assert "under-18" in result.safety and result.approach == "abstinence"
    for plan in plans.values():
        assert plan.drinking_limit is None and plan.taper is None
    regular = any(
        use.substance != "tobacco" and (use.days_used_past_30 is None or use.days_used_past_30 >= 4)
        for use in profile.substances
    )
    if regular:
        assert at_least(result.urgency, "consider", URGENCY_LEVELS)


@EXAMPLES
@given(data=any_profiles())
def test_the_wallet_card_leads_with_the_person_s_own_dangers(data: dict[str, Any]) -> None:
    _, result, plans = everything(data)
    for plan in plans.values():
        ids = [danger.id for danger in plan.wallet]
        assert set(ids) <= set(result.safety)
        assert ids == [i for i in WALLET_ORDER if i in ids]
        assert ids == [i for i in WALLET_ORDER if i in result.safety]
        assert all(danger.lines for danger in plan.wallet)
        assert plan.safety == result.safety


@EXAMPLES
@given(data=any_profiles())
def test_pregnancy_always_brings_care_and_stopping_is_encouraged_where_safe(
    data: dict[str, Any],
) -> None:
    profile, result, _plans = everything(data)
    if not profile.pregnant:
        return
    assert "pregnancy-care" in result.safety
    assert not any(text.startswith("Set a lower limit") for text in steps(result))
    assert at_least(result.urgency, "recommended", URGENCY_LEVELS)
    assert result.abstinence_safer
    if result.risks.stopping_is_safe and not profile.uses("opioids"):
        assert "no-self-taper" not in result.safety


@EXAMPLES
@given(data=any_profiles())
def test_stopping_now_is_never_called_safe_beside_no_home_taper(data: dict[str, Any]) -> None:
    """A sedative of unknown amount (a z-drug, GHB, a benzodiazepine) has no withdrawal level,
    yet is stopped only with a clinician: no step or goal may say to stop now on one's own.
    (Opioids' `no-self-taper` asks for a clinician's help with medication, beside a start
    date: a separate rule, `opioid-change`.)"""
    _profile, result, plans = everything(data)
    if not result.risks.uses_sedatives:
        return
    assert "no-self-taper" in result.safety and not result.risks.stopping_is_safe
    assert not any(text.startswith("Stopping now is safe") for text in steps(result))
    assert not any(text.startswith("Choose a start date") for text in steps(result))
    for plan in plans.values():
        assert "Stop drinking and using now" not in plan_text(plan)


# Regressions: the independent review's people, and shrunk failures -------------------------


def _v2(**data: Any) -> dict[str, Any]:
    return {"version": 2, "goal": "cut-down", **data}


def test_ten_to_seventeen_drinks_almost_daily_is_possible_withdrawal_not_a_start_date() -> None:
    _, result, _plans = everything(
        _v2(age=40, sex="male", goal="stop",
            substances=[{"substance": "alcohol", "days_used_past_30": 27, "typical_amount": 12}])
    )  # fmt: skip
    assert result.risks.withdrawal.level == "possible"
    assert result.urgency == "recommended"
    assert "medically-supervised-withdrawal" in result.safety
    assert not any(text.startswith("Choose a start date") for text in steps(result))


def test_daily_street_opioids_wanting_to_stop_get_urgency_and_medication() -> None:
    _, result, _ = everything(
        _v2(age=30, goal="stop",
            substances=[{"substance": "opioids", "days_used_past_30": 30, "route": "smoked"}])
    )  # fmt: skip
    assert result.risks.overdose.level == "high"
    assert at_least(result.urgency, "recommended", URGENCY_LEVELS)
    assert "medication-for-opioid-use-disorder" in result.safety


def test_pregnant_on_methadone_keeps_it_and_is_not_sent_to_withdrawal() -> None:
    _, result, plans = everything(
        _v2(age=31, sex="female", pregnant=True, goal="stop",
            substances=[{"substance": "opioids", "moud": True, "days_used_past_30": 30}])
    )  # fmt: skip
    assert "continue-moud" in result.safety
    assert "medically-supervised-withdrawal" not in result.safety
    assert any(text.startswith("Keep taking your methadone") for text in steps(result))
    assert "keep taking my methadone" in plan_text(plans["abstinence"]).lower()


def test_a_twelve_year_old_gets_no_adult_taper_or_limits() -> None:
    profile, result, plans = everything(
        _v2(age=12, substances=[{"substance": "alcohol", "days_used_past_30": 20,
                                 "typical_amount": 6}])
    )  # fmt: skip
    assert "under-18" in result.safety
    assert all(plan.drinking_limit is None and plan.taper is None for plan in plans.values())
    assert taper(6, 0, profile=profile).refused


@pytest.mark.parametrize("kind", ["gabapentinoids", "ghb", "z-drugs"])
def test_opioids_with_a_sedating_other_drug_bring_the_combined_warning(kind: str) -> None:
    _, result, _ = everything(
        _v2(age=35, substances=[{"substance": "opioids", "days_used_past_30": 10},
                                {"substance": "other", "kinds": [kind]}])
    )  # fmt: skip
    assert "polysubstance-overdose-risk" in result.safety


def test_street_stimulants_bring_never_use_alone() -> None:
    _, result, _ = everything(_v2(age=25, substances=[{"substance": "stimulants"}]))
    assert {"never-use-alone", "naloxone", "fentanyl-test-strips"} <= set(result.safety)


def test_a_five_day_opioid_break_lowers_tolerance() -> None:
    _, result, _ = everything(
        _v2(age=35, goal="safer-use",
            substances=[{"substance": "opioids", "last_use_days_ago": 5}])
    )  # fmt: skip
    assert "reduced-tolerance" in result.safety


def test_no_alcohol_schedule_for_someone_who_does_not_drink() -> None:
    profile = parse_profile(_v2(age=35, substances=[{"substance": "cannabis"}]))
    assert taper(6, 2, profile=profile).refused


def test_past_seizures_and_cutting_down_gets_no_limit_of_his_own() -> None:
    _, result, plans = everything(
        _v2(age=58, sex="male", withdrawal_history={"seizures": True},
            substances=[{"substance": "alcohol", "days_used_past_30": 30, "typical_amount": 14}])
    )  # fmt: skip
    assert result.risks.withdrawal.level == "high"
    plan = plans[result.approach]
    assert plan.drinking_limit is None and "No more than" not in plan_text(plan)
    assert plan.wallet[0].id == "medically-supervised-withdrawal"
    assert "naloxone" not in [danger.id for danger in plan.wallet]


def test_pregnant_and_not_dependent_is_encouraged_to_stop_now() -> None:
    _, result, plans = everything(
        _v2(age=28, sex="female", pregnant=True, goal="unsure",
            substances=[{"substance": "alcohol", "days_used_past_30": 4, "typical_amount": 2}])
    )  # fmt: skip
    assert "no-self-taper" not in result.safety
    assert result.risks.withdrawal.level == "none"
    assert "now" in plan_text(plans["abstinence"])


def test_three_weeks_abstinent_after_hospital_is_not_told_not_to_stop() -> None:
    _, result, _ = everything(
        _v2(age=50, goal="stop", recent_release=True, withdrawal_history={"seizures": True},
            substances=[{"substance": "alcohol", "days_used_past_30": 9, "typical_amount": 12,
                         "last_use_days_ago": 21, "criteria": ["withdrawal", "tolerance"]}])
    )  # fmt: skip
    assert result.risks.withdrawal.level == "none"
    assert "medically-supervised-withdrawal" not in result.safety
    assert not any("stop suddenly" in text for text in steps(result))


def test_moderate_depression_and_anxiety_are_told() -> None:
    _, result, _ = everything(
        _v2(age=40, substances=[{"substance": "alcohol", "days_used_past_30": 8}],
            instruments={"phq-9": [2, 2, 1, 1, 1, 1, 1, 2, 0], "gad-7": [2, 2, 1, 2, 1, 2, 1]})
    )  # fmt: skip
    assert result.risks.mental_health.level == "possible"
    assert any("mood" in text for text in steps(result))
    assert {s.instrument for s in result.scores} == {"phq-9", "gad-7"}


@pytest.mark.parametrize(
    "use",
    [
        {"substance": "benzodiazepines"},
        {"substance": "other", "kinds": ["z-drugs"]},
        {"substance": "other", "kinds": ["ghb"]},
    ],
)
def test_a_sedative_of_unknown_amount_in_pregnancy_is_stopped_with_a_doctor(
    use: dict[str, Any],
) -> None:
    """Shrunk from a property-test failure: with no amount given there is no withdrawal level,
    and the plan had said "Stopping now is safe ... for the baby" beside "no home taper"."""
    data = {"version": 2, "age": 30, "pregnant": True, "goal": "stop", "substances": [use]}
    _profile, result, plans = everything(data)
    assert "no-self-taper" in result.safety and not result.risks.stopping_is_safe
    assert any(text.startswith("Plan stopping together with a doctor") for text in steps(result))
    assert not any(text.startswith("Stopping now is safe") for text in steps(result))
    assert "Stop drinking and using now" not in plan_text(plans["abstinence"])
