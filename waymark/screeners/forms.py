"""A quick screen: one self-rated instrument, scored at once. It is the check-up's instrument
step on its own, so items, skip logic and error messages are the same everywhere."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from waymark import wording as localized
from waymark.checkup.steps import SEX_CHOICES, InstrumentStepForm
from waymark.clinical import scoring
from waymark.clinical.checkup import Answers


class InstrumentForm(InstrumentStepForm):
    def __init__(self, instrument: scoring.Instrument, data: Any = None) -> None:
        self.instrument_id = instrument.id
        self.instrument = instrument
        self.score: scoring.Score | None = None
        super().__init__(Answers([]), "", data)
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

    @property
    def skip_answer(self) -> str:
        """The first item's first option ("Never"), the answer that lets later items go."""
        first = self.instrument.items[0]
        return localized.wording(self.instrument).option_labels(first)[0]

    @property
    def skip_until(self) -> int:
        """The number of the last item that skip logic may leave unasked."""
        skippable = {item_id for rule in self.instrument.skip_rules for item_id in rule.not_asked}
        return max((self.instrument.item_index(i) + 1 for i in skippable), default=0)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not self.errors:
            answers = [cleaned.get(item.id) for item in self.instrument.items]
            sex = cleaned.get("sex") or None
            self.score = scoring.score(self.instrument.id, answers, sex=sex)
        return cleaned
