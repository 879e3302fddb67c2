"""Staff sign-in: an active membership and a second factor (TOTP), checked on every staff page.

`staff_required` guards every page that shows patient data to staff. The API uses
`staff_problem(request)` to answer 401/403 instead of redirecting. `waymark.access` checks the
verified session again, so a page that forgot the decorator still shows nobody's data.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from enum import Enum
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import SafeString, mark_safe
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from waymark.access import is_verified, request_is_staff
from waymark.accounts import throttle

View = TypeVar("View", bound=Callable[..., HttpResponse])
BACKUP_CODES = 10
APP_DEVICE_NAME = "authenticator app"
BACKUP_DEVICE_NAME = "backup codes"
ISSUER = "Waymark"
TOTP_DIGITS = 6  # django-otp's default: what the authenticator app shows


class StaffProblem(Enum):
    SIGN_IN = "sign-in"  # not signed in
    NOT_STAFF = "not-staff"  # no active membership
    ENROL = "enrol"  # staff without a confirmed authenticator
    VERIFY = "verify"  # enrolled, but this session has not entered a code


def has_authenticator(user: Any) -> bool:
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def staff_problem(request: HttpRequest) -> StaffProblem | None:
    """What stops this request from being a verified staff request, or None."""
    user = request.user
    if not user.is_authenticated or not user.is_active:
        return StaffProblem.SIGN_IN
    if not request_is_staff(request):
        return StaffProblem.NOT_STAFF
    if is_verified(user):
        return None
    return StaffProblem.VERIFY if has_authenticator(user) else StaffProblem.ENROL


def staff_landing() -> str:
    """Where staff start: the clinic's caseload when it is installed."""
    try:  # the clinic app may not be installed
        return reverse("clinic:caseload")
    except NoReverseMatch:
        return reverse("accounts:staff_home")


def _with_next(name: str, request: HttpRequest) -> str:
    return f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}"


def staff_required(view: View) -> View:
    """Signed in, an active membership, and a session verified by a second factor. Sends
    the browser to sign in, to enrol an authenticator, or to enter a code, as needed; a
    signed-in account that is not staff gets 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        problem = staff_problem(request)
        if problem is StaffProblem.SIGN_IN:
            return redirect_to_login(request.get_full_path())
        if problem is StaffProblem.NOT_STAFF:
            raise PermissionDenied("staff only")
        if problem is StaffProblem.ENROL:
            return redirect(_with_next("accounts:staff_enrol", request))
        if problem is StaffProblem.VERIFY:
            return redirect(_with_next("accounts:staff_verify", request))
        response = view(request, *args, **kwargs)
        # Staff pages show patient data: never keep them in a shared or back-button cache.
        response.headers.setdefault("Cache-Control", "no-store, private")
        return response

    return wrapper  # type: ignore[return-value]


# Authenticator devices -------------------------------------------------------------------------


def pending_device(user: Any) -> TOTPDevice:
    """The authenticator being set up: the same secret until it is confirmed, so reloading
    the page does not invalidate a code already scanned."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)


def secret_text(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it when typed: base32, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def otpauth_url(device: TOTPDevice) -> str:
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    label = f"{ISSUER}:{device.user.get_username()}"
    query = urlencode({"secret": secret, "issuer": ISSUER, "digits": device.digits})
    return f"otpauth://totp/{label}?{query}"


def qr_svg(text: str) -> SafeString:
    """A QR code as inline SVG, drawn here: no request leaves the server, and the strict CSP
    is untouched (no style or script inside)."""
    import qrcode.image.svg  # on first use: it loads Pillow, which no other page needs

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    svg: str = image.to_string(encoding="unicode")
    svg = svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" class="qr" ', 1)
    return mark_safe(svg)  # noqa: S308 (generated by qrcode from our own URL, no user HTML)


def new_backup_codes(user: Any) -> list[str]:
    """Replace the user's backup codes with fresh ones (each works once); returns them to be
    shown once."""
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(
            user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def backup_codes_left(user: Any) -> int:
    return int(StaticToken.objects.filter(device__user=user, device__confirmed=True).count())


class TooSoon(Exception):  # noqa: N818 (not an error: a wait)
    """The code was not checked yet: after a wrong code in this session, the next one of its
    kind waits a little longer each time (1 s, 2 s, 4 s …; waymark/accounts/throttle.py).
    `seconds`: how long, if known. Per session, not per device: wrong codes typed elsewhere
    never hold staff back."""

    def __init__(self, seconds: int | None) -> None:
        super().__init__(f"try again in {seconds} s" if seconds else "try again shortly")
        self.seconds = seconds


class TooManyCodes(Exception):  # noqa: N818 (the session's end, not a fault)
    """So many wrong codes in this session that it must start again from the password."""


def _meant_for(device: Any, token: str) -> bool:
    """A code of the app's length in digits is for the authenticator app, anything else for
    the backup codes: each is checked only by a device of its own kind, and waits only after
    wrong codes of its own kind."""
    app_code = token.isdigit() and len(token) == getattr(device, "digits", TOTP_DIGITS)
    return app_code == isinstance(device, TOTPDevice)


def verify_code(request: HttpRequest, code: str) -> Any:
    """Check a 6-digit code or a backup code against the user's devices of that kind; on
    success mark the session verified and return the device. None for a wrong code; TooSoon
    when this session must wait before a code is checked, so that the page can say "wait"
    rather than call a right code wrong; TooManyCodes when the session must sign in again."""
    user = request.user
    token = "".join(code.split()).lower()
    if not token:
        return None
    app_code = token.isdigit() and len(token) == TOTP_DIGITS
    attempt = throttle.begin_two_step(request, "app" if app_code else "backup")
    if isinstance(attempt, throttle.Refusal):
        raise TooSoon(attempt.seconds or None)
    found = None
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if _meant_for(device, token) and device.verify_token(token):
                found = device
                break
    if found is None:
        if attempt.failed() >= throttle.TWO_STEP_SIGN_OUT_AFTER:
            throttle.two_step_exhausted(request, user)
            raise TooManyCodes
        return None
    attempt.succeeded()
    mark_verified(request, found)
    return found


def mark_verified(request: HttpRequest, device: Any) -> None:
    """The session passed its second factor: a new session id for the more trusted session,
    which ends WAYMARK_STAFF_SESSION_HOURS later (a person's own lasts 30 days)."""
    request.session.cycle_key()
    otp_login(request, device)
    request.session.set_expiry(settings.WAYMARK_STAFF_SESSION_HOURS * 3600)
