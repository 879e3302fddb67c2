from typing import Any

from django.conf import settings
from django.http import HttpRequest


def help_lines(request: HttpRequest) -> dict[str, Any]:
    """Crisis and harm-reduction lines come from configuration, on every page."""
    return {
        "help_lines": settings.HELP_LINES,
        "harm_reduction_lines": settings.HARM_REDUCTION_LINES,
    }
