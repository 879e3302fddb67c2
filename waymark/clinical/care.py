"""How urgently to seek professional help, and how intensive that care might be.

Both follow the highest-need dimension, never an average (FACTS.md §7.1: "placement is not
an average of the ratings"). The care level is a *suggestion* in plain words; Waymark does not
implement ASAM's placement rules and never calls this a placement (FACTS.md §7.2).
"""

from __future__ import annotations

from dataclasses import dataclass

from waymark.clinical.profile import Profile
from waymark.clinical.risk import HIGH, POSSIBLE, YOUTH_REGULAR_DAYS, RiskModel
from waymark.clinical.text import N_, Message, say

# Tobacco's severity does not drive urgency or care intensity: its harms are grave but slow,
# and help to quit starts with a doctor, a pharmacist or a quitline, not a program.
NOT_DRIVING_CARE = ("tobacco",)
URGENCY_LEVELS = ("none", "consider", "recommended", "urgent")
CARE_LEVELS = (
    "self-directed",
    "brief-intervention",
    "outpatient",
    "intensive-outpatient",
    "partial-hospitalization",
    "residential",
    "inpatient",
)
SEVERITY_LEVELS = ("none", "mild", "moderate", "severe")

SEVERITY_URGENCY = {
    "none": "none",
    "mild": "consider",
    "moderate": "recommended",
    "severe": "recommended",
}
SEVERITY_CARE = {
    "none": "self-directed",
    "mild": "brief-intervention",
    "moderate": "outpatient",
    "severe": "intensive-outpatient",
}


@dataclass(frozen=True)
class Need:
    """One dimension's answer: a level and why."""

    level: str
    reason: Message


def highest(needs: list[Need], levels: tuple[str, ...]) -> Need:
    """The highest-need dimension; the first stated wins a tie."""
    return max(needs, key=lambda need: levels.index(need.level))


def audit_zone(profile: Profile) -> int | None:
    """The WHO AUDIT zone (1–4), moved up one zone when Q4–6 score 2 or more or Q9/Q10
    score 4 (FACTS.md §2.1, WHO manual ✅)."""
    result = profile.score("audit")
    if result is None:
        return None
    zone = int(result.band.id.removeprefix("zone-"))
    points = dict(zip((item.id for item in result.instrument.items), result.points, strict=True))
    escalate = any(
        (points[i] or 0) >= 2 for i in ("impaired-control", "role-failure", "eye-opener")
    )
    escalate = escalate or any((points[i] or 0) == 4 for i in ("injury", "concern"))
    return min(zone + 1, 4) if escalate else zone


def audit_escalation(profile: Profile) -> bool:
    """Whether an AUDIT answer moved the person up a zone (FACTS.md §2.1)."""
    zone, result = audit_zone(profile), profile.score("audit")
    return zone is not None and result is not None and zone > int(result.band.id[-1])


def _screen_urgency(profile: Profile) -> list[Need]:
    """Positive screens call for a professional evaluation (FACTS.md §11.4: AUDIT zone III–IV
    or any escalation item, DAST-10 of 3 or more, PHQ-9 or GAD-7 of 10 or more)."""
    needs: list[Need] = []
    zone = audit_zone(profile)
    if audit_escalation(profile):
        reason = N_(
            "Some of your AUDIT answers, such as drinking in the morning or an injury, call "
            "for a professional's view."
        )
        needs.append(Need("recommended", say(reason)))
    if zone is not None and zone >= 3:
        needs.append(
            Need("recommended", say(N_("Your AUDIT result suggests a specialist assessment.")))
        )
    elif zone == 2:
        needs.append(
            Need("consider", say(N_("Your AUDIT result suggests simple advice about drinking.")))
        )
    elif _at_lower_audit_cut_off(profile):
        reason = N_(
            "Your AUDIT score of 7 is at the lower cut-off used for women and people over 65."
        )
        needs.append(Need("consider", say(reason)))
    audit_c = profile.score("audit-c")
    if audit_c is not None and audit_c.band.id == "positive":
        needs.append(Need("consider", say(N_("Your AUDIT-C result is above the cut-off."))))
    dast = profile.score("dast-10")
    if dast is not None and dast.total >= 3:
        needs.append(
            Need("recommended", say(N_("Your DAST-10 result suggests a fuller assessment.")))
        )
    bands = {band for _name, band in _assist_bands(profile)}
    if "high" in bands:
        reason = N_("An ASSIST result is in the high-risk range: a fuller assessment is advised.")
        needs.append(Need("recommended", say(reason)))
    elif "moderate" in bands:
        reason = N_("An ASSIST result is in the moderate-risk range: a short talk can help.")
        needs.append(Need("consider", say(reason)))
    phq2 = profile.score("phq-2")
    if phq2 is not None and phq2.band.id == "positive" and profile.score("phq-9") is None:
        reason = N_("Your PHQ-2 result suggests the full PHQ-9 and a talk about your mood.")
        needs.append(Need("consider", say(reason)))
    for instrument_id, name in (("phq-9", "PHQ-9"), ("gad-7", "GAD-7")):
        result = profile.score(instrument_id)
        if result is not None and result.total >= 10:
            needs.append(
                Need(
                    "recommended",
                    say(
                        N_(
                            "Your %(name)s result suggests talking to a "
                            "professional about your mood."
                        ),
                        name=name,
                    ),
                )
            )
    return needs


