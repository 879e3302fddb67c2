"""Safety rules: checked first, shown first, never removed.

Each rule reads the one risk model (:mod:`waymark.clinical.risk`), never the raw answers, so a
finding cannot disagree with the urgency, the plan, the taper or the wallet card, which read the
same model. Rules can only *add* findings; the result is the union of every rule's findings, so
no rule can take away what another found. Each rule cites the fact it rests on (FACTS.md
section, or docs/clinical-facts.md "A.n") and explains itself in plain words. The ids are the
public ones of CONTRACTS.md §3 and §3b: add new ones, never rename.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from waymark.clinical.risk import HIGH, POSSIBLE, RiskModel
from waymark.clinical.text import N_, Message, say

# The public ids, in the order they are shown: the most immediate danger first.
SAFETY_IDS = (
    "crisis-support",
    "under-18",
    "medically-supervised-withdrawal",
    "no-self-taper",
    "pregnancy-care",
    "polysubstance-overdose-risk",
    "reduced-tolerance",
    "continue-moud",
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
    "under-18": N_(
        "Waymark is made for adults, so it gives you no limits, schedules or plans of its own. "
        "Please talk to someone you trust: a school counsellor or nurse, a doctor, or a "
        "helpline for young people. The safety information here applies to you too."
    ),
    "continue-moud": N_(
        "Keep taking your methadone or buprenorphine, in pregnancy too: it protects you from "
        "overdose. Never stop it suddenly; plan any change with your prescriber."
    ),
    "pregnancy-care": N_(
        "Because you are pregnant, prenatal care together with addiction care is recommended "
        "as soon as you can. If you use opioids, do not stop suddenly: medication for opioid "
        "use disorder is the standard care in pregnancy."
    ),
    "polysubstance-overdose-risk": N_(
        "Opioids together with alcohol, benzodiazepines or other sedatives (gabapentin, "
        "pregabalin, GHB, sleeping pills, xylazine) sharply raise the risk that breathing "
        "stops. Avoid mixing them, use less of each, and keep naloxone close."
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
    check: Callable[[RiskModel], Message | None]  # why the rule applies, or None
    adds: tuple[str, ...]

    def findings(self, model: RiskModel) -> list[Finding]:
        reason = self.check(model)
        if reason is None:
            return []
        return [Finding(id=safety_id, rule=self.id, reason=reason) for safety_id in self.adds]


def _first(reasons: tuple[Message, ...]) -> Message | None:
    return reasons[0] if reasons else None


def _suicidal_thoughts(model: RiskModel) -> Message | None:
    if model.mental_health.level == HIGH:
        return _first(model.mental_health.reasons)
    return None


def _under_18(model: RiskModel) -> Message | None:
    if model.under_18:
        return say(N_("You are under 18."))
    return None


def _dangerous_withdrawal(model: RiskModel) -> Message | None:
    if model.withdrawal.level == HIGH:
        return _first(model.withdrawal.reasons)
    return None


def _possible_withdrawal(model: RiskModel) -> Message | None:
    if model.withdrawal.level == POSSIBLE:
        return _first(model.withdrawal.reasons)
    return None


def _sedatives(model: RiskModel) -> Message | None:
    """Sedatives are never self-tapered, whatever the amount (FACTS.md §4.2, CONTRACTS.md §4).
    The other conditions that refuse a home alcohol schedule (liver disease, pregnancy…) are
    the taper's refusals, not a finding: with light drinking there is no schedule to refuse."""
    if model.uses_sedatives:
        return say(N_("Waymark never makes a home schedule for stopping sedatives."))
    return None


def _pregnancy(model: RiskModel) -> Message | None:
    if model.pregnant:
        return say(N_("You are pregnant and use alcohol, tobacco or drugs."))
    return None


def _pregnancy_with_opioids(model: RiskModel) -> Message | None:
    if model.pregnant and model.using("opioids"):  # used now: not stopped a month ago
        return say(N_("Stopping opioids suddenly in pregnancy can harm you and the baby."))
    return None


