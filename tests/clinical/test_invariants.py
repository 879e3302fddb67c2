"""The safety invariants (PRODUCT.md, "Always true") over generated v1 and v2 profiles.

Everything Waymark says reads one risk model, so no two outputs may contradict: the urgency,
the care level, the safety findings, the next steps, the plan on every path (its drinking limit,
taper and goals), the wallet card and `waymark taper`. Each test states one invariant; the
regression tests at the end are profiles an earlier version got wrong.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from tests.clinical.strategies import any_profiles
from waymark.clinical import alerts, risk, safety
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
    # Every instrument in the profile, scored (CONTRACTS.md §3b), short forms included.
    assert [score["instrument"] for score in public["scores"]] == list(
        parse_profile(data).instruments
    )


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
            # No drink from the first day: stopping alcohol carries no withdrawal danger (other
            # substances, such as opioids, may still be stopped with a clinician).
            assert targets.after == 0 and result.risks.withdrawal.level == "none"
            assert not result.risks.uses_sedatives
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
        assert {"pregnancy-care", "medication-for-opioid-use-disorder"} <= ids
        # Not to be stopped suddenly while used now (not after a month without them).
        assert ("no-self-taper" in ids) or not result.risks.using("opioids")
        medication = ("Keep taking your methadone", "Ask about medication for opioid")
        assert any(text.startswith(medication) for text in texts)
    pain_only = opioids is not None and opioids.prescribed and not opioids.moud
    if pain_only and opioids and len(opioids.counted_criteria) < 2 and not profile.pregnant:
        # A pain prescription with no use disorder suggested is not treated as one.
        assert "medication-for-opioid-use-disorder" not in ids


@EXAMPLES
@given(data=any_profiles())
def test_pregnancy_with_harmful_use_is_urgent_and_raised_to_the_clinician(
    data: dict[str, Any],
) -> None:
    """One fact of the risk model gives the urgency and the clinic's alert together."""
    _profile, result, _plans = everything(data)
    model = result.risks
    on = date(2026, 3, 20)
    checkup = alerts.CheckUp(on, pregnant_and_using=model.pregnant_and_using)
    raised = {a.id for a in alerts.evaluate(alerts.Record(on, checkups=(checkup,)))}
    assert ("pregnant-and-using" in raised) == model.pregnant_and_using
    if model.pregnant_and_using:
        assert result.urgency == "urgent" and "pregnancy-care" in result.safety
    if not model.pregnant:
        assert not model.pregnant_and_using


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
    # No factor says an adult's goal of using less suits them (it had: "cutting down is a
    # realistic goal" beside "no limits, schedules or plans").
    assert not any("cutting down is realistic" in f.reason.template for f in result.factors)
    assert not any("cutting down is a realistic" in f.reason.template for f in result.factors)
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


# What a step, a stage or a goal says to stop on one's own, now or on a date of one's own.
OWN_STOP = (
    "Stopping now is safe",
    "Choose a start date",
    "Choose a date to try stopping",
    "Stop drinking and using now",
    "Try a period of not using",
)


def everything_said(result: Recommendation, plans: dict[str, PlanDraft]) -> list[str]:
    """The next steps, and every plan's goals and stages, in English."""
    said = [str(step) for step in result.next_steps]
    for plan in plans.values():
        said += [str(goal) for goal in plan.personal.goals]
        said += [str(action) for stage in plan.stages for action in stage.actions]
        said += [str(plan.stage_signal)] if plan.stage_signal is not None else []
    return said


@EXAMPLES
@given(data=any_profiles())
def test_no_own_stop_beside_a_finding_that_asks_for_a_clinician(data: dict[str, Any]) -> None:
    """Wherever `no-self-taper` is found (a sedative; opioids in pregnancy; methadone,
    buprenorphine or prescribed opioids; a plan to stop opioids) or opioids are used now,
    stopping on one's own is not safe, and no step, stage or goal on any path says it is or
    offers a date of one's own (FACTS.md §4.2, §4.3, §11.2)."""
    _profile, result, plans = everything(data)
    if "no-self-taper" not in result.safety and not result.risks.stops_opioids_with_clinician:
        return
    assert not result.risks.stopping_is_safe
    for text in everything_said(result, plans):
        assert not text.startswith(OWN_STOP), text
        assert "You decide when" not in text, text  # the staged plan's move to stopping


@EXAMPLES
@given(data=any_profiles())
def test_opioids_used_now_always_bring_the_tolerance_warning_and_naloxone(
    data: dict[str, Any],
) -> None:
    """Whatever the goal, the path may be stopping, and any break lowers tolerance; opioids
    not prescribed also bring medication for opioid use disorder (FACTS.md §4.3, §11.3)."""
    profile, result, _plans = everything(data)
    if not result.risks.using("opioids"):
        return
    assert {"reduced-tolerance", "naloxone"} <= set(result.safety)
    use = profile.use_of("opioids")
    assert use is not None
    if not use.prescribed and not use.moud:
        assert "medication-for-opioid-use-disorder" in result.safety


