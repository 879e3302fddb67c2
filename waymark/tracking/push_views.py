"""JSON for the reminders page's "Turn on notifications on this phone" (push.py): the VAPID
public key, and subscribing or unsubscribing the phone.

Session and CSRF as every form on the page (the page's script sends the token in X-CSRFToken);
each answer is JSON, errors in the API's one shape ({"error": {"code", "message", "fields"}}).
Each request touches only the signed-in person's own subscriptions. Where the site has no VAPID
key, push is not offered and these answer 404.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from waymark.accounts.models import User
from waymark.tracking import push, reminders

MAX_BODY = 4096  # a subscription is a few hundred bytes
View = Callable[..., HttpResponse]


def _error(
    status: int, code: str, message: str, fields: dict[str, str] | None = None
) -> JsonResponse:
    body = {"error": {"code": code, "message": message, "fields": fields or {}}}
    return JsonResponse(body, status=status)


def _push_view(view: View) -> View:
    """Signed in (401 otherwise, never a redirect to a sign-in page), push offered (404)."""

    @wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not isinstance(request.user, User) or not request.user.is_authenticated:
            return _error(401, "not-signed-in", "Sign in first.")
        if not push.is_configured():
            return _error(404, "not-found", "This server does not send push reminders.")
        return view(request, *args, **kwargs)

    return never_cache(checked)


def _body(request: HttpRequest) -> Any:
    if len(request.body) > MAX_BODY:
        raise ValueError("The request body is too large.")
    return json.loads(request.body or b"null")


@require_GET
@_push_view
def public_key(request: HttpRequest) -> HttpResponse:
    """The key the browser subscribes with (its `applicationServerKey`)."""
    return JsonResponse({"public_key": push.public_key()})


@require_POST
@_push_view
def subscribe(request: HttpRequest) -> HttpResponse:
    """The phone's PushSubscription.toJSON(): 201 when new, 200 when already known."""
    assert isinstance(request.user, User)
    try:
        subscription = push.parse_subscription(_body(request))
    except push.SubscriptionError as error:
        field = {error.field: str(error)} if error.field else {}
        return _error(400, "invalid-request", str(error), field)
    except ValueError:
        return _error(400, "invalid-json", "Send the subscription as a JSON object.")
    agent = request.headers.get("User-Agent", "")
    new = reminders.do_add_phone(request.user, subscription, agent)
    return JsonResponse(
        {"subscribed": True, "device": push.device_label(agent)}, status=201 if new else 200
    )


@require_POST
@_push_view
def unsubscribe(request: HttpRequest) -> HttpResponse:
    """{"endpoint": …}: notifications off for that phone, if it is the person's."""
    assert isinstance(request.user, User)
    try:
        data = _body(request)
    except ValueError:
        return _error(400, "invalid-json", "Send a JSON object with the endpoint.")
    endpoint = data.get("endpoint") if isinstance(data, dict) else None
    if not isinstance(endpoint, str):
        return _error(400, "invalid-request", "The endpoint is missing.", {"endpoint": "missing"})
    return JsonResponse({"removed": reminders.do_remove_phone(request.user, endpoint)})
