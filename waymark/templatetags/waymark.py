"""Template helpers for text from the clinical core (see waymark/clinical/text.py)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext

from waymark.clinical import labels
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
