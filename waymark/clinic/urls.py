from django.urls import path

from waymark.clinic import digest_views, episode_views, views

app_name = "clinic"
urlpatterns = [
    path("", views.caseload_page, name="caseload"),
    path("people/<uuid:public_id>/", views.chart_page, name="chart"),
    path(
        "people/<uuid:public_id>/alerts/<uuid:alert_id>/acknowledge/",
        views.acknowledge,
        name="acknowledge",
    ),
    path(
        "people/<uuid:public_id>/scales/<slug:instrument_id>/",
        views.record_scale,
        name="record_scale",
    ),
    path("people/<uuid:public_id>/notes/", views.add_note, name="add_note"),
    path("people/<uuid:public_id>/episodes/", episode_views.admit, name="admit"),
    path(
        "people/<uuid:public_id>/episodes/<uuid:episode_id>/discharge/",
        episode_views.discharge,
        name="discharge",
    ),
    path("programs/<uuid:program_id>/report/", views.report_page, name="report"),
    path(
        "programs/<uuid:program_id>/episodes.csv",
        episode_views.program_csv,
        name="episodes_csv",
    ),
    # The weekly digest's one-click way out (RFC 8058): no session, a signed token.
    path(
        "digest/unsubscribe/<str:token>/",
        digest_views.unsubscribe,
        name="digest-unsubscribe",
    ),
]
