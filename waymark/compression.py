"""Gzip for text answers that carry no secret (BREACH).

Compressing an HTTPS answer that holds a secret and also echoes something an attacker chose
(a query string, a `next` link) lets the attacker guess the secret a character at a time from
the answer's length (BREACH). Django's GZipMiddleware (5.2) blurs the length with up to 100
random bytes in the gzip header; that slows such an attack down but does not stop it. So
Waymark compresses only answers with nothing worth stealing in them:

- text only (HTML, JSON, CSV, SVG, …): images, PDFs and fonts are compressed already;
- not when the page used the CSRF token (a form): `get_token()` leaves
  ``CSRF_COOKIE_NEEDS_UPDATE`` in ``request.META``, and CsrfViewMiddleware only sets it to
  False once the cookie is out, so the key is there for the whole answer;
- not to a browser that sent the session cookie: the browser sends it by itself, also on
  requests another site starts, and whatever it unlocks (a person's data, a signed-in page)
  is private. An API client with a bearer token is not such a browser;
- not a view marked with :func:`never_compress`, or an answer marked with
  :func:`keep_uncompressed`: one-time secrets (recovery and backup codes, the authenticator
  secret, a new API token), whatever the rules above would say;
- not a streamed HTML page, which could still use the CSRF token after this decides.

The static files are compressed once by whitenoise at `collectstatic` and never reach this.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.middleware.gzip import GZipMiddleware

View = TypeVar("View", bound=Callable[..., HttpResponseBase])
_KEEP = "waymark_keep_uncompressed"


def keep_uncompressed(request: HttpRequest) -> None:
    """The answer to this request holds a one-time secret: never compress it."""
    setattr(request, _KEEP, True)


def never_compress(view: View) -> View:
    """A view whose answers may hold a one-time secret: they are never compressed."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        keep_uncompressed(request)
        return view(request, *args, **kwargs)

    wrapped.never_compress = True  # type: ignore[attr-defined]
    return wrapped  # type: ignore[return-value]


def is_text(content_type: str) -> bool:
    media = content_type.partition(";")[0].strip().lower()
    return media.startswith("text/") or media.endswith(("json", "+xml", "/javascript"))


def from_a_browser_session(request: HttpRequest) -> bool:
    return settings.SESSION_COOKIE_NAME in request.COOKIES


def may_compress(request: HttpRequest, response: HttpResponseBase) -> bool:
    """Whether the answer is text with no secret in it (the rules in the module's doc)."""
    content_type = response.get("Content-Type", "")
    return (
        is_text(content_type)
        and not getattr(request, _KEEP, False)
        and "CSRF_COOKIE_NEEDS_UPDATE" not in request.META
        and not from_a_browser_session(request)
        and not (response.streaming and content_type.startswith("text/html"))
    )


class SecretSafeGZipMiddleware(GZipMiddleware):
    """Django's GZipMiddleware (random filler in the header, `Vary: Accept-Encoding`, weak
    ETags, streamed answers), for the answers :func:`may_compress` allows."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if not may_compress(request, response):
            return response
        return super().process_response(request, response)
