from django.apps import AppConfig


class CheckupConfig(AppConfig):
    name = "waymark.checkup"
    label = "checkup"
    verbose_name = "Check-ups"
