"""Profiles v1 and v2 (CONTRACTS.md §2, §2b): validated with JSON Schema, then read into
typed objects.

`profile.schema.v1.json` beside this module is the version-1 contract, byte for byte the design
folder's; `profile.schema.json` is version 2, which only adds. A profile is validated by the
schema of its own `version`, so a version-1 profile keeps its meaning and a v2 key in it is
still an error. A v2 field missing from a profile means "not asked". The schemas, compiled to
plain Python (`profile_check.py`, written by `waymark schemacode`), decide; jsonschema, slow to
import, is loaded only to word the error of a profile they refuse. Invalid input raises
:class:`ProfileError`, whose message starts with the JSON path at fault
(``$.substances[0].substance: ...``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from waymark.clinical import profile_check, scoring, strict_json

if TYPE_CHECKING:
    import jsonschema

SUBSTANCES = (
    "alcohol",
    "opioids",
    "benzodiazepines",
    "stimulants",
    "cannabis",
    "tobacco",
    "other",
)
CRITERIA = (
    "larger-longer",
    "cut-down",
    "time-spent",
    "craving",
    "role-failure",
    "social-problems",
    "activities-given-up",
    "hazardous-use",
    "health-problems",
    "tolerance",
    "withdrawal",
)
GOALS = ("stop", "cut-down", "safer-use", "unsure")
VERSIONS = (1, 2)
# What "other" (or a street supply) is (CONTRACTS.md §2b).
KINDS = (
    "gabapentinoids",
    "z-drugs",
    "ghb",
    "barbiturates",
    "xylazine",
    "kratom",
    "ketamine",
    "hallucinogens",
    "inhalants",
    "unknown-pills",
    "other",
)
OVERDOSE_PAST = ("never", "over-a-year", "past-year")
USES_ALONE = ("never", "sometimes", "often")
OLDER_ADULT_AGE = 65


class ProfileError(ValueError):
    """An invalid profile; ``path`` is the JSON path at fault."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.detail = message


@dataclass(frozen=True)
class SubstanceUse:
    substance: str
    primary: bool = False
    route: str | None = None
    days_used_past_30: int | None = None
    typical_amount: float | None = None
    prescribed: bool = False
    criteria: frozenset[str] = frozenset()
    last_use_days_ago: int | None = None
    moud: bool = False  # v2, opioids only: methadone or buprenorphine as treatment for OUD
    kinds: frozenset[str] = frozenset()  # v2: what "other" or a street supply is

    @property
    def counted_criteria(self) -> frozenset[str]:
        """Criteria that count: tolerance and withdrawal do not when taken only as
        prescribed (DSM-5 medication rule, FACTS.md §2.6)."""
        if self.prescribed:
            return self.criteria - {"tolerance", "withdrawal"}
        return self.criteria

    def sud_score(self) -> scoring.Score:
        """The criteria as `sud-11` answers, scored by the one engine."""
        answers: list[int | None] = [1 if c in self.criteria else 0 for c in CRITERIA]
        return scoring.score("sud-11", answers, prescribed=self.prescribed)


@dataclass(frozen=True)
class WithdrawalHistory:
    seizures: bool = False
    delirium_tremens: bool = False
    current_symptoms: bool = False


@dataclass(frozen=True)
class MentalHealth:
    suicidal_thoughts: bool = False
    co_occurring: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Readiness:
    importance: int | None = None
    confidence: int | None = None
    readiness: int | None = None


@dataclass(frozen=True)
class Support:
    supportive_people: int | None = None
    stable_housing: bool | None = None
    substance_free_home: bool | None = None


@dataclass(frozen=True)
class PastTreatment:
    quit_attempts: int | None = None
    returns_to_use: int | None = None
    treatment_episodes: int | None = None
    helped: tuple[str, ...] = ()


@dataclass(frozen=True)
class Overdose:
    """Overdose history and protections (v2); None = not asked."""

    past: str | None = None
    has_naloxone: bool | None = None
    uses_alone: str | None = None


@dataclass(frozen=True)
class Profile:
    age: int
    substances: tuple[SubstanceUse, ...]
    goal: str
    sex: scoring.Sex | None = None
    pregnant: bool = False
    instruments: Mapping[str, tuple[int | None, ...]] = field(default_factory=dict)
    withdrawal_history: WithdrawalHistory = WithdrawalHistory()
    health: frozenset[str] = frozenset()
    mental_health: MentalHealth = MentalHealth()
    readiness: Readiness = Readiness()
    support: Support = Support()
    past_treatment: PastTreatment = PastTreatment()
    overdose: Overdose = Overdose()
    recent_release: bool = False
    version: int = 1

    @property
    def primary(self) -> SubstanceUse:
        """The substance the person most wants help with: the one marked, else the first."""
        for use in self.substances:
            if use.primary:
                return use
        return self.substances[0]

    def uses(self, *substances: str) -> bool:
        return any(use.substance in substances for use in self.substances)

    def use_of(self, substance: str) -> SubstanceUse | None:
        for use in self.substances:
            if use.substance == substance:
                return use
        return None

    def score(self, instrument_id: str) -> scoring.Score | None:
        """The scored instrument, when its answers were given (validated at parse time)."""
        answers = self.instruments.get(instrument_id)
        if answers is None:
            return None
        return scoring.score(instrument_id, answers, sex=self.cut_off_sex)

    @property
    def cut_off_sex(self) -> scoring.Sex | None:
        """The sex whose cut-offs apply: men over 65 get the cautious (female) ones, as in the
        CDC alcohol-screening logic (FACTS.md §0.3 ✅); not given is cautious too."""
        if self.sex == "male" and self.age > OLDER_ADULT_AGE:
            return None
        return self.sex


