"""Safety rules: checked first, shown first, never removed.

Each rule reads the profile on its own and can only *add* findings; the result is the union
of every rule's findings, so no rule can take away what another found. Each rule cites the
fact it rests on (FACTS.md section) and explains itself in plain words. The ids are the
public ones of CONTRACTS.md §3: add new ones, never rename.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from waymark.clinical import signals
from waymark.clinical.profile import Profile
from waymark.clinical.text import N_, Message, say

# The public ids, in the order they are shown: the most immediate danger first.
SAFETY_IDS = (
    "crisis-support",
    "medically-supervised-withdrawal",
    "no-self-taper",
    "pregnancy-care",
    "polysubstance-overdose-risk",
    "reduced-tolerance",
    "naloxone",
    "never-use-alone",
    "fentanyl-test-strips",
    "syringe-services",
    "medication-for-opioid-use-disorder",
    "medication-for-alcohol-use-disorder",
)

# What each finding asks of the person, in plain words (shown with the finding).
SAFETY_TEXT: dict[str, str] = {
    "crisis-support": N_(
        "You said you have had thoughts of being better off dead or of hurting yourself. "
        "Please reach out to a crisis line now: you do not have to wait until it gets worse."
    ),
    "medically-supervised-withdrawal": N_(
        "Stopping suddenly could be dangerous for you. Withdrawal should be supervised by a "
        "doctor or a withdrawal-management service, who can keep it safe and comfortable."
    ),
    "no-self-taper": N_(
        "Please do not try to cut down on your own with a home schedule. Talk to a clinician "
        "first: they can plan a safe reduction with you."
    ),
    "pregnancy-care": N_(
        "Because you are pregnant, prenatal care together with addiction care is recommended "
        "as soon as you can. If you use opioids, do not stop suddenly: medication for opioid "
        "use disorder is the standard care in pregnancy."
    ),
    "polysubstance-overdose-risk": N_(
        "Opioids together with alcohol, benzodiazepines or other sedating medicines sharply "
        "raise the risk that breathing stops. Avoid mixing them, use less of each, and keep "
        "naloxone close."
    ),
    "reduced-tolerance": N_(
        "After any break from opioids, even a few days, your body cannot take what it used "
        "to. Going back to your old amount can be fatal: start much lower, and never alone."
    ),
    "naloxone": N_(
        "Naloxone (for example Narcan nasal spray, sold without a prescription) reverses an "
        "opioid overdose. Keep it with you and show the people around you how to use it."
    ),
    "never-use-alone": N_(
        "If you do use alone, call a never-use-alone line, or ask someone to check on you "
        "and call for help if you stop answering."
    ),
    "fentanyl-test-strips": N_(
        "Fentanyl is in much of the drug supply. Test strips can show it is there (not how "
        "much); a negative test is not a guarantee."
    ),
    "syringe-services": N_(
        "Syringe services programs give sterile supplies, naloxone and free testing for HIV "
        "and hepatitis C, with no judgement."
    ),
    "medication-for-opioid-use-disorder": N_(
        "Buprenorphine, methadone and naltrexone cut the risk of dying from an overdose, and "
        "they fit abstinence-based recovery too. Ask a doctor about them."
    ),
    "medication-for-alcohol-use-disorder": N_(
        "Naltrexone and acamprosate can reduce drinking and cravings. Ask a doctor whether "
        "one might suit you."
    ),
}


@dataclass(frozen=True)
class Finding:
    id: str
    rule: str
    reason: Message


@dataclass(frozen=True)
class SafetyRule:
    id: str
    fact: str  # the FACTS.md section the rule rests on
    summary: str  # the rule in one plain sentence, for docs/clinical-rules.md
    check: Callable[[Profile], Message | None]  # why the rule applies, or None
    adds: tuple[str, ...]

    def findings(self, profile: Profile) -> list[Finding]:
        reason = self.check(profile)
        if reason is None:
            return []
        return [Finding(id=safety_id, rule=self.id, reason=reason) for safety_id in self.adds]


def _suicidal_thoughts(profile: Profile) -> Message | None:
    phq9 = profile.score("phq-9")
    if phq9 is not None and "suicidal-ideation" in phq9.flags:
        return say(N_('PHQ-9 question 9 was answered above "Not at all".'))
    if profile.mental_health.suicidal_thoughts:
        return say(N_("You told us about thoughts of suicide."))
    return None


def _sedative_dependence(profile: Profile) -> Message | None:
    if signals.alcohol_dependence_signs(profile):
        return say(N_("There are signs your body has got used to alcohol (physical dependence)."))
    if signals.other_sedative_dependence_signs(profile):
        return say(
            N_(
                "Near-daily use of another drug with withdrawal signs was reported; if it is a "
                "sedative (sleeping pills, GHB, barbiturates), stopping can be dangerous."
            )
        )
    if signals.benzodiazepine_dependence_signs(profile):
        return say(
            N_("Regular benzodiazepine use, or signs your body has got used to it, were reported.")
        )
    return None


def _complicated_history(profile: Profile) -> Message | None:
    uses_risky = profile.uses(*signals.WITHDRAWAL_DANGER)
    if signals.complicated_withdrawal_history(profile) and uses_risky:
        return say(N_("You have had seizures or delirium tremens (DTs) during withdrawal before."))
    return None


def _sedating_medication(profile: Profile) -> Message | None:
    if signals.takes_sedating_medication(profile) and profile.uses(*signals.SEDATIVES):
        return say(N_("You take a sedating medicine as well as alcohol or a benzodiazepine."))
    return None


def _alcohol_with_benzodiazepines(profile: Profile) -> Message | None:
    if profile.uses("alcohol") and profile.uses("benzodiazepines"):
        return say(N_("You use alcohol and benzodiazepines together."))
    return None


def _very_heavy_drinking(profile: Profile) -> Message | None:
    if signals.very_heavy_drinking(profile):
        return say(N_("You drink more than about 17 standard drinks on most drinking days."))
    return None


def _risky_conditions(profile: Profile) -> Message | None:
    if not signals.regular_sedative_use(profile):
        return None
    if "seizure-disorder" in profile.health:
        return say(N_("You have a seizure disorder and drink or take sedatives regularly."))
    if "liver-disease" in profile.health:
        return say(N_("You have liver disease and drink or take sedatives regularly."))
    if profile.pregnant:
        return say(N_("You are pregnant and drink or take sedatives regularly."))
    return None


def _self_taper_conditions(profile: Profile) -> Message | None:
    """Conditions that rule out a home taper even with light use (CONTRACTS.md §4)."""
    if profile.uses("benzodiazepines"):
        return say(N_("Waymark never makes a home schedule for stopping benzodiazepines."))
    if profile.uses("alcohol") and "liver-disease" in profile.health:
        return say(N_("You have liver disease."))
    if profile.uses("alcohol") and "seizure-disorder" in profile.health:
        return say(N_("You have a seizure disorder."))
    if profile.pregnant and profile.uses("alcohol", "opioids"):
        return say(N_("You are pregnant."))
    return None


def _opioid_change(profile: Profile) -> Message | None:
    use = profile.use_of("opioids")
    if use is None or profile.goal not in ("stop", "cut-down"):
        return None
    if use.prescribed:
        return say(
            N_(
                "Prescribed opioids such as methadone or buprenorphine must not be stopped "
                "suddenly: plan any change with your prescriber."
            )
        )
    return say(
        N_(
            "Cutting down opioids on your own brings withdrawal and then lower tolerance; a "
            "clinician can make it safer, often with medication."
        )
    )
    return None


def _pregnancy(profile: Profile) -> Message | None:
    if profile.pregnant:
        return say(N_("You are pregnant and use alcohol, tobacco or drugs."))
    return None


def _pregnancy_with_opioids(profile: Profile) -> Message | None:
    if profile.pregnant and profile.uses("opioids"):
        return say(N_("Stopping opioids suddenly in pregnancy can harm you and the baby."))
    return None


def _opioid_use(profile: Profile) -> Message | None:
    if profile.uses("opioids"):
        return say(N_("You use opioids; any opioid can cause an overdose."))
    return None


def _non_prescribed_opioids(profile: Profile) -> Message | None:
    if signals.non_prescribed(profile, "opioids"):
        return say(N_("Opioids not from a pharmacy may contain fentanyl."))
    return None


def _stimulants(profile: Profile) -> Message | None:
    if signals.non_prescribed(profile, "stimulants"):
        return say(N_("Stimulants from the street are often contaminated with fentanyl."))
    return None


def _injection(profile: Profile) -> Message | None:
    if signals.injects(profile):
        return say(N_("You inject drugs."))
    return None


def _combined_depressants(profile: Profile) -> Message | None:
    if not profile.uses("opioids"):
        return None
    if profile.uses(*signals.DEPRESSANTS_WITH_OPIOIDS) or signals.takes_sedating_medication(
        profile
    ):
        return say(
            N_("You use opioids together with alcohol, benzodiazepines or sedating medicine.")
        )
    return None


def _lost_tolerance(profile: Profile) -> Message | None:
    if signals.opioid_gap(profile):
        return say(N_("You have had a break from opioids recently."))
    if profile.uses("opioids") and profile.goal in ("stop", "cut-down"):
        return say(N_("You plan to stop or cut down opioids, so your tolerance will fall."))
    return None


def _opioid_use_disorder(profile: Profile) -> Message | None:
    use = profile.use_of("opioids")
    if use is None:
        return None
    if signals.criteria_count(use) >= 2:
        return say(N_("Your answers suggest a possible opioid use disorder."))
    if profile.goal in ("stop", "cut-down"):
        return say(N_("You want to stop or cut down opioids."))
    if profile.pregnant:
        return say(N_("You are pregnant and use opioids."))
    return None


def _alcohol_use_disorder(profile: Profile) -> Message | None:
    use = profile.use_of("alcohol")
    if use is not None and signals.criteria_count(use) >= 4:
        return say(N_("Your answers suggest a possible moderate or severe alcohol use disorder."))
    return None


SUPERVISED = ("medically-supervised-withdrawal", "no-self-taper")

RULES: tuple[SafetyRule, ...] = (
    SafetyRule(
        "suicidal-thoughts",
        "§11.1, §2.7",
        "PHQ-9 item 9 above zero, or suicidal thoughts said directly, brings crisis support "
        "whatever the totals.",
        _suicidal_thoughts,
        ("crisis-support",),
    ),
    SafetyRule(
        "sedative-dependence",
        "§11.2, §4.1, §4.2",
        "Signs of physical dependence on alcohol (withdrawal, shakes or sweats when cutting "
        "back, AUDIT Q6 above zero, near-daily drinking with tolerance) or on benzodiazepines "
        "(withdrawal, tolerance, DAST-10 item 9, use on 15 or more of the past 30 days) mean "
        "supervised withdrawal and no self-taper.",
        _sedative_dependence,
        SUPERVISED,
    ),
    SafetyRule(
        "complicated-withdrawal-history",
        "§4.1, §11.2",
        "Past withdrawal seizures or delirium tremens, with alcohol, benzodiazepine or other "
        "sedative use now, mean supervised withdrawal and no self-taper.",
        _complicated_history,
        SUPERVISED,
    ),
    SafetyRule(
        "sedating-medication",
        "§4.1, §11.2",
        "A sedating medicine taken with alcohol or benzodiazepines means supervised "
        "withdrawal and no self-taper.",
        _sedating_medication,
        SUPERVISED,
    ),
    SafetyRule(
        "alcohol-with-benzodiazepines",
        "§11.2, §4.2",
        "Alcohol and benzodiazepines used together mean supervised withdrawal and no self-taper.",
        _alcohol_with_benzodiazepines,
        SUPERVISED,
    ),
    SafetyRule(
        "very-heavy-drinking",
        "§4.1, §11.2 (⚠️ UK service guidance)",
        "More than about 17 US standard drinks a day, on most days, means supervised "
        "withdrawal and no self-taper.",
        _very_heavy_drinking,
        SUPERVISED,
    ),
    SafetyRule(
        "withdrawal-risk-conditions",
        "§4.1, §11.2",
        "Epilepsy, liver disease or pregnancy together with near-daily drinking or regular "
        "benzodiazepine use mean supervised withdrawal and no self-taper.",
        _risky_conditions,
        SUPERVISED,
    ),
    SafetyRule(
        "self-taper-conditions",
        "§4.1, §4.2, CONTRACTS §4",
        "Any benzodiazepine use, or alcohol use with liver disease or a seizure disorder, or "
        "pregnancy with alcohol or opioid use, rules out a home taper schedule.",
        _self_taper_conditions,
        ("no-self-taper",),
    ),
    SafetyRule(
        "pregnancy",
        "§11.4",
        "Pregnancy with any substance use brings a recommendation for prenatal and addiction care.",
        _pregnancy,
        ("pregnancy-care",),
    ),
    SafetyRule(
        "pregnancy-with-opioids",
        "§11.2, PRODUCT invariants",
        "Opioids in pregnancy are never to be stopped abruptly: supervised care, no "
        "self-taper, and medication for opioid use disorder as standard care.",
        _pregnancy_with_opioids,
        (*SUPERVISED, "medication-for-opioid-use-disorder"),
    ),
    SafetyRule(
        "opioid-use",
        "§5, §11.3",
        "Any opioid use brings naloxone and the overdose-response steps.",
        _opioid_use,
        ("naloxone",),
    ),
    SafetyRule(
        "non-prescribed-opioids",
        "§5, §11.3",
        "Opioids not taken as prescribed bring never-use-alone and fentanyl test strips.",
        _non_prescribed_opioids,
        ("never-use-alone", "fentanyl-test-strips"),
    ),
    SafetyRule(
        "stimulants",
        "§5, PRODUCT invariants",
        "Stimulants not taken as prescribed bring fentanyl test strips and naloxone, "
        "because of fentanyl in the supply.",
        _stimulants,
        ("fentanyl-test-strips", "naloxone"),
    ),
    SafetyRule(
        "injection",
        "§5",
        "Injecting brings syringe services and testing.",
        _injection,
        ("syringe-services",),
    ),
    SafetyRule(
        "combined-depressants",
        "§4.2",
        "Opioids with alcohol, benzodiazepines or sedating medicine bring the "
        "combined-overdose warning.",
        _combined_depressants,
        ("polysubstance-overdose-risk", "naloxone"),
    ),
    SafetyRule(
        "lost-tolerance",
        "§4.3, §11.3",
        "A break of 7 days or more after opioid use (❓ our threshold), or a plan to stop or "
        "cut down opioids, brings the lost-tolerance warning.",
        _lost_tolerance,
        ("reduced-tolerance", "naloxone"),
    ),
    SafetyRule(
        "opioid-use-disorder",
        "§9.1, §4.3, §11.3",
        "Two or more opioid criteria, a plan to stop or cut down opioids, or opioids in "
        "pregnancy bring information on medication for opioid use disorder.",
        _opioid_use_disorder,
        ("medication-for-opioid-use-disorder",),
    ),
    SafetyRule(
        "opioid-change",
        "§4.3",
        "A plan to stop or cut down opioids means no self-taper: for prescribed opioids "
        "(methadone, buprenorphine, pain medicines) the prescriber plans any change; for "
        "others a clinician can make it safer, often with medication.",
        _opioid_change,
        ("no-self-taper",),
    ),
    SafetyRule(
        "alcohol-use-disorder",
        "§9.2",
        "Four or more alcohol criteria (possible moderate or severe alcohol use disorder) "
        "bring information on medication for alcohol use disorder.",
        _alcohol_use_disorder,
        ("medication-for-alcohol-use-disorder",),
    ),
)


def findings(profile: Profile, rules: Iterable[SafetyRule] = RULES) -> list[Finding]:
    """Every rule's findings, in rule order; nothing is ever removed."""
    return [finding for rule in rules for finding in rule.findings(profile)]


def safety_ids(found: Iterable[Finding]) -> list[str]:
    """The distinct ids, most immediate danger first."""
    present = {finding.id for finding in found}
    return [safety_id for safety_id in SAFETY_IDS if safety_id in present]
