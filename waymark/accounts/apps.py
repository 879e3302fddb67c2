from django.apps import AppConfig

# How often the worker writes "ended on its end date" into consents' history. Access itself
# never waits for it: the rule in waymark.access reads the end date on every request.
CONSENT_EXPIRY_TICK = "accounts.consent-expiry"
CONSENT_EXPIRY_SECONDS = 3600


class AccountsConfig(AppConfig):
    name = "waymark.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from waymark.accounts import checks  # noqa: F401 (checks register on import)
        from waymark.accounts.actions import do_record_expired_consents
        from waymark.jobs import register_tick

        def record_expired_consents() -> None:
            do_record_expired_consents()

        register_tick(CONSENT_EXPIRY_TICK, CONSENT_EXPIRY_SECONDS, record_expired_consents)
