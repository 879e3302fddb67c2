"""The sign-in throttle's numbers must make sense, or it would lock at once or never slow down."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

SIGNIN_HINT = (
    "Set WAYMARK_SIGNIN_FREE_TRIES and WAYMARK_SIGNIN_ADDRESS_FREE_TRIES to at least 1, "
    "WAYMARK_SIGNIN_LOCK_AFTER above WAYMARK_SIGNIN_FREE_TRIES, and WAYMARK_SIGNIN_WINDOW_HOURS "
    "to at least 1, or leave them unset (5, 20, 20 and 24); see docs/configuration.md."
)


@register(Tags.security)
def check_sign_in_throttle(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    free = settings.WAYMARK_SIGNIN_FREE_TRIES
    problems = []
    if free < 1 or settings.WAYMARK_SIGNIN_ADDRESS_FREE_TRIES < 1:
        problems.append("the free tries must be at least 1")
    if free >= settings.WAYMARK_SIGNIN_LOCK_AFTER:
        problems.append("WAYMARK_SIGNIN_LOCK_AFTER must be more than WAYMARK_SIGNIN_FREE_TRIES")
    if settings.WAYMARK_SIGNIN_WINDOW_HOURS < 1:
        problems.append("WAYMARK_SIGNIN_WINDOW_HOURS must be at least 1")
    return [
        Error(f"Sign-in throttle: {problem}.", hint=SIGNIN_HINT, id="accounts.E001")
        for problem in problems
    ]
