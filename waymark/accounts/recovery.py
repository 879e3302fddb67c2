"""Recovery codes: the way back in for people who gave no email (there is no password reset).

Each account gets CODE_COUNT one-time codes when it is made, shown once; making new ones (in
Settings, with the password) invalidates the old. Only a salted SHA-256 of each code is kept:
a code carries about 78 bits of chance (16 characters of 30), so the hash cannot be reversed by
trying, and it does not depend on SECRET_KEY. Signing in with a code (throttled per nickname and
per address, waymark/accounts/throttle.py) uses it up, lifts a pause on signing in, and lets the
person choose a new password without the old one.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from typing import Any

from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth.forms import SetPasswordForm
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from waymark.accounts import throttle
from waymark.accounts.models import CODE_ALPHABET, RecoveryCode, User
from waymark.audit.log import record

CODE_COUNT = 8
CODE_GROUPS = 4  # of four characters: ABCD-EFGH-JKMN-PQRS
# Session keys: codes due to be shown once after sign-up; when a recovery sign-in may set a
# new password without the old one (for SET_PASSWORD_SECONDS).
FIRST_CODES = "waymark.recovery.first-codes"
SET_PASSWORD = "waymark.recovery.set-password"  # noqa: S105 (a session key)
SET_PASSWORD_SECONDS = 30 * 60
BACKEND = "django.contrib.auth.backends.ModelBackend"


def normalize(text: str) -> str:
    """What the person typed, as hashed: upper case, spaces and dashes dropped."""
    return "".join(ch for ch in text.upper() if ch.isascii() and ch.isalnum())


def _digest(user: Any, code: str) -> str:
    return hashlib.sha256(f"{user.public_id}:{normalize(code)}".encode()).hexdigest()


def _new_code() -> str:
    letters = "".join(secrets.choice(CODE_ALPHABET) for _ in range(4 * CODE_GROUPS))
    return "-".join(letters[i : i + 4] for i in range(0, len(letters), 4))


@transaction.atomic
def new_codes(user: Any) -> list[str]:
    """Replace the account's recovery codes with fresh ones, returned to be shown once."""
    RecoveryCode.objects.filter(user=user).delete()
    codes = [_new_code() for _ in range(CODE_COUNT)]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=user, digest=_digest(user, c)) for c in codes
    )
    return codes


def do_new_codes(user: Any, request: HttpRequest) -> list[str]:
    with transaction.atomic():
        codes = new_codes(user)
        record(
            "account.recovery-codes",
            actor=user,
            subject=user,
            request=request,
            detail="new recovery codes; the old ones no longer work",
        )
    return codes


def codes_left(user: Any) -> int:
    return int(RecoveryCode.objects.filter(user=user, used_at__isnull=True).count())


def use_code(user: Any, text: str) -> bool:
    """Use one of the account's codes up; whether it was one (and not used before)."""
    if len(normalize(text)) != 4 * CODE_GROUPS:
        return False
    used = RecoveryCode.objects.filter(
        user=user, digest=_digest(user, text), used_at__isnull=True
    ).update(used_at=timezone.now())
    return used == 1


def sign_in_with_code(
    request: HttpRequest, username: str, code: str
) -> User | throttle.Refusal | None:
    """Sign in with a recovery code: the person, a Refusal (wait), or None (no such code)."""
    attempt = throttle.begin_recovery(request, username)
    if isinstance(attempt, throttle.Refusal):
        return attempt
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None or not use_code(user, code):
        attempt.failed()
        return None
    attempt.succeeded()
    with transaction.atomic():
        paused = throttle.do_lift_pause(user, request, "a recovery code")
        login(request, user, backend=BACKEND)
        record(
            "account.recovery-sign-in",
            actor=user,
            subject=user,
            request=request,
            detail=f"{codes_left(user)} codes left"
            + ("; the pause on signing in was lifted" if paused else ""),
        )
    request.session[SET_PASSWORD] = time.time()
    return user


def may_set_password(request: HttpRequest) -> bool:
    """Right after a recovery sign-in: a new password without the old one."""
    since = request.session.get(SET_PASSWORD)
    return isinstance(since, float) and time.time() - since < SET_PASSWORD_SECONDS


def do_set_password(request: HttpRequest, form: SetPasswordForm) -> None:  # type: ignore[type-arg]
    with transaction.atomic():
        user = form.save()
        record(
            "account.password-recovered",
            actor=user,
            subject=user,
            request=request,
            detail="a new password after signing in with a recovery code",
        )
    update_session_auth_hash(request, user)
    request.session.pop(SET_PASSWORD, None)
