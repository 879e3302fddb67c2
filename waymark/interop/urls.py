from django.urls import path

from waymark.interop import views

app_name = "interop"
urlpatterns = [
    path("data/", views.data, name="data"),
    path("data/export/<str:kind>/", views.download, name="download"),
    path("data/import/", views.import_file, name="import"),
    path("data/delete/", views.delete, name="delete"),
    path("data/programs/", views.programs, name="programs"),
    path("data/programs/<uuid:program_id>/fhir/", views.program_download, name="program_fhir"),
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/<uuid:token_id>/revoke/", views.token_revoke, name="revoke"),
]
