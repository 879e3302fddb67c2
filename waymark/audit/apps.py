from django.apps import AppConfig

CHECKPOINT_TICK = "audit.checkpoint"
CHECKPOINT_SECONDS = 24 * 60 * 60  # a signed checkpoint of the chain's head once a day
SEAL_TICK = "audit.seal"
SEAL_SECONDS = 60  # staff reads wait about this long before they are in the chain


class AuditConfig(AppConfig):
    name = "waymark.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from waymark.audit.log import seal, write_daily_checkpoint
        from waymark.jobs import register_tick

        register_tick(CHECKPOINT_TICK, CHECKPOINT_SECONDS, write_daily_checkpoint)
        register_tick(SEAL_TICK, SEAL_SECONDS, seal)
