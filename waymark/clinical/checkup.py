"""The check-up as data: which steps apply, and the profile built from stored answers.

The web check-up stores every answer as given (see waymark/checkup/models.py); this module
turns those answers into a profile v2 object (CONTRACTS.md §2b), which then goes through
`parse_profile` and `recommend` exactly like a profile read by `waymark recommend`. Which steps
apply is decided here too, from the answers so far, so "ask only what applies" is a rule in one
place.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from waymark.clinical import scoring
from waymark.clinical.profile import KINDS

PROFILE = "profile"  # the pseudo-instrument of plain questions
PROFILE_VERSION = 2

# Substances whose criteria are asked one by one (tobacco is not: FACTS.md §11.4 names no
# professional referral for it, and asking 11 questions about it would lengthen the check-up).
CRITERIA_SUBSTANCES = ("alcohol", "opioids", "benzodiazepines", "stimulants", "cannabis", "other")
MAX_CRITERIA_SUBSTANCES = 3
# Drugs other than alcohol and tobacco. The check-up asks the WHO ASSIST for each (CONTRACTS.md
# §1b); DAST-10, which covers them as one block (FACTS.md §2.3), stays a quick screen, and its
# answers stored by earlier check-ups still build into the profile.
DRUGS = ("opioids", "benzodiazepines", "stimulants", "cannabis", "other")
# The ASSIST substance class for each drug (alcohol has the AUDIT; tobacco is left out of the
# check-up, as it is for the criteria). Stimulants are cocaine or amphetamine-type, as the
# person says; "other" follows its kinds (WHO's class lists put ketamine with the
# hallucinogens and sleeping pills with the sedatives), anything else is "other".
ASSIST_FOR = {"opioids": ("assist-opioids",), "benzodiazepines": ("assist-sedatives",),
              "cannabis": ("assist-cannabis",)}  # fmt: skip
STIMULANT_TYPES = ("cocaine", "amphetamines")
ASSIST_FOR_KIND = {
    "hallucinogens": "assist-hallucinogens",
    "ketamine": "assist-hallucinogens",
    "inhalants": "assist-inhalants",
    "z-drugs": "assist-sedatives",
    "barbiturates": "assist-sedatives",
}
ASSIST_IDS = (
    "assist-cocaine", "assist-amphetamines", "assist-cannabis", "assist-opioids",
    "assist-sedatives", "assist-hallucinogens", "assist-inhalants", "assist-other",
)  # fmt: skip
# ASSIST question 8 (ever injected), asked once; "past-3-months" marks the route "injected".
INJECTED = ("never", "past-3-months", "earlier")
# Withdrawal questions matter where withdrawal can be dangerous or is common.
WITHDRAWAL_SUBSTANCES = ("alcohol", "benzodiazepines", "opioids", "other")
PRESCRIBABLE = ("opioids", "benzodiazepines", "stimulants")
# Drugs with overdose risk: the overdose questions are asked for any opioid use (prescribed
# opioids can cause an overdose too), and for the others when not only taken as prescribed.
OVERDOSE_SUBSTANCES = ("opioids", "benzodiazepines", "stimulants", "other")
# What a street supply may hold, offered beside the substance: pressed pills look like
# medicines and may hold fentanyl; xylazine ("tranq") is mixed into the opioid supply.
STREET_KINDS = {
    "opioids": ("unknown-pills", "xylazine"),
    "benzodiazepines": ("unknown-pills",),
    "stimulants": ("unknown-pills",),
}
# The overdose answers are stored under their own names ("past" alone would say nothing).
OVERDOSE_ITEMS = {"past": "overdose_past", "has_naloxone": "has_naloxone",
                  "uses_alone": "uses_alone"}  # fmt: skip

STEPS = (
    "about",
    "substances",
    "patterns",
    "safety",  # last use of each substance, and what else changes the safety advice
    "audit",
    "assist",  # one step per drug class: assist-opioids, assist-cannabis, …
    "criteria",  # one step per main substance: criteria-alcohol, criteria-opioids, …
    "withdrawal",
    "health",
    "mood",
    "phq-9",
    "gad-7",
    "support",
    "past",
    "readiness",
    "goal",
)
# PHQ-9 items already asked as the PHQ-2.
PHQ_2_ITEMS = ("interest", "depressed")


class IncompleteCheckUpError(ValueError):
    """The answers do not yet make a profile; ``missing`` names the questions."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__("the check-up is missing: " + ", ".join(missing))
        self.missing = missing