@EXAMPLES
@given(data=any_profiles())
def test_an_opioid_stop_plan_always_shows_the_overdose_protections(data: dict[str, Any]) -> None:
    """FACTS.md §11.3: any goal of quitting opioids always shows the tolerance warning,
    naloxone, the never-use-alone line and fentanyl test strips (on methadone, buprenorphine
    or a prescription too); the wallet card carries never-use-alone."""
    profile, result, plans = everything(data)
    if not profile.uses("opioids") or profile.goal not in ("stop", "cut-down"):
        return
    found = {"reduced-tolerance", "naloxone", "never-use-alone", "fentanyl-test-strips"}
    assert found <= set(result.safety)
    for plan in plans.values():
        assert plan.shows_harm_reduction_lines
        assert "never-use-alone" in {danger.id for danger in plan.wallet}


@EXAMPLES
@given(data=any_profiles())
def test_a_plan_names_the_withdrawal_risk_only_where_there_is_one(data: dict[str, Any]) -> None:
    """Where withdrawal is possible or high, nothing offers stopping on one day on one's own
    (FACTS.md §11.2); where it is none, no plan blames a withdrawal risk."""
    _profile, result, plans = everything(data)
    for plan in plans.values():
        text = json.dumps(plan.as_dict(), ensure_ascii=False)
        if result.risks.supervised_withdrawal:
            assert "If you stop on one day" not in text
            assert "less is fine, as long as you feel well" not in text
        else:
            assert "with the withdrawal risk in your answers" not in text


# Regressions: the independent review's people, and shrunk failures -------------------------


@pytest.mark.parametrize(
    "substances",
    [
        [{"substance": "opioids", "days_used_past_30": 30}],
        [{"substance": "opioids", "moud": True, "days_used_past_30": 30}],
        [{"substance": "alcohol", "primary": True, "days_used_past_30": 4, "typical_amount": 2},
         {"substance": "opioids", "days_used_past_30": 30}],
    ],
    ids=["street-opioids", "methadone", "light-drinking-and-opioids"],
)  # fmt: skip
def test_pregnant_with_opioids_is_never_told_stopping_now_is_safe(
    substances: list[dict[str, Any]],
) -> None:
    """Review, December 2026: "Stopping now is safe for you and the best choice for the baby"
    and "Stop drinking and using now" beside "do not stop opioids suddenly"."""
    _, result, plans = everything(
        _v2(age=28, sex="female", pregnant=True, goal="stop", substances=substances)
    )
    said = everything_said(result, plans)
    assert not any(text.startswith(OWN_STOP) for text in said)
    assert "no-self-taper" in result.safety and "pregnancy-care" in result.safety


@pytest.mark.parametrize("use", [{"prescribed": True}, {"moud": True}], ids=["pain", "moud"])
def test_prescribed_opioids_or_methadone_are_changed_with_the_prescriber(
    use: dict[str, Any],
) -> None:
    _, result, plans = everything(
        _v2(age=45, goal="stop",
            substances=[{"substance": "opioids", "days_used_past_30": 30, **use}])
    )  # fmt: skip
    said = everything_said(result, plans)
    assert not any(text.startswith(OWN_STOP) for text in said)
    assert any("prescriber" in str(step) for step in result.next_steps)


def test_opioids_with_an_unsure_goal_still_get_tolerance_and_medication() -> None:
    """Review: goal unsure, ready, street opioids 10 days a month: Waymark suggested stopping
    with no lost-tolerance warning and no word on medication."""
    _, result, plans = everything(
        _v2(age=35, goal="unsure", readiness={"readiness": 9, "confidence": 9},
            support={"supportive_people": 3, "substance_free_home": True},
            substances=[{"substance": "opioids", "days_used_past_30": 10}])
    )  # fmt: skip
    assert {"reduced-tolerance", "naloxone", "medication-for-opioid-use-disorder"} <= set(
        result.safety
    )
    assert not any(text.startswith(OWN_STOP) for text in everything_said(result, plans))


def test_sedatives_on_the_staged_path_get_no_date_of_their_own() -> None:
    """Review: a prescribed benzodiazepine, staged path: "Choose a date to try stopping" and
    "Try a period of not using" beside `no-self-taper`."""
    profile = parse_profile(
        _v2(age=45, health=["taking-sedating-medication"],
            substances=[{"substance": "benzodiazepines", "prescribed": True}])
    )  # fmt: skip
    result = recommend(profile)
    staged = draft_plan(profile, result, "staged")
    said = everything_said(result, {"staged": staged})
    assert staged.stages and not any(text.startswith(OWN_STOP) for text in said)
    assert any(text.startswith("Plan a trial of stopping with my doctor") for text in said)


