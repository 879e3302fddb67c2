"""Every shared vignette holds the properties a safe recommendation must have."""

from __future__ import annotations

from typing import Any

import pytest

from tests.reference import load
from waymark.clinical.care import CARE_LEVELS, URGENCY_LEVELS
from waymark.clinical.pathway import recommend
from waymark.clinical.profile import parse_profile

VIGNETTES: list[dict[str, Any]] = load("vignettes.json")


def holds(result: dict[str, Any], must: dict[str, Any]) -> list[str]:
    """The broken properties, in words (empty when all hold)."""
    broken = []
    if "approach_in" in must and result["approach"] not in must["approach_in"]:
        broken.append(f"approach {result['approach']} not in {must['approach_in']}")
    for key in ("severity", "abstinence_safer"):
        if key in must and result[key] != must[key]:
            broken.append(f"{key} {result[key]!r}, expected {must[key]!r}")
    broken += [f"missing {s}" for s in must.get("safety_includes", []) if s not in result["safety"]]
    broken += [f"has {s}" for s in must.get("safety_excludes", []) if s in result["safety"]]
    for key, levels in (("urgency", URGENCY_LEVELS), ("care_level", CARE_LEVELS)):
        rank = levels.index(result[key])
        if f"{key}_at_least" in must and rank < levels.index(must[f"{key}_at_least"]):
            broken.append(f"{key} {result[key]} below {must[f'{key}_at_least']}")
        if f"{key}_at_most" in must and rank > levels.index(must[f"{key}_at_most"]):
            broken.append(f"{key} {result[key]} above {must[f'{key}_at_most']}")
    return broken


@pytest.mark.parametrize("vignette", VIGNETTES, ids=[v["name"] for v in VIGNETTES])
def test_the_vignette_holds(vignette: dict[str, Any]) -> None:
    result = recommend(parse_profile(vignette["profile"])).as_dict()
    assert holds(result, vignette["must"]) == []
