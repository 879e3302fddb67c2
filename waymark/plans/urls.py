from django.urls import path

from waymark.plans import views

app_name = "plans"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("new/<uuid:checkup_id>/", views.create, name="create"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/edit/", views.edit, name="edit"),
    path("<uuid:public_id>/switch/", views.switch, name="switch"),
    path("<uuid:public_id>/next-step/", views.take_next_step, name="next-step"),
    path("<uuid:public_id>/versions/", views.versions, name="versions"),
    path("<uuid:public_id>/versions/<int:number>/", views.detail, name="version"),
    path("<uuid:public_id>/recovery-plan.pdf", views.plan_pdf, name="pdf"),
    path("<uuid:public_id>/wallet-card.pdf", views.wallet_pdf, name="wallet"),
]
