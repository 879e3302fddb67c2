"""The path engine: safety first, then severity and signs, urgency, care, the five factors and
the approach (CONTRACTS.md §3). Pure: a typed profile in, a typed recommendation out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from waymark.clinical import care, factors, labels, risk, safety, signals
from waymark.clinical.factors import ABSTINENCE, HARM_REDUCTION, Factor
from waymark.clinical.profile import CRITERIA, Profile
from waymark.clinical.risk import HIGH, POSSIBLE, RiskModel
from waymark.clinical.safety import Finding
from waymark.clinical.scoring import Score
from waymark.clinical.text import N_, Message, say

APPROACHES = ("abstinence", "harm-reduction", "staged")
# The DSM-5 criteria that, found, mean it is time to think about professional help
# (PRODUCT.md: tolerance, withdrawal, strained relationships, neglected responsibilities,
# persistent cravings and loss of control despite consequences).
WARNING_SIGNS = (
    "larger-longer",
    "cut-down",
    "craving",
    "role-failure",
    "social-problems",
    "health-problems",
    "tolerance",
    "withdrawal",
)
ADULT_AGE = risk.ADULT_AGE
# At most this many next steps, but never fewer than the safety steps: a step that a safety
# finding brings is never cut to keep the list short.
MAX_NEXT_STEPS = 6


@dataclass(frozen=True)
class ScoreMeaning:
    """One screener's score with its meaning for the person (CONTRACTS.md §3b `scores`)."""

    instrument: str
    name: str
    total: int
    band: str
    band_label: str
    meaning: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "instrument": self.instrument,
            "total": self.total,
            "band": self.band,
            "meaning": self.meaning,
        }


@dataclass(frozen=True)
class SubstanceSeverity:
    substance: str
    criteria_met: int
    severity: str


@dataclass(frozen=True)
class Recommendation:
    approach: str
    substance: str
    abstinence_safer: bool
    abstinence_safer_reasons: tuple[Message, ...]
    severity: str
    severities: tuple[SubstanceSeverity, ...]
    signs: tuple[str, ...]
    urgency: str
    urgency_reason: Message
    care_level: str
    care_reason: Message
    safety: tuple[str, ...]
    findings: tuple[Finding, ...]
    factors: tuple[Factor, ...]
    approach_reason: Message
    next_steps: tuple[Message, ...]
    adult: bool
    risks: RiskModel
    scores: tuple[ScoreMeaning, ...] = ()

    @property
    def shown_scores(self) -> tuple[ScoreMeaning, ...]:
        """`scores` as a page lists them: a short form whose long form is scored too (the
        PHQ-2 inside a PHQ-9, the AUDIT-C inside an AUDIT) is said once, by the long form.
        ``scores`` itself keeps every instrument (CONTRACTS.md §3b)."""
        scored = {score.instrument for score in self.scores}
        return tuple(s for s in self.scores if SHORT_FORM_OF.get(s.instrument) not in scored)

    @property
    def risk_rows(self) -> list[tuple[str, str, Message, tuple[Message, ...]]]:
        """Each risk dimension, for people: its id, level, what it means, and why. Where the
        model asks for a clinician anyway (a sedative, opioids: `RiskModel.stopping_is_safe`),
        no withdrawal danger is not said to mean that stopping would be safe."""
        rows = []
        for name in risk.DIMENSIONS:
            level = getattr(self.risks, name).level
            meaning = labels.RISK_MEANING[name][level]
            if name == "withdrawal" and level == risk.NONE and not self.risks.stopping_is_safe:
                meaning = labels.WITHDRAWAL_NONE_BUT_CLINICIAN
            rows.append((name, level, say(meaning), getattr(self.risks, name).reasons))
        return rows

    @property
    def safety_with_reasons(self) -> list[tuple[str, list[Message]]]:
        """Each safety id, in display order, with the distinct reasons that raised it."""
        grouped: list[tuple[str, list[Message]]] = []
        for safety_id in self.safety:
            reasons: list[Message] = []
            for finding in self.findings:
                if finding.id == safety_id and finding.reason not in reasons:
                    reasons.append(finding.reason)
            grouped.append((safety_id, reasons))
        return grouped

    def as_dict(self) -> dict[str, Any]:
        """The public JSON shape of CONTRACTS.md §3 (keys may be added, never changed)."""
        return {
            "approach": self.approach,
            "substance": self.substance,
            "abstinence_safer": self.abstinence_safer,
            "severity": self.severity,
            "signs": list(self.signs),
            "urgency": self.urgency,
            "care_level": self.care_level,
            "safety": list(self.safety),
            "factors": [factor.as_dict() for factor in self.factors],
            "next_steps": [str(step) for step in self.next_steps],
            "severity_by_substance": {
                s.substance: {"criteria_met": s.criteria_met, "severity": s.severity}
                for s in self.severities
            },
            "approach_reason": str(self.approach_reason),
            "urgency_reason": str(self.urgency_reason),
            "care_level_reason": str(self.care_reason),
            "safety_reasons": [
                {"id": f.id, "rule": f.rule, "reason": str(f.reason)} for f in self.findings
            ],
            "risks": self.risks.as_dict(),
            "scores": [score.as_dict() for score in self.scores],
        }


