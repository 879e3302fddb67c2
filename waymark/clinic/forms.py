"""Clinic forms: acknowledging an alert, a clinician-rated scale, a clinical note."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from waymark.checkup.steps import InstrumentStepForm, instrument_form
from waymark.clinical import scoring
from waymark.clinical.checkup import Answers
from waymark.forms import LongTextField

MAX_NOTE = 5000

CLINICIAN_SCALES = ("ciwa-ar", "cows")


class AcknowledgeForm(forms.Form):
    note = LongTextField(
        label=_("Note (what you did or decided)"),
        help_text=_("Encrypted, and seen only by staff of your program."),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class NoteForm(forms.Form):
    text = LongTextField(
        label=_("New clinical note"),
        help_text=_(
            "Notes are encrypted and cannot be changed or deleted: to correct one, add a note "
            "that amends it."
        ),
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    amends = forms.UUIDField(required=False, widget=forms.HiddenInput)


def scale_form(instrument_id: str, data: Any = None) -> InstrumentStepForm:
    """A clinician-rated scale's items as radio groups (prefixed by the instrument, so both
    forms can share a page); every item must be rated."""
    if not scoring.get_instrument(instrument_id).clinician_only:
        raise ValueError(f"{instrument_id} is not a clinician-rated scale")
    form_class = instrument_form(instrument_id)
    return form_class(Answers([]), "", data, prefix=instrument_id)


def scale_answers(form: InstrumentStepForm) -> list[int | None]:
    instrument = scoring.get_instrument(form.instrument_id)
    return [form.cleaned_data.get(item.id) for item in instrument.items]
