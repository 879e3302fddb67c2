from __future__ import annotations

from typing import Any, ClassVar

from django.db import models

from waymark.fields import EncryptedJSONField, EncryptedTextField


class Secret(models.Model):
    note = EncryptedTextField(null=True, blank=True)
    data: EncryptedJSONField[Any, Any] = EncryptedJSONField(null=True)
    # Declared, because the app is installed only while the tests run, not for mypy.
    objects: ClassVar[models.Manager[Secret]] = models.Manager()

    class Meta:
        # Importable whether or not the app is installed: tests install it only for a while.
        app_label = "crypto_app"

    def __str__(self) -> str:
        return f"Secret {self.pk}"
