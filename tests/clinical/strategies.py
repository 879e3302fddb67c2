"""Hypothesis strategies for valid profiles (schema v1).

Every strategy a composite draws from is built once, here, rather than at each draw: Hypothesis
checks a new strategy object before its first draw, and that dominated the property tests' time.
The draws, and so the profiles generated, are the same either way."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from waymark.clinical.profile import CRITERIA, GOALS, SUBSTANCES

HEALTH = [
    "liver-disease", "pancreatitis", "heart-disease", "seizure-disorder", "psychosis",
    "bipolar-disorder", "hepatitis-c", "hiv", "chronic-pain", "taking-sedating-medication",
]  # fmt: skip


def _optional(key: str, strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of(st.just({}), strategy.map(lambda value: {key: value}))


# substance_use's parts, in the order it draws them.
USE_PARTS = [
    _optional("route", st.sampled_from(["oral", "smoked", "snorted", "injected", "other", None])),
    _optional("days_used_past_30", st.integers(0, 30)),
    _optional("typical_amount", st.floats(0, 40, allow_nan=False)),
    _optional("prescribed", st.booleans()),
    _optional("criteria", st.lists(st.sampled_from(CRITERIA), unique=True)),
    _optional("last_use_days_ago", st.one_of(st.none(), st.integers(0, 400))),
]


@st.composite
def substance_use(draw: st.DrawFn, substance: str) -> dict[str, Any]:
    use: dict[str, Any] = {"substance": substance}
    for part in USE_PARTS:
        use |= draw(part)
    return use


USES = {substance: substance_use(substance) for substance in SUBSTANCES}
SUBSTANCE_LISTS = st.lists(st.sampled_from(SUBSTANCES), min_size=1, max_size=4, unique=True)
AGES = st.integers(12, 90)
GOAL = st.sampled_from(GOALS)
# profiles' optional parts, in the order it draws them.
PROFILE_PARTS = [
    _optional("sex", st.sampled_from(["female", "male", None])),
    _optional("pregnant", st.booleans()),
    _optional("health", st.lists(st.sampled_from(HEALTH), unique=True)),
    _optional(
        "withdrawal_history",
        st.fixed_dictionaries(
            {},
            optional={
                "seizures": st.booleans(),
                "delirium_tremens": st.booleans(),
                "current_symptoms": st.booleans(),
            },
        ),
    ),
    _optional(
        "mental_health",
        st.fixed_dictionaries({}, optional={"suicidal_thoughts": st.booleans()}),
    ),
    _optional(
        "readiness",
        st.fixed_dictionaries(
            {},
            optional={k: st.integers(0, 10) for k in ("importance", "confidence", "readiness")},
        ),
    ),
    _optional(
        "support",
        st.fixed_dictionaries(
            {},
            optional={
                "supportive_people": st.integers(0, 10),
                "stable_housing": st.booleans(),
                "substance_free_home": st.booleans(),
            },
        ),
    ),
    _optional(
        "past_treatment",
        st.fixed_dictionaries(
            {},
            optional={
                k: st.integers(0, 20)
                for k in ("quit_attempts", "returns_to_use", "treatment_episodes")
            },
        ),
    ),
]
COIN = st.booleans()
PHQ_9 = st.lists(st.integers(0, 3), min_size=9, max_size=9)


@st.composite
def _audit(draw: st.DrawFn) -> list[int | None]:
    """Every AUDIT zone: Q1 "Never" leaves Q2–8 unasked (CONTRACTS.md §1), any other
    answer asks them (0–4 each), and Q9–10 take 0–2 (three options)."""
    frequency = draw(st.integers(0, 4))
    middle = (
        [None] * 7 if frequency == 0 else draw(st.lists(st.integers(0, 4), min_size=7, max_size=7))
    )
    return [frequency, *middle, draw(st.integers(0, 2)), draw(st.integers(0, 2))]


AUDIT = _audit()
DAST_10 = st.lists(st.integers(0, 1), min_size=10, max_size=10)


@st.composite
def profiles(draw: st.DrawFn) -> dict[str, Any]:
    substances = draw(SUBSTANCE_LISTS)
    profile: dict[str, Any] = {
        "version": 1,
        "age": draw(AGES),
        "substances": [draw(USES[s]) for s in substances],
        "goal": draw(GOAL),
    }
    for part in PROFILE_PARTS:
        profile |= draw(part)
    instruments: dict[str, Any] = {}
    if draw(COIN):
        instruments["phq-9"] = draw(PHQ_9)
    if draw(COIN):
        instruments["audit"] = draw(AUDIT)
    if draw(COIN):
        instruments["dast-10"] = draw(DAST_10)
    if instruments:
        profile["instruments"] = instruments
    return profile


KINDS_ST = st.lists(
    st.sampled_from(
        [
            "gabapentinoids", "z-drugs", "ghb", "barbiturates", "xylazine", "kratom",
            "ketamine", "hallucinogens", "inhalants", "unknown-pills", "other",
        ]
    ),
    unique=True,
    max_size=3,
)  # fmt: skip
V2_LAST_USE = _optional("last_use_days_ago", st.one_of(st.none(), st.integers(0, 60)))
MOUD = _optional("moud", st.booleans())
KINDS = _optional("kinds", KINDS_ST)
OVERDOSE = _optional(
    "overdose",
    st.fixed_dictionaries(
        {},
        optional={
            "past": st.sampled_from(["never", "over-a-year", "past-year", None]),
            "has_naloxone": st.booleans(),
            "uses_alone": st.sampled_from(["never", "sometimes", "often", None]),
        },
    ),
)
RECENT_RELEASE = _optional("recent_release", st.booleans())
GAD_7 = st.lists(st.integers(0, 3), min_size=7, max_size=7)
PHQ_2 = st.lists(st.integers(0, 3), min_size=2, max_size=2)
V1_PROFILES = profiles()


@st.composite
def v2_profiles(draw: st.DrawFn) -> dict[str, Any]:
    """Profile version 2: any v1 profile plus last use, MOUD, kinds, overdose history and a
    recent release (CONTRACTS.md §2b), and more screeners."""
    profile = draw(V1_PROFILES)
    profile["version"] = 2
    for use in profile["substances"]:
        use |= draw(V2_LAST_USE)
        if use["substance"] == "opioids":
            use |= draw(MOUD)
        if use["substance"] in ("other", "opioids", "stimulants", "benzodiazepines"):
            use |= draw(KINDS)
    profile |= draw(OVERDOSE)
    profile |= draw(RECENT_RELEASE)
    instruments = profile.setdefault("instruments", {})
    if draw(COIN):
        instruments["gad-7"] = draw(GAD_7)
    if draw(COIN) and "phq-9" not in instruments:
        instruments["phq-2"] = draw(PHQ_2)
    if draw(COIN):
        instruments["assist-alcohol"] = [4, 2, 1, 1, 0, 1]
    if not instruments:
        del profile["instruments"]
    return profile


def any_profiles() -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of(profiles(), v2_profiles())