# WHO allows a lower AUDIT cut-off of 7 for women and people over 65 (docs/clinical-facts.md
# A.7): the bands stay WHO's, and a total of exactly 7 in those groups counts as "consider".
AUDIT_LOWER_CUT_OFF = 7


def _at_lower_audit_cut_off(profile: Profile) -> bool:
    result = profile.score("audit")
    cautious = profile.cut_off_sex != "male" or profile.age >= 65
    return result is not None and result.total == AUDIT_LOWER_CUT_OFF and cautious


def urgency(model: RiskModel, severity: str, safety_ids: list[str]) -> Need:
    profile = model.profile
    needs = [Need(SEVERITY_URGENCY[severity], say(N_("Based on the warning signs found.")))]
    if model.mental_health.level == HIGH:
        needs.append(Need("urgent", say(N_("You told us about thoughts of suicide."))))
    elif model.mental_health.level == POSSIBLE:
        reason = N_("Your answers about mood suggest talking to someone about how you feel.")
        needs.append(Need("consider", say(reason)))
    if model.withdrawal.level == HIGH:
        needs.append(
            Need(
                "urgent" if model.acute_withdrawal else "recommended",
                say(N_("Withdrawal could be dangerous for you without medical help.")),
            )
        )
    elif model.withdrawal.level == POSSIBLE:
        reason = N_("Stopping or cutting down could bring withdrawal: a doctor can make it safe.")
        needs.append(Need("recommended", say(reason)))
    if model.overdose.level == HIGH:
        reason = N_("Your overdose risk is high: care, and medication for opioids, lower it.")
        needs.append(Need("recommended", say(reason)))
    if profile.overdose.past in ("past-year", "over-a-year"):
        reason = N_("You have overdosed before: a professional can help you stay safer.")
        needs.append(Need("recommended", say(reason)))
    if model.under_18 and any(
        use.substance != "tobacco"
        and (use.days_used_past_30 is None or use.days_used_past_30 >= YOUTH_REGULAR_DAYS)
        for use in profile.substances
    ):
        reason = N_("You are under 18 and use regularly: talking to someone you trust helps.")
        needs.append(Need("consider", say(reason)))
    if profile.pregnant:
        needs.append(
            Need(
                "urgent" if model.pregnant_and_using else "recommended",
                say(N_("You are pregnant: care now protects you and the baby.")),
            )
        )
    opioids = profile.use_of("opioids")
    if opioids is not None and len(opioids.counted_criteria) >= 2:
        needs.append(
            Need(
                "recommended",
                say(
                    N_(
                        "Treatment with medication greatly lowers the "
                        "risk of dying from an opioid overdose."
                    )
                ),
            )
        )
    if profile.uses("alcohol") and profile.health & {"liver-disease", "pancreatitis"}:
        needs.append(
            Need(
                "recommended",
                say(N_("Drinking with liver or pancreas disease needs a doctor's care.")),
            )
        )
    if profile.health & {"psychosis", "bipolar-disorder"}:
        needs.append(
            Need(
                "recommended",
                say(N_("Care that treats mental health and substance use together works best.")),
            )
        )
    if any(use.route == "injected" for use in profile.substances):
        needs.append(Need("consider", say(N_("Injecting carries risks a clinic can help reduce."))))
    opioids = profile.use_of("opioids")
    if opioids is not None and opioids.prescribed and "no-self-taper" in safety_ids:
        reason = N_("Talk to your prescriber before changing how you take opioids.")
        needs.append(Need("consider", say(reason)))
    if _tobacco_problem(profile):
        reason = N_(
            "A doctor, pharmacist or quitline can help you quit tobacco, with medicines that "
            "make it more likely to work."
        )
        needs.append(Need("consider", say(reason)))
    needs += _screen_urgency(profile)
    return highest(needs, URGENCY_LEVELS)


