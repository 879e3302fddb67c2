"""Answers a person described by a profile would give at each check-up step, as form data.

Shared by the page tests (Django's client) and the browser tests (Playwright), so both walk
the check-up exactly as a person would: step by step, only the steps that are shown.
"""

from __future__ import annotations

from typing import Any

from waymark.checkup.steps import last_use_choice
from waymark.clinical import scoring
from waymark.clinical.checkup import PHQ_2_ITEMS, STREET_KINDS
from waymark.clinical.profile import KINDS

Profile = dict[str, Any]


def _yes_no(value: Any) -> str:
    return {True: "yes", False: "no"}.get(value, "")


def _use(profile: Profile, substance: str) -> dict[str, Any]:
    return next(u for u in profile["substances"] if u["substance"] == substance)


def _instrument(profile: Profile, instrument_id: str) -> list[int | None] | None:
    answers = profile.get("instruments", {}).get(instrument_id)
    return list(answers) if answers is not None else None


def _items(instrument_id: str) -> list[str]:
    return [item.id for item in scoring.get_instrument(instrument_id).items]


def _audit(profile: Profile) -> dict[str, str]:
    given: list[int | None] | None = _instrument(profile, "audit")
    if given is None:
        # Read the AUDIT's first two answers off the drinking pattern; the rest "Never"/"No".
        alcohol = _use(profile, "alcohol")
        days = alcohol.get("days_used_past_30", 0) or 0
        amount = alcohol.get("typical_amount", 1) or 1
        frequency = 4 if days >= 16 else 3 if days >= 8 else 2 if days >= 2 else 1
        quantity = (
            4
            if amount >= 10
            else 3
            if amount >= 7
            else 2
            if amount >= 5
            else 1
            if amount >= 3
            else 0
        )
        given = [frequency, quantity, *[0] * 8]
    return {item: "" if option is None else str(option)
            for item, option in zip(_items("audit"), given, strict=True)}  # fmt: skip


def _phq9(profile: Profile) -> list[int]:
    given = _instrument(profile, "phq-9")
    return [a or 0 for a in given] if given is not None else [0] * 9


def suicidal(profile: Profile) -> bool:
    """Whether this person would answer yes to the direct question about suicidal thoughts."""
    said = profile.get("mental_health", {}).get("suicidal_thoughts")
    return bool(said) or _phq9(profile)[8] > 0


def _safety(profile: Profile) -> dict[str, Any]:
    """Version-2 answers; a version-1 profile answers "Not sure" or leaves them empty, so its
    profile comes back without them (not asked). Only the kinds the step offers are ticked."""
    data: dict[str, Any] = {}
    for use in profile["substances"]:
        name = use["substance"]
        data[f"{name}-last-use"] = last_use_choice(use.get("last_use_days_ago"))
        offered = KINDS if name == "other" else STREET_KINDS.get(name, ())
        offered = () if use.get("prescribed") else offered
        data[f"{name}-kinds"] = [kind for kind in use.get("kinds", []) if kind in offered]
        if name == "opioids":
            data["opioids-moud"] = _yes_no(use.get("moud"))
    overdose = profile.get("overdose", {})
    return data | {
        "overdose_past": overdose.get("past") or "",
        "has_naloxone": _yes_no(overdose.get("has_naloxone")),
        "uses_alone": overdose.get("uses_alone") or "",
        "injected": "past-3-months"
        if any(use.get("route") == "injected" for use in profile["substances"])
        else "never",
        "stimulants-types": [],  # not said: both stimulant classes are asked
        "recent_release": _yes_no(profile.get("recent_release")),
    }


# The drugs each ASSIST class is asked for (waymark.clinical.checkup.ASSIST_FOR, reversed).
ASSIST_DRUGS = {
    "assist-opioids": "opioids", "assist-sedatives": "benzodiazepines",
    "assist-cannabis": "cannabis", "assist-cocaine": "stimulants",
    "assist-amphetamines": "stimulants",
}  # fmt: skip


