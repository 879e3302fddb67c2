from django.apps import AppConfig


class ClinicConfig(AppConfig):
    name = "waymark.clinic"
    label = "clinic"
    verbose_name = "Clinic: caseload, alerts, clinician scales and notes"

    def ready(self) -> None:
        from waymark.clinic import actions

        actions.register_jobs()  # the worker tick that looks for missed check-ins
