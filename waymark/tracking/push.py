"""Push reminders (Web Push): the daily reminder as a notification on the person's phone.

How it works: on the reminders page the person turns notifications on for the phone in their
hand. The page asks the browser for permission and subscribes through the service worker's
pushManager with our VAPID public key (`public_key`); the browser's own push service (FCM for
Chrome and Android, Mozilla's for Firefox, Apple's for Safari, Microsoft's for Edge) answers
with an endpoint URL and two keys, which the page posts to `subscribe_view` (push_views.py).
The reminder job (reminders.send_reminder) then posts one message to each of the person's
endpoints (`notify`): encrypted to the phone's keys (RFC 8291, aes128gcm) and signed with our
VAPID key (RFC 8292); the service worker shows it.

Discreet: the notification says "Waymark" and "A moment for your check-in?", in the person's
language, and nothing about alcohol, drugs or recovery: it is what a lock screen, or anyone
glancing at the phone, would show. The push service cannot read even that (it is encrypted to
the phone). It lives TTL seconds: a reminder the phone gets hours late helps nobody.

Kept apart from strangers: an endpoint is a capability URL (anyone holding it can write to that
phone), so it is encrypted at rest with the keys, found again by a keyed hash, and never
logged: a failure is logged with the subscription's public id. A 404 or 410 from the push
service means the subscription has ended, and it is removed.

Never a request to an address someone made up: only https endpoints at the known push services
(WAYMARK_PUSH_SERVICES) are taken, checked again before each send, and redirects are not
followed.

Cost: pywebpush brings aiohttp and requests (about half a second to import), so only `send`,
in the worker, imports it; the web pages use `cryptography` alone, for the public key.
"""

from __future__ import annotations

import base64
import enum
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parseaddr
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext

from waymark.accounts.models import User
from waymark.tracking.models import PushSubscription

if TYPE_CHECKING:
    import requests

logger = logging.getLogger(__name__)

DIGEST_SALT = "waymark.tracking.push.endpoint"
TTL_SECONDS = 2 * 60 * 60  # as reminders.LATE_LIMIT: later than that, the moment has passed
TIMEOUT_SECONDS = 15
MAX_ENDPOINT_LENGTH = 2048
MAX_PHONES = 10  # subscriptions a person keeps; a new one beyond that replaces the oldest
TAG = "waymark-reminder"  # a second reminder replaces the first on the phone


class Delivery(enum.Enum):
    SENT = "sent"
    GONE = "gone"  # the push service said the subscription has ended: removed
    UNREACHABLE = "unreachable"  # no connection to the push service: nothing went out
    FAILED = "failed"  # refused, or unknown whether it arrived: logged, not tried again


# --- keys -------------------------------------------------------------------------------------


def is_configured() -> bool:
    """Push is offered only where the site has a VAPID key (the check tracking.W002)."""
    return bool(settings.WAYMARK_VAPID_PRIVATE_KEY)


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


@cache
def _public_key(private_key: str) -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    private = ec.derive_private_key(int.from_bytes(_b64decode(private_key)), ec.SECP256R1())
    point = private.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return _b64encode(point)


def public_key() -> str:
    """The VAPID public key (the uncompressed P-256 point, url-safe base64): the browser's
    `applicationServerKey`. Derived from the private key; "" without one."""
    return _public_key(settings.WAYMARK_VAPID_PRIVATE_KEY) if is_configured() else ""


def subject() -> str:
    """Who push services can write to about our pushes (RFC 8292 `sub`)."""
    if settings.WAYMARK_VAPID_SUBJECT:
        return str(settings.WAYMARK_VAPID_SUBJECT)
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return f"mailto:{address}" if "@" in address else settings.WAYMARK_SITE_URL


# --- subscriptions ----------------------------------------------------------------------------


