"""Clinic forms: the caseload's search, acknowledging an alert, a clinician-rated scale, a
clinical note."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from waymark.checkup.steps import InstrumentStepForm, instrument_form
from waymark.clinic.chart import MAX_SEARCH, CaseloadQuery
from waymark.clinical import alerts as rules
from waymark.clinical import scoring
from waymark.clinical.checkup import Answers
from waymark.forms import LongTextField, QuickSelect

MAX_NOTE = 5000

CLINICIAN_SCALES = ("ciwa-ar", "cows")


class CaseloadSearchForm(forms.Form):
    """The caseload's search (GET): by alias or short id, and by open alert."""

    q = forms.CharField(
        label=_("Name or short id"),
        help_text=_("Part of the name the person chose, or the start of their short id."),
        max_length=MAX_SEARCH,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    alert = forms.ChoiceField(label=_("Open alerts"), required=False, choices=lambda: [
        ("", _("Everyone")),
        ("any", _("Any open alert")),
        ("urgent", _("An urgent alert")),
        ("high", _("A high alert")),
        (_("One kind of alert"), [(rule.id, _(rule.title)) for rule in rules.RULES]),
    ], widget=QuickSelect)  # fmt: skip

    def query(self) -> CaseloadQuery:
        """What to list: everyone when the form is empty or not valid (its errors say why)."""
        if not self.is_bound or not self.is_valid():
            return CaseloadQuery()
        return CaseloadQuery(self.cleaned_data["q"].strip(), self.cleaned_data["alert"])

    @property
    def narrowed(self) -> bool:
        return self.query() != CaseloadQuery()


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
