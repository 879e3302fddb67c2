"""Every email Waymark sends is built here, so each one carries the same headers.

- ``Auto-Submitted: auto-generated`` (RFC 3834): written by a program, so vacation and
  out-of-office responders do not answer it.
- ``Content-Language``: the language the email is written in (the recipient's own).
- ``Message-ID`` on the site's own domain (the host of WAYMARK_SITE_URL), not on whatever name
  the worker's machine has: a local or container host name makes spam filters suspicious.
- ``List-Unsubscribe`` and ``List-Unsubscribe-Post`` (RFC 8058) when the email belongs to a
  list the person can leave with one click (``unsubscribe``: the link, `waymark.unsubscribe`).

Callers write the words (translated, discreet) inside ``translation.override(language)`` and
pass the same language here; anything else extra goes in ``headers``. A job sends over
`connection_for_job`.
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, get_connection, make_msgid
from django.core.mail.backends.base import BaseEmailBackend

from waymark.accounts.models import User
from waymark.jobs import Retry
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
    unsubscribe: str = "",
    headers: dict[str, str] | None = None,
) -> EmailMessage:
    """A plain-text email from DEFAULT_FROM_EMAIL with Waymark's standard headers."""
    standard = {
        "Auto-Submitted": "auto-generated",
        "Content-Language": language,
        "Message-ID": make_msgid(domain=site_domain()),
    }
    if unsubscribe:
        standard["List-Unsubscribe"] = f"<{unsubscribe}>"
        standard["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return EmailMessage(
        subject, body, settings.DEFAULT_FROM_EMAIL, to, headers={**standard, **(headers or {})}
    )


@contextmanager
def connection_for_job() -> Iterator[BaseEmailBackend]:
    """An open connection to the mail server for a job's email, closed afterwards. One that
    cannot be opened raises Retry: nothing has gone out yet, so the job may run again."""
    connection = get_connection()
    try:
        connection.open()
    except (OSError, smtplib.SMTPException) as error:
        raise Retry(f"cannot reach the mail server: {error}") from error
    try:
        yield connection
    finally:
        connection.close()
