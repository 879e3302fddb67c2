from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from waymark.accounts import views

app_name = "accounts"
urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="waymark/accounts/login.html"),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(
            template_name="waymark/accounts/password_change.html",
            success_url=reverse_lazy("accounts:password_changed"),
        ),
        name="password_change",
    ),
    path(
        "password/changed/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="waymark/accounts/password_changed.html"
        ),
        name="password_changed",
    ),
    path("settings/", views.settings_index, name="settings"),
    path("", views.home, name="home"),
]
