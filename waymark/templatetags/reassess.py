"""``{% checkup_due %}``: the "your check-up is due again" notice, for pages whose views do
not compute it themselves (one query: the date of the latest completed check-up)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from waymark.checkup.history import due
from waymark.checkup.models import CheckUp

register = template.Library()


@register.inclusion_tag("waymark/progress/_due.html", takes_context=True)
def checkup_due(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"due": None}
    last = (
        CheckUp.objects.filter(
            owner=user, status=CheckUp.Status.COMPLETE, completed_at__isnull=False
        )
        .order_by("-completed_at")
        .values_list("completed_at", flat=True)
        .first()
    )
    return {"due": due(timezone.localdate(last) if last is not None else None)}
