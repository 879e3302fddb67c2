from django.urls import path

from waymark.checkup import views

app_name = "checkup"
urlpatterns = [
    path("", views.start, name="start"),
    path("history/", views.history, name="history"),
    path("<uuid:public_id>/result/", views.result, name="result"),
    path("<uuid:public_id>/paused/", views.paused, name="paused"),
    path("<uuid:public_id>/<slug:step_id>/", views.step, name="step"),
]