@dataclass(frozen=True)
class StoredAnswer:
    instrument: str
    item: str
    option: int | None = None
    value: Any = None
    context: str = ""


class Answers:
    """Read access to a check-up's stored answers."""

    def __init__(self, answers: Iterable[StoredAnswer]) -> None:
        self._plain: dict[tuple[str, str], Any] = {}
        self._options: dict[tuple[str, str], dict[str, int | None]] = {}
        for answer in answers:
            if answer.instrument == PROFILE:
                self._plain[(answer.context, answer.item)] = answer.value
            else:
                key = (answer.instrument, answer.context)
                self._options.setdefault(key, {})[answer.item] = answer.option

    def plain(self, item: str, context: str = "", default: Any = None) -> Any:
        return self._plain.get((context, item), default)

    def has_plain(self, item: str, context: str = "") -> bool:
        return (context, item) in self._plain

    def options(self, instrument: str, context: str = "") -> dict[str, int | None]:
        return dict(self._options.get((instrument, context), {}))

    @property
    def substances(self) -> list[str]:
        chosen = self.plain("substances") or []
        return [s for s in chosen if isinstance(s, str)]

    @property
    def primary(self) -> str | None:
        chosen = self.plain("primary")
        substances = self.substances
        if chosen in substances:
            return str(chosen)
        return substances[0] if substances else None

    def criteria_substances(self) -> list[str]:
        """The main substances: the primary one first, then the most used others."""
        candidates = [s for s in self.substances if s in CRITERIA_SUBSTANCES]
        primary = self.primary

        def rank(substance: str) -> tuple[int, int]:
            days = self.plain("days_used_past_30", substance)
            return (0 if substance == primary else 1, -(days if isinstance(days, int) else 0))

        return sorted(candidates, key=rank)[:MAX_CRITERIA_SUBSTANCES]

    def only_prescribed(self, substance: str) -> bool:
        return substance in PRESCRIBABLE and self.plain("prescribed", substance) is True

    def kinds_asked(self, substance: str) -> tuple[str, ...]:
        """The kinds offered for a substance: any for "other", the street ones for opioids,
        benzodiazepines and stimulants not only taken as prescribed."""
        if substance == "other":
            return KINDS
        if substance in STREET_KINDS and not self.only_prescribed(substance):
            return STREET_KINDS[substance]
        return ()

    def asks_moud(self) -> bool:
        return "opioids" in self.substances

    def asks_overdose(self) -> bool:
        return any(
            s == "opioids" or (s in OVERDOSE_SUBSTANCES and not self.only_prescribed(s))
            for s in self.substances
        )

    def asks_injection(self) -> bool:
        """ASSIST question 8, asked once: for anyone who uses a drug other than alcohol and
        tobacco."""
        return bool(set(self.substances) & set(DRUGS))

    def assist_instruments(self) -> list[str]:
        """The ASSIST classes to ask, one per class, in a fixed order."""
        wanted: set[str] = set()
        for substance in self.substances:
            wanted |= set(ASSIST_FOR.get(substance, ()))
            if substance == "stimulants":
                types = self.plain("assist_types", "stimulants") or list(STIMULANT_TYPES)
                wanted |= {f"assist-{kind}" for kind in types if kind in STIMULANT_TYPES}
            if substance == "other":
                kinds = self.plain("kinds", "other") or []
                classes = {ASSIST_FOR_KIND.get(kind, "assist-other") for kind in kinds}
                wanted |= classes or {"assist-other"}
        return [instrument for instrument in ASSIST_IDS if instrument in wanted]

    def asks_recent_release(self) -> bool:
        """A recent release lowers tolerance for any drug or alcohol, not for tobacco."""
        return any(s != "tobacco" for s in self.substances)

    def phq_2_positive(self) -> bool:
        answers = self.options("phq-2")
        if set(PHQ_2_ITEMS) - set(answers):
            return False
        ordered = [answers[item] for item in PHQ_2_ITEMS]
        try:
            return scoring.score("phq-2", ordered).band.id == "positive"
        except scoring.ScoringError:
            return False


