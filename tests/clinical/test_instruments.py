"""The instrument data files are complete and coherent, and the engine follows them."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from waymark.clinical import scoring

INSTRUMENTS = scoring.all_instruments()
IDS = [i.id for i in INSTRUMENTS]
# Those with a single total and bands; the BAM has subscales instead (CONTRACTS.md §1b).
TOTALLED = [i for i in INSTRUMENTS if i.has_total]
TOTALLED_IDS = [i.id for i in TOTALLED]


def test_the_catalogue_lists_every_instrument_of_the_contract() -> None:
    assert len(INSTRUMENTS) == 21 and "bam" in IDS
    assert [i.id for i in INSTRUMENTS if not i.has_total] == ["bam"]


@pytest.mark.parametrize("instrument", TOTALLED, ids=TOTALLED_IDS)
def test_its_bands_cover_the_whole_range_without_gaps(instrument: scoring.Instrument) -> None:
    sexes: tuple[scoring.Sex | None, ...] = (None, "female", "male")
    for sex in sexes:
        bands = instrument.bands_for(sex)
        assert bands[0].min == instrument.min_total
        assert bands[-1].max == instrument.max_total
        for lower, upper in pairwise(bands):
            assert upper.min == lower.max + 1


@pytest.mark.parametrize("instrument", INSTRUMENTS, ids=IDS)
def test_it_carries_a_version_licence_source_and_plain_meanings(
    instrument: scoring.Instrument,
) -> None:
    assert instrument.version and instrument.licence and instrument.source
    assert instrument.rater in ("self", "clinician")
    sexes: tuple[scoring.Sex | None, ...] = (None, "female", "male")
    for sex in sexes:
        for band in instrument.bands_for(sex):
            assert band.label and band.meaning
    for item in instrument.items:
        assert item.text and len(item.options) >= 2
    for subscale in instrument.subscales:
        assert subscale.label and subscale.meaning and subscale.items
    assert all(rule.meaning for rule in instrument.flag_rules)


def test_it_uses_only_loinc_codes_marked_verified() -> None:
    """FACTS.md: AUDIT panel 72110-0 is unverified and 72514-3 is a pain score."""
    codes = {i.loinc_panel for i in INSTRUMENTS} | {i.loinc_total for i in INSTRUMENTS}
    codes |= {item.loinc for i in INSTRUMENTS for item in i.items}
    assert "72110-0" not in codes
    assert "72514-3" not in codes
    assert scoring.get_instrument("phq-9").items[8].loinc == "44260-8"


def test_it_lists_the_sud_11_criteria_in_the_contract_order() -> None:
    items = [item.id for item in scoring.get_instrument("sud-11").items]
    assert items == [
        "larger-longer", "cut-down", "time-spent", "craving", "role-failure",
        "social-problems", "activities-given-up", "hazardous-use", "health-problems",
        "tolerance", "withdrawal",
    ]  # fmt: skip


def test_it_shares_items_between_short_and_long_forms() -> None:
    audit, audit_c = scoring.get_instrument("audit"), scoring.get_instrument("audit-c")
    assert audit_c.items == audit.items[:3]
    assert scoring.get_instrument("phq-2").items == scoring.get_instrument("phq-9").items[:2]


@st.composite
def answered(draw: st.DrawFn, instrument: scoring.Instrument) -> list[int | None]:
    return [draw(st.integers(0, len(item.options) - 1)) for item in instrument.items]


@pytest.mark.parametrize("instrument", INSTRUMENTS, ids=IDS)
@given(data=st.data())
def test_any_complete_answers_score_within_the_range(
    instrument: scoring.Instrument, data: st.DataObject
) -> None:
    answers = data.draw(answered(instrument))
    sex: scoring.Sex | None = data.draw(st.sampled_from([None, "female", "male"]))
    result = scoring.score(instrument.id, answers, sex=sex)
    for subscale in instrument.subscales:
        lowest, highest = instrument.subscale_range(subscale)
        assert lowest <= result.subscales[subscale.id] <= highest
    if not instrument.has_total:
        assert result.as_dict()["total"] is None and result.as_dict()["band"] is None
        return
    assert instrument.min_total <= result.total <= instrument.max_total
    assert result.band.holds(result.total)
    assert result.total == sum(p or 0 for p in result.points)


@pytest.mark.parametrize("instrument", TOTALLED, ids=TOTALLED_IDS)
@given(data=st.data())
def test_bands_never_go_down_as_the_total_goes_up(
    instrument: scoring.Instrument, data: st.DataObject
) -> None:
    sex: scoring.Sex | None = data.draw(st.sampled_from([None, "female", "male"]))
    low = data.draw(st.integers(instrument.min_total, instrument.max_total))
    high = data.draw(st.integers(low, instrument.max_total))
    bands = list(instrument.bands_for(sex))
    assert bands.index(instrument.band_for(low, sex)) <= bands.index(instrument.band_for(high, sex))


@given(rest=st.lists(st.sampled_from([0, 1, 2]), min_size=2, max_size=2))
def test_audit_lets_questions_2_to_8_go_unasked_after_never(rest: list[int]) -> None:
    result = scoring.score("audit", [0, *[None] * 7, *rest])
    assert result.total == sum((0, 2, 4)[answer] for answer in rest)


@given(first=st.integers(1, 4))
def test_audit_asks_question_2_of_anyone_who_drinks(first: int) -> None:
    with pytest.raises(scoring.ScoringError, match=r"audit item 2 \(typical-quantity\)"):
        scoring.score("audit", [first, None, 0, 0, 0, 0, 0, 0, 0, 0])


def test_audit_never_skips_questions_9_and_10() -> None:
    with pytest.raises(scoring.ScoringError, match="item 9"):
        scoring.score("audit", [0, *[None] * 7, None, 0])


def test_audit_follows_the_who_rule_when_questions_2_and_3_score_zero() -> None:
    assert scoring.score("audit", [1, 0, 0, *[None] * 5, 0, 0]).total == 1


def test_phq_9_flags_item_9_whatever_the_total() -> None:
    assert scoring.score("phq-9", [0] * 8 + [1]).flags == ("suicidal-ideation",)
    assert scoring.score("phq-9", [3] * 8 + [0]).flags == ()


def test_audit_c_uses_the_cautious_cut_off_when_sex_is_not_given() -> None:
    assert scoring.score("audit-c", [1, 1, 1]).band.id == "positive"
    assert scoring.score("audit-c", [1, 1, 1], sex="female").band.id == "positive"
    assert scoring.score("audit-c", [1, 1, 1], sex="male").band.id == "negative"


@given(answers=st.lists(st.integers(0, 1), min_size=11, max_size=11))
def test_prescribed_never_counts_tolerance_or_withdrawal(answers: list[int]) -> None:
    plain = scoring.score("sud-11", answers).total
    prescribed = scoring.score("sud-11", answers, prescribed=True).total
    assert prescribed == plain - answers[9] - answers[10]


@pytest.mark.parametrize(
    ("instrument", "answers", "message"),
    [
        ("gad-7", [0] * 6, "gad-7 needs 7 answers, got 6"),
        ("gad-7", [0] * 6 + [4], r"gad-7 item 7 \(.*\): option 4 is out of range \(0 to 3\)"),
        ("phq-9", [0] * 8 + [None], "phq-9 item 9"),
        ("dast-10", [0] * 9 + [True], "dast-10 item 10"),
        ("dast-10", [0] * 9 + [-1], "dast-10 item 10"),
        ("phq-2", [0, "1"], "phq-2 item 2"),
    ],
)
def test_it_refuses_bad_answers_naming_the_item(
    instrument: str, answers: list[Any], message: str
) -> None:
    with pytest.raises(scoring.ScoringError, match=message):
        scoring.score(instrument, answers)


def test_it_refuses_an_unknown_instrument_and_names_the_known_ones() -> None:
    with pytest.raises(scoring.UnknownInstrumentError, match="known: audit"):
        scoring.score("cage", [0])


def test_prescribed_applies_only_to_the_criteria_checklist() -> None:
    with pytest.raises(scoring.ScoringError, match="only to sud-11"):
        scoring.score("audit-c", [0, 0, 0], prescribed=True)