SCHEMA_FILES = {1: "profile.schema.v1.json", 2: "profile.schema.json"}
LATEST_VERSION = 2


@cache
def schema(version: int = LATEST_VERSION) -> dict[str, Any]:
    """The JSON Schema of one profile version (default: the latest)."""
    loaded: dict[str, Any] = json.loads(scoring.read_data_file(SCHEMA_FILES[version]))
    return loaded


@cache
def _validator(version: int) -> jsonschema.protocols.Validator:
    import jsonschema  # only to word an error: it is slow to import

    cls = jsonschema.validators.validator_for(schema(version))
    return cls(schema(version))


def _version(data: Any) -> int:
    """The profile's version, or an error naming `$.version` (checked before the schema so
    that each version is validated by its own schema)."""
    if not isinstance(data, Mapping):
        raise ProfileError("$", "a profile is a JSON object")
    version = data.get("version")
    if isinstance(version, bool) or version not in VERSIONS:
        if "version" not in data:
            raise ProfileError("$", "'version' is a required property")
        raise ProfileError("$.version", f"{version!r} is not a profile version (1 or 2)")
    return int(version)


def _raise_schema_error(version: int, data: Any) -> None:
    """jsonschema's own wording of what is wrong (the generated check only says that it is).
    Should jsonschema find nothing wrong after all, its word stands and the profile is read."""
    from jsonschema.exceptions import best_match

    error = best_match(_validator(version).iter_errors(data))
    if error is not None:
        raise ProfileError(_path(error.absolute_path), error.message)


def _path(parts: Any) -> str:
    text = "$"
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def _check_meaning(data: Mapping[str, Any]) -> None:
    """What the schema cannot say: one primary substance, no substance twice, and
    instrument answers that score."""
    seen: set[str] = set()
    primaries = 0
    for index, use in enumerate(data["substances"]):
        if use["substance"] in seen:
            raise ProfileError(
                f"$.substances[{index}].substance",
                f"{use['substance']!r} is listed twice; list each substance once",
            )
        seen.add(use["substance"])
        if use.get("moud") and use["substance"] != "opioids":
            raise ProfileError(
                f"$.substances[{index}].moud",
                "moud (methadone or buprenorphine for opioid use disorder) is for opioids only",
            )
        primaries += bool(use.get("primary"))
        if primaries > 1:
            raise ProfileError(
                f"$.substances[{index}].primary", "only one substance can be the primary one"
            )
    for instrument_id, answers in data.get("instruments", {}).items():
        try:
            scoring.score(instrument_id, answers, sex=data.get("sex"))
        except scoring.ScoringError as error:
            where = f"$.instruments.{instrument_id}"
            if error.item_index is not None:
                where += f"[{error.item_index}]"
            raise ProfileError(where, str(error)) from error


def _substance(raw: Mapping[str, Any]) -> SubstanceUse:
    return SubstanceUse(
        substance=raw["substance"],
        primary=raw.get("primary", False),
        route=raw.get("route"),
        days_used_past_30=raw.get("days_used_past_30"),
        typical_amount=raw.get("typical_amount"),
        prescribed=raw.get("prescribed", False),
        criteria=frozenset(raw.get("criteria", ())),
        last_use_days_ago=raw.get("last_use_days_ago"),
        moud=raw.get("moud", False),
        kinds=frozenset(raw.get("kinds", ())),
    )


def parse_profile(data: Any) -> Profile:
    """Validate a decoded JSON profile and return it typed; raises :class:`ProfileError`."""
    version = _version(data)
    if not profile_check.is_valid(version, data):
        _raise_schema_error(version, data)
    _check_meaning(data)
    mental = data.get("mental_health", {})
    past = data.get("past_treatment", {})
    return Profile(
        version=data["version"],
        age=data["age"],
        sex=data.get("sex"),
        pregnant=data.get("pregnant", False),
        substances=tuple(_substance(raw) for raw in data["substances"]),
        goal=data["goal"],
        instruments={k: tuple(v) for k, v in data.get("instruments", {}).items()},
        withdrawal_history=WithdrawalHistory(**data.get("withdrawal_history", {})),
        health=frozenset(data.get("health", ())),
        mental_health=MentalHealth(
            suicidal_thoughts=mental.get("suicidal_thoughts", False),
            co_occurring=frozenset(mental.get("co_occurring", ())),
        ),
        readiness=Readiness(**data.get("readiness", {})),
        support=Support(**data.get("support", {})),
        past_treatment=PastTreatment(
            quit_attempts=past.get("quit_attempts"),
            returns_to_use=past.get("returns_to_use"),
            treatment_episodes=past.get("treatment_episodes"),
            helped=tuple(past.get("helped", ())),
        ),
        overdose=Overdose(**data.get("overdose", {})),
        recent_release=data.get("recent_release", False),
    )


def parse_profile_json(text: str) -> Profile:
    """Parse profile JSON text; bad JSON is a :class:`ProfileError` at ``$``."""
    try:
        data = strict_json.loads(text)
    except strict_json.NotJSONError as error:
        raise ProfileError("$", f"not valid JSON ({error})") from error
    return parse_profile(data)
