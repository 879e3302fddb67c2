"""The measure settings are checked at start-up, not discovered wrong at 10 a.m."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register


@register(Tags.compatibility)
def check_measure_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    problems: list[CheckMessage] = []
    hour = settings.WAYMARK_MEASURE_SEND_HOUR
    days = settings.WAYMARK_MEASURE_LINK_DAYS
    if not 0 <= hour <= 23:
        problems.append(
            Error(
                f"WAYMARK_MEASURE_SEND_HOUR is {hour}: it is an hour of the day.",
                hint="Set a whole number from 0 to 23 (10 sends measures at 10:00 local time).",
                id="measures.E001",
            )
        )
    if not 1 <= days <= 30:
        problems.append(
            Error(
                f"WAYMARK_MEASURE_LINK_DAYS is {days}: a link must work 1 to 30 days.",
                hint="Set a whole number from 1 to 30 (the default is 7).",
                id="measures.E001",
            )
        )
    return problems
