"""{% call_buttons %}: the one-tap buttons to the people in the signed-in person's plan and
the crisis lines, as on the home and check-in pages (waymark/phone/calls.py)."""

from __future__ import annotations

from typing import Any

from django import template

from waymark.phone.calls import people_to_call, phone_lines

register = template.Library()


@register.inclusion_tag("waymark/phone/_call_buttons.html", takes_context=True)
def call_buttons(context: template.Context, lines: int = 2) -> dict[str, Any]:
    """The people with a number, then the first ``lines`` help lines a phone can dial."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "people": people_to_call(user),
        "lines": phone_lines(list(context.get("help_lines") or []))[:lines],
    }


@register.simple_tag
def device_person(user: Any) -> str:
    """Who is signed in on this phone, for the check-in queue to tell people apart: a keyed
    hash, never the account's own id, so no page carries an identifier of its reader."""
    from django.utils.crypto import salted_hmac

    if not getattr(user, "is_authenticated", False):
        return ""
    return salted_hmac("waymark.phone.device-person", str(user.public_id)).hexdigest()[:24]
