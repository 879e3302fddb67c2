"""Profile v1: the schema is the shared one, and invalid input names the JSON path."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.reference import SHARED
from waymark.clinical.profile import ProfileError, parse_profile, parse_profile_json, schema

VALID: dict[str, Any] = {"version": 1, "age": 30, "substances": [{"substance": "alcohol"}],
                         "goal": "stop"}  # fmt: skip


def test_the_packaged_schema_is_the_shared_contract() -> None:
    shared = json.loads((SHARED / "design" / "profile.schema.json").read_text(encoding="utf-8"))
    assert schema() == shared


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
