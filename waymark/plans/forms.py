"""Editing a plan: each list one item a line; up to five people to call."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from waymark.forms import LongTextField
from waymark.plans.content import MAX_PEOPLE, PERSONAL_LISTS
from waymark.plans.document import PERSONAL_TITLES

MAX_ITEMS = 20
MAX_ITEM_LENGTH = 300
MAX_NOTES = 4000


class PlanForm(forms.Form):
    notes = LongTextField(
        label=_("Notes"),
        required=False,
        max_length=MAX_NOTES,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Anything else you want in your plan. Kept private and encrypted."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key in PERSONAL_LISTS:
            self.fields[key] = forms.CharField(
                label=_(PERSONAL_TITLES[key]),
                required=False,
                widget=forms.Textarea(attrs={"rows": 4}),
                help_text=_("One per line."),
            )
        for n in range(MAX_PEOPLE):
            who = {"n": n + 1}
            self.fields[f"person-{n}-name"] = forms.CharField(
                label=_("Person %(n)d: name") % who, required=False, max_length=100
            )
            self.fields[f"person-{n}-phone"] = forms.CharField(
                label=_("Person %(n)d: phone") % who,
                required=False,
                max_length=40,
                widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
            )
            self.fields[f"person-{n}-note"] = forms.CharField(
                label=_("Person %(n)d: who they are (optional)") % who,
                required=False,
                max_length=100,
            )
        # Lists first, then people, then notes, as the plan shows them.
        self.order_fields([*PERSONAL_LISTS, *self._people_fields(), "notes"])

    def _people_fields(self) -> list[str]:
        return [
            f"person-{n}-{part}" for n in range(MAX_PEOPLE) for part in ("name", "phone", "note")
        ]

    def list_fields(self) -> list[forms.BoundField]:
        return [self[key] for key in PERSONAL_LISTS]

    def people_rows(self) -> list[list[forms.BoundField]]:
        return [
            [self[f"person-{n}-{part}"] for part in ("name", "phone", "note")]
            for n in range(MAX_PEOPLE)
        ]

    @staticmethod
    def initial_from(content: dict[str, Any]) -> dict[str, Any]:
        initial: dict[str, Any] = {key: "\n".join(content.get(key, [])) for key in PERSONAL_LISTS}
        for n, person in enumerate(content.get("people", [])[:MAX_PEOPLE]):
            for part in ("name", "phone", "note"):
                initial[f"person-{n}-{part}"] = person.get(part, "")
        initial["notes"] = content.get("notes", "")
        return initial

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for key in PERSONAL_LISTS:
            items = [line.strip() for line in (cleaned.get(key) or "").splitlines() if line.strip()]
            if len(items) > MAX_ITEMS:
                self.add_error(key, _("Please keep this to %(n)d lines.") % {"n": MAX_ITEMS})
            elif any(len(item) > MAX_ITEM_LENGTH for item in items):
                self.add_error(
                    key, _("Please keep each line under %(n)d characters.") % {"n": MAX_ITEM_LENGTH}
                )
            cleaned[key] = items
        for n in range(MAX_PEOPLE):
            if cleaned.get(f"person-{n}-phone") and not cleaned.get(f"person-{n}-name"):
                self.add_error(f"person-{n}-name", _("Please add a name for this number."))
        return cleaned

    def content(self, approach: str) -> dict[str, Any]:
        data = self.cleaned_data
        people = [
            {part: data.get(f"person-{n}-{part}", "") for part in ("name", "phone", "note")}
            for n in range(MAX_PEOPLE)
        ]
        content: dict[str, Any] = {key: data[key] for key in PERSONAL_LISTS}
        content |= {
            "approach": approach,
            "people": [p for p in people if p["name"] or p["phone"]],
            "notes": data.get("notes", ""),
        }
        return content
