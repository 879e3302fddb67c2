from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "waymark.measures"
    label = "measures"
    verbose_name = "Measures"

    def ready(self) -> None:
        from waymark.measures import checks, digest, sending  # noqa: F401 (checks on import)

        sending.register_jobs()  # the tick that makes due measures, and their emails
        digest.register()  # the clinicians' weekly digest counts measures missed
