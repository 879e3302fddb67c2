"""Gradual alcohol taper schedules, or a refusal with the reason and the safer way.

Facts (FACTS.md §4.1, ⚠️ UK service guidance mirroring Public Health England): stabilise
first for about a week, then cut by no more than about 10% of the starting daily amount per
day, more slowly at the top of the range; never self-taper above about 17 US drinks a day,
with past seizures or DTs, epilepsy, liver disease, sedating medication, or in pregnancy.
Benzodiazepines and other sedatives are never self-tapered (FACTS.md §4.2). Evidence that
self-tapering works is limited, so wherever a schedule is shown it comes with the advice to
involve a clinician, and to stop cutting and re-stabilise if symptoms return.

The contract (CONTRACTS.md §4): day 1 starts a stabilisation period at the starting amount;
the limit never rises, never falls by more than 10% of the starting amount from one day to
the next, and ends at the target. Every day is listed, so that holds between any two entries.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

from waymark.clinical import risk
from waymark.clinical.profile import Profile, SubstanceUse
from waymark.clinical.text import N_, Message, say

STABILISATION_DAYS = 7
MAX_DAILY_CUT = Decimal("0.10")
# "More slowly above 25 UK units a day" (FACTS.md §4.1): above 14 US drinks we cut at most
# 5% of the starting amount a day ❓ (our reading of "more slowly").
SLOWER_ABOVE = Decimal(14)
SLOWER_DAILY_CUT = Decimal("0.05")
HALF_DRINK = Decimal("0.5")
QUARTER_DRINK = Decimal("0.25")
SMALL_STEP = Decimal("0.05")
MIN_START = Decimal(1)

SAFER_WAY = N_(
    "The safer way is medically supervised withdrawal: a doctor or a withdrawal-management "
    "service can plan it with you and keep it safe."
)
YOUTH_WAY = N_(
    "Please talk to a doctor, a school nurse or counsellor, or a youth service: they can help "
    "you stop safely."
)
PRESCRIBER_WAY = N_(
    "The safer way is to plan any reduction with a doctor or prescriber, who can also tell "
    "you about medicines that help."
)


class TaperError(ValueError):
    """Amounts that make no schedule (negative, target not below start, ...)."""


@dataclass(frozen=True)
class Step:
    day: int
    limit: float


@dataclass(frozen=True)
class Taper:
    refused: bool
    why: Message | None  # why it was refused; `safer_way` always follows it
    steps: tuple[Step, ...]
    safer_way: str = SAFER_WAY

    @property
    def reason(self) -> str | None:
        return None if self.why is None else f"{self.why} {self.safer_way}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "refused": self.refused,
            "reason": self.reason,
            "steps": [{"day": step.day, "limit": step.limit} for step in self.steps],
        }


def _refuse(why: str, safer_way: str = SAFER_WAY, **params: Any) -> Taper:
    return Taper(refused=True, why=say(why, **params), steps=(), safer_way=safer_way)


def _drinking(profile: Profile, start: Decimal) -> Profile:
    """The profile as someone drinking `start` drinks every day, which is what asking for
    a taper means: alcohol counts as used daily even where the profile said less, so no rule
    misses a danger the taper itself creates."""
    listed = profile.use_of("alcohol") or SubstanceUse("alcohol")
    daily = replace(
        listed,
        days_used_past_30=30,
        typical_amount=max(float(start), listed.typical_amount or 0),
        last_use_days_ago=0,
    )
    others = tuple(use for use in profile.substances if use.substance != "alcohol")
    return replace(profile, substances=(daily, *others))


def refusal(substance: str, start: Decimal, profile: Profile | None) -> Taper | None:
    """The refusal, when a self-taper is not safe; None when it may be offered. With a
    profile, the one risk model decides (CONTRACTS.md §4 as amended): no schedule under 18,
    for someone who does not drink now, or whenever withdrawal risk is high or a condition
    rules a home schedule out."""
    if substance in ("benzodiazepines", "other"):
        return _refuse(
            N_(
                "Waymark never makes a schedule for stopping benzodiazepines or "
                "other drugs that may be sedatives: stopping them can cause seizures."
            )
        )
    if substance != "alcohol":
        return _refuse(
            N_("Waymark makes taper schedules for alcohol only."), safer_way=PRESCRIBER_WAY
        )
    if start > risk.VERY_HEAVY_DAILY_DRINKS:
        return _refuse(
            N_(
                "At more than %(limit)d standard drinks a day, cutting down on your "
                "own can bring dangerous withdrawal."
            ),
            limit=risk.VERY_HEAVY_DAILY_DRINKS,
        )
    if profile is None:
        return None
    if profile.age < risk.ADULT_AGE:
        return _refuse(N_("Waymark makes no schedules for people under 18."), safer_way=YOUTH_WAY)
    listed = profile.use_of("alcohol")
    if listed is None:
        return _refuse(
            N_("Your profile shows no drinking, so there is nothing to taper."),
            safer_way=PRESCRIBER_WAY,
        )
    if not risk.substance_state(listed).current:
        if listed.last_use_days_ago is None:  # no drinking on any of the past 30 days
            return _refuse(
                N_(
                    "Your profile shows no drinking in the past 30 days, so there is nothing "
                    "to taper: keep going, and if you start again, talk to a doctor first."
                ),
                safer_way=PRESCRIBER_WAY,
            )
        return _refuse(
            N_(
                "Your profile says you stopped drinking %(days)d days ago, so there is "
                "nothing to taper: keep going, and if you start again, talk to a doctor first."
            ),
            safer_way=PRESCRIBER_WAY,
            days=listed.last_use_days_ago,
        )
    model = risk.assess(_drinking(profile, start))
    if model.withdrawal.level == risk.HIGH:
        return Taper(refused=True, why=model.withdrawal.reasons[0], steps=())
    if model.self_taper_excluded:
        return Taper(refused=True, why=model.self_taper_excluded[0], steps=())
    return None


def _daily_cut(start: Decimal) -> tuple[Decimal, Decimal]:
    """The daily cut and the unit the limits move in: half drinks where 10% of the start
    allows it, else quarter drinks. Both are exact in binary floating point, so a limit
    read back as a float never seems to cut more than allowed. Below 2.5 drinks a day the
    steps are 0.05 of a drink, kept strictly below the allowed cut for the same reason."""
    share = SLOWER_DAILY_CUT if start > SLOWER_ABOVE else MAX_DAILY_CUT
    allowed = start * share
    for unit in (HALF_DRINK, QUARTER_DRINK):
        if allowed >= unit:
            return (allowed / unit).to_integral_value(rounding=ROUND_FLOOR) * unit, unit
    steps = ((allowed - SMALL_STEP / 10) / SMALL_STEP).to_integral_value(rounding=ROUND_FLOOR)
    return max(steps, Decimal(1)) * SMALL_STEP, SMALL_STEP


def schedule(start: float, target: float) -> tuple[Step, ...]:
    """The day-by-day limits, assuming a self-taper is allowed (see :func:`taper`)."""
    begin, end = Decimal(str(start)), Decimal(str(target))
    cut, unit = _daily_cut(begin)
    steps = [Step(day, float(begin)) for day in range(1, STABILISATION_DAYS + 1)]
    # The first cut lands on the unit grid without cutting more than `cut`.
    limit = max(end, ((begin - cut) / unit).to_integral_value(rounding=ROUND_CEILING) * unit)
    day = STABILISATION_DAYS + 1
    while True:
        steps.append(Step(day, float(limit)))
        if limit <= end:
            return tuple(steps)
        limit = max(end, limit - cut)
        day += 1


def taper(
    start: float, target: float, *, substance: str = "alcohol", profile: Profile | None = None
) -> Taper:
    """A schedule from ``start`` to ``target`` US standard drinks a day, or a refusal."""
    begin, end = Decimal(str(start)), Decimal(str(target))
    if not begin.is_finite() or not end.is_finite():
        raise TaperError("amounts must be numbers")
    if end < 0:
        raise TaperError("the target cannot be below 0")
    if begin < MIN_START:
        raise TaperError("a schedule needs a starting amount of at least 1 drink a day")
    if end >= begin:
        raise TaperError("the target must be below the starting amount")
    refused = refusal(substance, begin, profile)
    if refused is not None:
        return refused
    return Taper(refused=False, why=None, steps=schedule(start, target))
