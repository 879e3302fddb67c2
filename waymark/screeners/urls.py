from django.urls import path

from waymark.screeners import views

app_name = "screeners"
urlpatterns = [
    path("", views.screener_list, name="list"),
    path("<slug:instrument_id>/", views.screener, name="take"),
]
