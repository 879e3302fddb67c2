from django.apps import AppConfig


class TrackingConfig(AppConfig):
    name = "waymark.tracking"
    label = "tracking"
    verbose_name = "Daily check-ins"

    def ready(self) -> None:
        from waymark.tracking import checks, reminders  # noqa: F401 (checks register on import)

        reminders.register_jobs()  # the reminder emails and the tick that queues them
