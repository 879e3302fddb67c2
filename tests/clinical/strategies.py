"""Hypothesis strategies for valid profiles (schema v1)."""

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


@st.composite
def substance_use(draw: st.DrawFn, substance: str) -> dict[str, Any]:
    use: dict[str, Any] = {"substance": substance}
    use |= draw(
        _optional(
            "route", st.sampled_from(["oral", "smoked", "snorted", "injected", "other", None])
        )
    )
    use |= draw(_optional("days_used_past_30", st.integers(0, 30)))
    use |= draw(_optional("typical_amount", st.floats(0, 40, allow_nan=False)))
    use |= draw(_optional("prescribed", st.booleans()))
    use |= draw(_optional("criteria", st.lists(st.sampled_from(CRITERIA), unique=True)))
    use |= draw(_optional("last_use_days_ago", st.one_of(st.none(), st.integers(0, 400))))
    return use


@st.composite
def profiles(draw: st.DrawFn) -> dict[str, Any]:
    substances = draw(st.lists(st.sampled_from(SUBSTANCES), min_size=1, max_size=4, unique=True))
    profile: dict[str, Any] = {
        "version": 1,
        "age": draw(st.integers(12, 90)),
        "substances": [draw(substance_use(s)) for s in substances],
        "goal": draw(st.sampled_from(GOALS)),
    }
    profile |= draw(_optional("sex", st.sampled_from(["female", "male", None])))
    profile |= draw(_optional("pregnant", st.booleans()))
    profile |= draw(_optional("health", st.lists(st.sampled_from(HEALTH), unique=True)))
    profile |= draw(
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
        )
    )
    profile |= draw(
        _optional(
            "mental_health",
            st.fixed_dictionaries({}, optional={"suicidal_thoughts": st.booleans()}),
        )
    )
    profile |= draw(
        _optional(
            "readiness",
            st.fixed_dictionaries(
                {},
                optional={k: st.integers(0, 10) for k in ("importance", "confidence", "readiness")},
            ),
        )
    )
    profile |= draw(
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
        )
    )
    profile |= draw(
        _optional(
            "past_treatment",
            st.fixed_dictionaries(
                {},
                optional={
                    k: st.integers(0, 20)
                    for k in ("quit_attempts", "returns_to_use", "treatment_episodes")
                },
            ),
        )
    )
    instruments: dict[str, Any] = {}
    if draw(st.booleans()):
        instruments["phq-9"] = draw(st.lists(st.integers(0, 3), min_size=9, max_size=9))
    if draw(st.booleans()):
        instruments["audit"] = draw(st.lists(st.integers(1, 2), min_size=10, max_size=10))
    if draw(st.booleans()):
        instruments["dast-10"] = draw(st.lists(st.integers(0, 1), min_size=10, max_size=10))
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


@st.composite
def v2_profiles(draw: st.DrawFn) -> dict[str, Any]:
    """Profile version 2: any v1 profile plus last use, MOUD, kinds, overdose history and a
    recent release (CONTRACTS.md §2b), and more screeners."""
    profile = draw(profiles())
    profile["version"] = 2
    for use in profile["substances"]:
        use |= draw(_optional("last_use_days_ago", st.one_of(st.none(), st.integers(0, 60))))
        if use["substance"] == "opioids":
            use |= draw(_optional("moud", st.booleans()))
        if use["substance"] in ("other", "opioids", "stimulants", "benzodiazepines"):
            use |= draw(_optional("kinds", KINDS_ST))
    profile |= draw(
        _optional(
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
    )
    profile |= draw(_optional("recent_release", st.booleans()))
    instruments = profile.setdefault("instruments", {})
    if draw(st.booleans()):
        instruments["gad-7"] = draw(st.lists(st.integers(0, 3), min_size=7, max_size=7))
    if draw(st.booleans()) and "phq-9" not in instruments:
        instruments["phq-2"] = draw(st.lists(st.integers(0, 3), min_size=2, max_size=2))
    if draw(st.booleans()):
        instruments["assist-alcohol"] = [4, 2, 1, 1, 0, 1]
    if not instruments:
        del profile["instruments"]
    return profile


def any_profiles() -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of(profiles(), v2_profiles())
