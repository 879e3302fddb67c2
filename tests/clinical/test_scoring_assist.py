"""The WHO ASSIST v3.0 files score exactly as CONTRACTS.md §1b says, through the one engine."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from tests.reference import load
from waymark.cli import run_clinical
from waymark.clinical import scoring

CASES: list[dict[str, Any]] = load("scoring-assist.json")
CLASSES = (
    "tobacco", "alcohol", "cannabis", "cocaine", "amphetamines", "inhalants", "sedatives",
    "hallucinogens", "opioids", "other",
)  # fmt: skip
ASSIST = [f"assist-{name}" for name in CLASSES]
# Points per option, WHO questions 2 to 7 (CONTRACTS.md §1b).
POINTS = {
    "frequency": (0, 2, 3, 4, 6),
    "craving": (0, 3, 4, 5, 6),
    "problems": (0, 4, 5, 6, 7),
    "role-failure": (0, 5, 6, 7, 8),
    "concern": (0, 6, 3),
    "failed-to-cut-down": (0, 6, 3),
}


def _case_id(case: dict[str, Any]) -> str:
    return f"{case['instrument']}-{case['answers']}"


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_it_scores_the_reference_case_exactly(case: dict[str, Any]) -> None:
    result = scoring.score(case["instrument"], case["answers"]).as_dict()
    expected = case["expect"]
    assert (result["total"], result["band"], result["flags"]) == (
        expected["total"],
        expected["band"],
        expected["flags"],
    )


def test_the_reference_covers_every_substance_class() -> None:
    assert {case["instrument"] for case in CASES} == set(ASSIST)


@pytest.mark.parametrize("instrument_id", ASSIST)
def test_it_asks_questions_2_to_7_with_the_contract_points(instrument_id: str) -> None:
    instrument = scoring.get_instrument(instrument_id)
    tobacco = instrument_id == "assist-tobacco"
    expected = [q for q in POINTS if not (tobacco and q == "role-failure")]
    assert [item.id for item in instrument.items] == expected
    for item in instrument.items:
        assert tuple(option.points for option in item.options) == POINTS[item.id]
    concern = instrument.items[instrument.item_index("concern")]
    assert [o.label for o in concern.options] == [
        "No, never", "Yes, in the past 3 months", "Yes, but not in the past 3 months",
    ]  # fmt: skip
    assert instrument.rater == "self" and instrument.flag_rules == ()
    assert (instrument.loinc_panel, instrument.loinc_total) == (None, None)
    assert "not been validated for self-completion" in instrument.notes


@pytest.mark.parametrize("instrument_id", ASSIST)
def test_it_names_the_substance_in_every_question(instrument_id: str) -> None:
    name = instrument_id.removeprefix("assist-")
    word = {"amphetamines": "amphetamine", "sedatives": "sedatives", "other": "other drugs"}
    stem = {"tobacco": "tobacco", "alcohol": "alcoholic", "opioids": "opioids"}
    expected = word.get(name) or stem.get(name) or name
    for item in scoring.get_instrument(instrument_id).items:
        assert expected in item.text


@pytest.mark.parametrize("instrument_id", ASSIST)
def test_its_bands_follow_who_cut_offs(instrument_id: str) -> None:
    instrument = scoring.get_instrument(instrument_id)
    low_max = 10 if instrument_id == "assist-alcohol" else 3
    top = 31 if instrument_id == "assist-tobacco" else 39
    assert instrument.max_total == top
    assert [(b.id, b.min, b.max) for b in instrument.bands_for(None)] == [
        ("low", 0, low_max),
        ("moderate", low_max + 1, 26),
        ("high", 27, top),
    ]


@pytest.mark.parametrize("instrument_id", ASSIST)
def test_never_in_question_2_lets_questions_3_to_5_go_unasked(instrument_id: str) -> None:
    skipped = 3 if instrument_id != "assist-tobacco" else 2
    result = scoring.score(instrument_id, [0, *[None] * skipped, 1, 2])
    assert result.total == 9 and result.points[1:-2] == (None,) * skipped


@pytest.mark.parametrize("instrument_id", ASSIST)
def test_questions_6_and_7_are_always_asked(instrument_id: str) -> None:
    skipped = [None] * (3 if instrument_id != "assist-tobacco" else 2)
    number = len(skipped) + 2
    with pytest.raises(scoring.ScoringError, match=rf"{instrument_id} item {number} \(concern\)"):
        scoring.score(instrument_id, [0, *skipped, None, 0])
    with pytest.raises(scoring.ScoringError, match=rf"item {number + 1} \(failed-to-cut-down\)"):
        scoring.score(instrument_id, [0, *skipped, 0, None])


@pytest.mark.parametrize("first", [1, 2, 3, 4])
def test_question_3_is_required_of_anyone_who_used_in_the_past_three_months(first: int) -> None:
    with pytest.raises(scoring.ScoringError, match=r"assist-alcohol item 2 \(craving\)") as caught:
        scoring.score("assist-alcohol", [first, None, 0, 0, 0, 0])
    assert caught.value.item_index == 1


def _cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = run_clinical(list(args), out, err)
    return status, out.getvalue(), err.getvalue()


def test_the_command_line_scores_assist_alcohol() -> None:
    status, out, err = _cli("score", "assist-alcohol", "--answers", "0,-,-,-,1,1", "--json")
    assert status == 0 and err == ""
    result = json.loads(out)
    assert {k: result[k] for k in ("instrument", "version", "total", "max", "band", "flags")} == {
        "instrument": "assist-alcohol", "version": "1", "total": 12, "max": 39,
        "band": "moderate", "flags": [],
    }  # fmt: skip


def test_the_command_line_names_the_question_skip_logic_cannot_leave_out() -> None:
    status, out, err = _cli("score", "assist-cannabis", "--answers", "2,-,0,0,0,0", "--json")
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and "assist-cannabis item 2 (craving)" in err
