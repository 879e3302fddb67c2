"""Reminders must reach people: warn when an email's links would point at this machine, and
when push reminders cannot be offered (no VAPID key) or may be refused (a bad subject)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register

from waymark.tracking import push

LOCAL = {"localhost", "127.0.0.1", "[::1]", "::1"}


@register(Tags.compatibility)
def check_site_url(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    host = urlsplit(settings.WAYMARK_SITE_URL).hostname or ""
    public = [h for h in settings.ALLOWED_HOSTS if h.strip("[]") not in LOCAL | {"::1"}]
    if settings.DEBUG or host not in LOCAL or not public:
        return []
    return [
        Warning(
            f"WAYMARK_SITE_URL is {settings.WAYMARK_SITE_URL}, so links in reminder emails "
            "point at this machine, not at the address people use.",
            hint=f"Set WAYMARK_SITE_URL, for example to https://{public[0].lstrip('.')}",
            id="tracking.W001",
        )
    ]


VAPID_HINT = (
    "To offer reminders as notifications on the phone, set WAYMARK_VAPID_PRIVATE_KEY_FILE to a "
    'file holding a key made with: python3 -c "import base64, secrets; n = '
    "0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551; print(base64."
    "urlsafe_b64encode((secrets.randbelow(n - 1) + 1).to_bytes(32, 'big')).decode())\" "
    "(`make data/vapid-key` writes one); see docs/configuration.md."
)


@register(Tags.compatibility)
def check_push(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Push reminders are optional: without a VAPID key they are not offered (email still is)."""
    if not settings.WAYMARK_VAPID_PRIVATE_KEY:
        message = "No WAYMARK_VAPID_PRIVATE_KEY: reminders are offered by email only."
        return [Warning(message, hint=VAPID_HINT, id="tracking.W002")]
    subject = push.subject()
    if not subject.startswith(("mailto:", "https://")):
        return [
            Warning(
                f"The VAPID subject {subject!r} is neither a mailto: nor an https: address: "
                "push services may refuse the reminders.",
                hint="Set WAYMARK_VAPID_SUBJECT, for example to mailto:admin@example.org",
                id="tracking.W003",
            )
        ]
    return []