def care_level(model: RiskModel, severity: str, safety_ids: list[str]) -> Need:
    """A care-intensity suggestion from the highest-need dimension (FACTS.md §7.1)."""
    profile = model.profile
    needs = [Need(SEVERITY_CARE[severity], say(N_("Matches the number of warning signs.")))]
    zone = audit_zone(profile)
    if zone is not None and zone >= 2:
        needs.append(
            Need(
                "brief-intervention" if zone == 2 else "outpatient",
                say(N_("Matches your AUDIT result.")),
            )
        )
    dast = profile.score("dast-10")
    if dast is not None and dast.total >= 1:
        level = "brief-intervention" if dast.total < 6 else "outpatient"
        needs.append(Need(level, say(N_("Matches your DAST-10 result."))))
    for _name, band in _assist_bands(profile):
        if band in ("moderate", "high"):
            level = "outpatient" if band == "high" else "brief-intervention"
            needs.append(Need(level, say(N_("Matches your ASSIST results."))))
    # Withdrawal (dimension 1).
    history = profile.withdrawal_history
    if model.withdrawal.level == HIGH:
        if (history.seizures or history.delirium_tremens) and model.physical_dependence:
            needs.append(
                Need(
                    "inpatient",
                    say(
                        N_(
                            "Past seizures or DTs with current dependence "
                            "call for withdrawal care with doctors and "
                            "nurses on hand around the clock."
                        )
                    ),
                )
            )
        elif model.acute_withdrawal:
            needs.append(
                Need(
                    "intensive-outpatient",
                    say(N_("Withdrawal needs daily medical checks at least.")),
                )
            )
        else:
            needs.append(Need("outpatient", say(N_("Withdrawal needs a clinician's care."))))
    elif model.withdrawal.level == POSSIBLE:
        needs.append(Need("outpatient", say(N_("Withdrawal needs a clinician's care."))))
    if model.overdose.level == HIGH:
        reason = N_("A high overdose risk calls for regular care, with medication where it fits.")
        needs.append(Need("outpatient", say(reason)))
    # Biomedical and mental health (dimensions 2 and 3).
    if profile.pregnant and profile.substances:
        needs.append(
            Need("outpatient", say(N_("Pregnancy needs prenatal and addiction care together.")))
        )
    if model.mental_health.level == HIGH or profile.health & {"psychosis", "bipolar-disorder"}:
        needs.append(
            Need(
                "outpatient",
                say(N_("Your mental health needs care at the same time as your substance use.")),
            )
        )
    # Return to use (dimension 5) and living environment (dimension 6).
    returns = profile.past_treatment.returns_to_use or 0
    if returns >= 3 and severity in ("moderate", "severe"):
        needs.append(
            Need(
                "intensive-outpatient",
                say(N_("Several returns to use suggest more support than before.")),
            )
        )
    support = profile.support
    if support.stable_housing is False and severity == "severe":
        needs.append(
            Need(
                "residential",
                say(
                    N_(
                        "Without stable housing, a residential "
                        "program can give a safe place to start, "
                        "whenever you want one."
                    )
                ),
            )
        )
    elif severity in ("moderate", "severe") and (
        support.stable_housing is False
        or (support.supportive_people == 0 and support.substance_free_home is False)
    ):
        needs.append(
            Need(
                "intensive-outpatient",
                say(N_("Little support at home calls for more support from a program.")),
            )
        )
    if _tobacco_problem(profile):
        reason = N_("Help to quit tobacco starts with a short conversation.")
        needs.append(Need("brief-intervention", say(reason)))
    return highest(needs, CARE_LEVELS)


def _assist_bands(profile: Profile) -> list[tuple[str, str]]:
    """Each ASSIST in the profile: the substance class's short name and its risk band. WHO's
    ASSIST manual: low risk → general advice, moderate → a brief intervention, high → a brief
    intervention and referral for assessment and treatment (CONTRACTS.md §1b; ⚠️ the
    ASSIST was not validated for self-completion)."""
    found = []
    for instrument_id in profile.instruments:
        if instrument_id.startswith("assist-"):
            result = profile.score(instrument_id)
            if result is not None:
                found.append((result.instrument.short_name, result.band.id))
    return found


def _tobacco_problem(profile: Profile) -> bool:
    tobacco = profile.use_of("tobacco")
    return tobacco is not None and tobacco.sud_score().band.id != "none"