class SubscriptionError(ValueError):
    """What is wrong with a subscription a page posted: `field` and a plain sentence."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Subscription:
    endpoint: str
    p256dh: str
    auth: str


def _is_allowed_host(host: str) -> bool:
    services = [service.strip(".").lower() for service in settings.WAYMARK_PUSH_SERVICES]
    return "*" in services or any(host == s or host.endswith("." + s) for s in services)


def endpoint_problem(endpoint: str) -> str | None:
    """Why the worker must not post to this address, or None: it must be https (http only
    where tests allow it), at one of WAYMARK_PUSH_SERVICES, with no user name or password."""
    if len(endpoint) > MAX_ENDPOINT_LENGTH:
        return "The endpoint is too long."
    try:
        parts = urlsplit(endpoint)
        port = parts.port
    except ValueError:
        return "The endpoint is not a URL."
    schemes = ("https", "http") if settings.WAYMARK_PUSH_ALLOW_HTTP else ("https",)
    if parts.scheme not in schemes or not parts.hostname:
        return "The endpoint must be an https URL."
    if parts.username is not None or parts.password is not None or port == 0:
        return "The endpoint must be a plain https URL."
    if not _is_allowed_host(parts.hostname.lower()):
        return "The endpoint is not at a push service this server sends to."
    return None


def _key(data: Mapping[str, Any], name: str, length: int) -> str:
    value = data.get(name)
    try:
        raw = _b64decode(value) if isinstance(value, str) and value.isascii() else b""
    except ValueError:
        raw = b""
    if len(raw) != length:
        raise SubscriptionError(f"keys.{name}", f"{name} must be {length} bytes in base64url.")
    return _b64encode(raw)


def parse_subscription(data: Any) -> Subscription:
    """A browser's PushSubscription.toJSON(), checked: the endpoint (`endpoint_problem`), the
    phone's P-256 public key (a point on the curve) and its 16-byte auth secret."""
    if not isinstance(data, dict):
        raise SubscriptionError("", "Send the subscription as a JSON object.")
    endpoint = data.get("endpoint")
    if not isinstance(endpoint, str):
        raise SubscriptionError("endpoint", "The endpoint is missing.")
    problem = endpoint_problem(endpoint)
    if problem:
        raise SubscriptionError("endpoint", problem)
    keys = data.get("keys")
    if not isinstance(keys, dict):
        raise SubscriptionError("keys", "The keys are missing.")
    p256dh, auth = _key(keys, "p256dh", 65), _key(keys, "auth", 16)
    from cryptography.hazmat.primitives.asymmetric import ec

    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), _b64decode(p256dh))
    except ValueError as error:
        raise SubscriptionError("keys.p256dh", "p256dh is not a P-256 public key.") from error
    return Subscription(endpoint, p256dh, auth)


def endpoint_digest(endpoint: str, secret: str | None = None) -> str:
    """A keyed hash of the endpoint, to find its row without storing it in clear."""
    return salted_hmac(DIGEST_SALT, endpoint, secret=secret, algorithm="sha256").hexdigest()


def _digests(endpoint: str) -> list[str]:
    """The endpoint's hash under SECRET_KEY and under each older key still accepted."""
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [endpoint_digest(endpoint, secret) for secret in secrets]


def device_label(user_agent: str) -> str:
    """A coarse name for the browser and system ("Chrome · Android"), for the person to tell
    their phones apart: never the User-Agent itself."""
    browsers = (("SamsungBrowser", "Samsung Internet"), ("Edg", "Edge"), ("OPR", "Opera"),
                ("Firefox", "Firefox"), ("Chrome", "Chrome"), ("Safari", "Safari"))  # fmt: skip
    systems = (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"),
               ("Windows", "Windows"), ("Mac OS", "Mac"), ("Linux", "Linux"))  # fmt: skip
    browser = next((name for mark, name in browsers if mark in user_agent), "")
    system = next((name for mark, name in systems if mark in user_agent), "")
    return " · ".join(part for part in (browser, system) if part)


@transaction.atomic
def save_subscription(person: User, subscription: Subscription, user_agent: str = "") -> bool:
    """Keep the phone's subscription for the person; whether it is new. A subscription held by
    another account moves to this one: a browser has one subscription, and its notifications
    go to whoever turned them on last there."""
    existing = (
        PushSubscription.objects.select_for_update()
        .filter(endpoint_digest__in=_digests(subscription.endpoint))
        .first()
    )
    row = existing or PushSubscription(owner=person)
    row.owner = person
    row.endpoint = subscription.endpoint
    row.endpoint_digest = endpoint_digest(subscription.endpoint)
    row.p256dh, row.auth = subscription.p256dh, subscription.auth
    row.device = device_label(user_agent)[:40]
    row.save()
    oldest_first = PushSubscription.objects.filter(owner=person).order_by("-created_at", "-pk")
    surplus = list(oldest_first.values_list("pk", flat=True)[MAX_PHONES:])
    PushSubscription.objects.filter(pk__in=surplus).delete()
    return existing is None


