"""The five factors (plus severity), each leaning towards abstinence or harm reduction.

A factor never decides alone: it leans, with a plain reason, and `pathway.choose_approach`
weighs them with the person's own goal weighing most (PRODUCT.md, "the person's goal is
respected").
"""

from __future__ import annotations

from dataclasses import dataclass

from waymark.clinical import signals
from waymark.clinical.profile import Profile
from waymark.clinical.text import N_, Message, say

ABSTINENCE = "abstinence"
HARM_REDUCTION = "harm-reduction"
NEUTRAL = "neutral"
FACTOR_IDS = ("goal", "health", "support", "past-experience", "readiness", "severity")

# Readiness ruler heuristic 0–3 / 4–6 / 7–10 (FACTS.md §2.13, ⚠️ no validated cut-off: used
# only to lean a factor, never as a safety rule).
RULER_LOW = 3
RULER_HIGH = 7
# BARC-10 of 47 or more went with sustained remission in its validation (FACTS.md §2.12).
BARC_STRONG = "strong"


@dataclass(frozen=True)
class Factor:
    factor: str
    leans: str
    reason: Message

    def as_dict(self) -> dict[str, str]:
        return {"factor": self.factor, "leans": self.leans, "reason": str(self.reason)}


def goal_factor(profile: Profile) -> Factor:
    if profile.goal == "stop":
        return Factor("goal", ABSTINENCE, say(N_("You want to stop, and that goal comes first.")))
    if profile.goal == "cut-down":
        return Factor(
            "goal", HARM_REDUCTION, say(N_("You want to cut down, and that goal comes first."))
        )
    if profile.goal == "safer-use":
        return Factor(
            "goal",
            HARM_REDUCTION,
            say(N_("You want to use more safely, and that goal comes first.")),
        )
    return Factor(
        "goal",
        NEUTRAL,
        say(N_("You are not sure yet what you want, and that is fine: the other factors help.")),
    )


def health_reasons(profile: Profile) -> list[Message]:
    """Health reasons that make abstinence the safer option (FACTS.md §3 people who should
    not drink, §4.1 red flags, §4.2 combined use, §11.2)."""
    reasons: list[Message] = []
    drinks = profile.uses("alcohol")
    if profile.pregnant:
        reasons.append(say(N_("No amount of alcohol or drugs is known to be safe in pregnancy.")))
    if drinks and profile.health & {"liver-disease", "pancreatitis", "hepatitis-c"}:
        reasons.append(say(N_("Alcohol harms the liver and pancreas you already need to protect.")))
    if drinks and signals.complicated_withdrawal_history(profile):
        reasons.append(
            say(
                N_("You have had seizures or DTs in withdrawal: each heavy spell risks them again.")
            )
        )
    if profile.uses("stimulants") and profile.health & {"heart-disease", "seizure-disorder"}:
        reasons.append(say(N_("Stimulants strain the heart and can trigger seizures.")))
    if profile.uses("cannabis", "stimulants") and profile.health & {
        "psychosis",
        "bipolar-disorder",
    }:
        reasons.append(say(N_("Cannabis and stimulants can bring back psychosis or mania.")))
    if profile.uses("alcohol", "opioids", "benzodiazepines") and signals.takes_sedating_medication(
        profile
    ):
        reasons.append(
            say(N_("Your sedating medicine adds to the effect of alcohol, opioids or sedatives."))
        )
    return reasons


def severity_makes_abstinence_safer(profile: Profile) -> bool:
    """Severe alcohol or sedative use disorder: moderation goals are harder to keep and
    withdrawal is dangerous (FACTS.md §4.1, §4.2). Not for opioids, where stopping without
    medication raises overdose risk (FACTS.md §4.3)."""
    return any(
        use.substance in signals.SEDATIVES and use.sud_score().band.id == "severe"
        for use in profile.substances
    )


def health_factor(profile: Profile) -> Factor:
    reasons = health_reasons(profile)
    if reasons:
        return Factor("health", ABSTINENCE, reasons[0])
    return Factor(
        "health", NEUTRAL, say(N_("Nothing you told us about your health points either way."))
    )


