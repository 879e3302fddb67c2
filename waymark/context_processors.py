from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext

from waymark import helplines


def translated(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Default lines are translated; a program's own lines pass through unchanged."""
    return [
        {
            key: gettext(value) if isinstance(value, str) and key not in ("href", "kind") else value
            for key, value in line.items()
        }
        for line in lines
    ]


def care_links() -> list[dict[str, Any]]:
    """The configured care links, translated, each showing its contact or else its address,
    so they render like help lines (waymark/_help_lines.html, the PDF's help_lines)."""
    return [
        {**link, "contact": link.get("contact") or helplines.address(str(link.get("href", "")))}
        for link in translated(settings.CARE_LINKS)
    ]


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Which menu the header shows, worked out only if a page asks. Staff (an active membership
    in a program, or a superuser) get the staff menu only: they come to a program's patients,
    not to check in themselves. A visitor without an account gets "My plan" once this browser
    holds a check-up of theirs (waymark.access.visible_checkups)."""
    from waymark.access import request_is_staff
    from waymark.checkup.models import SESSION_KEY

    def is_staff() -> bool:
        return request_is_staff(request)

    def has_checkups() -> bool:
        session = getattr(request, "session", None)
        return bool(session is not None and session.get(SESSION_KEY))

    return {
        "staff_menu": SimpleLazyObject(is_staff),
        "visitor_checkups": SimpleLazyObject(has_checkups),
    }


def help_lines(request: HttpRequest) -> dict[str, Any]:
    """Crisis and harm-reduction lines come from configuration, on every page."""
    return {
        "help_lines": translated(settings.HELP_LINES),
        "harm_reduction_lines": translated(settings.HARM_REDUCTION_LINES),
    }