def _moud(model: RiskModel) -> Message | None:
    if model.on_moud:
        return say(N_("You take methadone or buprenorphine as treatment."))
    return None


def _opioid_use(model: RiskModel) -> Message | None:
    if model.profile.uses("opioids"):
        return say(N_("You use opioids; any opioid can cause an overdose."))
    return None


def _street_opioids(model: RiskModel) -> Message | None:
    opioids = model.state("opioids")
    if opioids is not None and opioids.street:
        return say(N_("Opioids not from a pharmacy may contain fentanyl."))
    return None


def _opioid_stop_plan(model: RiskModel) -> Message | None:
    """FACTS.md §11.3: an opioid abstinence plan (any goal of quitting) always shows the
    never-use-alone line and fentanyl test strips, prescribed opioids and MOUD included: once
    tolerance has fallen, a return to use, often from the street supply, is when people die."""
    if model.profile.uses("opioids") and model.profile.goal in ("stop", "cut-down"):
        return say(
            N_("You plan to stop or cut down opioids: a return to use afterwards is the danger.")
        )
    return None


def _street_stimulants_and_pills(model: RiskModel) -> Message | None:
    stimulants, benzo = model.state("stimulants"), model.state("benzodiazepines")
    if stimulants is not None and stimulants.street:
        return say(N_("Stimulants from the street are often contaminated with fentanyl."))
    if benzo is not None and benzo.street:
        return say(N_("Benzodiazepine pills not from a pharmacy are often pressed fakes."))
    if any(state.use.kinds & {"unknown-pills", "xylazine"} for state in model.states):
        return say(N_("Pressed pills and street supplies may contain fentanyl or nitazenes."))
    return None


def _high_overdose(model: RiskModel) -> Message | None:
    """Overdose risk high with no opioid or street supply, whose rules bring these findings
    with their own reasons (such as a past-year overdose with alcohol and sedatives): the
    model's first reason, said once."""
    if model.overdose.level != HIGH or model.profile.uses("opioids"):
        return None
    if _street_stimulants_and_pills(model) is not None:
        return None
    return _first(model.overdose.reasons)


def _uses_alone(model: RiskModel) -> Message | None:
    if model.overdose.at_least(POSSIBLE) and model.profile.overdose.uses_alone in (
        "sometimes",
        "often",
    ):
        if model.profile.overdose.uses_alone == "often":
            return say(N_("You often use alone."))
        return say(N_("You sometimes use alone."))
    return None


def _injection(model: RiskModel) -> Message | None:
    if any(use.route == "injected" for use in model.profile.substances):
        return say(N_("You inject drugs."))
    return None


def _combined_depressants(model: RiskModel) -> Message | None:
    if model.opioids_with_sedatives:
        return say(
            N_(
                "You use opioids together with alcohol, benzodiazepines or another sedative "
                "(such as gabapentin, GHB, sleeping pills or xylazine)."
            )
        )
    return None


def _lost_tolerance(model: RiskModel) -> Message | None:
    if model.lost_tolerance:
        if model.profile.recent_release:
            return say(N_("You left prison, hospital, detox or residential care recently."))
        return say(N_("You have had a break from opioids recently."))
    if model.profile.uses("opioids") and model.profile.goal in ("stop", "cut-down"):
        return say(N_("You plan to stop or cut down opioids, so your tolerance will fall."))
    if model.using("opioids"):
        # Whatever the goal: the path may still be stopping, and any break in use, planned
        # or not (hospital, custody, a lost supply), lowers tolerance (FACTS.md §4.3, §11.3).
        return say(N_("You use opioids, and any break in use lowers your tolerance."))
    return None