def support_factor(profile: Profile) -> Factor:
    support = profile.support
    barc = profile.score("barc-10")
    if support.stable_housing is False:
        return Factor(
            "support",
            HARM_REDUCTION,
            say(
                N_("Without a stable place to live, staying safe comes first while support grows.")
            ),
        )
    people = support.supportive_people
    strong = (barc is not None and barc.band.id == BARC_STRONG) or (
        (people or 0) >= 2 and support.substance_free_home is not False
    )
    if strong:
        return Factor(
            "support",
            ABSTINENCE,
            say(N_("You have people and a home that can support a change.")),
        )
    if people == 0 or support.substance_free_home is False:
        return Factor(
            "support",
            HARM_REDUCTION,
            say(N_("Support is thin right now, so building it is part of the plan.")),
        )
    return Factor(
        "support", NEUTRAL, say(N_("We do not know enough about your support to lean either way."))
    )


def past_experience_factor(profile: Profile) -> Factor:
    past = profile.past_treatment
    returns = past.returns_to_use or 0
    attempts = past.quit_attempts or 0
    if returns >= 2:
        return Factor(
            "past-experience",
            HARM_REDUCTION,
            say(
                N_(
                    "You have gone back to using %(returns)d times after trying to stop: "
                    "smaller steps with more support may hold better. That is experience, "
                    "not failure."
                ),
                returns=returns,
            ),
        )
    if attempts > returns:
        return Factor(
            "past-experience",
            ABSTINENCE,
            say(N_("You have stopped before and it held: that experience counts.")),
        )
    if past.helped:
        return Factor(
            "past-experience",
            NEUTRAL,
            say(N_("Some things have helped you before; they belong in your plan.")),
        )
    return Factor(
        "past-experience",
        NEUTRAL,
        say(N_("No earlier attempts were reported, so there is no pattern to learn from yet.")),
    )


def readiness_level(profile: Profile) -> str | None:
    """`low`, `medium` or `high` from the lower of readiness and confidence, else None."""
    given = [
        value
        for value in (profile.readiness.readiness, profile.readiness.confidence)
        if value is not None
    ]
    if not given:
        return None
    lowest = min(given)
    if lowest <= RULER_LOW:
        return "low"
    if lowest >= RULER_HIGH:
        return "high"
    return "medium"


def readiness_factor(profile: Profile) -> Factor:
    level = readiness_level(profile)
    if level == "high":
        return Factor(
            "readiness",
            ABSTINENCE,
            say(N_("You feel ready and confident to change now.")),
        )
    if level == "low":
        return Factor(
            "readiness",
            HARM_REDUCTION,
            say(N_("You do not feel ready or confident yet, so first steps can be small ones.")),
        )
    if level == "medium":
        return Factor(
            "readiness",
            NEUTRAL,
            say(
                N_("You feel partly ready: it is worth exploring what would move you one step up.")
            ),
        )
    return Factor(
        "readiness", NEUTRAL, say(N_("You did not rate your readiness, so it leans neither way."))
    )


def severity_factor(severity: str, withdrawal: str = "none", under_18: bool = False) -> Factor:
    """How the number of warning signs leans; with withdrawal risk (the risk model's level),
    few signs never reads as "cutting down is a realistic goal" on one's own, nor under 18,
    where no adult goal of using less applies (PRODUCT.md: youth rules)."""
    if severity == "severe":
        return Factor(
            "severity",
            ABSTINENCE,
            say(N_("Many warning signs were found: cutting down tends to be harder to hold.")),
        )
    if severity == "moderate":
        return Factor(
            "severity",
            NEUTRAL,
            say(N_("Several warning signs were found: either path can work with support.")),
        )
    if under_18:
        return Factor(
            "severity",
            ABSTINENCE,
            say(
                N_(
                    "Few warning signs were found. Under 18, not drinking or using at all is "
                    "the safest choice."
                )
            ),
        )
    if withdrawal == "high":
        return Factor(
            "severity",
            NEUTRAL,
            say(
                N_(
                    "Few warning signs were found, but withdrawal could be dangerous for you: "
                    "any change needs a doctor's help."
                )
            ),
        )
    if withdrawal == "possible":
        return Factor(
            "severity",
            HARM_REDUCTION,
            say(
                N_(
                    "Few warning signs were found: cutting down is realistic if it is gradual, "
                    "with support and a doctor's advice."
                )
            ),
        )
    return Factor(
        "severity",
        HARM_REDUCTION,
        say(N_("Few warning signs were found: cutting down is a realistic goal.")),
    )


def all_factors(
    profile: Profile, severity: str, withdrawal: str = "none", under_18: bool = False
) -> list[Factor]:
    return [
        goal_factor(profile),
        health_factor(profile),
        support_factor(profile),
        past_experience_factor(profile),
        readiness_factor(profile),
        severity_factor(severity, withdrawal, under_18),
    ]