def applicable_steps(answers: Answers) -> list[str]:
    """The steps to ask, in order, given the answers so far."""
    substances = set(answers.substances)
    steps: list[str] = []
    for step in STEPS:
        if step in ("patterns", "safety") and not substances:
            continue
        if step == "audit" and "alcohol" not in substances:
            continue
        if step == "assist":
            steps += answers.assist_instruments()
            continue
        if step == "withdrawal" and not substances & set(WITHDRAWAL_SUBSTANCES):
            continue
        if step == "phq-9" and not answers.phq_2_positive():
            continue
        if step == "criteria":
            steps += [f"criteria-{s}" for s in answers.criteria_substances()]
            continue
        steps.append(step)
    return steps


def crisis_reported(answers: Answers) -> bool:
    """Suicidal thoughts said directly, or PHQ-9 item 9 above zero (FACTS.md §11.1)."""
    if answers.plain("suicidal_thoughts") is True:
        return True
    phq9 = scoring.get_instrument("phq-9")
    given = answers.options("phq-9")
    for rule in phq9.flag_rules:
        option = given.get(rule.item)
        if option is not None:
            item = phq9.items[phq9.item_index(rule.item)]
            if 0 <= option < len(item.options) and item.options[option].points >= rule.min_points:
                return True
    return False


def _instrument_answers(
    instrument_id: str, given: Mapping[str, int | None]
) -> list[int | None] | None:
    items = scoring.get_instrument(instrument_id).items
    if not any(item.id in given for item in items):
        return None
    return [given.get(item.id) for item in items]


def _substance(answers: Answers, substance: str) -> dict[str, Any]:
    use: dict[str, Any] = {"substance": substance}
    if substance == answers.primary and len(answers.substances) > 1:
        use["primary"] = True
    for key in ("route", "days_used_past_30", "typical_amount", "last_use_days_ago"):
        if answers.has_plain(key, substance):
            use[key] = answers.plain(key, substance)
    if substance in PRESCRIBABLE and answers.plain("prescribed", substance) is True:
        use["prescribed"] = True
    moud = answers.plain("moud", substance)
    if substance == "opioids" and isinstance(moud, bool):
        use["moud"] = moud
    kinds = answers.plain("kinds", substance) or []
    if kinds:
        use["kinds"] = [kind for kind in KINDS if kind in kinds]
    criteria = answers.options("sud-11", substance)
    if criteria:
        use["criteria"] = [
            item.id for item in scoring.get_instrument("sud-11").items if criteria.get(item.id) == 1
        ]
    return use


