"""The profile schemas compiled to Python (waymark/clinical/profile_check.py) say exactly what
jsonschema says, and are regenerated whenever a schema changes."""

from __future__ import annotations

import copy
from typing import Any

import jsonschema
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.clinical.strategies import profiles
from waymark.clinical import profile_check
from waymark.clinical.profile import VERSIONS, parse_profile, schema
from waymark.management.commands import schemacode


def test_the_compiled_check_is_up_to_date_with_the_schemas() -> None:
    current = schemacode.TARGET.read_text(encoding="utf-8")
    assert current == schemacode.render(), (
        "waymark/clinical/profile_check.py is stale: run `waymark schemacode`"
    )


def _words(node: Any) -> set[str]:
    """Every string the schemas name (enum values, keys), so mutations hit near misses."""
    if isinstance(node, dict):
        found = set(node.get("properties", {}))
        return found.union(*(_words(value) for value in node.values()))
    if isinstance(node, list):
        return {item for item in node if isinstance(item, str)}.union(*map(_words, node))
    return set()


WORDS = sorted(_words(schema(1)) | _words(schema(2)))
ATOMS = st.one_of(
    st.none(),
    st.booleans(),
    st.sampled_from([0, 1, 2, -1, 10, 11, 30, 31, 120, 121, 10**20, 0.0, 1.0, 2.0, 0.5, -0.5]),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(WORDS),
    st.text(max_size=5),
)
VALUES = st.recursive(
    ATOMS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(WORDS), inner, max_size=3)
    ),
    max_leaves=6,
)


def _places(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    places = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            places += _places(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            places += _places(value, (*path, index))
    return places


@st.composite
def near_profiles(draw: st.DrawFn) -> Any:
    """A valid profile (either version), changed in a few places, or not at all."""
    data = copy.deepcopy(draw(profiles()))
    data["version"] = draw(st.sampled_from([1, 2]))
    for _ in range(draw(st.integers(0, 3))):
        path = draw(st.sampled_from(_places(data)))
        if not path:
            return draw(VALUES)
        parent = data
        for step in path[:-1]:
            parent = parent[step]
        action = draw(st.sampled_from(["set", "delete", "add"]))
        if action == "set":
            parent[path[-1]] = draw(VALUES)
        elif action == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.sampled_from(WORDS))] = draw(VALUES)
        else:
            parent.append(draw(VALUES))
    return data


@settings(max_examples=1500, deadline=None)
@given(near_profiles())
def test_the_compiled_check_agrees_with_jsonschema(data: Any) -> None:
    for version in VERSIONS:
        expected = jsonschema.validators.validator_for(schema(version))(schema(version))
        assert profile_check.is_valid(version, data) == expected.is_valid(data), version


def test_it_does_not_fill_in_the_schema_s_defaults() -> None:
    data = {"version": 2, "age": 40, "goal": "stop", "substances": [{"substance": "alcohol"}]}
    before = copy.deepcopy(data)
    assert profile_check.is_valid(2, data) and data == before


def test_a_tuple_is_not_a_json_array_for_either() -> None:
    data = {"version": 2, "age": 40, "goal": "stop", "substances": ({"substance": "alcohol"},)}
    assert not profile_check.is_valid(2, data)


def test_an_invalid_profile_is_still_worded_by_jsonschema() -> None:
    data = {"version": 1, "age": 40, "goal": "stop", "substances": [{"substance": "beer"}]}
    try:
        parse_profile(data)
    except ValueError as error:
        assert str(error).startswith("$.substances[0].substance: 'beer' is not one of [")
    else:
        raise AssertionError("accepted an unknown substance")
