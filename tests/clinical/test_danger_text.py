"""The danger texts: every string present, short, marked for translation, and never a dose or a
number to call (help lines are configuration). Purity is test_purity's, for every core module."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from waymark.clinical import danger_text

MODULE = Path(danger_text.__file__)
DOSE = re.compile(
    r"\d\s*(mg|mcg|µg|g|ml|milligrams?|micrograms?|grams?|units?|tablets?|pills?|doses?)\b",
    re.IGNORECASE,
)
PHONE = re.compile(r"\b(911|988|741741)\b|\d{3}\W{0,2}\d{3}\W?\d{4}|\b1-8\d\d\b")
LONGEST = 250  # characters: one string must fit a small phone screen or a wallet card


def constants() -> dict[str, str | tuple[str, ...]]:
    return {
        name: value
        for name, value in vars(danger_text).items()
        if name.isupper() and isinstance(value, str | tuple)
    }


def strings() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for name, value in constants().items():
        items = value if isinstance(value, tuple) else (value,)
        found.extend((name, item) for item in items)
    return found


def test_the_module_has_every_text_the_safety_pages_ask_for() -> None:
    assert set(constants()) == {
        "THIAMINE",
        "NITAZENES",
        "XYLAZINE_BULLETS",
        "STIMULANT_OVERDOSE_SIGNS",
        "STIMULANT_OVERDOSE_STEPS",
        "GABAPENTINOID_OPIOIDS",
        "GHB_Z_DRUGS",
        "CANNABIS_HYPEREMESIS",
        "LOST_TOLERANCE_RELEASE",
        "YOUTH_INTRO",
        "YOUTH_RESOURCES",
        "MOUD_KEEP_TAKING",
        "SEIZURE_WHAT_TO_DO",
        "MOOD_TALK",
    }
    assert 3 <= len(danger_text.XYLAZINE_BULLETS) <= 4
    assert 4 <= len(danger_text.STIMULANT_OVERDOSE_STEPS) <= 5
    assert 2 <= len(danger_text.YOUTH_RESOURCES) <= 4


def test_every_string_is_non_empty_and_short() -> None:
    for name, text in strings():
        assert isinstance(text, str), name
        assert text.strip() == text and text, f"{name}: empty or padded"
        assert len(text) <= LONGEST, f"{name} is {len(text)} characters long"


def test_no_string_gives_a_dose_or_a_phone_number() -> None:
    for name, text in strings():
        assert not DOSE.search(text), f"{name}: a dose in {text!r}"
        assert not PHONE.search(text), f"{name}: a phone number in {text!r}"


def test_every_constant_is_marked_for_translation() -> None:
    """Each string sits inside N_(...) in the source, so `makemessages --keyword=N_` finds it."""
    marked: set[str] = set()
    for node in ast.walk(ast.parse(MODULE.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "N_":
            argument = node.args[0]
            assert isinstance(argument, ast.Constant) and isinstance(argument.value, str)
            marked.add(argument.value)
    assert {text for _, text in strings()} <= marked
