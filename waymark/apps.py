from django.apps import AppConfig


class WaymarkConfig(AppConfig):
    name = "waymark"
    verbose_name = "Waymark"

    def ready(self) -> None:
        from waymark import checks  # noqa: F401  (registers the system checks)
