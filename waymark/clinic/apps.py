from django.apps import AppConfig


class ClinicConfig(AppConfig):
    name = "waymark.clinic"
    label = "clinic"
    verbose_name = "Clinic: caseload, alerts, clinician scales and notes"

    def ready(self) -> None:
        from waymark.clinic import actions, digest, snapshots

        actions.register_jobs()  # alert evaluation, its hourly tick and urgent emails
        snapshots.register_jobs()  # large programs' reports, computed and kept
        digest.register_jobs()  # the weekly digest email to each clinician and lead
