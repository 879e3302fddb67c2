from django.urls import path

from waymark.clinic import views

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
    path("programs/<uuid:program_id>/report/", views.report_page, name="report"),
]