@pytest.mark.parametrize("kind", ["ghb", "z-drugs", "barbiturates"])
def test_dast_withdrawal_answer_counts_for_every_dangerous_sedative(kind: str) -> None:
    """Review: DAST-10 item 9 (withdrawal) made benzodiazepine withdrawal high, but not
    GHB's, a z-drug's or a barbiturate's, which FACTS.md §4.2 treats alike."""
    _, result, _ = everything(
        _v2(age=30, goal="stop", instruments={"dast-10": [1, 0, 0, 0, 1, 0, 0, 0, 1, 0]},
            substances=[{"substance": "other", "kinds": [kind]}])
    )  # fmt: skip
    assert result.risks.withdrawal.level == "high"
    assert {"medically-supervised-withdrawal", "no-self-taper"} <= set(result.safety)


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


def test_no_limit_beside_opioids_says_why_without_blaming_withdrawal() -> None:
    """Review: alcohol 6 a day with opioids: "with the withdrawal risk in your answers" while
    withdrawal was none (the clinician is asked for because of opioids)."""
    _, _result, plans = everything(
        _v2(age=30, substances=[
            {"substance": "alcohol", "days_used_past_30": 30, "typical_amount": 6},
            {"substance": "opioids", "days_used_past_30": 10}])
    )  # fmt: skip
    text = json.dumps(plans["harm-reduction"].as_dict())
    assert "asks you to plan any cutting down with a clinician" in text
    assert plans["harm-reduction"].drinking_limit is None


def test_someone_who_stopped_drinking_gets_no_drinking_limits_block() -> None:
    _, _result, plans = everything(
        _v2(age=40, goal="stop", substances=[{"substance": "alcohol", "days_used_past_30": 10,
                                              "typical_amount": 3, "last_use_days_ago": 14}])
    )  # fmt: skip
    for plan in plans.values():
        text = json.dumps(plan.as_dict())
        assert "No drinking limit is given here" not in text


def test_a_home_schedule_with_possible_withdrawal_never_offers_a_one_day_stop() -> None:
    """Review: 12 drinks on 27 days (withdrawal possible), goal stop: the schedule's words
    offered stopping on one day and said "less is fine" beside "do not stop suddenly"."""
    _, result, plans = everything(
        _v2(age=40, goal="stop",
            substances=[{"substance": "alcohol", "days_used_past_30": 27, "typical_amount": 12}])
    )  # fmt: skip
    assert result.risks.withdrawal.level == "possible"
    offered = [plan for plan in plans.values() if plan.taper and not plan.taper.refused]
    assert offered
    for plan in offered:
        text = json.dumps(plan.as_dict())
        assert "do not stop on one day on your own" in text
        assert "do not cut faster than the schedule" in text


@pytest.mark.parametrize("path", ["harm-reduction", "staged"])
def test_under_18_on_another_path_gets_no_adult_drinking_advice(path: str) -> None:
    """Review: age 16, harm-reduction path chosen: "Safer drinking: decide your limit", the
    goal "Drink less", counting drinks to a limit, beside `under-18` ("no limits, schedules or
    plans of its own")."""
    profile = parse_profile(
        _v2(age=16, substances=[{"substance": "alcohol", "days_used_past_30": 20,
                                 "typical_amount": 5}])
    )  # fmt: skip
    result = recommend(profile)
    plan = draft_plan(profile, result, path)
    text = json.dumps(plan.as_dict())
    assert "under-18" in result.safety and plan.drinking_limit is None and plan.taper is None
    assert not any(block.id == "safer-alcohol" for s in plan.sections for block in s.blocks)
    for adult in ("Decide your limit", "Drink less", "stop at my limit", "drink-free days"):
        assert adult not in text, adult
    assert "Talk to an adult I trust" in text


def test_a_page_says_a_short_form_once_but_the_scores_keep_it() -> None:
    """Contract review: `scores` left out the PHQ-2 when a PHQ-9 was given too."""
    profile = parse_profile(
        _v2(age=40, instruments={"phq-2": [1, 1], "phq-9": [1, 1, 0, 0, 0, 0, 0, 0, 0]},
            substances=[{"substance": "alcohol", "days_used_past_30": 4, "typical_amount": 2}])
    )  # fmt: skip
    result = recommend(profile)
    assert [s["instrument"] for s in result.as_dict()["scores"]] == ["phq-2", "phq-9"]
    assert [s.instrument for s in result.shown_scores] == ["phq-9"]


