"""Rows the worker claims: one-off jobs, and the next run of each periodic tick.

A job's payload carries ids and dates only, never clinical detail: it is stored in plain text
and may appear in logs and admin screens.
"""

from __future__ import annotations

from typing import Any, cast

from django.db import models
from django.db.models import Case, F, Q, Value, When


class Job(models.Model):
    kind = models.CharField(max_length=64)
    run_at = models.DateTimeField()
    payload: models.JSONField[Any, Any] = models.JSONField(default=dict, blank=True)
    # The same piece of work can never be queued twice: enqueue() with a key already present
    # does nothing (e.g. "reminder:<person>:<local date>"); enqueue(again=True) runs it again.
    dedupe_key = models.CharField(max_length=200, unique=True)
    # NULL while nobody holds the job: the claim is "UPDATE … WHERE claimed_by IS NULL".
    claimed_by = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001
    claimed_at = models.DateTimeField(null=True, blank=True)
    # A claim lasts until then; a worker that died holding it loses it, and another worker
    # claims the job again (only jobs of at-least-once kinds are still open by then).
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    done_at = models.DateTimeField(null=True, blank=True)
    # Asked to run again while a worker was running it (enqueue(again=True)): that run may
    # have read the data before the change, so finishing it queues the job once more.
    rerun = models.BooleanField(default=False)
    last_error = models.TextField(blank=True, default="")
    # What the handler reported, for people running Waymark: "sent", "skipped: …".
    outcome = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("run_at", "pk")
        indexes = (models.Index(fields=("done_at", "run_at"), name="jobs_due"),)

    def __str__(self) -> str:
        return f"{self.kind} job {self.pk}"

    @property
    def failed(self) -> bool:
        return self.done_at is not None and bool(self.last_error)


class Tick(models.Model):
    """When a periodic tick is next due. Whichever worker moves ``next_run_at`` on (one
    conditional UPDATE) runs it; the others see it moved and skip it."""

    name = models.CharField(max_length=64, unique=True)
    next_run_at = models.DateTimeField()
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return f"tick {self.name}"


def where(condition: Q, then: Any, field: str) -> Case:
    """For an UPDATE of jobs: ``then`` on the rows where ``condition`` holds, ``field`` as it
    was on the others. Every expression of one UPDATE reads the row as it was before it, so
    conditions on fields the same UPDATE sets are safe."""
    return Case(
        When(condition, then=Value(then)),
        default=F(field),
        output_field=cast("models.Field[Any, Any]", Job._meta.get_field(field)),
    )
