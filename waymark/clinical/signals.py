"""Plain facts read off a profile, shared by the safety rules, urgency, care level and taper.

Each function answers one question about the person. Thresholds that are ours rather than a
published cut-off say so (❓), so a clinician reviewing docs/clinical-rules.md can see them.
"""

from __future__ import annotations

from waymark.clinical.profile import Profile, SubstanceUse

SEDATIVES = ("alcohol", "benzodiazepines")
# Substances whose withdrawal can be dangerous: alcohol, benzodiazepines, and "other", which
# is where z-drugs, GHB and barbiturates are entered (FACTS.md §4.2 ⚠️: treat like benzos).
WITHDRAWAL_DANGER = ("alcohol", "benzodiazepines", "other")
DEPRESSANTS_WITH_OPIOIDS = ("alcohol", "benzodiazepines")

# "Daily or near-daily" use (FACTS.md §11.2). 20 of the past 30 days is our reading of
# "near-daily" ❓: no source gives a number.
NEAR_DAILY_DAYS = 20
# Regular benzodiazepine use: FACTS.md §4.2 says anyone who has taken a benzodiazepine for
# more than a month should taper under supervision; half the days of the past month is our
# threshold for "taking it regularly" ❓.
REGULAR_BENZODIAZEPINE_DAYS = 15
# More than about 30 UK units (≈17 US standard drinks) a day rules out self-managed
# withdrawal (FACTS.md §4.1, §11.2; ⚠️ UK service guidance).
VERY_HEAVY_DRINKS_PER_DAY = 17
# "Most days" for the very-heavy-drinking rule: FACTS.md gives "a day" with no frequency;
# 15 of the past 30 days is our reading ❓ (a rare binge is not daily dependence).
MOST_DAYS = 15
# Withdrawal symptoms are reported once, not per substance. They count towards a substance
# unless its use is known to be light — fewer than 10 days in the past 30 ❓ our threshold —
# so that, say, cannabis withdrawal beside light drinking is not read as alcohol withdrawal.
LIGHT_USE_DAYS = 10


def symptoms_may_come_from(use: SubstanceUse | None, profile: Profile) -> bool:
    """Whether the reported withdrawal symptoms may come from this substance."""
    if use is None or not profile.withdrawal_history.current_symptoms:
        return False
    return use.days_used_past_30 is None or use.days_used_past_30 >= LIGHT_USE_DAYS


def near_daily(use: SubstanceUse) -> bool:
    return (use.days_used_past_30 or 0) >= NEAR_DAILY_DAYS


def audit_item_points(profile: Profile, item_id: str) -> int:
    result = profile.score("audit")
    if result is None:
        return 0
    return result.points[result.instrument.item_index(item_id)] or 0


def dast_item_points(profile: Profile, item_id: str) -> int:
    result = profile.score("dast-10")
    if result is None:
        return 0
    return result.points[result.instrument.item_index(item_id)] or 0


def morning_drinking(profile: Profile) -> bool:
    """AUDIT Q6 (an "eye-opener") above zero points to physical dependence (FACTS.md §2.1)."""
    return audit_item_points(profile, "eye-opener") > 0


def alcohol_dependence_signs(profile: Profile) -> bool:
    """Signs of physical dependence on alcohol (FACTS.md §11.2): withdrawal, shakes or sweats
    when cutting back, morning drinking, or near-daily drinking with tolerance."""
    use = profile.use_of("alcohol")
    if use is None:
        return False
    return (
        "withdrawal" in use.criteria
        or symptoms_may_come_from(use, profile)
        or morning_drinking(profile)
        or (near_daily(use) and "tolerance" in use.criteria)
    )


def benzodiazepine_dependence_signs(profile: Profile) -> bool:
    """Physical dependence on a benzodiazepine is possible after regular use, prescribed or
    not (FACTS.md §4.2); withdrawal signs include DAST-10 item 9 (FACTS.md §2.3)."""
    use = profile.use_of("benzodiazepines")
    return use is not None and sedative_dependence_signs_of(use, profile)


def sedative_dependence_signs_of(use: SubstanceUse, profile: Profile) -> bool:
    """Signs of physical dependence on a sedative whose withdrawal is dangerous: a
    benzodiazepine, or a z-drug, GHB or barbiturate named under "other", which are treated
    like one (FACTS.md §4.2 ⚠️)."""
    return (
        "withdrawal" in use.criteria
        or "tolerance" in use.criteria
        or symptoms_may_come_from(use, profile)
        # DAST-10 item 9 does not say which drug (FACTS.md §2.3): with such a sedative in
        # the picture, it is read cautiously as its.
        or dast_item_points(profile, "withdrawal") > 0
        or (use.days_used_past_30 or 0) >= REGULAR_BENZODIAZEPINE_DAYS
    )


def other_sedative_dependence_signs(profile: Profile) -> bool:
    """ "Other" is where z-drugs, GHB and barbiturates are entered; their withdrawal is as
    dangerous as benzodiazepines' (FACTS.md §4.2 ⚠️). We cannot tell which drug it is, so
    near-daily use with withdrawal signs is read cautiously as a sedative's."""
    use = profile.use_of("other")
    if use is None or not near_daily(use):
        return False
    return "withdrawal" in use.criteria or symptoms_may_come_from(use, profile)


def sedative_dependence_signs(profile: Profile) -> bool:
    return (
        alcohol_dependence_signs(profile)
        or benzodiazepine_dependence_signs(profile)
        or other_sedative_dependence_signs(profile)
    )


def sedative_withdrawal_symptoms(profile: Profile) -> bool:
    """Withdrawal symptoms now that may come from alcohol or a sedative."""
    return any(
        symptoms_may_come_from(profile.use_of(substance), profile)
        for substance in WITHDRAWAL_DANGER
    )


def complicated_withdrawal_history(profile: Profile) -> bool:
    history = profile.withdrawal_history
    return history.seizures or history.delirium_tremens


def very_heavy_drinking(profile: Profile) -> bool:
    """More than about 17 US drinks on a day of drinking, on most days (or frequency unknown)."""
    use = profile.use_of("alcohol")
    if use is None or use.typical_amount is None:
        return False
    frequent = use.days_used_past_30 is None or use.days_used_past_30 >= MOST_DAYS
    return use.typical_amount > VERY_HEAVY_DRINKS_PER_DAY and frequent


def regular_sedative_use(profile: Profile) -> bool:
    """Near-daily drinking or regular benzodiazepine use: enough for withdrawal to matter."""
    alcohol = profile.use_of("alcohol")
    benzo = profile.use_of("benzodiazepines")
    return bool(
        (alcohol and near_daily(alcohol))
        or (benzo and (benzo.days_used_past_30 or 0) >= REGULAR_BENZODIAZEPINE_DAYS)
    )


def takes_sedating_medication(profile: Profile) -> bool:
    return "taking-sedating-medication" in profile.health


def non_prescribed(profile: Profile, substance: str) -> bool:
    use = profile.use_of(substance)
    return use is not None and not use.prescribed


def injects(profile: Profile) -> bool:
    return any(use.route == "injected" for use in profile.substances)


def criteria_count(use: SubstanceUse) -> int:
    return len(use.counted_criteria)
