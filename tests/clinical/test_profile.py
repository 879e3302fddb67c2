"""Profiles v1 and v2: the v1 schema is the contract's, v2 only adds, and invalid input names
the JSON path."""

from __future__ import annotations

from typing import Any

import pytest

from tests.reference import load
from waymark.clinical.profile import ProfileError, parse_profile, parse_profile_json, schema

VALID: dict[str, Any] = {"version": 1, "age": 30, "substances": [{"substance": "alcohol"}],
                         "goal": "stop"}  # fmt: skip


def test_the_packaged_v1_schema_is_the_contract() -> None:
    assert schema(1) == load("profile.schema.v1.json")


def test_v2_only_adds_to_v1() -> None:
    v1, v2 = schema(1), schema(2)
    assert v2["properties"]["version"] == {"const": 2}
    for key, value in v1["properties"].items():
        if key in ("version", "age", "substances", "instruments"):
            continue
        assert v2["properties"][key] == value, key
    substance_v1 = v1["properties"]["substances"]["items"]["properties"]
    substance_v2 = v2["properties"]["substances"]["items"]["properties"]
    for key, value in substance_v1.items():
        if key != "last_use_days_ago":
            assert substance_v2[key] == value, key
    instruments_v1 = set(v1["properties"]["instruments"]["propertyNames"]["enum"])
    assert instruments_v1 < set(v2["properties"]["instruments"]["propertyNames"]["enum"])
    assert set(v1["required"]) == set(v2["required"])


def test_a_v2_key_in_a_v1_profile_is_an_error() -> None:
    data = {**VALID, "substances": [{"substance": "opioids", "moud": True}]}
    with pytest.raises(ProfileError) as error:
        parse_profile(data)
    assert error.value.path == "$.substances[0]"


def test_v2_fields_are_read() -> None:
    profile = parse_profile(
        {
            **VALID,
            "version": 2,
            "substances": [
                {"substance": "opioids", "moud": True, "last_use_days_ago": 2},
                {"substance": "other", "kinds": ["gabapentinoids", "xylazine"]},
            ],
            "overdose": {"past": "past-year", "has_naloxone": False, "uses_alone": "often"},
            "recent_release": True,
        }
    )
    assert profile.version == 2 and profile.recent_release
    assert profile.substances[0].moud and profile.substances[0].last_use_days_ago == 2
    assert profile.substances[1].kinds == {"gabapentinoids", "xylazine"}
    assert profile.overdose.past == "past-year" and profile.overdose.uses_alone == "often"


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({**VALID, "version": 3}, "$.version"),
        ({**VALID, "version": True}, "$.version"),
        ({key: value for key, value in VALID.items() if key != "version"}, "$"),
        ({**VALID, "version": 2, "substances": [{"substance": "alcohol", "moud": True}]},
         "$.substances[0].moud"),
        ({**VALID, "version": 2, "overdose": {"past": "yesterday"}}, "$.overdose.past"),
    ],
)  # fmt: skip
def test_v2_errors_name_the_path(data: dict[str, Any], path: str) -> None:
    with pytest.raises(ProfileError) as error:
        parse_profile(data)
    assert error.value.path == path


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"substances": [{"substance": "beer"}]}, "$.substances[0].substance"),
        ({"age": "thirty"}, "$.age"),
        ({"goal": "quit"}, "$.goal"),
        ({"colour": "blue"}, "$"),
        ({"readiness": {"importance": 11}}, "$.readiness.importance"),
        (
            {"substances": [{"substance": "alcohol", "criteria": ["thirst"]}]},
            "$.substances[0].criteria[0]",
        ),
        ({"instruments": {"phq-9": [0, 0]}}, "$.instruments.phq-9"),
        ({"instruments": {"audit": [1, None, 0, 0, 0, 0, 0, 0, 0, 0]}}, "$.instruments.audit[1]"),
        (
            {"substances": [{"substance": "alcohol"}, {"substance": "alcohol"}]},
            "$.substances[1].substance",
        ),
        (
            {
                "substances": [
                    {"substance": "alcohol", "primary": True},
                    {"substance": "opioids", "primary": True},
                ]
            },
            "$.substances[1].primary",
        ),
    ],
)
def test_it_names_the_json_path_at_fault(change: dict[str, Any], path: str) -> None:
    with pytest.raises(ProfileError) as caught:
        parse_profile({**VALID, **change})
    assert caught.value.path == path
    assert str(caught.value).startswith(f"{path}: ")


@pytest.mark.parametrize("text", ["", "{", "[1, 2]", "null", '"profile"'])
def test_it_refuses_what_is_not_a_profile_object(text: str) -> None:
    with pytest.raises(ProfileError) as caught:
        parse_profile_json(text)
    assert caught.value.path == "$"


def test_it_reads_a_full_profile_into_typed_objects() -> None:
    profile = parse_profile(
        {**VALID, "sex": "female", "pregnant": True, "health": ["hiv"],
         "substances": [{"substance": "opioids", "prescribed": True,
                         "criteria": ["tolerance", "craving"]}],
         "support": {"supportive_people": 2}, "past_treatment": {"helped": ["meetings"]}}
    )  # fmt: skip
    assert profile.primary.substance == "opioids"
    assert profile.primary.counted_criteria == {"craving"}
    assert profile.support.supportive_people == 2
    assert profile.past_treatment.helped == ("meetings",)
