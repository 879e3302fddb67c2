"""Spanish follows English: every string in the catalogue is translated, none left fuzzy."""

from __future__ import annotations

import re
from pathlib import Path

from django.utils import translation

from waymark.clinical import labels, safety

CATALOGUE = Path(__file__).resolve().parent.parent / "waymark/locale/es/LC_MESSAGES/django.po"


def _entries(text: str) -> list[str]:
    return [block for block in text.split("\n\n") if "msgid" in block]


def test_the_spanish_catalogue_has_no_untranslated_or_fuzzy_entry() -> None:
    untranslated, fuzzy = [], []
    for block in _entries(CATALOGUE.read_text(encoding="utf-8"))[1:]:  # [0] is the header
        if block.lstrip().startswith("#~"):
            continue
        if "#, fuzzy" in block:
            fuzzy.append(block)
        strings = re.findall(r'^msgstr(?:\[\d\])? ((?:".*"\n?)+)', block + "\n", re.M)
        if not strings or any(re.sub(r'"\s*"', "", s).strip() == '""' for s in strings):
            untranslated.append(block)
    assert fuzzy == [] and untranslated == []


def test_the_clinical_words_are_translated_at_run_time() -> None:
    with translation.override("es"):
        assert translation.gettext(labels.APPROACH["harm-reduction"]) == "Reducción de daños"
        assert translation.gettext(safety.SAFETY_TEXT["naloxone"]) != safety.SAFETY_TEXT["naloxone"]
