"""Every email Waymark sends is built here, so each one carries the same headers.

- ``Auto-Submitted: auto-generated`` (RFC 3834): written by a program, so vacation and
  out-of-office responders do not answer it.
- ``Content-Language``: the language the email is written in (the recipient's own).
- ``Message-ID`` on the site's own domain (the host of WAYMARK_SITE_URL), not on whatever name
  the worker's machine has: a local or container host name makes spam filters suspicious.

Callers write the words (translated, discreet) inside ``translation.override(language)`` and
pass the same language here; anything extra, such as List-Unsubscribe, goes in ``headers``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, make_msgid

from waymark.accounts.models import User
from waymark.tracking.models import Reminder


def site_domain() -> str:
    """The host people open Waymark at (WAYMARK_SITE_URL), for Message-IDs."""
    return urlsplit(settings.WAYMARK_SITE_URL).hostname or "localhost"


def language_or_default(code: str | None) -> str:
    """``code`` when the site offers that language, otherwise the site's default language."""
    known = {language for language, _name in settings.LANGUAGES}
    return code if code and code in known else settings.LANGUAGE_CODE


def language_of(person: User) -> str:
    """The language a person's emails are written in. The only one an account stores is the
    language its check-in reminders were set in; without it, the site's default."""
    saved = Reminder.objects.filter(owner=person).values_list("language", flat=True).first()
    return language_or_default(saved)


def message(
    subject: str,
    body: str,
    to: list[str],
    *,
    language: str,
    headers: dict[str, str] | None = None,
) -> EmailMessage:
    """A plain-text email from DEFAULT_FROM_EMAIL with Waymark's standard headers."""
    standard = {
        "Auto-Submitted": "auto-generated",
        "Content-Language": language,
        "Message-ID": make_msgid(domain=site_domain()),
    }
    return EmailMessage(
        subject, body, settings.DEFAULT_FROM_EMAIL, to, headers={**standard, **(headers or {})}
    )
