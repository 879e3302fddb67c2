"""The person's own part of a plan, as stored in each version (encrypted JSON)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext

from waymark.clinical.plan import PersonalDefaults

# The editable lists, in the order the plan shows them.
PERSONAL_LISTS = (
    "goals",
    "triggers",
    "high_risk",
    "warning_signs",
    "coping",
    "activities",
    "meetings",
    "after_slip",
    "crisis_plan",
)
MAX_PEOPLE = 5


def from_defaults(approach: str, defaults: PersonalDefaults) -> dict[str, Any]:
    """Version 1: the suggestions, in the person's language, for them to make their own."""
    content: dict[str, Any] = {"approach": approach, "people": [], "notes": ""}
    for key in PERSONAL_LISTS:
        content[key] = [
            gettext(m.template) % m.params if m.params else gettext(m.template)
            for m in getattr(defaults, key)
        ]
    return content


def people(content: dict[str, Any]) -> list[dict[str, str]]:
    return [p for p in content.get("people", []) if p.get("name") or p.get("phone")]