def _assist(profile: Profile, instrument_id: str) -> list[int | None]:
    """The person's ASSIST answers: the profile's own, else answers that agree with what the
    profile says of that drug (how often, and the criteria it met)."""
    given = _instrument(profile, instrument_id)
    if given is not None:
        return given
    use = _use(profile, ASSIST_DRUGS.get(instrument_id, "other"))
    days, criteria = use.get("days_used_past_30"), set(use.get("criteria", []))
    # Daily or almost daily, weekly (5+ days of 30), monthly, or once or twice.
    frequency = 2 if days is None else 4 if days >= 20 else 3 if days >= 5 else 2 if days > 1 else 1
    return [
        frequency,
        3 if "craving" in criteria else 0,
        2 if criteria & {"social-problems", "health-problems"} else 0,
        2 if "role-failure" in criteria else 0,
        1 if "social-problems" in criteria else 0,
        1 if "cut-down" in criteria else 0,
    ]


def form_data(step_id: str, profile: Profile) -> dict[str, Any]:
    """The form data for one step."""
    if step_id == "about":
        return {"age": str(profile["age"]), "sex": profile.get("sex") or "",
                "pregnant": _yes_no(profile.get("pregnant"))}  # fmt: skip
    if step_id == "substances":
        primary = [u["substance"] for u in profile["substances"] if u.get("primary")]
        return {"substances": [u["substance"] for u in profile["substances"]],
                "primary": primary[0] if primary else ""}  # fmt: skip
    if step_id == "patterns":
        data: dict[str, Any] = {}
        for use in profile["substances"]:
            name = use["substance"]
            data[f"{name}-days"] = str(use.get("days_used_past_30", ""))
            data["alcohol-amount"] = (
                str(use.get("typical_amount", ""))
                if name == "alcohol"
                else data.get("alcohol-amount", "")
            )
            data[f"{name}-route"] = use.get("route") or ""
            data[f"{name}-prescribed"] = _yes_no(use.get("prescribed"))
        return data
    if step_id == "safety":
        return _safety(profile)
    if step_id == "audit":
        return _audit(profile)
    if step_id.startswith("assist-"):
        pairs = zip(_items(step_id), _assist(profile, step_id), strict=True)
        return {item: "" if option is None else str(option) for item, option in pairs}
    if step_id.startswith("criteria-"):
        criteria = _use(profile, step_id.removeprefix("criteria-")).get("criteria", [])
        return {item: "1" if item in criteria else "0" for item in _items("sud-11")}
    if step_id == "withdrawal":
        history = profile.get("withdrawal_history", {})
        return {key: _yes_no(history.get(key))
                for key in ("seizures", "delirium_tremens", "current_symptoms")}  # fmt: skip
    if step_id == "health":
        mental = profile.get("mental_health", {})
        return {"health": profile.get("health", []), "co_occurring": mental.get("co_occurring", [])}
    if step_id == "mood":
        phq9 = _phq9(profile)
        return {"interest": str(phq9[0]), "depressed": str(phq9[1]),
                "suicidal_thoughts": _yes_no(suicidal(profile))}  # fmt: skip
    if step_id == "phq-9":
        pairs = zip(_items("phq-9"), _phq9(profile), strict=True)
        return {item: str(option) for item, option in pairs if item not in PHQ_2_ITEMS}
    if step_id == "gad-7":
        given = _instrument(profile, "gad-7") or [0] * 7
        return {item: str(option) for item, option in zip(_items("gad-7"), given, strict=True)}
    if step_id == "support":
        support = profile.get("support", {})
        data = dict.fromkeys(_items("barc-10"), "3")
        people = support.get("supportive_people")
        data |= {"supportive_people": "" if people is None else str(people),
                 "stable_housing": _yes_no(support.get("stable_housing")),
                 "substance_free_home": _yes_no(support.get("substance_free_home"))}  # fmt: skip
        return data
    if step_id == "past":
        past = profile.get("past_treatment", {})
        return {key: str(past[key]) if key in past else ""
                for key in ("quit_attempts", "returns_to_use", "treatment_episodes")}  # fmt: skip
    if step_id == "readiness":
        readiness = profile.get("readiness", {})
        return {key: str(readiness[key]) if key in readiness else ""
                for key in ("importance", "confidence", "readiness")}  # fmt: skip
    if step_id == "goal":
        return {"goal": profile["goal"]}
    raise KeyError(step_id)
