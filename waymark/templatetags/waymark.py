"""Template helpers for text from the clinical core (see waymark/clinical/text.py)."""

from __future__ import annotations

from typing import Any

from django import template
from django.forms import BoundField
from django.utils.translation import get_language, gettext

from waymark.clinical import labels, scoring
from waymark.clinical.pathway import Recommendation
from waymark.clinical.safety import SAFETY_TEXT
from waymark.clinical.text import Message

register = template.Library()


@register.filter
def say(message: Message | str) -> str:
    """Translate a core message, then fill in its values."""
    if isinstance(message, Message):
        translated = gettext(message.template)
        return translated % message.params if message.params else translated
    return gettext(message)


@register.filter
def label(value: str, table: str) -> str:
    """`{{ "urgent"|label:"URGENCY" }}`: the plain words for an engine id, translated."""
    words: dict[str, Any] = getattr(labels, table)
    return gettext(words[value])


@register.filter
def safety_text(safety_id: str) -> str:
    return gettext(SAFETY_TEXT[safety_id])


@register.filter
def anchor(field: BoundField) -> str:
    """The id to link to for a field: its first input when the field is a group."""
    if getattr(field.field.widget, "use_fieldset", False):
        return f"{field.auto_id}_0"
    return str(field.auto_id)


# Which education pages a result links to, by what the result found.
LEARN_FOR_SAFETY = {
    "medically-supervised-withdrawal": "withdrawal-safety",
    "no-self-taper": "gradual-tapering",
    "naloxone": "naloxone-and-overdose",
    "never-use-alone": "never-use-alone",
    "fentanyl-test-strips": "fentanyl-test-strips",
    "syringe-services": "syringe-services",
    "reduced-tolerance": "lost-tolerance",
    "medication-for-opioid-use-disorder": "medication-for-opioid-use-disorder",
    "medication-for-alcohol-use-disorder": "medication-for-alcohol-use-disorder",
}
LEARN_FOR_APPROACH = {
    "abstinence": ("abstinence", "abstinence-based-programs"),
    "harm-reduction": ("harm-reduction", "safer-use"),
    "staged": ("staged-path", "harm-reduction", "abstinence"),
}


@register.filter
def learn_links(result: Recommendation) -> list[tuple[str, str]]:
    """(slug, title) of the education pages that fit this result, most pressing first."""
    from waymark.content import library

    slugs = [LEARN_FOR_SAFETY[s] for s in result.safety if s in LEARN_FOR_SAFETY]
    slugs += LEARN_FOR_APPROACH[result.approach]
    if result.urgency != "none":
        slugs += ["when-to-seek-treatment", "what-treatment-covers"]
    slugs.append("myths-and-facts")
    language = get_language() or "en"
    return [(slug, library.load(slug, language).title) for slug in dict.fromkeys(slugs)]


@register.filter
def describe_change(change: dict[str, Any]) -> str:
    """One line about what changed between two check-ups, in plain words."""
    what = change["what"]
    tables = {"urgency": "URGENCY", "severity": "SEVERITY", "approach": "APPROACH",
              "care_level": "CARE_LEVEL"}  # fmt: skip
    if what in tables:
        words = getattr(labels, tables[what])
        before, after = gettext(words[change["before"]]), gettext(words[change["after"]])
        return f"{before} → {after}"
    name = scoring.get_instrument(what).short_name
    difference = change["difference"]
    if difference == 0:
        return gettext("%(name)s: %(after)s, no change") % {"name": name, "after": change["after"]}
    return gettext("%(name)s: %(before)s → %(after)s (%(difference)+d)") % {
        "name": name, "before": change["before"], "after": change["after"],
        "difference": difference,
    }  # fmt: skip