@pytest.mark.parametrize("kind", sorted(risk.SEDATING_KINDS))
def test_alcohol_with_any_sedating_kind_counts_as_a_sedative(kind: str) -> None:
    """CONTRACTS.md §2b: sedating kinds count as sedatives for the overdose and withdrawal
    rules. Contract review: alcohol with gabapentinoids raised nothing and a schedule was
    offered; with barbiturates or z-drugs, no overdose risk."""
    _, result, plans = everything(
        _v2(age=40, substances=[
            {"substance": "alcohol", "days_used_past_30": 30, "typical_amount": 5},
            {"substance": "other", "kinds": [kind], "days_used_past_30": 30}])
    )  # fmt: skip
    assert result.risks.overdose.at_least("possible")
    assert result.risks.withdrawal.level == "high"
    assert all(plan.taper is None or plan.taper.refused for plan in plans.values())


def test_a_high_overdose_risk_without_opioids_still_brings_its_findings() -> None:
    """Review (and the property test above, at 3,000 examples): prescribed benzodiazepines,
    light drinking and a past-year overdose: overdose risk high, an alert for the clinician,
    and no overdose finding (nothing on the wallet card)."""
    _, result, plans = everything(
        _v2(age=50, overdose={"past": "past-year"},
            substances=[{"substance": "alcohol", "days_used_past_30": 8, "typical_amount": 2},
                        {"substance": "benzodiazepines", "prescribed": True}])
    )  # fmt: skip
    assert result.risks.overdose.level == "high"
    assert {"naloxone", "never-use-alone"} <= set(result.safety)
    assert {d.id for d in plans["abstinence"].wallet} >= {"naloxone", "never-use-alone"}


@EXAMPLES
@given(data=any_profiles())
def test_no_limit_of_ones_own_is_spoken_of_where_the_plan_gives_none(data: dict[str, Any]) -> None:
    """Newcomer review: "No drinking limit is given here" beside "Count my drinks and stop at
    my limit", "Decide your limit before you start" and "keep to your limit"."""
    _profile, _result, plans = everything(data)
    for plan in plans.values():
        if plan.drinking_limit is not None:
            continue
        text = json.dumps(plan.as_dict(), ensure_ascii=False)
        for said in ("stop at my limit", "Decide your limit", "keep to your limit"):
            assert said not in text, said


def test_a_pregnant_opioid_user_is_not_told_stopping_would_not_be_dangerous() -> None:
    """Newcomer review: "Withdrawal: nothing found. Nothing in your answers suggests that
    stopping would be dangerous" under "Stopping opioids suddenly in pregnancy can harm you and
    the baby"; and a wallet card without "do not stop suddenly"."""
    _, result, plans = everything(
        _v2(age=27, sex="female", pregnant=True, goal="stop",
            substances=[{"substance": "opioids", "days_used_past_30": 25, "route": "smoked"}])
    )  # fmt: skip
    (withdrawal,) = [row for row in result.risk_rows if row[0] == "withdrawal"]
    assert withdrawal[1] == "none" and "best planned with a clinician" in str(withdrawal[2])
    (pregnancy,) = [d for d in plans["abstinence"].wallet if d.id == "pregnancy-care"]
    assert any("must not stop them suddenly" in str(line) for line in pregnancy.lead)


def test_overdose_high_adds_no_second_reason_where_opioids_bring_their_own() -> None:
    """Newcomer review: "Carry naloxone — Why:" listed the combined-use reason twice, in two
    wordings, and "often" alone was said as "sometimes"."""
    _, result, _ = everything(
        _v2(age=30, overdose={"uses_alone": "often"},
            substances=[{"substance": "opioids", "days_used_past_30": 20},
                        {"substance": "benzodiazepines", "days_used_past_30": 20}])
    )  # fmt: skip
    assert result.risks.overdose.level == "high"
    assert "overdose-high" not in {finding.rule for finding in result.findings}
    said = [str(f.reason) for f in result.findings] + [
        str(r) for r in result.risks.overdose.reasons
    ]
    assert any(text.startswith("You often use alone") for text in said)
    assert not any("sometimes use alone" in text for text in said)


def test_a_sedative_in_pregnancy_makes_care_urgent_as_alcohol_does() -> None:
    """Daily GHB in pregnancy (withdrawal high) had been only "recommended", with no alert,
    while one drink made care urgent (clinical review, stop 19)."""
    ghb = {"version": 2, "age": 27, "sex": "female", "pregnant": True, "goal": "cut-down",
           "substances": [{"substance": "other", "kinds": ["ghb"], "days_used_past_30": 20,
                           "last_use_days_ago": 0}]}  # fmt: skip
    result = recommend(parse_profile(ghb))
    assert result.risks.pregnant_and_using and result.urgency == "urgent"
