"""API Idempotency-Keys are kept for KEEP_KEYS: long enough for any client's retries."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from waymark.tracking.models import SubmissionKey

KEEP_KEYS = timedelta(days=7)
TICK = "tracking.purge-submission-keys"
TICK_SECONDS = 6 * 60 * 60


def purge_submission_keys(now: datetime | None = None) -> int:
    """Forget keys older than KEEP_KEYS (the worker runs this as a tick); how many went."""
    cutoff = (now or timezone.now()) - KEEP_KEYS
    deleted, _ = SubmissionKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
