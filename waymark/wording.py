"""Instrument wording in the page's language: the engine's ``Instrument.wording`` fed the
active language, so the check-up, the quick screens and the results all ask the same way.

Points never depend on the language: option ``i`` scores the same in every translation.
"""

from __future__ import annotations

from django.utils.functional import lazy
from django.utils.translation import get_language

from waymark.clinical import scoring


def wording(instrument: str | scoring.Instrument) -> scoring.Wording:
    """The instrument's wording in the active language (English where it has no translation)."""
    if isinstance(instrument, str):
        instrument = scoring.get_instrument(instrument)
    return instrument.wording(get_language())


def _instructions(instrument_id: str) -> str:
    return wording(instrument_id).instructions


# For text fixed at import time (a step's intro), read in the language of each request.
instructions = lazy(_instructions, str)