def _with_injection(answers: Answers, uses: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """ASSIST question 8 feeds `route` (CONTRACTS.md §1b): injecting in the past 3 months,
    with no drug already marked as injected, marks the drugs whose route was not given (or was
    "other") as injected, else the main drug ❓ ours — the question does not say which drug,
    and any injected route is what brings syringe services."""
    if answers.plain("injected") != "past-3-months":
        return uses
    drugs = [use for use in uses if use["substance"] in DRUGS]
    if not drugs or any(use.get("route") == "injected" for use in drugs):
        return uses
    unknown = [use for use in drugs if use.get("route") in (None, "other")]
    primary = next((use for use in drugs if use.get("primary")), drugs[0])
    for use in unknown or [primary]:
        use["route"] = "injected"
    return uses


def _section(answers: Answers, keys: Iterable[str]) -> dict[str, Any]:
    return {key: answers.plain(key) for key in keys if answers.plain(key) is not None}


def build_profile(answers: Answers) -> dict[str, Any]:
    """Profile v2 (CONTRACTS.md §2, §2b) from stored answers; raises IncompleteCheckUpError.

    A version-2 question that was never answered (a check-up stored before it was asked, or
    skipped) leaves its key out: the engine reads a missing v2 key as "not asked"."""
    missing = [key for key in ("age", "goal") if answers.plain(key) is None]
    if not answers.substances:
        missing.append("substances")
    if missing:
        raise IncompleteCheckUpError(missing)
    profile: dict[str, Any] = {
        "version": PROFILE_VERSION,
        "age": answers.plain("age"),
        "substances": _with_injection(
            answers, [_substance(answers, s) for s in answers.substances]
        ),
        "goal": answers.plain("goal"),
    }
    if answers.has_plain("sex"):
        profile["sex"] = answers.plain("sex")
    if answers.plain("pregnant") is True:
        profile["pregnant"] = True
    instruments: dict[str, list[int | None]] = {}
    for instrument_id in ("audit", "dast-10", *ASSIST_IDS, "phq-2", "gad-7", "barc-10"):
        given = _instrument_answers(instrument_id, answers.options(instrument_id))
        if given is not None:
            instruments[instrument_id] = given
    rest_of_phq9 = answers.options("phq-9")
    if rest_of_phq9:
        instruments["phq-9"] = [
            answers.options("phq-2").get(item.id)
            if item.id in PHQ_2_ITEMS
            else rest_of_phq9.get(item.id)
            for item in scoring.get_instrument("phq-9").items
        ]
    if instruments:
        profile["instruments"] = instruments
    sections = {
        "withdrawal_history": _section(
            answers, ("seizures", "delirium_tremens", "current_symptoms")
        ),
        "mental_health": _section(answers, ("suicidal_thoughts", "co_occurring")),
        "readiness": _section(answers, ("importance", "confidence", "readiness")),
        "support": _section(
            answers, ("supportive_people", "stable_housing", "substance_free_home")
        ),
        "past_treatment": _section(
            answers, ("quit_attempts", "returns_to_use", "treatment_episodes", "helped")
        ),
    }
    sections["overdose"] = {
        key: answers.plain(item)
        for key, item in OVERDOSE_ITEMS.items()
        if answers.plain(item) is not None
    }
    profile |= {key: value for key, value in sections.items() if value}
    health = answers.plain("health")
    if health:
        profile["health"] = list(health)
    if isinstance(answers.plain("recent_release"), bool):
        profile["recent_release"] = answers.plain("recent_release")
    return profile


PROFILE_KEYS = ("age", "sex", "pregnant", "goal", "health", "recent_release")
SECTION_KEYS = ("withdrawal_history", "mental_health", "readiness", "support", "past_treatment")
USE_KEYS = ("route", "days_used_past_30", "typical_amount", "prescribed", "last_use_days_ago",
            "moud", "kinds")  # fmt: skip


def answers_from_profile(profile: Mapping[str, Any]) -> list[StoredAnswer]:
    """The answers that describe a (valid) profile: the inverse of :func:`build_profile`,
    used to load examples and imports as if they had been answered step by step."""
    out = [StoredAnswer(PROFILE, key, value=profile[key]) for key in PROFILE_KEYS if key in profile]
    substances = profile["substances"]
    out.append(StoredAnswer(PROFILE, "substances", value=[s["substance"] for s in substances]))
    for use in substances:
        name = use["substance"]
        if use.get("primary"):
            out.append(StoredAnswer(PROFILE, "primary", value=name))
        out += [
            StoredAnswer(PROFILE, key, value=use[key], context=name)
            for key in USE_KEYS
            if use.get(key) is not None
        ]
        if "criteria" in use:
            out += [
                StoredAnswer(
                    "sud-11", item.id, option=int(item.id in use["criteria"]), context=name
                )
                for item in scoring.get_instrument("sud-11").items
            ]
    for section in SECTION_KEYS:
        out += [StoredAnswer(PROFILE, k, value=v) for k, v in profile.get(section, {}).items()]
    out += [
        StoredAnswer(PROFILE, OVERDOSE_ITEMS[key], value=value)
        for key, value in profile.get("overdose", {}).items()
        if value is not None
    ]
    for instrument_id, answers in profile.get("instruments", {}).items():
        items = scoring.get_instrument(instrument_id).items
        for item, option in zip(items, answers, strict=True):
            stored_as = (
                "phq-2" if instrument_id == "phq-9" and item.id in PHQ_2_ITEMS else instrument_id
            )
            out.append(StoredAnswer(stored_as, item.id, option=option))
    return out