def substance_severities(profile: Profile) -> tuple[SubstanceSeverity, ...]:
    """Severity per substance from the DSM-5 criteria count, scored by the `sud-11` bands
    (FACTS.md §2.6; prescribed: tolerance and withdrawal excluded)."""
    severities = []
    for use in profile.substances:
        result = use.sud_score()
        severities.append(SubstanceSeverity(use.substance, result.total, result.band.id))
    return tuple(severities)


def overall_severity(
    severities: tuple[SubstanceSeverity, ...], *, leave_out: tuple[str, ...] = ()
) -> str:
    """The highest severity among the substances, leaving out those in ``leave_out``."""
    counted = [s.severity for s in severities if s.substance not in leave_out]
    return max(counted, key=care.SEVERITY_LEVELS.index, default="none")


def warning_signs(profile: Profile) -> tuple[str, ...]:
    found: set[str] = set()
    for use in profile.substances:
        found |= use.counted_criteria & set(WARNING_SIGNS)
    sedative_or_unprescribed = any(
        not use.prescribed or use.substance in signals.SEDATIVES for use in profile.substances
    )
    if profile.withdrawal_history.current_symptoms and sedative_or_unprescribed:
        found.add("withdrawal")
    return tuple(criterion for criterion in CRITERIA if criterion in found)


def choose_approach(
    profile: Profile, leaning: list[Factor], abstinence_safer: bool
) -> tuple[str, Message]:
    """The goal weighs most; health and readiness decide between plain harm reduction and
    a staged path; when the person is unsure, the other factors decide."""
    readiness = factors.readiness_level(profile)
    if profile.age < ADULT_AGE:
        return "abstinence", say(
            N_(
                "Waymark's paths are made for adults. For someone under 18, not using is the "
                "safest choice, and people who work with young people can help."
            )
        )
    if profile.goal == "stop":
        return "abstinence", say(N_("You want to stop, so the path is abstinence, with support."))
    if profile.goal in ("cut-down", "safer-use"):
        if abstinence_safer and readiness != "low":
            return "staged", say(
                N_(
                    "Your goal of using less or more safely is where the plan starts. Because "
                    "your health makes stopping the safer option, stopping is the planned next "
                    "step."
                )
            )
        return "harm-reduction", say(
            N_("You want to use less or more safely, so the path is harm reduction.")
        )
    abstinence_leans = sum(f.leans == ABSTINENCE for f in leaning if f.factor != "goal")
    harm_leans = sum(f.leans == HARM_REDUCTION for f in leaning if f.factor != "goal")
    if abstinence_safer or abstinence_leans > harm_leans:
        if readiness == "high" and not abstinence_safer:
            return "abstinence", say(N_("Most factors lean towards stopping, and you feel ready."))
        return "staged", say(
            N_("Most factors lean towards stopping in time: start by reducing harm, then stop.")
        )
    return "harm-reduction", say(
        N_("Most factors lean towards reducing harm first; you can change path at any time.")
    )


def _professional_step(urgency: str) -> Message | None:
    if urgency == "urgent":
        return say(
            N_(
                "Contact a doctor or a treatment service today. If you cannot reach one, "
                "call the helpline shown on this page."
            )
        )
    if urgency == "recommended":
        return say(
            N_(
                "Book an assessment with a doctor or an addiction counsellor in the next "
                "week or two."
            )
        )
    if urgency == "consider":
        return say(
            N_(
                "Consider talking to a doctor or counsellor about your use; a short "
                "conversation can help."
            )
        )
    return None


