"""Signing out clears this device: what the service worker kept and the check-ins waiting on
the phone. Browsers that know the Clear-Site-Data header do it when the sign-out answer
arrives; the sign-out form's script (phone.js) does it first everywhere else."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.http import HttpRequest
from django.http.response import HttpResponseBase

View = TypeVar("View", bound=Callable[..., HttpResponseBase])
# "storage" is IndexedDB (the waiting check-ins), Cache Storage and the service worker itself,
# which the next page registers again; "cache" is the browser's HTTP cache. Not "cookies": the
# sign-out already ends the session, and the language choice stays.
CLEAR_SITE_DATA = '"cache", "storage"'


def clears_this_device(view: View) -> View:
    """A sign-out view whose successful POST also clears the site's data on this device."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        if request.method == "POST" and response.status_code < 400:
            response["Clear-Site-Data"] = CLEAR_SITE_DATA
        return response

    return wrapped  # type: ignore[return-value]
