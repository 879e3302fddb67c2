"""A form for any self-rated instrument, built from its data file."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from waymark.clinical import scoring

SEX_CHOICES = [
    ("", _("Prefer not to say")),
    ("female", _("Female")),
    ("male", _("Male")),
]


class InstrumentForm(forms.Form):
    """One radio group per item. Blank answers reach the engine as "not asked", and the
    engine's skip logic decides whether that is allowed, so the rule lives in one place."""

    def __init__(self, instrument: scoring.Instrument, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        for number, item in enumerate(instrument.items, start=1):
            self.fields[item.id] = forms.TypedChoiceField(
                label=f"{number}. {item.text}",
                choices=[(str(i), option.label) for i, option in enumerate(item.options)],
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": _("Please choose one of the answers shown.")},
            )
        if instrument.sex_specific:
            self.fields["sex"] = forms.ChoiceField(
                label=_("Sex assigned at birth"),
                help_text=_(
                    "Only used to pick the right cut-off. If you prefer not to say, the more "
                    "cautious cut-off is used."
                ),
                choices=SEX_CHOICES,
                required=False,
            )
        self.score: scoring.Score | None = None

    def item_fields(self) -> list[forms.BoundField]:
        return [self[item.id] for item in self.instrument.items]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        answers = [cleaned.get(item.id) for item in self.instrument.items]
        try:
            self.score = scoring.score(self.instrument.id, answers, sex=cleaned.get("sex") or None)
        except scoring.ScoringError as error:
            if error.item_index is None:
                raise forms.ValidationError(str(error)) from error
            field = self.instrument.items[error.item_index].id
            self.add_error(field, _("Please choose an answer to this question."))
        return cleaned
