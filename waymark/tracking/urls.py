"""/track/…: today's check-in, any open day by its date, and the month calendar."""

from __future__ import annotations

from datetime import date

from django.urls import path, register_converter

from waymark.tracking import push_views, views


class DayConverter:
    """A day as YYYY-MM-DD; an impossible date (2026-02-30) matches nothing, so it is a 404."""

    regex = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"

    def to_python(self, value: str) -> date:
        return date.fromisoformat(value)

    def to_url(self, value: date | str) -> str:
        return value.isoformat() if isinstance(value, date) else value


class YearConverter:
    regex = r"[0-9]{4}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int | str) -> str:
        return f"{int(value):04d}"


class MonthConverter:
    regex = r"0[1-9]|1[0-2]"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int | str) -> str:
        return f"{int(value):02d}"


register_converter(DayConverter, "tracking_day")
register_converter(YearConverter, "tracking_year")
register_converter(MonthConverter, "tracking_month")

app_name = "tracking"
urlpatterns = [
    path("", views.today, name="today"),
    path("calendar/", views.month, name="calendar"),
    path("calendar/fill/", views.fill, name="fill"),
    path("reminders/", views.reminder_settings, name="reminders"),
    path(
        "reminders/confirm/<str:token>/",
        views.confirm_reminder_email,
        name="confirm-reminder-email",
    ),
    path("reminders/push/key/", push_views.public_key, name="push-key"),
    path("reminders/push/subscribe/", push_views.subscribe, name="push-subscribe"),
    path("reminders/push/unsubscribe/", push_views.unsubscribe, name="push-unsubscribe"),
    path(
        "reminders/unsubscribe/<str:token>/",
        views.unsubscribe_reminders,
        name="unsubscribe-reminders",
    ),
    path("calendar/<tracking_year:year>/<tracking_month:month>/", views.month, name="month"),
    path("<tracking_day:day>/", views.day, name="day"),
    path("<tracking_day:day>/saved/", views.saved, name="saved"),
]
