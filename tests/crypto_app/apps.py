from django.apps import AppConfig


class CryptoAppConfig(AppConfig):
    name = "tests.crypto_app"
    label = "crypto_app"
    default_auto_field = "django.db.models.BigAutoField"
