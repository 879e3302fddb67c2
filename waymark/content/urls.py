from django.urls import path

from waymark.content import views

app_name = "learn"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.page, name="page"),
]
