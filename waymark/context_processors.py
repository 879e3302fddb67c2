from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext


def translated(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Default lines are translated; a program's own lines pass through unchanged."""
    return [
        {
            key: gettext(value) if isinstance(value, str) and key != "href" else value
            for key, value in line.items()
        }
        for line in lines
    ]


def help_lines(request: HttpRequest) -> dict[str, Any]:
    """Crisis and harm-reduction lines come from configuration, on every page."""
    return {
        "help_lines": translated(settings.HELP_LINES),
        "harm_reduction_lines": translated(settings.HARM_REDUCTION_LINES),
    }