def _opioid_use_disorder(model: RiskModel) -> Message | None:
    profile = model.profile
    use = profile.use_of("opioids")
    if use is None:
        return None
    if len(use.counted_criteria) >= 2:
        return say(N_("Your answers suggest a possible opioid use disorder."))
    if model.pregnant:
        return say(N_("You are pregnant and use opioids."))
    if model.daily_street_opioids:
        return say(N_("You use opioids not from a pharmacy almost every day."))
    if (use.moud or not use.prescribed) and profile.goal in ("stop", "cut-down"):
        return say(N_("You want to stop or cut down opioids."))
    if model.using("opioids") and not use.prescribed and not use.moud:
        # Whatever the goal: medication fits every path, and the path may be stopping
        # (FACTS.md §4.3 "detox alone does not", §11.3).
        return say(N_("You use opioids that are not prescribed to you."))
    return None


def _opioid_change(model: RiskModel) -> Message | None:
    use = model.profile.use_of("opioids")
    if use is None or not model.using("opioids") or model.profile.goal not in ("stop", "cut-down"):
        return None
    if use.moud:
        return say(
            N_(
                "Methadone and buprenorphine must not be stopped suddenly: plan any change "
                "with your prescriber."
            )
        )
    if use.prescribed:
        return say(
            N_(
                "Prescribed opioids must not be stopped suddenly: plan any change with your "
                "prescriber."
            )
        )
    return say(
        N_(
            "Cutting down opioids on your own brings withdrawal and then lower tolerance; a "
            "clinician can make it safer, often with medication."
        )
    )


def _alcohol_use_disorder(model: RiskModel) -> Message | None:
    use = model.profile.use_of("alcohol")
    if use is not None and len(use.counted_criteria) >= 4:
        return say(N_("Your answers suggest a possible moderate or severe alcohol use disorder."))
    return None


SUPERVISED = ("medically-supervised-withdrawal", "no-self-taper")
OVERDOSE_BASICS = ("naloxone", "never-use-alone", "fentanyl-test-strips")

