from django.apps import AppConfig


class ProgressConfig(AppConfig):
    name = "waymark.progress"
    label = "progress"
    verbose_name = "Progress"