def _stop_with_clinician_step(model: RiskModel) -> Message:
    """The first step towards stopping when stopping on one's own is not safe
    (`RiskModel.stopping_is_safe`): withdrawal or a sedative, then opioids (FACTS.md §4.3,
    §9.1: in pregnancy never abruptly; methadone, buprenorphine and prescriptions with the
    prescriber; otherwise medication makes stopping safer)."""
    if model.withdrawal.at_least(POSSIBLE) or model.uses_sedatives:
        return say(
            N_(
                "Plan stopping together with a doctor, who can make withdrawal safe; tell "
                "someone you trust, and plan for cravings and high-risk situations."
            )
        )
    opioids = model.state("opioids")
    if model.on_moud:
        return say(
            N_(
                "Keep taking your methadone or buprenorphine every day and plan any change to "
                "it with your prescriber; tell someone you trust, and plan for cravings."
            )
        )
    if model.pregnant:
        return say(
            N_(
                "Do not stop opioids suddenly: ask your prenatal care provider about "
                "buprenorphine or methadone, the standard care in pregnancy, and tell someone "
                "you trust."
            )
        )
    if opioids is not None and opioids.use.prescribed:
        return say(
            N_(
                "Plan any change to your opioids with your prescriber, at a pace that keeps "
                "you well; tell someone you trust, and plan for cravings."
            )
        )
    return say(
        N_(
            "Plan stopping with a clinician, who can start buprenorphine or methadone: they "
            "ease withdrawal and lower the risk of overdose afterwards. Tell someone you "
            "trust, and plan for cravings and high-risk situations."
        )
    )


def _approach_step(approach: str, model: RiskModel, ids: list[str]) -> Message:
    """The first step on the path, never at odds with a safety finding: no date to stop
    where stopping needs a doctor, no limit of one's own where cutting down does."""
    if model.under_18:
        return say(
            N_(
                "Tell a trusted adult, a school counsellor or a doctor what you use; they can "
                "help you stop safely."
            )
        )
    if approach == "abstinence":
        if not model.stopping_is_safe:
            return _stop_with_clinician_step(model)
        if model.pregnant:
            return say(
                N_(
                    "Stopping now is safe for you and the best choice for the baby: tell "
                    "someone you trust and your prenatal care provider."
                )
            )
        return say(
            N_(
                "Choose a start date, tell someone you trust, and plan for cravings "
                "and high-risk situations."
            )
        )
    if model.withdrawal.level == HIGH or "no-self-taper" in ids:
        return say(
            N_(
                "Plan any cutting down with a clinician rather than on your own, and track "
                "how you use every day."
            )
        )
    if model.pregnant:
        return say(
            N_(
                "Stopping is the safest choice for you and the baby. Until then, use less, "
                "never alone, and tell your prenatal care provider what you use."
            )
        )
    if model.withdrawal.level == POSSIBLE and model.drinks_now:
        return say(
            N_(
                "Cut down gradually, never all at once, with someone to support you and a "
                "doctor's advice; track it every day."
            )
        )
    if approach == "staged":
        return say(
            N_(
                "Set a lower limit for now and track it every day; plan when to take "
                "the step to stopping."
            )
        )
    if model.drinks_now and not model.pregnant:
        return say(N_("Set a lower limit, with drink-free days each week, and track it every day."))
    return say(N_("Set one safer-use goal for this week and track how it goes."))


