from django.urls import include, path

from waymark import views

urlpatterns = [
    path("", views.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("screeners/", include("waymark.screeners.urls")),
    path("paths/", include("waymark.paths.urls")),
]
