from django.apps import AppConfig

CHECKPOINT_TICK = "audit.checkpoint"
CHECKPOINT_SECONDS = 24 * 60 * 60  # a signed checkpoint of the chain's head once a day


class AuditConfig(AppConfig):
    name = "waymark.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from waymark.audit.log import write_daily_checkpoint
        from waymark.jobs import register_tick

        register_tick(CHECKPOINT_TICK, CHECKPOINT_SECONDS, write_daily_checkpoint)
