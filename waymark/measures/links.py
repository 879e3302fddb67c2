"""A measure's one-time link: ``/m/<token>/``, opened with no sign-in.

The token is ``<request public id>.<nonce>`` signed with a TimestampSigner under its own salt
(so no other signed value of Waymark's can stand in for it): it cannot be made or altered
without SECRET_KEY. The nonce is 16 random bytes made when the email goes out; only its SHA-256
is stored on the request, so the database never holds a working link, and a link made for an
earlier email stops working when a new one is made.

A link works while its request is open: not answered yet (answering sets `answered_at` with
a conditional UPDATE, in the transaction that stores the answers: once, whatever the race),
before `expires_at`, for an active account whose sharing with the program (the `checkups`
scope) is still in force. It is bound to its person and its measure: it opens that measure
alone, and never another person's. What went wrong is told apart only as "not a link"
(404) and "no longer works" (410); the page says the same kind words for both, and nothing
about whose link it was.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from django.conf import settings
from django.core import signing
from django.utils import timezone

from waymark.accounts.models import Consent, Scope
from waymark.measures.models import MeasureRequest

SALT = "waymark.measures.link"
# The signature's own age limit is a backstop, a day past the longest link (`expires_at` on
# the request decides).
SLACK = timedelta(days=1)


class Problem(Enum):
    NOT_A_LINK = 404  # altered, made up, or for a request that is gone
    NO_LONGER = 410  # answered, expired, or sharing ended


@dataclass(frozen=True)
class Opened:
    request: MeasureRequest | None
    problem: Problem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def link_days() -> int:
    return int(settings.WAYMARK_MEASURE_LINK_DAYS)


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


def digest(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def new_token(request: MeasureRequest) -> tuple[str, str]:
    """A fresh link's token and the digest to store on the request (the nonce is not kept)."""
    nonce = secrets.token_urlsafe(16)
    return _signer().sign(f"{request.public_id.hex}.{nonce}"), digest(nonce)


def link_url(token: str) -> str:
    from django.urls import reverse

    return settings.WAYMARK_SITE_URL + reverse("measures:link", kwargs={"token": token})


def is_open(request: MeasureRequest, now: datetime | None = None) -> bool:
    """Unanswered, unexpired, for an active account that still shares check-ups with the
    request's program."""
    now = now or timezone.now()
    if request.answered_at is not None or request.expires_at <= now:
        return False
    if not request.person.is_active:
        return False
    return (
        Consent.objects.active(now)
        .sharing(Scope.CHECKUPS)
        .filter(person_id=request.person_id, organization_id=request.program_id)
        .exists()
    )


def open_link(token: str, now: datetime | None = None) -> Opened:
    """The request a link is for, or why it does not work."""
    max_age = timedelta(days=link_days()) + SLACK
    try:
        value = _signer().unsign(token, max_age=max_age)
    except signing.SignatureExpired:
        return Opened(None, Problem.NO_LONGER)
    except signing.BadSignature:
        return Opened(None, Problem.NOT_A_LINK)
    public_hex, _, nonce = value.partition(".")
    try:
        public_id = uuid.UUID(hex=public_hex)
    except ValueError:
        return Opened(None, Problem.NOT_A_LINK)
    found = (
        MeasureRequest.objects.filter(public_id=public_id)
        .select_related("person", "program")
        .first()
    )
    if found is None or not found.nonce_hash:
        return Opened(None, Problem.NOT_A_LINK)
    if not hmac.compare_digest(found.nonce_hash, digest(nonce)):
        return Opened(None, Problem.NOT_A_LINK)  # an earlier link, since replaced
    if not is_open(found, now):
        return Opened(None, Problem.NO_LONGER)
    return Opened(found, None)
