"""Personal API tokens: made, listed and revoked by their owner, and read from an
``Authorization: Bearer wm_…`` header on every API request (waymark/api/routing.py).

A bearer request needs no CSRF token: no browser sends the header by itself. A read-only token
may only read (GET, HEAD, OPTIONS): anything else answers 403. An unknown, revoked or expired
token answers 401. Staff may make tokens only from a session that passed the second factor,
and only with an expiry at most 90 days away (STAFF_TOKEN_DAYS): such a token is marked
`verified` and reads what the staff member's verified session reads. Any other token (a
person's, or one made before its owner became staff) carries no second factor.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from waymark import access, rows
from waymark.accounts.models import User
from waymark.api.errors import error_response
from waymark.interop.audit import audit
from waymark.interop.models import ApiToken

PREFIX = "wm_"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
SHOWN_PREFIX = 10  # "wm_" and 7 characters, kept in clear to tell tokens apart
# A staff token reads patients' data without a code: a leaked one must stop working by itself.
STAFF_TOKEN_DAYS = 90


class TokenRefusedError(Exception):
    """A staff member without a verified second factor may not make a token."""


class StaffExpiryError(ValueError):
    """A staff token needs an expiry at most STAFF_TOKEN_DAYS away."""


def latest_staff_expiry() -> datetime:
    return timezone.now() + timedelta(days=STAFF_TOKEN_DAYS)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def is_staff(user: Any) -> bool:
    return bool(user.is_staff or user.is_superuser or access.is_staff_member(user))


def may_make_tokens(request: HttpRequest) -> bool:
    """Anyone signed in; staff only from a session verified with the second factor."""
    user = request.user
    if not user.is_authenticated or not user.is_active:
        return False
    return access.is_verified(user) if is_staff(user) else True


@transaction.atomic
def do_create_token(
    request: HttpRequest, name: str, scope: str, expires_at: datetime | None
) -> tuple[ApiToken, str]:
    """A new token and its secret, which is never stored and never shown again."""
    if not may_make_tokens(request):
        raise TokenRefusedError("Staff need a session verified with the second factor.")
    assert isinstance(request.user, User)
    staff = is_staff(request.user)
    if staff and (expires_at is None or expires_at > latest_staff_expiry()):
        raise StaffExpiryError(f"A staff token must expire within {STAFF_TOKEN_DAYS} days.")
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        owner=request.user,
        name=name,
        prefix=secret[:SHOWN_PREFIX],
        digest=digest(secret),
        scope=scope,
        expires_at=expires_at,
        verified=staff,  # staff reach here only from a verified session (may_make_tokens)
    )
    audit(
        "token.create",
        actor=request.user,
        subject=request.user,
        request=request,
        detail=f"{token.public_id} {scope}",
    )
    return token, secret


@transaction.atomic
def do_revoke_token(request: HttpRequest, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit(
            "token.revoke",
            actor=request.user if isinstance(request.user, User) else None,
            subject=token.owner,
            request=request,
            detail=str(token.public_id),
        )


def bearer(request: HttpRequest) -> str | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")  # request.headers reads every header
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else None


def _lookup_sql(db: BaseDatabaseWrapper) -> str:
    """The token with this digest and its owner, in one statement written once: composed by
    the ORM on every API request, the query cost a third of a check-in write."""
    return (
        f"SELECT {rows.columns(db, ApiToken, 't')}, {rows.columns(db, User, 'o')} "  # noqa: S608
        f"FROM {rows.table(db, ApiToken)} t INNER JOIN {rows.table(db, User)} o "
        f"ON o.{rows.column(db, User, 'id')} = t.{rows.column(db, ApiToken, 'owner')} "
        f"WHERE t.{rows.column(db, ApiToken, 'digest')} = %s"
    )


def find_token(secret: str) -> ApiToken | None:
    """The token whose secret this is, with its owner loaded, whatever its state; None when
    there is none."""
    if not secret.startswith(PREFIX):
        return None
    db = rows.database()
    with db.cursor() as cursor:
        cursor.execute(rows.once(db, _lookup_sql, lambda: _lookup_sql(db)), [digest(secret)])
        row = cursor.fetchone()
    if row is None:
        return None
    split = len(ApiToken._meta.concrete_fields)
    token = rows.load(db, ApiToken, row[:split])
    ApiToken._meta.get_field("owner").set_cached_value(token, rows.load(db, User, row[split:]))
    return token


def authenticate(request: HttpRequest) -> HttpResponse | None:
    """Sign the request in with its bearer token, or answer the error. None: carry on."""
    secret = bearer(request)
    if secret is None:
        return None
    token = find_token(secret)
    if token is None or not token.is_active() or not token.owner.is_active:
        request.user = AnonymousUser()
        return error_response(
            401, "not-signed-in", "The API token is not valid: unknown, revoked or expired."
        )
    if token.scope == ApiToken.Scope.READ and request.method not in SAFE_METHODS:
        return error_response(403, "forbidden", "This API token may only read.")
    user = token.owner
    # A staff token made from a session verified with the second factor (may_make_tokens)
    # carries that verification; anyone else's carries none — also a token made before its
    # owner became staff, which never passed a code.
    verified = token.verified and is_staff(user)
    user.is_verified = lambda: verified  # type: ignore[attr-defined]
    request.user = user
    request.api_token = token  # type: ignore[attr-defined]
    # No browser sends this header by itself, so no CSRF token is needed (ninja checks it).
    request._ninja_csrf_exempt = True  # type: ignore[attr-defined]
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return None
