"""Personal API tokens (docs/data.md "API tokens").

A token is ``wm_`` followed by 43 url-safe characters (32 random bytes). It is shown once, when
made; only its SHA-256 digest is stored. A fast hash is enough here, unlike for passwords: the
secret is 256 random bits, so there is nothing to guess, and a lookup by digest needs no salt.
The first characters are kept in clear (``prefix``) so a person can tell their tokens apart.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    class Scope(models.TextChoices):
        READ = "read", _("Read only")
        READ_WRITE = "read-write", _("Read and write")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=60)
    prefix = models.CharField(max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    scope = models.CharField(max_length=12, choices=Scope.choices, default=Scope.READ)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Made by staff from a session verified with their second factor (and with an expiry of at
    # most 90 days): only such a token counts as verified. A token made before its owner became
    # staff never passed a code, so it never reads patients' data.
    verified = models.BooleanField(default=False)

    class Meta:
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return f"token {self.prefix}…"

    def is_active(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