def next_steps(model: RiskModel, approach: str, urgency: str, ids: list[str]) -> list[Message]:
    """Concrete actions, most pressing first. Every step a safety finding brings is kept;
    the general steps fill the list up to :data:`MAX_NEXT_STEPS`."""
    profile = model.profile
    steps: list[Message] = []
    if "crisis-support" in ids:
        steps.append(
            say(
                N_(
                    "Call or text a crisis line now (shown on this page). If you are in "
                    "danger, call emergency services."
                )
            )
        )
    if model.under_18:
        steps.append(
            say(
                N_(
                    "Waymark is made for adults. Please talk to a school counsellor, a "
                    "doctor or a youth service you trust; the help lines here still "
                    "apply to you."
                )
            )
        )
    if model.withdrawal.level == HIGH:
        steps.append(
            say(
                N_(
                    "Do not stop suddenly on your own. Ask a doctor or a withdrawal "
                    "service about medically supervised withdrawal before you change "
                    "how much you use."
                )
            )
        )
    elif model.withdrawal.level == POSSIBLE:
        steps.append(
            say(
                N_(
                    "Do not stop all at once. Talk to a doctor about withdrawal before you "
                    "cut down; medically supervised withdrawal is the safest way to stop."
                )
            )
        )
    if "continue-moud" in ids:
        steps.append(
            say(
                N_(
                    "Keep taking your methadone or buprenorphine every day; talk to your "
                    "prescriber before any change."
                )
            )
        )
    if "pregnancy-care" in ids:
        steps.append(
            say(
                N_(
                    "Tell a prenatal care provider about your use; they can connect you "
                    "with addiction care that is safe in pregnancy."
                )
            )
        )
    if "naloxone" in ids:
        steps.append(say(N_("Get naloxone today and show the people around you how to use it.")))
    professional = _professional_step(urgency)
    if professional is not None:
        steps.append(professional)
    opioids = profile.use_of("opioids")
    prescribed_change = opioids is not None and opioids.prescribed and not opioids.moud
    if prescribed_change and "no-self-taper" in ids:
        steps.append(
            say(
                N_("Do not stop prescribed opioids suddenly: plan any change with your prescriber.")
            )
        )
    if "medication-for-opioid-use-disorder" in ids and not model.on_moud:
        steps.append(
            say(
                N_(
                    "Ask about medication for opioid use disorder (buprenorphine, methadone or "
                    "naltrexone)."
                )
            )
        )
    elif "medication-for-alcohol-use-disorder" in ids:
        steps.append(
            say(N_("Ask a doctor whether a medicine for alcohol use disorder could help you."))
        )
    if model.mental_health.level == POSSIBLE:
        steps.append(
            say(
                N_(
                    "Talk to someone about your mood: a doctor or counsellor can help, and "
                    "mood and substance use are best cared for together."
                )
            )
        )
    kept = len(steps)
    steps.append(_approach_step(approach, model, ids))
    steps.append(say(N_("Make a written plan: your reasons, your triggers, and who you can call.")))
    steps.append(
        say(N_("Check in with yourself every day for a few weeks to see what is changing."))
    )
    return steps[: max(MAX_NEXT_STEPS, kept + 1)]


# A short form and the long form whose first items it is (`Recommendation.shown_scores`).
SHORT_FORM_OF = {"phq-2": "phq-9", "audit-c": "audit"}


def screener_scores(profile: Profile) -> tuple[ScoreMeaning, ...]:
    """Every instrument in the profile, scored, with its band's meaning for the person."""
    scores = []
    for instrument_id in profile.instruments:
        result: Score | None = profile.score(instrument_id)
        if result is None:
            continue
        scores.append(
            ScoreMeaning(
                instrument=instrument_id,
                name=result.instrument.short_name,
                total=result.total,
                band=result.band.id,
                band_label=result.band.label,
                meaning=result.band.meaning,
            )
        )
    return tuple(scores)


def recommend(profile: Profile) -> Recommendation:
    """The whole recommendation. The risk model is derived first, from the profile alone,
    and every later step reads it, so none can hide, remove or contradict a danger."""
    model = risk.assess(profile)
    found = safety.findings(model)
    ids = safety.safety_ids(found)
    severities = substance_severities(profile)
    severity = overall_severity(severities)
    care_severity = overall_severity(severities, leave_out=care.NOT_DRIVING_CARE)
    health = factors.health_reasons(profile)
    if model.withdrawal.level == HIGH:
        health.append(
            say(N_("Withdrawal could be dangerous for you: stopping with medical help is safer."))
        )
    severe_sedatives = factors.severity_makes_abstinence_safer(profile)
    if severe_sedatives:
        health.append(
            say(
                N_("Many warning signs around alcohol or sedatives make stopping the safer option.")
            )
        )
    if model.under_18:
        health.append(say(N_("Alcohol and drugs harm a brain that is still growing.")))
    health = [reason for i, reason in enumerate(health) if reason not in health[:i]]
    abstinence_safer = bool(health)
    leaning = factors.all_factors(profile, care_severity, model.withdrawal.level, model.under_18)
    approach, approach_reason = choose_approach(profile, leaning, abstinence_safer)
    urgency = care.urgency(model, care_severity, ids)
    care_level = care.care_level(model, care_severity, ids)
    return Recommendation(
        approach=approach,
        substance=profile.primary.substance,
        abstinence_safer=abstinence_safer,
        abstinence_safer_reasons=tuple(health),
        severity=severity,
        severities=severities,
        signs=warning_signs(profile),
        urgency=urgency.level,
        urgency_reason=urgency.reason,
        care_level=care_level.level,
        care_reason=care_level.reason,
        safety=tuple(ids),
        findings=tuple(found),
        factors=tuple(leaning),
        approach_reason=approach_reason,
        next_steps=tuple(next_steps(model, approach, urgency.level, ids)),
        adult=not model.under_18,
        risks=model,
        scores=screener_scores(profile),
    )
