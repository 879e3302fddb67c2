"""Every reference case scores exactly (CONTRACTS.md §1)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.reference import load
from waymark.clinical import scoring

CASES: list[dict[str, Any]] = load("scoring.json")


def _case_id(case: dict[str, Any]) -> str:
    extra = "".join(f"-{k}={case[k]}" for k in ("sex", "prescribed") if k in case)
    return f"{case['instrument']}-{case['answers']}{extra}"


def test_the_reference_covers_every_instrument() -> None:
    """scoring.json covers contract version 1; scoring-assist.json the ASSIST (§1b). The BAM
    (§1b) has no shared cases yet: tests/clinical/test_scoring_bam.py holds its examples."""
    assist = {case["instrument"] for case in load("scoring-assist.json")}
    covered = {case["instrument"] for case in CASES} | assist
    assert covered == set(scoring.INSTRUMENT_IDS) - {"bam"}


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_it_scores_the_reference_case_exactly(case: dict[str, Any]) -> None:
    result = scoring.score(
        case["instrument"],
        case["answers"],
        sex=case.get("sex"),
        prescribed=case.get("prescribed", False),
    ).as_dict()
    expected = case["expect"]
    assert (result["total"], result["band"], result["flags"]) == (
        expected["total"],
        expected["band"],
        expected["flags"],
    )
