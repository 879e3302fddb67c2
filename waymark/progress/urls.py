"""/progress/: the page, the record behind it as CSV for `waymark outcomes`, and the usual
spend behind its "money not spent" figure."""

from __future__ import annotations

from django.urls import path

from waymark.progress import views

app_name = "progress"
urlpatterns = [
    path("", views.page, name="page"),
    path("record.csv", views.record_csv, name="record-csv"),
    path("spend/", views.spend, name="spend"),
]
