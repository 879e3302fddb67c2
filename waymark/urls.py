from django.urls import include, path

from waymark import health, views
from waymark.accounts.admin import site as admin_site
from waymark.api import api

handler500 = views.server_error  # help lines even on a fault

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("help/find/", views.find_care, name="find-care"),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
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
]
