"""Sign-in protection: password guessing is slowed to a crawl, and the real person always has a
way in that does not need an administrator (docs/operations.md, "Sign-in protection").

What is counted — `SignInEvent` rows, forgotten after WAYMARK_SIGNIN_WINDOW_HOURS:

- **the account** (the nickname typed, whether it exists or not, from every address at once):
  after WAYMARK_SIGNIN_FREE_TRIES wrong passwords, each further try must wait 2 s, 4 s, 8 s …
  (at most 5 minutes) after the last one; at WAYMARK_SIGNIN_LOCK_AFTER signing in to the
  account is *paused*: even the right password is not checked. The pause lifts by itself once
  its failures are older than the window, at once through the link emailed to a confirmed
  address, or by signing in with a recovery code (waymark/accounts/recovery.py).
- **the address** (any nickname; an IPv6 /64 counts as one address): after
  WAYMARK_SIGNIN_ADDRESS_FREE_TRIES failures the address waits the same way. It never locks.
- **the device**: a browser that signed in to the account before carries a signed cookie.
  Its tries skip the account's and the address's waits and pause, until DEVICE_FREE_TRIES wrong
  passwords from it: someone guessing from elsewhere (another address, or the same shared one
  behind a NAT) cannot keep the person out of their own phone. This is the "device cookie" of
  OWASP's Authentication Cheat Sheet.
- **the staff code, per session**: after a wrong code the next one of that kind (app code or
  backup code) waits 1 s, then 2 s, 4 s … as django-otp's own throttle did, but per session;
  after TWO_STEP_SIGN_OUT_AFTER wrong codes the session is signed out, and that counts once
  against the account. Never per account: wrong codes typed elsewhere do not keep staff out.
- **recovery codes** per nickname, and per address, as for passwords, without a pause.

A success never wipes the account's count: someone who knows one password cannot reset the
count of another account, nor an address's. Only the unlock paths forget an account's failures.

Several server processes: an attempt writes its events *before* the password is checked and
counts only the events written before its own, so tries arriving together are counted in
order rather than all seeing the same count; a success or a refused try deletes its events.
Nothing lives in a process or in the cache (the database cache culls entries when full, which
would let someone flush the counts by flooding it).
"""

from __future__ import annotations

import ipaddress
import logging
import math
import secrets
import smtplib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Count, Max
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext, ngettext

from waymark.accounts.models import SignInEvent, User
from waymark.audit.log import record
from waymark.net import client_address

logger = logging.getLogger(__name__)
Scope = SignInEvent.Scope

FIRST_WAIT_SECONDS = 2
MAX_WAIT_SECONDS = 300
DEVICE_FREE_TRIES = 10
RECOVERY_FREE_TRIES = 5
TWO_STEP_SIGN_OUT_AFTER = 10
UNLOCK_EMAILS = 3  # unlock emails one account can be sent within the window
DEVICE_COOKIE = "waymark_device"
DEVICE_DAYS = 365
KEY_SALT = "waymark.accounts.throttle.key"
DEVICE_SALT = "waymark.accounts.throttle.device"
UNLOCK_SALT = "waymark.accounts.throttle.unlock"


# --- the maths ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Policy:
    free: int  # failures before each further try must wait
    lock_after: int | None = None  # failures that pause it (None: never)
    first_wait: int = FIRST_WAIT_SECONDS  # the first wait; each further failure doubles it


@dataclass(frozen=True)
class Refusal:
    """Why a try is not checked: paused, or `seconds` still to wait."""

    seconds: int = 0
    locked: bool = False


def wait_after(policy: Policy, failures: int) -> int:
    """Seconds the next try waits after the last of `failures`: none within the free tries,
    then the policy's first wait doubling with each failure, at most MAX_WAIT_SECONDS."""
    beyond = failures - policy.free
    if beyond < 0:
        return 0
    return min(policy.first_wait << min(beyond, 16), MAX_WAIT_SECONDS)


def refusal(policy: Policy, failures: int, last: datetime | None, now: datetime) -> Refusal | None:
    """Whether a try now is refused, given the failures counted and when the last one was."""
    if policy.lock_after is not None and failures >= policy.lock_after:
        return Refusal(locked=True)
    if last is None:
        return None
    left = wait_after(policy, failures) - (now - last).total_seconds()
    return Refusal(seconds=math.ceil(left)) if left > 0 else None


