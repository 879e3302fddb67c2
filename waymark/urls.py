from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from waymark import health, views
from waymark.accounts.admin import site as admin_site
from waymark.api import api

handler500 = views.server_error  # help lines even on a fault

urlpatterns = [
    path("", views.home, name="home"),
    # The manifest and the service worker at the root, so the worker's scope is the whole site.
    path("", include("waymark.phone.urls")),
    path("healthz", health.healthz, name="healthz"),
    path("help/find/", views.find_care, name="find-care"),
    path("api/v1/", api.urls),
    # Without a CSRF token, so that a page with no other form can be compressed
    # (waymark/compression.py); another site switching someone's language harms nothing.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("screeners/", include("waymark.screeners.urls")),
    path("paths/", include("waymark.paths.urls")),
    path("checkup/", include("waymark.checkup.urls")),
    path("account/access/", include("waymark.audit.urls")),
    path("account/", include("waymark.accounts.urls")),
    path("account/", include("waymark.interop.urls")),
    path("admin/", admin_site.urls),  # program leads and admins, 2FA required
    path("learn/", include("waymark.content.urls")),
    path("plans/", include("waymark.plans.urls")),
    path("track/", include("waymark.tracking.urls")),
    path("progress/", include("waymark.progress.urls")),
    path("clinic/", include("waymark.clinic.urls")),
    # Measures (docs/programs.md): the one-time link /m/, /measures/, and staff schedules.
    path("", include("waymark.measures.urls")),
]
