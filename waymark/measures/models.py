"""Measurement-based care: which measures a program (or a clinician, for one person) sends,
each measure a person is asked to answer, and their answers.

- `Schedule` — a program's interval for one measure, or (with ``person``) one person's, which
  replaces the program's for that measure in that program (`waymark.measures.schedule`).
- `MeasureRequest` — one measure due for one person on one local date: at most one a person,
  measure and day (the unique constraint is what makes the worker's tick safe to repeat). Its
  one-time link's secret is never stored: only the SHA-256 of the nonce inside it.
- `MeasureResponse` — the answers (encrypted: clinical, and the person's own), with the
  scores the engine gave them. Totals, subscale scores and flag ids stay readable by the
  database (numbers and ids, like a clinician scale's total), so alert rules can find a
  raised flag without decrypting every answer.
- `EmailOptOut` — a person who turned measure emails off (the one-click link in one of them,
  or the measures page); measures still wait for them in the app.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from waymark.accounts.models import Organization
from waymark.fields import EncryptedJSONField
from waymark.measures.schedule import MEASURES

MEASURE_CHOICES = [(measure, measure) for measure in MEASURES]


class Schedule(models.Model):
    program = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    # Set for a clinician's schedule for one person, which overrides the program's.
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="measure_schedules",
    )
    instrument = models.CharField(max_length=30, choices=MEASURE_CHOICES)
    every_days = models.PositiveSmallIntegerField()
    # False: not sent (by the program, or to this person when `person` is set).
    active = models.BooleanField(default=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    set_at = models.DateTimeField()

    class Meta:
        ordering = ("program", "instrument")
        constraints = (
            models.UniqueConstraint(
                fields=("program", "instrument"),
                condition=models.Q(person__isnull=True),
                name="one_program_schedule_per_measure",
            ),
            models.UniqueConstraint(
                fields=("program", "person", "instrument"),
                condition=models.Q(person__isnull=False),
                name="one_personal_schedule_per_measure",
            ),
        )

    def __str__(self) -> str:
        return f"{self.instrument} every {self.every_days} days"


class Via(models.TextChoices):
    LINK = "link", _("the emailed link")
    APP = "app", _("Waymark")


class MeasureRequest(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="measure_requests"
    )
    program = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    instrument = models.CharField(max_length=30, choices=MEASURE_CHOICES)
    due_on = models.DateField()  # the person's local date
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    # SHA-256 (hex) of the random nonce in the emailed link; "" until an email went out.
    nonce_hash = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ("-due_on", "instrument")
        constraints = (
            models.UniqueConstraint(
                fields=("person", "program", "instrument", "due_on"),
                name="one_request_per_measure_and_day",
            ),
        )
        indexes = (models.Index(fields=("person", "answered_at")),)

    def __str__(self) -> str:
        return f"{self.instrument} due {self.due_on}"


class MeasureResponse(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="measure_responses"
    )
    program = models.ForeignKey(
        Organization, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    request = models.OneToOneField(
        MeasureRequest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="response",
    )
    instrument = models.CharField(max_length=30, choices=MEASURE_CHOICES)
    version = models.CharField(max_length=20)
    answers: models.Field[Any, Any] = EncryptedJSONField(default=list)  # option indices
    total = models.PositiveSmallIntegerField(null=True, blank=True)  # null: the BAM
    band = models.CharField(max_length=40, blank=True, default="")  # the band id, if any
    subscales: models.JSONField[Any, Any] = models.JSONField(default=dict, blank=True)
    flags: models.JSONField[Any, Any] = models.JSONField(default=list, blank=True)  # flag ids
    completed_at = models.DateTimeField()
    via = models.CharField(max_length=10, choices=Via.choices)

    class Meta:
        ordering = ("-completed_at", "-pk")
        indexes = (models.Index(fields=("person", "instrument", "completed_at")),)

    def __str__(self) -> str:
        return f"{self.instrument} response {self.public_id}"


class EmailOptOut(models.Model):
    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="measure_email_opt_out"
    )
    at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"measure emails off for user {self.person_id}"
