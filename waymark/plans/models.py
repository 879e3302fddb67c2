"""Recovery plans and their versions.

A plan belongs to the check-up it was drafted from, so whoever may see that check-up may see
the plan: one access rule (waymark.access.visible_checkups). The generated guidance is
rebuilt from the check-up and the chosen path; what the person writes — goals, triggers,
people and their numbers, notes — is kept per version, encrypted at rest.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models

from waymark.checkup.models import CheckUp
from waymark.fields import EncryptedJSONField


class Plan(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    checkup = models.ForeignKey(CheckUp, on_delete=models.CASCADE, related_name="plans")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"plan {self.public_id}"

    def latest(self) -> PlanVersion:
        version = self.versions.order_by("-number").first()
        if version is None:
            raise PlanVersion.DoesNotExist(f"{self} has no version")
        return version


class PlanVersion(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The person's own words: {"approach", "goals", "triggers", ..., "people", "notes"}.
    content: models.Field[Any, Any] = EncryptedJSONField()

    class Meta:
        ordering = ("-number",)
        constraints = (
            models.UniqueConstraint(fields=("plan", "number"), name="one_version_number_per_plan"),
        )

    def __str__(self) -> str:
        return f"{self.plan} v{self.number}"
