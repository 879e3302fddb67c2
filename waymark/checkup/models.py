"""Check-ups and their answers, stored exactly as given.

An instrument answer is its instrument id and version, item id and 0-based option index; a
plain question ("how many days…") is stored under the pseudo-instrument `profile` with its
value. The profile is always rebuilt from these rows by `waymark.clinical.checkup`, the same
path the command line's profiles take.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models

# The check-ups this browser took without an account (their public ids, in the session).
SESSION_KEY = "waymark_checkups"


class CheckUp(models.Model):
    class Status(models.TextChoices):
        IN_PROGRESS = "in-progress", "In progress"
        COMPLETE = "complete", "Complete"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Nobody owns a check-up taken without an account: the browser session that started it
    # holds its id until it is saved to an account.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="checkups",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.IN_PROGRESS)
    step = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # The recommendation as shown when the check-up was completed (CONTRACTS.md §3 shape),
    # kept so history reads as it was, even after the rules change.
    result: models.JSONField[Any, Any] = models.JSONField(null=True, blank=True)
    engine_version = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ("-created_at",)
        indexes = (models.Index(fields=("owner", "status", "-completed_at")),)

    def __str__(self) -> str:
        return f"check-up {self.public_id}"


class Answer(models.Model):
    PROFILE = "profile"  # the pseudo-instrument of plain questions

    checkup = models.ForeignKey(CheckUp, on_delete=models.CASCADE, related_name="answers")
    instrument = models.CharField(max_length=20)
    version = models.CharField(max_length=20)
    # Which substance an answer is about, for the per-substance questions and criteria.
    context = models.CharField(max_length=20, blank=True)
    item = models.CharField(max_length=60)
    option = models.SmallIntegerField(null=True, blank=True)
    value: models.JSONField[Any, Any] = models.JSONField(null=True, blank=True)
    answered_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("checkup", "instrument", "context", "item"), name="one_answer_per_item"
            ),
        )

    def __str__(self) -> str:
        where = f"{self.instrument}/{self.context}" if self.context else self.instrument
        return f"{where}:{self.item}"