def worst(refusals: Sequence[Refusal | None]) -> Refusal | None:
    """A pause outweighs any wait; of waits, the longest."""
    found = [r for r in refusals if r is not None]
    if any(r.locked for r in found):
        return Refusal(locked=True)
    return Refusal(seconds=max(r.seconds for r in found)) if found else None


# django-otp's sequence (1 s, 2 s, 4 s … after each wrong code), kept per session and kind.
TWO_STEP_POLICY = Policy(free=1, first_wait=1)


def account_policy() -> Policy:
    return Policy(settings.WAYMARK_SIGNIN_FREE_TRIES, settings.WAYMARK_SIGNIN_LOCK_AFTER)


def address_policy() -> Policy:
    return Policy(settings.WAYMARK_SIGNIN_ADDRESS_FREE_TRIES)


def window() -> timedelta:
    return timedelta(hours=settings.WAYMARK_SIGNIN_WINDOW_HOURS)


# --- what is counted ---------------------------------------------------------------------------


def _key(scope: str, value: str) -> str:
    """A keyed hash: the table never holds a nickname, an address or a session id."""
    return salted_hmac(KEY_SALT, f"{scope}:{value}", algorithm="sha256").hexdigest()


def address_of(request: HttpRequest) -> str:
    """The client's address as counted: IPv6 by its /64, which one subscriber usually holds
    whole (counting single addresses would give them billions of fresh ones)."""
    text = client_address(request)
    if text is None:
        return "unknown"
    address = ipaddress.ip_address(text)
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


@dataclass(frozen=True)
class Counter:
    scope: str
    key: str
    policy: Policy | None  # None: counted, but it does not hold this try back


def _account(username: str) -> Counter:
    return Counter(Scope.ACCOUNT, _key(Scope.ACCOUNT, username), account_policy())


def _address(request: HttpRequest) -> Counter:
    return Counter(Scope.ADDRESS, _key(Scope.ADDRESS, address_of(request)), address_policy())


def _standing(counter: Counter, now: datetime, before: int | None = None) -> tuple[int, Any]:
    """How many events the counter holds within the window (those written before event
    `before`, when given), and the time of the newest."""
    events = SignInEvent.objects.filter(scope=counter.scope, key=counter.key, at__gt=now - window())
    if before is not None:
        events = events.filter(pk__lt=before)
    found = events.aggregate(count=Count("pk"), last=Max("at"))
    return int(found["count"]), found["last"]


def _refused(
    counters: Sequence[Counter], now: datetime, events: Sequence[SignInEvent] = ()
) -> Refusal | None:
    found = []
    for number, counter in enumerate(counters):
        if counter.policy is not None:
            before = events[number].pk if events else None
            failures, last = _standing(counter, now, before)
            found.append(refusal(counter.policy, failures, last, now))
    return worst(found)


def _forget_old() -> None:
    SignInEvent.objects.filter(at__lte=timezone.now() - window()).delete()


class Attempt:
    """A try under way: its events count for tries made meanwhile. It ends with `failed()`
    (the events stay) or `succeeded()` (they go)."""

    def __init__(
        self,
        counters: Sequence[Counter],
        events: Sequence[SignInEvent],
        on_failure: Callable[[int, SignInEvent], None] | None = None,
    ) -> None:
        self.counters, self.events, self.on_failure = counters, events, on_failure

    def failed(self) -> int:
        """Keep the events; how many failures the first counter now holds."""
        _forget_old()
        first = self.events[0]
        failures, _last = _standing(self.counters[0], timezone.now(), before=first.pk + 1)
        if self.on_failure is not None:
            self.on_failure(failures, first)
        return failures

    def succeeded(self) -> None:
        SignInEvent.objects.filter(pk__in=[event.pk for event in self.events]).delete()


def _begin(
    counters: Sequence[Counter],
    on_failure: Callable[[int, SignInEvent], None] | None = None,
) -> Attempt | Refusal:
    now = timezone.now()
    refused = _refused(counters, now)  # most refusals cost one read and no write
    if refused is not None:
        return refused
    events = [SignInEvent.objects.create(scope=c.scope, key=c.key, at=now) for c in counters]
    refused = _refused(counters, now, events)  # a try that arrived meanwhile counts first
    if refused is not None:
        SignInEvent.objects.filter(pk__in=[event.pk for event in events]).delete()
        return refused
    return Attempt(counters, events, on_failure)


# --- passwords ---------------------------------------------------------------------------------


