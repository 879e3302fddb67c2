from django.apps import AppConfig


class TrackingConfig(AppConfig):
    name = "waymark.tracking"
    label = "tracking"
    verbose_name = "Daily check-ins"
