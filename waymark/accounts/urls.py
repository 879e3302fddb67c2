from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from waymark.accounts import sharing, signin_views, staff_views, views
from waymark.phone.device import clears_this_device

app_name = "accounts"
urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("login/", signin_views.SignInView.as_view(), name="login"),
    path("recover/", signin_views.recover, name="recover"),
    path("recover/password/", signin_views.recovery_password, name="recovery_password"),
    path("recovery-codes/", signin_views.recovery_codes, name="recovery_codes"),
    path("unlock/<str:token>/", signin_views.unlock, name="unlock"),
    path("logout/", clears_this_device(auth_views.LogoutView.as_view()), name="logout"),
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
    path("sharing/", sharing.sharing, name="sharing"),
    path("sharing/join/", sharing.join, name="sharing_join"),
    path("sharing/<uuid:public_id>/change/", sharing.change, name="sharing_change"),
    path("sharing/<uuid:public_id>/stop/", sharing.stop, name="sharing_stop"),
    path("staff/", staff_views.home, name="staff_home"),
    path("staff/enrol/", staff_views.enrol, name="staff_enrol"),
    path("staff/verify/", staff_views.verify, name="staff_verify"),
    path("staff/codes/", staff_views.new_code, name="staff_new_code"),
    path(
        "staff/codes/<uuid:public_id>/withdraw/",
        staff_views.withdraw_code,
        name="staff_withdraw_code",
    ),
    path("staff/backup-codes/", staff_views.backup_codes, name="staff_backup_codes"),
    path("staff/weekly-email/", staff_views.weekly_digest, name="staff_weekly_digest"),
    path("", views.home, name="home"),
]
