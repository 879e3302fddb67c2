"""Template helpers for text from the clinical core (see waymark/clinical/text.py)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import template
from django.forms import BoundField
from django.utils import formats
from django.utils.html import format_html_join
from django.utils.translation import get_language, gettext

from waymark import wording as localized
from waymark.clinical import labels, scoring
from waymark.clinical.pathway import Recommendation
from waymark.clinical.safety import SAFETY_TEXT
from waymark.clinical.text import Message

register = template.Library()


# A decimal the core wrote as text ("1.0"): shown with the language's own separator ("1,0").
DECIMAL = re.compile(r"-?\d+\.\d+")


def _localized(value: Any) -> Any:
    if isinstance(value, str) and DECIMAL.fullmatch(value):
        places = len(value.split(".")[1])
        return formats.number_format(Decimal(value), decimal_pos=places)
    return value


@register.filter
def say(message: Message | str) -> str:
    """Translate a core message, then fill in its values (decimals as the language writes them)."""
    if isinstance(message, Message):
        translated = gettext(message.template)
        if not message.params:
            return translated
        return translated % {key: _localized(value) for key, value in message.params.items()}
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


@register.filter
def count_attrs(field: BoundField) -> str:
    """A hand-written textarea's live count, as the field's own widget would have it
    (waymark/forms.py): ``<textarea{{ form.note|count_attrs }}>``."""
    from waymark.forms import count_attrs as attrs

    limit = getattr(field.field, "max_length", None)
    if limit is None:
        return ""
    return format_html_join("", ' {}="{}"', attrs(limit).items())


@register.filter
def learn_links(result: Recommendation) -> list[tuple[str, str]]:
    """(slug, title) of the education pages that fit this result, most pressing first."""
    from waymark.content.library import TOPIC_PAGES, load

    slugs = [TOPIC_PAGES[s] for s in result.safety if s in TOPIC_PAGES]
    slugs.append(TOPIC_PAGES[result.approach])
    if result.risks.mental_health.level != "none":
        slugs.append("mood-and-anxiety")
    if result.urgency != "none":
        slugs += ["when-to-seek-treatment", "what-treatment-covers"]
    slugs.append("myths-and-facts")
    language = get_language() or "en"
    return [(slug, load(slug, language).title) for slug in dict.fromkeys(slugs)]


@register.filter
def instrument_name(instrument_id: str) -> str:
    """An instrument's short name as published (AUDIT, PHQ-9), for an id such as "audit",
    in the page's language where it differs (ASSIST alcohol, ASSIST opioides)."""
    return localized.wording(instrument_id).short_name


@register.filter
def wording(instrument: str | scoring.Instrument) -> scoring.Wording:
    """An instrument's words in the page's language: ``{% with words=instrument|wording %}``."""
    return localized.wording(instrument)


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
    name = localized.wording(what).short_name
    difference = change["difference"]
    if difference == 0:
        return gettext("%(name)s: %(after)s, no change") % {"name": name, "after": change["after"]}
    return gettext("%(name)s: %(before)s → %(after)s (%(difference)+d)") % {
        "name": name, "before": change["before"], "after": change["after"],
        "difference": difference,
    }  # fmt: skip
