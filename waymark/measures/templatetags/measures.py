"""`{% measures_waiting %}`: a short notice, on a signed-in person's pages, that questions
from their program are waiting (one query; nothing for anyone else)."""

from __future__ import annotations

from typing import Any

from django import template

from waymark.measures.actions import open_requests

register = template.Library()


@register.inclusion_tag("waymark/measures/_waiting.html", takes_context=True)
def measures_waiting(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"count": 0}
    return {"count": open_requests(user).count()}
