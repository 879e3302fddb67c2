"""What clinicians add to a consenting person's record: alerts, clinician-rated scales, notes.

Who may see any of it is decided in `waymark.access` (consent, role, second factor); these
models only store. Free text (acknowledgement notes, clinical notes) and the alert's numbers
are encrypted at rest. Rows entered by staff name their program (`organization`): a clinician
of another program the person also shares with sees only the rows of their own program.
"""

from __future__ import annotations

import uuid
from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from waymark.accounts.models import Organization
from waymark.clinical.alerts import RULES_BY_ID
from waymark.fields import EncryptedJSONField, EncryptedTextField


class Priority(models.TextChoices):
    URGENT = "urgent", _("Urgent")
    HIGH = "high", _("High")
    NORMAL = "normal", _("Normal")


# Higher first on the caseload (the same order as waymark.clinical.alerts.Priority).
PRIORITY_RANK = {Priority.URGENT: 3, Priority.HIGH: 2, Priority.NORMAL: 1}


class Alert(models.Model):
    """One finding of a caseload rule (`waymark.clinical.alerts`), raised once per person and
    finding (`dedupe_key`), however often the rules run."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="clinic_alerts"
    )
    rule = models.CharField(max_length=40)
    priority = models.CharField(max_length=10, choices=Priority.choices)
    rank = models.PositiveSmallIntegerField()  # PRIORITY_RANK[priority], for sorting in SQL
    raised_at = models.DateTimeField(default=timezone.now)
    evidence_on = models.DateField()
    dedupe_key = models.CharField(max_length=80)
    # The numbers behind the sentence (drinks, days, scores): clinical, so encrypted.
    params: models.Field[Any, Any] = EncryptedJSONField(default=dict, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    acknowledged_in = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    ack_note: models.Field[Any, Any] = EncryptedTextField(blank=True, default="")
    # Set when the email to the clinicians went out (urgent alerts only): once per alert.
    notified_at = models.DateTimeField(null=True, blank=True)
    # Set when the finding ended by itself (a missed check-in followed by a check-in): the
    # alert leaves the caseload without anyone acknowledging it, and stays on the chart.
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-rank", "-evidence_on", "-pk")
        constraints = (
            models.UniqueConstraint(fields=("person", "dedupe_key"), name="one_alert_per_finding"),
        )
        indexes = (
            models.Index(fields=("person", "acknowledged_at")),
            # The caseload counts each person's open alerts by rank and rule (waymark/clinic/
            # chart.py): only open ones are indexed, a few a person however long the history.
            models.Index(
                fields=("person", "rank", "rule"),
                condition=models.Q(acknowledged_at__isnull=True, resolved_at__isnull=True),
                name="clinic_alert_open",
            ),
        )

    def __str__(self) -> str:
        return f"alert {self.public_id}"

    @property
    def open(self) -> bool:
        return self.acknowledged_at is None and self.resolved_at is None

    @property
    def title(self) -> str:
        rule = RULES_BY_ID.get(self.rule)
        return gettext(rule.title) if rule is not None else self.rule


class ClinicianScale(models.Model):
    """A CIWA-Ar or COWS rating entered by a clinician. For clinicians only: it never feeds
    the person's check-up, and never decides whether withdrawal at home is safe (FACTS.md
    §2.16, §2.17)."""

    class Instrument(models.TextChoices):
        CIWA_AR = "ciwa-ar", "CIWA-Ar"
        COWS = "cows", "COWS"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="clinician_scales"
    )
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    instrument = models.CharField(max_length=20, choices=Instrument.choices)
    version = models.CharField(max_length=20)
    answers: models.Field[Any, Any] = EncryptedJSONField(default=list)  # option indices
    total = models.PositiveSmallIntegerField()
    band = models.CharField(max_length=40)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-at", "-pk")

    def __str__(self) -> str:
        return f"{self.instrument} {self.public_id}"


class AppendOnlyError(RuntimeError):
    """Clinical notes are never changed or deleted: a correction is a new, amending note."""


class ClinicalNoteQuerySet(models.QuerySet["ClinicalNote"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("clinical notes cannot be changed; add an amendment")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("clinical notes cannot be deleted; add an amendment")


class ClinicalNote(models.Model):
    """A clinician's note about a person, encrypted at rest and append-only: a correction is
    a new note that `amends` the earlier one, and both stay readable."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="clinical_notes"
    )
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text: models.Field[Any, Any] = EncryptedTextField()
    amends = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="amendments"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ClinicalNoteQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return f"note {self.public_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("clinical notes cannot be changed; add an amendment")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("clinical notes cannot be deleted; add an amendment")


class ReportSnapshot(models.Model):
    """A program report computed in the background and kept (`waymark.clinic.snapshots`), for
    a program too large to compute on every visit: counts and means only, as
    `waymark.clinical.report.report_as_dict` writes them (no cell under 11 people has a value).
    Derived data: recomputed at will, and only the latest few are kept."""

    program = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="report_snapshots"
    )
    # When the computation started: the numbers are the data as it was then.
    computed_at = models.DateTimeField(default=timezone.now)
    today = models.DateField()  # the day the numbers are for
    report: models.JSONField[Any, Any] = models.JSONField()

    class Meta:
        ordering = ("-computed_at", "-pk")
        indexes = (models.Index(fields=("program", "-computed_at"), name="clinic_snapshot_latest"),)

    def __str__(self) -> str:
        return f"report snapshot {self.pk}"


class DischargeReason(models.TextChoices):
    COMPLETED = "completed", _("Completed treatment")
    LEFT = "left", _("Left before completing")
    TRANSFERRED = "transferred", _("Transferred to other care")
    OTHER = "other", _("Other")


class Episode(models.Model):
    """One episode of care: a person's admission to a program, until discharge
    (`waymark.clinic.episodes`; the maths in `waymark.clinical.episodes`). At most one open
    episode per person and program. Dates and a reason only: no free text."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="episodes"
    )
    program = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="episodes")
    admitted_on = models.DateField(_("admitted on"))
    discharged_on = models.DateField(_("discharged on"), null=True, blank=True)
    discharge_reason = models.CharField(
        _("discharge reason"), max_length=20, choices=DischargeReason.choices, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("program", "admitted_on", "pk")
        constraints = (
            models.UniqueConstraint(
                fields=("person", "program"),
                condition=models.Q(discharged_on__isnull=True),
                name="one_open_episode_per_program",
            ),
            models.CheckConstraint(
                condition=models.Q(discharged_on__isnull=True)
                | models.Q(discharged_on__gte=models.F("admitted_on")),
                name="episode_discharged_after_admission",
            ),
        )

    def __str__(self) -> str:
        return f"episode {self.public_id}"
