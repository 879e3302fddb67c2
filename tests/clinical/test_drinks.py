"""Standard drinks, WHO risk drinking levels and heavy days, against FACTS.md §3."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from waymark.clinical.drinks import (
    DRINK_TYPES,
    RISK_LEVELS,
    drink_type,
    fl_oz_to_ml,
    grams_of_alcohol,
    heavy_day_threshold,
    standard_drinks,
    who_risk_level,
)
from waymark.clinical.scoring import Sex


@pytest.mark.parametrize(
    ("fl_oz", "abv"),
    [(12, 5), (5, 12), (1.5, 40)],  # FACTS §3: each is about 14 g, one US standard drink
)
def test_the_facts_examples_are_about_14_grams(fl_oz: float, abv: float) -> None:
    grams = grams_of_alcohol(fl_oz_to_ml(fl_oz), abv)
    assert grams == pytest.approx(14, abs=0.5)
    assert standard_drinks(fl_oz_to_ml(fl_oz), abv) == pytest.approx(1, abs=0.5 / 14)


@pytest.mark.parametrize(("ml", "abv"), [(355, 5), (148, 12), (44, 40)])
def test_the_facts_millilitre_examples_are_about_14_grams(ml: float, abv: float) -> None:
    assert grams_of_alcohol(ml, abv) == pytest.approx(14, abs=0.5)


def test_grams_are_millilitres_times_abv_times_the_density_of_ethanol() -> None:
    # 100 mL of 10% = 10 mL of ethanol = 7.89 g; 14 g is one drink.
    assert grams_of_alcohol(100, 10) == pytest.approx(7.89)
    assert standard_drinks(100, 10) == pytest.approx(7.89 / 14)
    assert standard_drinks(355, 5, count=3) == pytest.approx(3 * standard_drinks(355, 5))
    assert standard_drinks(500, 0) == 0


def test_a_us_fluid_ounce_is_29_5735_millilitres() -> None:
    assert fl_oz_to_ml(1) == 29.5735
    assert fl_oz_to_ml(12) == pytest.approx(354.882)


def test_every_common_size_is_about_one_standard_drink() -> None:
    # The ranges in FACTS (8–10 fl oz of malt liquor, 3–4 of fortified wine, 2–3 of liqueur)
    # are about one drink; the sizes we picked inside them stay within 10%.
    assert [kind.id for kind in DRINK_TYPES] == [
        "beer", "malt-liquor", "wine", "fortified-wine", "liqueur", "spirits",
    ]  # fmt: skip
    for kind in DRINK_TYPES:
        assert 0.9 <= kind.standard_drinks <= 1.1, kind.id
    assert drink_type("wine").fl_oz == 5 and drink_type("wine").abv_percent == 12
    with pytest.raises(ValueError, match="unknown drink type 'cider'"):
        drink_type("cider")


@pytest.mark.parametrize(
    ("kwargs", "names"),
    [
        ({"volume_ml": -1, "abv_percent": 5}, "volume_ml"),
        ({"volume_ml": 20_000, "abv_percent": 5}, "volume_ml"),
        ({"volume_ml": math.nan, "abv_percent": 5}, "volume_ml"),
        ({"volume_ml": 355, "abv_percent": -5}, "abv_percent"),
        ({"volume_ml": 355, "abv_percent": 101}, "abv_percent"),
        ({"volume_ml": 355, "abv_percent": math.inf}, "abv_percent"),
        ({"volume_ml": 355, "abv_percent": 5, "count": -1}, "count"),
        ({"volume_ml": 355, "abv_percent": 5, "count": 5000}, "count"),
    ],
)
def test_negative_or_absurd_values_are_refused_naming_the_argument(
    kwargs: dict[str, float], names: str
) -> None:
    with pytest.raises(ValueError, match=names):
        standard_drinks(**kwargs)


@given(
    volume=st.floats(0, 10_000),
    abv=st.floats(0, 100),
    count=st.floats(0, 1000),
)
def test_standard_drinks_are_never_negative_and_grow_with_abv(
    volume: float, abv: float, count: float
) -> None:
    drinks = standard_drinks(volume, abv, count)
    assert drinks >= 0
    assert standard_drinks(volume, min(100, abv + 1), count) >= drinks


# Boundaries of CONTRACTS.md §5: female or not given ≤20 low, ≤40 medium, ≤60 high;
# male ≤40, ≤60, ≤100. Only exactly 0 g is abstinent; between FACTS' whole-gram rows
# (20 and 21), the contract's "≤ 20" decides: 20.5 is medium.
WHO_CASES: list[tuple[float, Sex | None, str]] = [
    (0, None, "abstinent"),
    (0, "male", "abstinent"),
    (0.5, None, "low"),
    (20, "female", "low"),
    (20, None, "low"),
    (20.5, "female", "medium"),
    (20.5, None, "medium"),
    (40, "female", "medium"),
    (40.01, None, "high"),
    (60, "female", "high"),
    (60.01, "female", "very-high"),
    (20.5, "male", "low"),
    (40, "male", "low"),
    (40.5, "male", "medium"),
    (60, "male", "medium"),
    (61, "male", "high"),
    (100, "male", "high"),
    (100.5, "male", "very-high"),
]


@pytest.mark.parametrize(("grams", "sex", "level"), WHO_CASES)
def test_who_risk_levels_follow_the_contract_boundaries(
    grams: float, sex: Sex | None, level: str
) -> None:
    assert who_risk_level(grams, sex) == level


@given(grams=st.floats(0, 500), more=st.floats(0, 100), sex=st.sampled_from(["female", "male"]))
def test_more_alcohol_never_lowers_the_level_and_sex_not_given_is_the_cautious_one(
    grams: float, more: float, sex: Sex
) -> None:
    level = RISK_LEVELS.index(who_risk_level(grams, sex))
    assert RISK_LEVELS.index(who_risk_level(grams + more, sex)) >= level
    assert RISK_LEVELS.index(who_risk_level(grams, None)) >= level


def test_who_risk_level_refuses_negative_or_non_numbers_and_unknown_sexes() -> None:
    with pytest.raises(ValueError, match="grams_per_day"):
        who_risk_level(-1)
    with pytest.raises(ValueError, match="grams_per_day"):
        who_risk_level(math.nan)
    with pytest.raises(ValueError, match="sex"):
        who_risk_level(10, "other")  # type: ignore[arg-type]


def test_a_heavy_day_is_5_drinks_for_men_and_4_otherwise() -> None:
    assert heavy_day_threshold("male") == 5
    assert heavy_day_threshold("female") == 4
    assert heavy_day_threshold(None) == 4
    assert heavy_day_threshold() == 4