def begin_sign_in(request: HttpRequest, username: str) -> Attempt | Refusal:
    """Before a password is checked: a Refusal, or an Attempt to end with its outcome."""
    account, address = _account(username), _address(request)
    counters = [account, address]
    device = _device(request, username)
    if device is not None:
        counters.append(device)
        if _standing(device, timezone.now())[0] < DEVICE_FREE_TRIES:
            counters[:2] = [replace(account, policy=None), replace(address, policy=None)]

    def on_failure(failures: int, event: SignInEvent) -> None:
        _account_failed(request, username, failures, event)

    return _begin(counters, on_failure)


def _account_failed(request: HttpRequest, username: str, failures: int, event: SignInEvent) -> None:
    """The failure that reaches the pause tells the person and writes it down."""
    if failures != settings.WAYMARK_SIGNIN_LOCK_AFTER:
        return
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        return
    emailed = send_unlock_email(user, event)
    record(
        "account.sign-in-paused",
        actor=None,
        subject=user,
        request=request,
        detail=(
            f"{failures} failed sign-ins within {settings.WAYMARK_SIGNIN_WINDOW_HOURS} h; "
            + ("unlock link emailed" if emailed else "no unlock email sent")
        ),
    )


def is_paused(username: str) -> bool:
    policy = account_policy()
    failures, _last = _standing(_account(username), timezone.now())
    return policy.lock_after is not None and failures >= policy.lock_after


def refusal_message(refused: Refusal) -> str:
    if refused.locked:
        return gettext(
            "Signing in to this account is paused for now, after too many wrong passwords."
        )
    return ngettext(
        "Too many tries for now. To protect your account, wait %(seconds)d second, then try again.",
        "Too many tries for now. To protect your account, wait %(seconds)d seconds, then try "
        "again.",
        refused.seconds,
    ) % {"seconds": refused.seconds}


# --- the device cookie -------------------------------------------------------------------------


def _device_tag(user: Any) -> str:
    """Which account the cookie is for, as a keyed hash: the cookie names nobody."""
    return salted_hmac(DEVICE_SALT, str(user.public_id), algorithm="sha256").hexdigest()[:32]


def remember_device(response: HttpResponse, user: Any) -> None:
    """After a sign-in (or an unlock) in this browser: its later tries for this account skip
    the waits and the pause (a fresh id each time; one account per browser)."""
    value = signing.dumps(
        {"account": _device_tag(user), "device": secrets.token_urlsafe(16)}, salt=DEVICE_SALT
    )
    response.set_cookie(
        DEVICE_COOKIE,
        value,
        max_age=DEVICE_DAYS * 24 * 3600,
        path=reverse("accounts:home"),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def _device(request: HttpRequest, username: str) -> Counter | None:
    """The device counter when this browser signed in to this account before."""
    raw = request.COOKIES.get(DEVICE_COOKIE)
    if not raw:
        return None
    try:
        data = signing.loads(raw, salt=DEVICE_SALT, max_age=timedelta(days=DEVICE_DAYS))
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("device"), str):
        return None
    user = User.objects.filter(username=username).only("public_id").first()
    if user is None or not constant_time_compare(str(data.get("account")), _device_tag(user)):
        return None
    return Counter(Scope.DEVICE, _key(Scope.DEVICE, data["device"]), None)


# --- recovery codes and the staff code ---------------------------------------------------------


def begin_recovery(request: HttpRequest, username: str) -> Attempt | Refusal:
    """Before a recovery code is checked. Not held back by the account's pause: it is the way
    out of it."""
    counter = Counter(Scope.RECOVERY, _key(Scope.RECOVERY, username), Policy(RECOVERY_FREE_TRIES))
    return _begin([counter, _address(request)])


def begin_two_step(request: HttpRequest, kind: str) -> Attempt | Refusal:
    """Before a staff code of `kind` ("app" or "backup") is checked: waits are per session and
    kind, so app-code typos never hold up a backup code; `failed()` counts the session's wrong
    codes of both kinds. The address counts the failure (password sign-ins from it slow down)
    but does not hold the code back."""
    session = request.session.session_key or ""
    counters = [
        Counter(Scope.TWO_STEP, _key(Scope.TWO_STEP, session), None),
        Counter(Scope.TWO_STEP, _key(Scope.TWO_STEP, f"{session}:{kind}"), TWO_STEP_POLICY),
        replace(_address(request), policy=None),
    ]
    return _begin(counters)


