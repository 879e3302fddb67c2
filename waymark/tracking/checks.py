"""A reminder email's links must reach people: warn when they would point at this machine."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register

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
