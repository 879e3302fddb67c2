from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "waymark.jobs"
    label = "jobs"
    verbose_name = "Background jobs"

    def ready(self) -> None:
        from waymark.health import HEARTBEAT_SECONDS, HEARTBEAT_TICK, heartbeat
        from waymark.jobs import register_tick
        from waymark.jobs.worker import purge_old_jobs

        register_tick("jobs.purge", 6 * 60 * 60, purge_old_jobs)  # finished jobs, after 30 days
        register_tick(HEARTBEAT_TICK, HEARTBEAT_SECONDS, heartbeat)  # read by /healthz
