"""The risk model: the person's dangers, derived once from the profile.

Everything Waymark says about a person's safety reads this one object: the safety findings,
urgency and care level, the path, the next steps, the plan's drinking limit and taper, the
wallet card and the clinic's alerts (CONTRACTS.md §3b). Nothing downstream recomputes its own
version of a danger, so no two outputs can disagree about it.

Three dimensions, each ``none`` / ``possible`` / ``high`` with the reasons in plain words:

- **withdrawal** — the danger of *stopping*: alcohol and sedative withdrawal can bring
  seizures and delirium tremens (FACTS.md §4.1, §4.2, §11.2). Opioid withdrawal is rarely
  dangerous in itself (FACTS.md §4.3); its danger, lost tolerance, is an overdose risk.
- **overdose** — opioids from any source, street stimulants and pills (fentanyl), opioids
  mixed with any sedative, a break in opioid use, a past overdose, using alone, no naloxone
  (FACTS.md §4.2, §4.3, §5, §11.3; docs/clinical-facts.md).
- **mental_health** — PHQ-9 item 9 and suicidal thoughts said directly (high); the PHQ-9,
  PHQ-2 and GAD-7 bands, and conditions the person told us about (possible) (FACTS.md §2.7–2.9,
  §11.1, §11.4).

It also derives the person's age group, pregnancy and the current state of each substance
(using now, or stopped N days ago), which the rules read instead of the raw answers.

Thresholds that are ours rather than a source's are marked ❓ and listed in
docs/clinical-rules.md. Pure: no Django, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from waymark.clinical import signals
from waymark.clinical.profile import Profile, SubstanceUse
from waymark.clinical.text import N_, Message, say

LEVELS = ("none", "possible", "high")
NONE, POSSIBLE, HIGH = LEVELS
DIMENSIONS = ("withdrawal", "overdose", "mental_health")

# What makes care urgent in pregnancy (❓ ours: FACTS.md names no list; these four can harm
# the pregnancy or bring a withdrawal that does, §4, §11.2; tobacco and cannabis make care
# recommended, not urgent).
HARMFUL_IN_PREGNANCY = ("alcohol", "opioids", "benzodiazepines", "stimulants")
ADULT_AGE = 18  # PRODUCT.md: Waymark is for adults; younger people get the youth rules
OLDER_ADULT_AGE = 65  # FACTS.md §0.3, §2.1 (over-65s: the cautious cut-offs)
AGE_GROUPS = ("under-18", "adult", "older-adult")

# Withdrawal has passed once a substance has not been used for this long, so stopping is no
# longer the danger. Alcohol: withdrawal runs its course within about 4 days, DTs peaking on
# days 3–5 (FACTS.md §4.1), so 7 days ❓ ours. Benzodiazepines and other sedatives: long-acting
# ones can bring withdrawal a week or more after the last dose (FACTS.md §4.2, Ashton), so 14
# days ❓ ours.
WITHDRAWAL_OVER_DAYS = {"alcohol": 7, "benzodiazepines": 14, "other": 14}
# Tolerance to opioids falls within days (FACTS.md §4.3 "any period"; PRODUCT.md "even a few
# days"): a break of 3 days or more counts ❓ ours.
OPIOID_GAP_DAYS = 3
# Heavy daily drinking: about 15–30 UK units a day makes withdrawal "possible", with support;
# above about 30 it is "high" (FACTS.md §4.1 ⚠️ UK service guidance). "Daily" is read as most
# days — 15 or more of the past 30, or not given — as for very heavy drinking (❓ ours).
# 15 UK units = 120 g = 8.6 US drinks; 30 UK units = 240 g = 17.1 US drinks
# (docs/clinical-facts.md A.11).
HEAVY_DAILY_DRINKS = 8.6
VERY_HEAVY_DAILY_DRINKS = signals.VERY_HEAVY_DRINKS_PER_DAY  # 17 US drinks
# PHQ-9 or GAD-7 of 10 or more: moderate symptoms, professional evaluation (FACTS.md §11.4).
MOOD_CUT_OFF = 10
# Youth: "urgency of at least consider for any regular use"; use on 4 or more of the past 30
# days (about weekly), or frequency not given, is regular ❓ ours.
YOUTH_REGULAR_DAYS = 4

# Kinds of "other" (or of a street supply) that sedate (CONTRACTS.md §2b; FACTS.md §4.2 ⚠️
# "other sedatives"; docs/clinical-facts.md A.3, A.5): they count as sedatives for the
# withdrawal and combined-overdose rules.
SEDATING_KINDS = frozenset({"gabapentinoids", "z-drugs", "ghb", "barbiturates", "xylazine"})
# Kinds whose withdrawal is dangerous like a benzodiazepine's (FACTS.md §4.2 ⚠️).
WITHDRAWAL_KINDS = frozenset({"z-drugs", "ghb", "barbiturates"})
# Kinds bought as pills or powder whose contents are unknown: they may hold fentanyl or a
# nitazene (FACTS.md §5; docs/clinical-facts.md A.2).
STREET_PILL_KINDS = frozenset({"unknown-pills", "xylazine"})


@dataclass(frozen=True)
class Risk:
    """One dimension: a level and why."""

    level: str
    reasons: tuple[Message, ...] = ()

    def at_least(self, level: str) -> bool:
        return LEVELS.index(self.level) >= LEVELS.index(level)


@dataclass(frozen=True)
class SubstanceState:
    """What one substance means now."""

    substance: str
    use: SubstanceUse
    current: bool  # used recently enough that stopping could still bring withdrawal
    days_since: int | None  # days since last use, when known
    regular: bool  # daily or near-daily (FACTS.md §11.2)
    street: bool  # not from a pharmacy as prescribed (and not MOUD): may hold fentanyl
    sedating: bool  # alcohol, benzodiazepines or a sedating kind of "other"


def _level(levels: Iterable[str]) -> str:
    return max(levels, key=LEVELS.index, default=NONE)


@dataclass
class _Found:
    """Reasons gathered for one dimension, each at a level."""

    items: list[tuple[str, Message]] = field(default_factory=list)

    def add(self, level: str, template: str, **params: Any) -> None:
        message = say(template, **params)
        if all(found != message for _, found in self.items):
            self.items.append((level, message))

    def risk(self) -> Risk:
        level = _level(level for level, _ in self.items)
        # Reasons at the top level first, then the rest, each group in the order found.
        ordered = [m for lv, m in self.items if lv == level] + [
            m for lv, m in self.items if lv != level
        ]
        return Risk(level, tuple(ordered))


@dataclass(frozen=True)
class RiskModel:
    profile: Profile
    age_group: str
    pregnant: bool
    states: tuple[SubstanceState, ...]
    withdrawal: Risk
    overdose: Risk
    mental_health: Risk
    # Facts the rules share, each derived here once.
    acute_withdrawal: bool  # past seizures/DTs, symptoms now, or very heavy drinking
    sedative_dependence: bool  # signs of physical dependence on a benzodiazepine or sedative
    physical_dependence: bool  # signs of physical dependence on alcohol or a sedative
    opioids_with_sedatives: bool  # opioids now together with any sedative
    lost_tolerance: bool  # a break in opioid use, or a recent release, after opioid use
    on_moud: bool  # methadone or buprenorphine as treatment
    daily_street_opioids: bool
    self_taper_excluded: tuple[Message, ...]  # why a home alcohol schedule is never made

    # -- what the rest of the core asks -------------------------------------------------

    @property
    def under_18(self) -> bool:
        return self.age_group == "under-18"

    def state(self, substance: str) -> SubstanceState | None:
        for state in self.states:
            if state.substance == substance:
                return state
        return None

    def using(self, *substances: str) -> bool:
        """Whether any of these substances is used now (not stopped long enough ago)."""
        return any(s.current and s.substance in substances for s in self.states)

    @property
    def pregnant_and_using(self) -> bool:
        """Pregnant, with alcohol, opioids, stimulants or a sedative (a benzodiazepine, GHB, a
        z-drug, a barbiturate: `uses_sedatives`) among what is used:
        no level is safe in pregnancy and care is urgent (FACTS.md §11.4 "pregnancy with any
        use", §3 "no level is safe in pregnancy"), so the check-up's urgency is urgent and
        the person's clinician gets an alert (`alerts.PREGNANT_USING`)."""
        return self.pregnant and (self.profile.uses(*HARMFUL_IN_PREGNANCY) or self.uses_sedatives)

    @property
    def drinks_now(self) -> bool:
        return self.using("alcohol")

    @property
    def supervised_withdrawal(self) -> bool:
        """Stopping should be planned with a doctor (withdrawal possible or high)."""
        return self.withdrawal.at_least(POSSIBLE)

    @property
    def uses_sedatives(self) -> bool:
        """Benzodiazepines, or a kind of "other" whose withdrawal is as dangerous."""
        other = self.profile.use_of("other")
        return self.profile.uses("benzodiazepines") or bool(
            other is not None and other.kinds & WITHDRAWAL_KINDS
        )

    @property
    def stops_opioids_with_clinician(self) -> bool:
        """Opioids are used now, so stopping them is planned with a clinician: in pregnancy
        never abruptly, methadone, buprenorphine and prescribed opioids only with the
        prescriber, and otherwise because medication makes stopping safer and the tolerance
        that falls after stopping is the main danger (FACTS.md §4.3, §9.1, §11.3)."""
        return self.using("opioids")

    @property
    def stopping_is_safe(self) -> bool:
        """Stopping now, on one's own, carries no danger the model knows of: no withdrawal
        danger, no sedative (whatever the amount, a sedative is stopped only with a
        clinician: FACTS.md §4.2, the finding `no-self-taper`) and no opioid used now
        (`stops_opioids_with_clinician`). No step, stage or goal may call stopping now safe,
        or offer a date of one's own, unless this holds."""
        return (
            self.withdrawal.level == NONE
            and not self.uses_sedatives
            and not self.stops_opioids_with_clinician
        )

    def as_dict(self) -> dict[str, Any]:
        """The public `risks` object (CONTRACTS.md §3b)."""
        risks: dict[str, Any] = {name: getattr(self, name).level for name in DIMENSIONS}
        risks["reasons"] = {
            name: [str(reason) for reason in getattr(self, name).reasons] for name in DIMENSIONS
        }
        return risks


# Substance states ---------------------------------------------------------------------------


def _sedating(use: SubstanceUse) -> bool:
    return use.substance in signals.SEDATIVES or bool(use.kinds & SEDATING_KINDS)


def _street(use: SubstanceUse) -> bool:
    if use.substance in ("alcohol", "tobacco", "cannabis"):
        return False
    return not use.prescribed and not use.moud


def _days_since(use: SubstanceUse) -> int | None:
    if use.last_use_days_ago is not None:
        return use.last_use_days_ago
    return None


# Without a withdrawal window (opioids, stimulants…), a substance last used a month or more
# ago is not "used now" (the check-up asks about the past 30 days).
CURRENT_DAYS = 30


def _current(use: SubstanceUse) -> bool:
    days = _days_since(use)
    if days is not None:
        return days < WITHDRAWAL_OVER_DAYS.get(use.substance, CURRENT_DAYS)
    return use.days_used_past_30 != 0


def substance_state(use: SubstanceUse) -> SubstanceState:
    return SubstanceState(
        substance=use.substance,
        use=use,
        current=_current(use),
        days_since=_days_since(use),
        regular=signals.near_daily(use),
        street=_street(use),
        sedating=_sedating(use),
    )


def age_group(age: int) -> str:
    if age < ADULT_AGE:
        return "under-18"
    return "older-adult" if age >= OLDER_ADULT_AGE else "adult"


# Withdrawal (FACTS.md §4.1, §4.2, §11.2) ---------------------------------------------------


def _alcohol_signs(profile: Profile, alcohol: SubstanceState) -> list[str]:
    """Signs of physical dependence on alcohol (FACTS.md §11.2), in plain words."""
    use = alcohol.use
    signs = []
    if "withdrawal" in use.criteria:
        signs.append(N_("You have had withdrawal symptoms when drinking less."))
    if signals.morning_drinking(profile):
        signs.append(N_("You have needed a drink in the morning to get going (AUDIT question 6)."))
    if alcohol.regular and "tolerance" in use.criteria:
        signs.append(N_("You drink almost every day and need more to feel the same effect."))
    most_days = use.days_used_past_30 is None or use.days_used_past_30 >= signals.MOST_DAYS
    if most_days and (use.typical_amount or 0) >= HEAVY_DAILY_DRINKS:
        signs.append(
            N_(
                "You drink about %(drinks)s standard drinks a day on most days: heavy "
                "daily drinking."
            )
        )
    return signs


def _sedative_signs(profile: Profile) -> list[str]:
    """Signs of physical dependence on a benzodiazepine or another sedative (FACTS.md §4.2)."""
    signs = []
    benzo = profile.use_of("benzodiazepines")
    if benzo is not None and signals.benzodiazepine_dependence_signs(profile):
        signs.append(
            N_("Regular benzodiazepine use, or signs your body has got used to it, were reported.")
        )
    other = profile.use_of("other")
    if other is not None:
        # A named z-drug, GHB or barbiturate is read as a benzodiazepine is (DAST-10 item 9,
        # tolerance, regular use); an unnamed "other" only with near-daily use and signs.
        dangerous_kind = bool(other.kinds & WITHDRAWAL_KINDS)
        if (dangerous_kind and signals.sedative_dependence_signs_of(other, profile)) or (
            not other.kinds and signals.other_sedative_dependence_signs(profile)
        ):
            signs.append(
                N_(
                    "Regular use of a sedative such as sleeping pills, GHB or barbiturates was "
                    "reported: stopping it suddenly can be dangerous."
                )
            )
    return signs


def _withdrawal(
    profile: Profile, states: dict[str, SubstanceState]
) -> tuple[Risk, bool, bool, bool]:
    found = _Found()
    alcohol = states.get("alcohol")
    drinking = alcohol is not None and alcohol.current
    sedatives_now = [
        s
        for s in states.values()
        if s.current and s.substance in signals.WITHDRAWAL_DANGER and s.substance != "alcohol"
    ]
    benzo_now = any(s.substance == "benzodiazepines" for s in sedatives_now)
    other_sedative_now = any(
        s.substance == "other" and s.use.kinds & WITHDRAWAL_KINDS for s in sedatives_now
    )
    # Any sedating kind (gabapentinoids and xylazine too) used now, of "other" or of a street
    # supply: with alcohol it counts as a sedative (CONTRACTS.md §2b).
    sedating_kind_now = any(s.current and s.use.kinds & SEDATING_KINDS for s in states.values())
    history = signals.complicated_withdrawal_history(profile)
    acute = False
    if history and (drinking or sedatives_now):
        found.add(HIGH, N_("You have had seizures or delirium tremens (DTs) in withdrawal before."))
        acute = True
    symptoms = [
        s.substance
        for s in states.values()
        if s.current and s.substance in signals.WITHDRAWAL_DANGER
        if signals.symptoms_may_come_from(s.use, profile)
    ]
    if symptoms:
        found.add(HIGH, N_("You have withdrawal symptoms now, such as shakes or sweats."))
        acute = True
    if drinking and signals.very_heavy_drinking(profile):
        found.add(
            HIGH,
            N_("You drink more than about %(limit)d standard drinks on most drinking days."),
            limit=VERY_HEAVY_DAILY_DRINKS,
        )
        acute = True
    sedative_signs = _sedative_signs(profile) if sedatives_now else []
    for sign in sedative_signs:
        found.add(HIGH, sign)
    if drinking and (benzo_now or other_sedative_now or sedating_kind_now):
        found.add(HIGH, N_("You use alcohol together with benzodiazepines or another sedative."))
    alcohol_signs = _alcohol_signs(profile, alcohol) if drinking and alcohol else []
    amount = f"{alcohol.use.typical_amount:g}" if alcohol and alcohol.use.typical_amount else ""
    regular_sedative = bool(drinking and alcohol and alcohol.regular) or bool(sedative_signs)
    if signals.takes_sedating_medication(profile) and (alcohol_signs or regular_sedative):
        found.add(HIGH, N_("You take a sedating medicine as well as drinking or sedatives."))
    red_flags = []
    if "seizure-disorder" in profile.health:
        red_flags.append(N_("You have a seizure disorder."))
    if "liver-disease" in profile.health:
        red_flags.append(N_("You have liver disease."))
    if profile.pregnant:
        red_flags.append(N_("You are pregnant."))
    for sign in alcohol_signs:
        found.add(HIGH if red_flags else POSSIBLE, sign, drinks=amount)
    if alcohol_signs:
        for flag in red_flags:
            found.add(HIGH, flag)
    elif drinking and alcohol and alcohol.regular:
        # Near-daily drinking with a condition that makes withdrawal riskier (FACTS.md §4.1
        # red flags). Pregnancy without signs of dependence is not one: stopping now is safe
        # and the best choice, so it stays encouraged.
        for flag in red_flags:
            if flag != N_("You are pregnant."):
                found.add(POSSIBLE, flag)
    return found.risk(), acute, bool(sedative_signs), bool(alcohol_signs or sedative_signs)


def _self_taper_excluded(profile: Profile, states: dict[str, SubstanceState]) -> list[str]:
    """Conditions that rule out a home alcohol schedule even with light drinking
    (CONTRACTS.md §4; FACTS.md §4.1 red flags, §4.2)."""
    reasons = []
    other = profile.use_of("other")
    if profile.uses("benzodiazepines") or (other is not None and other.kinds & WITHDRAWAL_KINDS):
        reasons.append(N_("Waymark never makes a home schedule for stopping sedatives."))
    alcohol = states.get("alcohol")
    if alcohol is None or not alcohol.current:
        return reasons
    if signals.complicated_withdrawal_history(profile):
        reasons.append(N_("You have had seizures or DTs in withdrawal before."))
    if "liver-disease" in profile.health:
        reasons.append(N_("You have liver disease."))
    if "seizure-disorder" in profile.health:
        reasons.append(N_("You have a seizure disorder."))
    if signals.takes_sedating_medication(profile):
        reasons.append(N_("You take a sedating medicine."))
    if profile.pregnant:
        reasons.append(N_("You are pregnant."))
    return reasons


# Overdose (FACTS.md §4.2, §4.3, §5, §11.3) -------------------------------------------------


def _opioid_gap(opioids: SubstanceState, profile: Profile) -> bool:
    if opioids.days_since is not None:
        return opioids.days_since >= OPIOID_GAP_DAYS
    return opioids.use.days_used_past_30 == 0


def _overdose(profile: Profile, states: dict[str, SubstanceState]) -> tuple[Risk, bool, bool, bool]:
    found = _Found()
    opioids = states.get("opioids")
    sedatives = [s for s in states.values() if s.sedating and s.substance != "opioids"]
    sedating_medicine = signals.takes_sedating_medication(profile)
    combined = bool(
        opioids and (sedatives or sedating_medicine or opioids.use.kinds & SEDATING_KINDS)
    )
    if combined:
        found.add(
            HIGH,
            N_(
                "You use opioids together with alcohol, benzodiazepines or another sedative "
                "(such as gabapentin, pregabalin, GHB, sleeping pills or xylazine)."
            ),
        )
    lost = False
    if opioids is not None:
        if profile.recent_release:
            found.add(
                HIGH,
                N_(
                    "You left prison, hospital, detox or residential care in the past two "
                    "weeks: your tolerance is lower."
                ),
            )
            lost = True
        if _opioid_gap(opioids, profile):
            found.add(HIGH, N_("You have had a break from opioids: your tolerance is lower."))
            lost = True
        elif profile.goal in ("stop", "cut-down"):
            found.add(
                POSSIBLE,
                N_("You plan to stop or cut down opioids, so your tolerance will fall."),
            )
    daily_street = bool(opioids and opioids.street and opioids.regular)
    if opioids is not None and opioids.street:
        found.add(HIGH, N_("Opioids not from a pharmacy may contain fentanyl or nitazenes."))
    elif opioids is not None:
        found.add(POSSIBLE, N_("Any opioid, even one prescribed, can cause an overdose."))
    stimulants = states.get("stimulants")
    if stimulants is not None and stimulants.street:
        found.add(POSSIBLE, N_("Stimulants from the street are often contaminated with fentanyl."))
    benzo = states.get("benzodiazepines")
    if benzo is not None and benzo.street:
        found.add(
            POSSIBLE,
            N_(
                "Benzodiazepine pills not from a pharmacy are often pressed fakes that may "
                "hold fentanyl."
            ),
        )
    if any(s.use.kinds & STREET_PILL_KINDS for s in states.values()):
        found.add(
            HIGH,
            N_("Pressed pills or a supply with xylazine may contain fentanyl or nitazenes."),
        )
    if not opioids and any(
        s.substance == "other" and s.use.kinds & {"ghb"} for s in states.values()
    ):
        found.add(POSSIBLE, N_("GHB can stop your breathing, more so with alcohol."))
    if not opioids and profile.uses("alcohol") and profile.uses("benzodiazepines"):
        found.add(POSSIBLE, N_("Alcohol with benzodiazepines can slow or stop your breathing."))
    other_sedating = any(
        s.use.kinds & (SEDATING_KINDS - {"ghb"})
        for s in states.values()
        if s.substance != "opioids"
    )
    if not opioids and profile.uses("alcohol") and other_sedating:
        # A sedating kind counts as a sedative for the overdose rules (CONTRACTS.md §2b).
        found.add(
            POSSIBLE,
            N_(
                "Alcohol with another sedative, such as gabapentin, pregabalin, sleeping pills, "
                "barbiturates or xylazine, can slow or stop your breathing."
            ),
        )
    risky_drugs = bool(found.items)
    past = profile.overdose.past
    if past == "past-year" and risky_drugs:
        found.add(HIGH, N_("You have overdosed in the past year."))
    elif past in ("past-year", "over-a-year"):
        found.add(POSSIBLE, N_("You have overdosed before."))
    if risky_drugs and profile.overdose.uses_alone in ("sometimes", "often"):
        alone = (
            N_("You often use alone, so nobody could help if you overdosed.")
            if profile.overdose.uses_alone == "often"
            else N_("You sometimes use alone, so nobody could help if you overdosed.")
        )
        found.add(HIGH if opioids else POSSIBLE, alone)
    if risky_drugs and profile.overdose.has_naloxone is False:
        found.add(POSSIBLE, N_("You do not have naloxone at hand."))
    return found.risk(), combined, lost, daily_street


# Mental health (FACTS.md §2.7–2.9, §11.1, §11.4) -----------------------------------------


def _mental_health(profile: Profile) -> Risk:
    found = _Found()
    phq9 = profile.score("phq-9")
    if phq9 is not None and "suicidal-ideation" in phq9.flags:
        found.add(HIGH, N_('PHQ-9 question 9 was answered above "Not at all".'))
    if profile.mental_health.suicidal_thoughts:
        found.add(HIGH, N_("You told us about thoughts of suicide."))
    if phq9 is not None and phq9.total >= MOOD_CUT_OFF:
        found.add(
            POSSIBLE,
            N_("Your PHQ-9 score of %(total)d suggests depression symptoms that deserve care."),
            total=phq9.total,
        )
    phq2 = profile.score("phq-2")
    if phq2 is not None and phq2.band.id == "positive" and phq9 is None:
        found.add(POSSIBLE, N_("Your PHQ-2 answers suggest low mood worth talking about."))
    gad7 = profile.score("gad-7")
    if gad7 is not None and gad7.total >= MOOD_CUT_OFF:
        found.add(
            POSSIBLE,
            N_("Your GAD-7 score of %(total)d suggests anxiety symptoms that deserve care."),
            total=gad7.total,
        )
    if profile.health & {"psychosis", "bipolar-disorder"}:
        found.add(POSSIBLE, N_("You told us about psychosis or bipolar disorder."))
    if profile.mental_health.co_occurring:
        found.add(POSSIBLE, N_("You told us about a mental health condition."))
    return found.risk()


# The model -----------------------------------------------------------------------------------


def assess(profile: Profile) -> RiskModel:
    """The person's dangers, derived once."""
    states = {use.substance: substance_state(use) for use in profile.substances}
    withdrawal, acute, sedative_dependence, dependence = _withdrawal(profile, states)
    overdose, combined, lost, daily_street = _overdose(profile, states)
    opioids = profile.use_of("opioids")
    return RiskModel(
        profile=profile,
        age_group=age_group(profile.age),
        pregnant=profile.pregnant,
        states=tuple(states.values()),
        withdrawal=withdrawal,
        overdose=overdose,
        mental_health=_mental_health(profile),
        acute_withdrawal=acute,
        sedative_dependence=sedative_dependence,
        physical_dependence=dependence,
        opioids_with_sedatives=combined,
        lost_tolerance=lost,
        on_moud=bool(opioids and opioids.moud),
        daily_street_opioids=daily_street,
        self_taper_excluded=tuple(say(r) for r in _self_taper_excluded(profile, states)),
    )