def forget_subscription(person: User, endpoint: str) -> bool:
    """Stop notifications to that phone (the person turned them off there); whether it was
    theirs."""
    if not isinstance(endpoint, str) or len(endpoint) > MAX_ENDPOINT_LENGTH:
        return False
    mine = PushSubscription.objects.filter(owner=person, endpoint_digest__in=_digests(endpoint))
    deleted, _ = mine.delete()
    return bool(deleted)


def has_phones(person: User) -> bool:
    return PushSubscription.objects.filter(owner=person).exists()


# --- sending ----------------------------------------------------------------------------------


def reminder_payload(language: str) -> bytes:
    """What the service worker shows: discreet, in the person's language, opening the
    check-in when tapped."""
    with translation.override(language):
        message = {
            "title": "Waymark",
            "body": gettext("A moment for your check-in?"),
            "url": reverse("tracking:today"),
            "tag": TAG,
            "lang": language,
        }
    return json.dumps(message, ensure_ascii=False).encode()


@cache
def _vapid(private_key: str) -> Any:
    from py_vapid import Vapid

    return Vapid.from_string(private_key)


def _session() -> requests.Session:
    import requests

    class NoRedirects(requests.Session):
        """A push service never redirects: a redirect is not followed anywhere."""

        def request(self, *args: Any, **kwargs: Any) -> requests.Response:
            kwargs["allow_redirects"] = False
            return super().request(*args, **kwargs)

    return NoRedirects()


def _never_sent(error: Exception) -> bool:
    """True when the request cannot have reached the push service (no connection was made),
    so trying again later cannot deliver it twice."""
    import requests
    from urllib3.exceptions import NewConnectionError

    if isinstance(error, requests.exceptions.ConnectTimeout):
        return True
    reason = getattr(error.args[0] if error.args else None, "reason", None)
    return isinstance(error, requests.exceptions.ConnectionError) and isinstance(
        reason, NewConnectionError
    )


def send(
    row: PushSubscription, payload: bytes, session: requests.Session | None = None
) -> Delivery:
    """Post one push to one phone. Logs say which subscription (its public id) and what went
    wrong (an HTTP status or an error's kind), never the endpoint."""
    if endpoint_problem(row.endpoint):
        logger.warning("push subscription %s: endpoint no longer allowed; not sent", row.public_id)
        return Delivery.FAILED
    import requests
    from pywebpush import WebPushException, webpush

    info = {"endpoint": row.endpoint, "keys": {"p256dh": row.p256dh, "auth": row.auth}}
    try:
        webpush(
            info,
            data=payload.decode(),
            vapid_private_key=_vapid(settings.WAYMARK_VAPID_PRIVATE_KEY),
            vapid_claims={"sub": subject()},  # a new dict each time: webpush adds aud and exp
            content_encoding="aes128gcm",
            ttl=TTL_SECONDS,
            timeout=TIMEOUT_SECONDS,
            headers={"Urgency": "normal"},
            requests_session=session or _session(),
        )
    except WebPushException as error:
        status = getattr(error.response, "status_code", None)
        if status in (404, 410):
            row.delete()
            logger.info("push subscription %s has ended (HTTP %s): removed", row.public_id, status)
            return Delivery.GONE
        logger.warning("push to subscription %s refused: HTTP %s", row.public_id, status)
        return Delivery.FAILED
    except requests.RequestException as error:
        kind = type(error).__name__  # the message would name the endpoint
        logger.warning("push to subscription %s failed: %s", row.public_id, kind)
        return Delivery.UNREACHABLE if _never_sent(error) else Delivery.FAILED
    row.last_success_at = timezone.now()
    row.save(update_fields=["last_success_at"])
    return Delivery.SENT


def notify(person: User, language: str) -> list[Delivery]:
    """Send the reminder to each of the person's phones; what became of each."""
    payload = reminder_payload(language)
    rows = list(PushSubscription.objects.filter(owner=person).order_by("pk"))
    if not rows:
        return []
    session = _session()
    try:
        return [send(row, payload, session) for row in rows]
    finally:
        session.close()
