"""The web app manifest, the service worker, the offline page and the page of people to call.

The manifest and the worker are the same for everyone and hold nothing personal. The worker is
a template so it can name the static files by their hashed names; it is served from the root
so its scope is the whole site, and never cached, so a new one is seen at the next visit."""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from waymark.context_processors import translated
from waymark.phone.calls import people_to_call, phone_lines

THEME_COLOR = "#1f5f8b"  # --brand in site.css
BACKGROUND_COLOR = "#ffffff"
# What every page needs, kept by the worker when it installs (the pages' own files).
OFFLINE_FILES = (
    "waymark/css/site.css",
    "waymark/js/site.js",
    "waymark/js/checkin-queue.js",
    "waymark/js/phone.js",
    "django_htmx/htmx-2.min.js",
    "waymark/favicon.svg",
    "waymark/icons/icon-192.png",
)
ICONS = (
    ("waymark/icons/icon-192.png", "192x192", "any"),
    ("waymark/icons/icon-512.png", "512x512", "any"),
    ("waymark/icons/maskable-512.png", "512x512", "maskable"),
)


def _language(request: HttpRequest) -> str:
    """The page's language, passed as ?lang= (a manifest is fetched without cookies)."""
    asked = request.GET.get("lang", "")
    return asked if asked in dict(settings.LANGUAGES) else translation.get_language()


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    language = _language(request)
    with translation.override(language):
        data = {
            "id": "/",
            "name": "Waymark",
            "short_name": "Waymark",
            "description": gettext("Your daily check-in, your plan and the people you can call."),
            "lang": language,
            "dir": "ltr",
            "start_url": reverse("tracking:today"),
            "scope": "/",
            "display": "standalone",
            "theme_color": THEME_COLOR,
            "background_color": BACKGROUND_COLOR,
            "icons": [
                {"src": static(path), "sizes": sizes, "type": "image/png", "purpose": purpose}
                for path, sizes, purpose in ICONS
            ],
            "shortcuts": [
                {
                    "name": gettext("Call my person"),
                    "short_name": gettext("Call"),
                    "url": reverse("phone:call"),
                    "icons": [{"src": static("waymark/icons/call-96.png"), "sizes": "96x96"}],
                },
                {
                    "name": gettext("Daily check-in"),
                    "short_name": gettext("Check-in"),
                    "url": reverse("tracking:today"),
                    "icons": [{"src": static("waymark/icons/icon-192.png"), "sizes": "192x192"}],
                },
            ],
        }
    response = JsonResponse(
        data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False}
    )
    patch_cache_control(response, public=True, max_age=60 * 60)
    return response


def worker_script() -> str:
    """The service worker's text: the files to keep, and a version that changes with them."""
    files = [static(path) for path in OFFLINE_FILES]
    context = {
        "files": json.dumps(files),
        "queue_script": json.dumps(static("waymark/js/checkin-queue.js")),
        "offline_page": json.dumps(reverse("phone:offline")),
        "private_pages": json.dumps([reverse("tracking:today"), reverse("phone:call")]),
        "static_url": json.dumps(settings.STATIC_URL),
        "files_have_hashes": json.dumps(isinstance(staticfiles_storage, ManifestFilesMixin)),
    }
    version = hashlib.sha256(json.dumps(context, sort_keys=True).encode()).hexdigest()[:12]
    return render_to_string("waymark/phone/sw.js", {**context, "version": json.dumps(version)})


@never_cache
@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(worker_script(), content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """What the worker shows for a page it does not keep, when there is no connection. It is
    fetched without cookies, so it is the same for everyone."""
    return render(request, "waymark/phone/offline.html", {"device_page": True})


@never_cache
@login_required
@require_GET
def call(request: HttpRequest) -> HttpResponse:
    """The manifest's "Call my person": the people in the plan, then every help line a phone
    can call. Personal, so never cached by the browser (the worker keeps it for offline)."""
    context = {
        "people": people_to_call(request.user),
        "lines": phone_lines(translated(settings.HELP_LINES)),
    }
    return render(request, "waymark/phone/call.html", context)