def two_step_exhausted(request: HttpRequest, user: Any) -> None:
    """Too many wrong codes in one session, which is about to be signed out: whoever typed them
    had the password. Written down, and counted once against the account."""
    account = _account(user.get_username())
    event = SignInEvent.objects.create(scope=account.scope, key=account.key)
    failures, _last = _standing(account, timezone.now(), before=event.pk + 1)
    _account_failed(request, user.get_username(), failures, event)
    record(
        "staff.two-step-signed-out",
        actor=user,
        request=request,
        detail=f"{TWO_STEP_SIGN_OUT_AFTER} wrong codes in one session; signed out",
    )


# --- unlocking ---------------------------------------------------------------------------------


def unlock_token(user: Any, event: SignInEvent) -> str:
    """Bound to the failure that paused the account: once the pause is lifted (its failures
    forgotten) the link no longer works, so each link works once."""
    return signing.dumps({"person": str(user.public_id), "event": event.pk}, salt=UNLOCK_SALT)


def unlock_user(token: str) -> User | None:
    """The account an unlock link lifts the pause of, while it still can."""
    try:
        data = signing.loads(token, salt=UNLOCK_SALT, max_age=window())
    except signing.BadSignature:  # expired, altered or cut short
        return None
    if not isinstance(data, dict) or not isinstance(data.get("event"), int):
        return None
    user = User.objects.filter(public_id=str(data.get("person")), is_active=True).first()
    if user is None:
        return None
    account = _account(user.get_username())
    live = SignInEvent.objects.filter(pk=data["event"], scope=account.scope, key=account.key)
    return user if live.exists() else None


def has_confirmed_email(user: Any) -> bool:
    """An address the person proved is theirs (for check-in reminders): the only one Waymark
    writes to. An unconfirmed one may be a stranger's."""
    from waymark.tracking.models import Reminder
    from waymark.tracking.reminders import is_confirmed

    reminder = Reminder.objects.filter(owner=user).select_related("owner").first()
    return reminder is not None and is_confirmed(reminder)


def send_unlock_email(user: Any, event: SignInEvent) -> bool:
    """Email the unlock link to a confirmed address, at most UNLOCK_EMAILS within the window;
    whether it went out."""
    if not has_confirmed_email(user):
        return False
    counter = Counter(Scope.UNLOCK_EMAIL, _key(Scope.UNLOCK_EMAIL, user.get_username()), None)
    if _standing(counter, timezone.now())[0] >= UNLOCK_EMAILS:
        return False
    SignInEvent.objects.create(scope=counter.scope, key=counter.key)
    try:
        unlock_message(user, unlock_token(user, event)).send()
    except (OSError, smtplib.SMTPException):
        logger.warning("the unlock email for an account could not be sent")
        return False
    return True


def unlock_message(user: Any, token: str) -> Any:
    """As discreet as the reminders: nothing about what the person tracks."""
    from waymark import mail

    language = mail.language_of(user)
    with translation.override(language):
        link = settings.WAYMARK_SITE_URL + reverse("accounts:unlock", kwargs={"token": token})
        subject = gettext("Signing in to Waymark is paused")
        body = gettext(
            "Hello,\n\n"
            "Signing in to your Waymark account was paused after many wrong passwords.\n"
            "To sign in now, open this link within %(hours)d hours and press the button there:\n"
            "%(link)s\n\n"
            "If those tries were not yours, someone may be guessing your password. After\n"
            "signing in, choose a new, longer one in Settings.\n\n"
            "Waymark\n"
        ) % {"hours": settings.WAYMARK_SIGNIN_WINDOW_HOURS, "link": link}
    return mail.message(subject, body, [user.email], language=language)


@transaction.atomic
def do_lift_pause(user: Any, request: HttpRequest, how: str) -> bool:
    """Forget the account's failed passwords and recovery codes (the pause and the waits go
    with them); written down when it was paused. Whether it was."""
    paused = is_paused(user.get_username())
    forget_account(user.get_username(), keep_emails=True)
    if paused:
        record("account.sign-in-resumed", actor=user, subject=user, request=request, detail=how)
    return paused


def forget_account(username: str, keep_emails: bool = False) -> None:
    """Drop what is counted for a nickname (unlocking it; deleting the account)."""
    scopes = [Scope.ACCOUNT, Scope.RECOVERY] + ([] if keep_emails else [Scope.UNLOCK_EMAIL])
    for scope in scopes:
        SignInEvent.objects.filter(scope=scope, key=_key(scope, username)).delete()
