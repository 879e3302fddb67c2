"""US standard drinks, WHO risk drinking levels and the heavy-drinking-day threshold.

Facts (FACTS.md §3 ✅): a US standard drink is about 14 g of pure alcohol; grams = volume in
mL × ABV fraction × 0.789 (the density of ethanol in g/mL); a heavy drinking day is 4 or
more drinks for women and 5 or more for men (NIAAA; the FDA 2015 draft guidance for AUD
trials ⚠️). The WHO risk drinking levels use the boundaries of CONTRACTS.md §5: women (and
anyone whose sex is not given) low ≤ 20 g a day, medium ≤ 40, high ≤ 60, very high above;
men ≤ 40, ≤ 60, ≤ 100, above. FACTS' table lists whole grams (low 1–20, medium 21–40, ...);
the contract's "≤" closes the gaps between them, so 0.5 g a day is low and 20.5 g a day is
medium (above 20). Only exactly 0 g is abstinent. Sex not given takes the lower, more
protective cut-offs (FACTS.md §0.3).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from waymark.clinical.scoring import SEXES, Sex
from waymark.clinical.text import N_

GRAMS_PER_US_DRINK = 14.0
ETHANOL_G_PER_ML = 0.789
ML_PER_US_FL_OZ = 29.5735

# Inputs beyond these are typing mistakes, not drinks ❓ (ours): 10 litres in one drink, or
# 1,000 drinks of one kind, is not something a person records.
MAX_VOLUME_ML = 10_000.0
MAX_COUNT = 1_000.0

RiskLevel = Literal["abstinent", "low", "medium", "high", "very-high"]
RISK_LEVELS: tuple[RiskLevel, ...] = ("abstinent", "low", "medium", "high", "very-high")

# Upper bounds (inclusive, grams a day) of low, medium and high; above the last is very high.
RISK_CUTOFFS: dict[Sex | None, tuple[float, float, float]] = {
    "female": (20.0, 40.0, 60.0),
    None: (20.0, 40.0, 60.0),
    "male": (40.0, 60.0, 100.0),
}

RISK_LEVEL_LABEL: dict[RiskLevel, str] = {
    "abstinent": N_("Abstinent"),
    "low": N_("Low risk"),
    "medium": N_("Medium risk"),
    "high": N_("High risk"),
    "very-high": N_("Very high risk"),
}

HEAVY_DAY_DRINKS: dict[Sex | None, int] = {"male": 5, "female": 4, None: 4}


def _number(name: str, value: float, low: float, high: float) -> float:
    """``value`` as a float within [low, high]; the error names the argument."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{name} must be a number, not {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be from {low:g} to {high:g}, not {value:g}")
    return float(value)


def fl_oz_to_ml(fl_oz: float) -> float:
    """US fluid ounces to millilitres."""
    return fl_oz * ML_PER_US_FL_OZ


def grams_of_alcohol(volume_ml: float, abv_percent: float, count: float = 1) -> float:
    """Grams of pure alcohol in ``count`` drinks of ``volume_ml`` at ``abv_percent``."""
    volume = _number("volume_ml", volume_ml, 0, MAX_VOLUME_ML)
    abv = _number("abv_percent", abv_percent, 0, 100)
    times = _number("count", count, 0, MAX_COUNT)
    return volume * abv / 100 * ETHANOL_G_PER_ML * times


def standard_drinks(volume_ml: float, abv_percent: float, count: float = 1) -> float:
    """US standard drinks (14 g each) in ``count`` drinks of ``volume_ml`` at ``abv_percent``.

    Raises ValueError naming the argument for a negative, non-finite or absurd value (ABV is
    0–100; volume at most ``MAX_VOLUME_ML``; count at most ``MAX_COUNT``).
    """
    return grams_of_alcohol(volume_ml, abv_percent, count) / GRAMS_PER_US_DRINK


@dataclass(frozen=True)
class DrinkType:
    id: str
    name: str
    fl_oz: float
    abv_percent: float

    @property
    def volume_ml(self) -> float:
        return fl_oz_to_ml(self.fl_oz)

    @property
    def standard_drinks(self) -> float:
        return standard_drinks(self.volume_ml, self.abv_percent)


# FACTS.md §3's examples of one US standard drink. Where FACTS gives a range, the middle is
# ours ❓; fortified wine's 17% is not in FACTS ❓ (NIAAA's own chart shows 17%).
DRINK_TYPES: tuple[DrinkType, ...] = (
    DrinkType("beer", N_("Regular beer"), 12, 5),
    DrinkType("malt-liquor", N_("Malt liquor or hard seltzer"), 9, 7),  # 8–10 fl oz ❓
    DrinkType("wine", N_("Table wine"), 5, 12),
    DrinkType("fortified-wine", N_("Fortified wine (sherry, port)"), 3.5, 17),  # 3–4 ❓, 17% ❓
    DrinkType("liqueur", N_("Liqueur"), 2.5, 24),  # 2–3 fl oz ❓
    DrinkType("spirits", N_("Spirits (80 proof)"), 1.5, 40),
)


def drink_type(type_id: str) -> DrinkType:
    for kind in DRINK_TYPES:
        if kind.id == type_id:
            return kind
    known = ", ".join(kind.id for kind in DRINK_TYPES)
    raise ValueError(f"unknown drink type {type_id!r} (known: {known})")


def _check_sex(sex: Sex | None) -> Sex | None:
    if sex not in SEXES and sex is not None:
        raise ValueError(f"sex must be 'female', 'male' or not given, not {sex!r}")
    return sex


def who_risk_level(grams_per_day: float, sex: Sex | None = None) -> RiskLevel:
    """The WHO risk drinking level for an average of ``grams_per_day`` (CONTRACTS.md §5)."""
    grams = _number("grams_per_day", grams_per_day, 0, math.inf)
    if grams == 0:
        return "abstinent"
    low, medium, high = RISK_CUTOFFS[_check_sex(sex)]
    if grams <= low:
        return "low"
    if grams <= medium:
        return "medium"
    return "high" if grams <= high else "very-high"


def near_a_cutoff(grams_per_day: float, sex: Sex | None = None) -> bool:
    """Whether ``grams_per_day`` lies so near a WHO level's cut-off (within a millionth of a
    gram) that the order or the rounding of the sum behind it could decide the level: two
    sums of the same drinks, one in decimals, one in floating point, can then differ in
    level. Anything farther is on the same side either way."""
    grams = _number("grams_per_day", grams_per_day, 0, math.inf)
    return any(abs(grams - cutoff) <= 1e-6 for cutoff in RISK_CUTOFFS[_check_sex(sex)])


def heavy_day_threshold(sex: Sex | None = None) -> int:
    """Drinks in a day that make it a heavy drinking day: 5 for men, else 4 (FACTS.md §3)."""
    return HEAVY_DAY_DRINKS[_check_sex(sex)]
