"""Mounted at the site's root (waymark/urls.py): the one-time link (/m/), the person's own
measures (/measures/) and the staff schedules (/clinic/…/measures/)."""

from django.urls import path

from waymark.measures import views

app_name = "measures"
urlpatterns = [
    path("m/", views.link_answer, name="link-answer"),
    path("m/<str:token>/", views.link, name="link"),
    path("measures/", views.mine, name="mine"),
    path("measures/emails/", views.emails, name="emails"),
    path("measures/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("measures/<uuid:public_id>/", views.answer, name="answer"),
    path("clinic/programs/<uuid:program_id>/measures/", views.program_schedule, name="program"),
    path("clinic/people/<uuid:public_id>/measures/", views.person_schedule, name="person"),
]
