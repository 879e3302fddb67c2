"""How urgently to seek professional help, and how intensive that care might be.

Both follow the highest-need dimension, never an average (FACTS.md §7.1: "placement is not
an average of the ratings"). The care level is a *suggestion* in plain words; Waymark does not
implement ASAM's placement rules and never calls this a placement (FACTS.md §7.2).
"""

from __future__ import annotations

from dataclasses import dataclass

from waymark.clinical import signals
from waymark.clinical.profile import Profile
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
    audit_c = profile.score("audit-c")
    if audit_c is not None and audit_c.band.id == "positive":
        needs.append(Need("consider", say(N_("Your AUDIT-C result is above the cut-off."))))
    dast = profile.score("dast-10")
    if dast is not None and dast.total >= 3:
        needs.append(
            Need("recommended", say(N_("Your DAST-10 result suggests a fuller assessment.")))
        )
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


def urgency(profile: Profile, severity: str, safety_ids: list[str]) -> Need:
    needs = [Need(SEVERITY_URGENCY[severity], say(N_("Based on the warning signs found.")))]
    if "crisis-support" in safety_ids:
        needs.append(Need("urgent", say(N_("You told us about thoughts of suicide."))))
    if "medically-supervised-withdrawal" in safety_ids:
        acute = (
            signals.complicated_withdrawal_history(profile)
            or signals.sedative_withdrawal_symptoms(profile)
            or signals.very_heavy_drinking(profile)
        )
        needs.append(
            Need(
                "urgent" if acute else "recommended",
                say(N_("Withdrawal could be dangerous for you without medical help.")),
            )
        )
    if profile.pregnant:
        risky = profile.uses("alcohol", "opioids", "benzodiazepines", "stimulants")
        needs.append(
            Need(
                "urgent" if risky else "recommended",
                say(N_("You are pregnant: care now protects you and the baby.")),
            )
        )
    opioids = profile.use_of("opioids")
    if opioids is not None and signals.criteria_count(opioids) >= 2:
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
    if signals.injects(profile):
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


def care_level(profile: Profile, severity: str, safety_ids: list[str]) -> Need:
    """A care-intensity suggestion from the highest-need dimension (FACTS.md §7.1)."""
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
    # Withdrawal (dimension 1).
    if "medically-supervised-withdrawal" in safety_ids:
        if signals.complicated_withdrawal_history(profile) and signals.sedative_dependence_signs(
            profile
        ):
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
        elif signals.very_heavy_drinking(profile) or signals.sedative_withdrawal_symptoms(profile):
            needs.append(
                Need(
                    "intensive-outpatient",
                    say(N_("Withdrawal needs daily medical checks at least.")),
                )
            )
        else:
            needs.append(Need("outpatient", say(N_("Withdrawal needs a clinician's care."))))
    # Biomedical and mental health (dimensions 2 and 3).
    if profile.pregnant and profile.substances:
        needs.append(
            Need("outpatient", say(N_("Pregnancy needs prenatal and addiction care together.")))
        )
    if "crisis-support" in safety_ids or profile.health & {"psychosis", "bipolar-disorder"}:
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


def _tobacco_problem(profile: Profile) -> bool:
    tobacco = profile.use_of("tobacco")
    return tobacco is not None and tobacco.sud_score().band.id != "none"