RULES: tuple[SafetyRule, ...] = (
    SafetyRule(
        "suicidal-thoughts",
        "§11.1, §2.7",
        "Mental-health risk high (PHQ-9 item 9 above zero, or suicidal thoughts said "
        "directly) brings crisis support whatever the totals.",
        _suicidal_thoughts,
        ("crisis-support",),
    ),
    SafetyRule(
        "under-18",
        "PRODUCT (adults only); clinical-facts A.9",
        "Under 18: the youth finding, with resources for young people; no adult limits, "
        "schedules or paths.",
        _under_18,
        ("under-18",),
    ),
    SafetyRule(
        "dangerous-withdrawal",
        "§4.1, §4.2, §11.2",
        "Withdrawal risk high (past seizures or DTs with current drinking or sedative use, "
        "withdrawal symptoms now, more than about 17 drinks on most days, sedative dependence, "
        "alcohol with sedatives, sedating medicine with regular drinking, or dependence with "
        "epilepsy, liver disease or pregnancy) means supervised withdrawal and no self-taper.",
        _dangerous_withdrawal,
        SUPERVISED,
    ),
    SafetyRule(
        "possible-withdrawal",
        "§4.1, §11.2 (⚠️ UK service guidance); clinical-facts A.11",
        "Withdrawal risk possible (signs of alcohol dependence, or about 8.6–17 drinks a day "
        "on most days, or near-daily drinking with epilepsy or liver disease) means no sudden "
        "stop: supervised withdrawal is recommended, and a gradual reduction only with support.",
        _possible_withdrawal,
        ("medically-supervised-withdrawal",),
    ),
    SafetyRule(
        "self-taper-conditions",
        "§4.2, CONTRACTS §4",
        "Any benzodiazepine use, or a z-drug, GHB or barbiturate, rules out a home taper "
        "schedule: sedatives are stopped only with a clinician.",
        _sedatives,
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
        "§11.2, §4.3, PRODUCT invariants; clinical-facts A.10",
        "Opioids used in pregnancy are never to be stopped abruptly: no self-taper, and "
        "medication for opioid use disorder as standard care (never a withdrawal).",
        _pregnancy_with_opioids,
        ("no-self-taper", "medication-for-opioid-use-disorder"),
    ),
    SafetyRule(
        "moud",
        "§9.1, §4.3; clinical-facts A.10",
        "Methadone or buprenorphine as treatment: keep taking it, in pregnancy too; never a "
        "withdrawal from it as a plan step.",
        _moud,
        ("continue-moud", "naloxone"),
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
        "§5, §11.3; clinical-facts A.2",
        "Opioids not taken as prescribed bring never-use-alone and fentanyl test strips.",
        _street_opioids,
        ("never-use-alone", "fentanyl-test-strips"),
    ),
    SafetyRule(
        "opioid-stop-plan",
        "§11.3",
        "A plan to stop or cut down opioids, prescribed and MOUD included, brings never-use-alone "
        "and fentanyl test strips: a return to use after tolerance has fallen is the danger.",
        _opioid_stop_plan,
        ("never-use-alone", "fentanyl-test-strips"),
    ),
    SafetyRule(
        "stimulants",
        "§5, PRODUCT invariants",
        "Street stimulants, benzodiazepine pills not from a pharmacy, and pressed pills carry the "
        "same overdose protections as opioids: naloxone, never use alone, fentanyl test strips.",
        _street_stimulants_and_pills,
        OVERDOSE_BASICS,
    ),
    SafetyRule(
        "overdose-high",
        "§5, §11.3",
        "Overdose risk high with no opioid and no street supply (whose rules bring these "
        "findings with their own reasons), such as a past-year overdose with alcohol and "
        "sedatives, brings never-use-alone and naloxone: someone near who can call for "
        "help, and naloxone at hand in case opioids are involved (❓ ours: naloxone reverses "
        "only opioids, and does no harm otherwise).",
        _high_overdose,
        ("naloxone", "never-use-alone"),
    ),
    SafetyRule(
        "uses-alone",
        "§5, §11.3",
        "Using alone with any overdose risk brings never-use-alone and naloxone.",
        _uses_alone,
        ("never-use-alone", "naloxone"),
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
        "§4.2; clinical-facts A.5",
        "Opioids with alcohol, benzodiazepines, sedating medicine or a sedating kind of other "
        "drug (gabapentinoids, z-drugs, GHB, barbiturates, xylazine) bring the "
        "combined-overdose warning.",
        _combined_depressants,
        ("polysubstance-overdose-risk", "naloxone"),
    ),
    SafetyRule(
        "lost-tolerance",
        "§4.3, §11.3; clinical-facts A.8",
        "A break of 3 days or more after opioid use (❓ our threshold), a release from prison, "
        "hospital, detox or residential care in the past 14 days, a plan to stop or cut "
        "down opioids, or any opioid use now (a break may come, planned or not), brings the "
        "lost-tolerance warning.",
        _lost_tolerance,
        ("reduced-tolerance", "naloxone"),
    ),
    SafetyRule(
        "opioid-use-disorder",
        "§9.1, §4.3, §11.3",
        "Two or more opioid criteria, opioids in pregnancy, any use of opioids not prescribed, "
        "or a plan to stop or cut down opioids not taken for pain, bring information on "
        "medication for opioid use disorder (never for a pain prescription with no criteria "
        "met).",
        _opioid_use_disorder,
        ("medication-for-opioid-use-disorder",),
    ),
    SafetyRule(
        "opioid-change",
        "§4.3",
        "A plan to stop or cut down opioids used now means no self-taper: for methadone, "
        "buprenorphine or pain medicines the prescriber plans any change; for others a "
        "clinician can make it safer, often with medication.",
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


def findings(model: RiskModel, rules: Iterable[SafetyRule] = RULES) -> list[Finding]:
    """Every rule's findings, in rule order; nothing is ever removed."""
    return [finding for rule in rules for finding in rule.findings(model)]


def safety_ids(found: Iterable[Finding]) -> list[str]:
    """The distinct ids, most immediate danger first."""
    present = {finding.id for finding in found}
    return [safety_id for safety_id in SAFETY_IDS if safety_id in present]
