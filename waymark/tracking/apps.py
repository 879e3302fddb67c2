from django.apps import AppConfig


class TrackingConfig(AppConfig):
    name = "waymark.tracking"
    label = "tracking"
    verbose_name = "Daily check-ins"

    def ready(self) -> None:
        from waymark.jobs import register_tick
        from waymark.tracking import checks, keys, reminders  # noqa: F401 (checks register on import)

        reminders.register_jobs()  # the reminder emails and the tick that queues them
        register_tick(keys.TICK, keys.TICK_SECONDS, keys.purge_submission_keys)
