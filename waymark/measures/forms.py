"""The schedule forms: a program's (one interval per measure, empty for not sent) and one
person's (empty follows the program, 0 stops the measure for them). Answers use the quick
screens' own form (`waymark.screeners.forms.InstrumentForm`): same items, words and checks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from waymark.clinical import scoring
from waymark.measures.schedule import DEFAULT_EVERY_DAYS, MAX_EVERY_DAYS, MEASURES, MIN_EVERY_DAYS


def field_name(measure: str) -> str:
    return f"every_{measure.replace('-', '_')}"


def measure_label(measure: str) -> str:
    """The short name staff know a measure by ("BAM", "PHQ-9", "ASSIST opioids")."""
    return scoring.get_instrument(measure).short_name


class _ScheduleForm(forms.Form):
    lowest = MIN_EVERY_DAYS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for measure in MEASURES:
            self.fields[field_name(measure)] = forms.IntegerField(
                label=measure_label(measure),
                required=False,
                min_value=self.lowest,
                max_value=MAX_EVERY_DAYS,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "days"}),
            )

    def rows(self) -> list[tuple[str, forms.BoundField]]:
        return [(measure, self[field_name(measure)]) for measure in MEASURES]

    def chosen(self) -> dict[str, int | None]:
        return {measure: self.cleaned_data.get(field_name(measure)) for measure in MEASURES}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for measure in MEASURES:
            value = cleaned.get(field_name(measure))
            if value is not None and value != 0 and value < MIN_EVERY_DAYS:
                self.add_error(
                    field_name(measure),
                    _("Choose at least %(days)d days.") % {"days": MIN_EVERY_DAYS},
                )
        return cleaned


class ProgramScheduleForm(_ScheduleForm):
    """Days between two of each measure; empty: not sent."""

    @staticmethod
    def initial_for(current: Mapping[str, Any]) -> dict[str, int]:
        """The program's intervals, or the suggested ones when it has set none yet."""
        if not current:
            return {field_name(m): days for m, days in DEFAULT_EVERY_DAYS.items()}
        return {field_name(m): row.every_days for m, row in current.items() if row.active}


class PersonalScheduleForm(_ScheduleForm):
    """Days between two of each measure for one person; empty: as the program; 0: not sent
    to this person."""

    lowest = 0

    @staticmethod
    def initial_for(current: Mapping[tuple[int, str], Any]) -> dict[str, int]:
        return {
            field_name(measure): row.every_days if row.active else 0
            for (_program, measure), row in current.items()
        }
