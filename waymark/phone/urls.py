"""The app on a phone, from the root: /manifest.webmanifest, /sw.js (scope: the whole site),
/offline/ and /call/."""

from __future__ import annotations

from django.urls import path

from waymark.phone import views

app_name = "phone"
urlpatterns = [
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="service-worker"),
    path("offline/", views.offline, name="offline"),
    path("call/", views.call, name="call"),
]
