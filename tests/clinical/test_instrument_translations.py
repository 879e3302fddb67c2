"""Translated wording changes the words only: the same items, the same options in the same
order, so an answer given in Spanish scores exactly as the same answer given in English."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest

from waymark.clinical import scoring

TRANSLATED = [
    (instrument, language)
    for instrument in scoring.all_instruments()
    for language in instrument.translations
]
IDS = [f"{instrument.id}-{language}" for instrument, language in TRANSLATED]
SELF_RATED_EXCEPT_CLINICIAN = [i for i in scoring.all_instruments() if not i.clinician_only]


def _data(instrument_id: str) -> dict[str, Any]:
    path = resources.files("waymark.clinical").joinpath("instruments", f"{instrument_id}.json")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _answers_by_label(
    instrument: scoring.Instrument, words: scoring.Wording, answers: list[int]
) -> list[int | None]:
    """The option indices a person reading ``words`` gives when they mean ``answers``:
    each picked by its translated label, as on a page."""
    picked: list[int | None] = []
    for item, answer in zip(instrument.items, answers, strict=True):
        labels = words.option_labels(item)
        picked.append(labels.index(labels[answer]))
    return picked


@pytest.mark.parametrize("instrument", SELF_RATED_EXCEPT_CLINICIAN, ids=lambda i: i.id)
def test_every_self_rated_instrument_has_spanish(instrument: scoring.Instrument) -> None:
    assert "es" in instrument.translations


@pytest.mark.parametrize(("instrument", "language"), TRANSLATED, ids=IDS)
def test_a_translation_has_the_same_items_and_as_many_options(
    instrument: scoring.Instrument, language: str
) -> None:
    words = instrument.wording(language)
    assert words.language == language and words.translated
    assert list(words.items) == [item.id for item in instrument.items]
    for item in instrument.items:
        labels = words.option_labels(item)
        assert len(labels) == len(item.options), item.id
        assert len(set(labels)) == len(labels), f"{item.id}: two options read the same"
        assert words.text_for(item) and set(words.items[item.id].variants) == set(item.variants)
    assert words.name and words.instructions and words.source and words.licence
    assert isinstance(words.validated, bool)


@pytest.mark.parametrize(("instrument", "language"), TRANSLATED, ids=IDS)
def test_its_option_sets_match_the_original_in_name_and_length(
    instrument: scoring.Instrument, language: str
) -> None:
    data = _data(instrument.id)
    translated_sets = data.get("translations", {}).get(language, {}).get("option_sets", {})
    for name, labels in translated_sets.items():
        assert len(labels) == len(data["option_sets"][name]), name
        assert all(isinstance(label, str) for label in labels), "points never in translations"


@pytest.mark.parametrize(("instrument", "language"), TRANSLATED, ids=IDS)
def test_the_same_answers_score_the_same_in_either_language(
    instrument: scoring.Instrument, language: str
) -> None:
    words = instrument.wording(language)
    widths = [len(item.options) for item in instrument.items]
    patterns = [
        [0] * len(widths),
        [width - 1 for width in widths],
        [index % width for index, width in enumerate(widths)],
        [(index * 2 + 1) % width for index, width in enumerate(widths)],
    ]
    for answers in patterns:
        english = scoring.score(instrument.id, list(answers))
        spanish = scoring.score(instrument.id, _answers_by_label(instrument, words, answers))
        assert spanish.as_dict() == english.as_dict()
        assert spanish.points == english.points


def test_short_forms_reuse_the_long_forms_translated_items() -> None:
    for short, long in (("audit-c", "audit"), ("phq-2", "phq-9")):
        short_words = scoring.get_instrument(short).wording("es")
        long_words = scoring.get_instrument(long).wording("es")
        assert (
            list(short_words.items.values())
            == list(long_words.items.values())[: len(short_words.items)]
        )
        assert short_words.validated == long_words.validated
        assert short_words.name != long_words.name


def test_a_language_without_a_translation_falls_back_to_the_english_original() -> None:
    phq9 = scoring.get_instrument("phq-9")
    assert phq9.wording("fr") is phq9.original_wording
    assert phq9.wording(None).text_for(phq9.items[0]) == phq9.items[0].text
    assert phq9.wording("es-MX") is phq9.translations["es"]
    assert not phq9.original_wording.translated and not phq9.original_wording.unvalidated
    cows = scoring.get_instrument("cows")
    assert cows.wording("es").language == "en"


def test_only_published_translations_are_marked_validated() -> None:
    validated = {
        instrument.id
        for instrument in scoring.all_instruments()
        if "es" in instrument.translations and instrument.translations["es"].validated
    }
    assert validated == {"audit", "audit-c", "phq-9", "phq-2", "gad-7"}


def test_sud_11_keeps_its_alcohol_wording_in_spanish() -> None:
    sud = scoring.get_instrument("sud-11")
    words = sud.wording("es")
    craving = sud.items[sud.item_index("craving")]
    assert "beber" in words.text_for(craving, "alcohol")
    assert "consumir" in words.text_for(craving, "cannabis")


def _with_translation(items: dict[str, Any], option_sets: dict[str, Any]) -> dict[str, Any]:
    data = _data("gad-7")
    data["translations"] = {
        "es": {"name": "n", "instructions": "i", "source": "s", "licence": "l",
               "validated": False, "option_sets": option_sets, "items": items}
    }  # fmt: skip
    return data


def test_an_incomplete_translation_is_refused_when_the_file_loads() -> None:
    instrument = scoring.get_instrument("gad-7")
    texts = {item.id: "t" for item in instrument.items}
    four = {"frequency": ["a", "b", "c", "d"]}
    scoring._translations(_with_translation(texts, four), instrument.items)  # complete: fine
    missing = dict(list(texts.items())[1:])
    with pytest.raises(scoring.ScoringError, match="not translated"):
        scoring._translations(_with_translation(missing, four), instrument.items)
    with pytest.raises(scoring.ScoringError, match="has 3 options"):
        scoring._translations(
            _with_translation(texts, {"frequency": ["a", "b", "c"]}), instrument.items
        )
    with pytest.raises(scoring.ScoringError, match="text only"):
        points = {"frequency": [{"label": "a", "points": 0}] * 4}
        scoring._translations(_with_translation(texts, points), instrument.items)


def test_the_engine_s_values_pickle_and_copy() -> None:
    """Named tuples now, not dataclasses: still plain values a cache or a copy can hold."""
    import copy
    import pickle

    for instrument in scoring.all_instruments():
        assert pickle.loads(pickle.dumps(instrument)) == instrument
        assert copy.deepcopy(instrument) == instrument
    score = scoring.score("audit-c", [1, 1, 1])
    assert pickle.loads(pickle.dumps(score)) == score
