from django.urls import path

from waymark.paths import views

app_name = "paths"
urlpatterns = [
    path("examples/", views.example_list, name="examples"),
    path("examples/<slug:slug>/", views.example, name="example"),
]
