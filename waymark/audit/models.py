"""The audit trail: append-only and hash-chained, so an edited or deleted row is detected.

Each entry stores the hash of the entry before it and an HMAC-SHA256, under an audit key kept
outside the database, over its own fields and that hash (a plain SHA-256 for entries written
before the trail was keyed). The single :class:`ChainHead` row holds the newest sequence
number and hash: taking it for update is what puts concurrent writers (several app servers,
the worker) in one order, and it lets `waymark audit verify` notice when the newest entries
were cut off the end.

Staff reads are many, and must not queue on that one row: a read is written to
:class:`PendingRead` with a plain INSERT, signed on its own (an HMAC under the same key), and
sealed into the chain in batches soon after (`waymark.audit.log.seal`).

People are referred to by their opaque ``public_id`` only, never by a foreign key: entries
outlive the accounts they mention (a deleted account leaves only that reference behind).
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models


class AppendOnlyError(RuntimeError):
    """Audit entries are never changed or deleted through the application."""


class AppendOnlyQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit entries cannot be changed")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("audit entries cannot be deleted")


class AuditEntry(models.Model):
    seq = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField()
    # Who: the actor's public_id ("" for the system) and the name they had at the time.
    actor_ref = models.CharField(max_length=36, blank=True)
    actor_label = models.CharField(max_length=200, blank=True)
    # What: a dotted action ("view.chart", "consent.revoke", "export.fhir") and a short detail
    # that never carries clinical data.
    action = models.CharField(max_length=64)
    detail = models.CharField(max_length=300, blank=True)
    # Whose data: the person's public_id, or "" when no one person's data was touched.
    subject_ref = models.CharField(max_length=36, blank=True, db_index=True)
    # From where: the client address as the app server saw it, and the channel.
    address = models.GenericIPAddressField(null=True, blank=True)
    via = models.CharField(max_length=16)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    # The id of the audit key the hash was signed with (waymark/audit/keys.py); "" for entries
    # written before the trail was keyed, whose hash is a plain SHA-256.
    key_id = models.CharField(max_length=16, blank=True, default="")
    # A sealed read's random id, from its PendingRead ("" for every other entry): a copy of a
    # read put back to be sealed again is found by it.
    nonce = models.CharField(max_length=32, blank=True, default="")

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ("seq",)
        verbose_name_plural = "audit entries"
        constraints = (
            models.UniqueConstraint(
                fields=["nonce"], condition=~models.Q(nonce=""), name="audit_entry_nonce_once"
            ),
        )

    def __str__(self) -> str:
        return f"audit #{self.seq} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit entries cannot be deleted")


class ChainHead(models.Model):
    """One row: the newest entry's sequence number and hash."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"audit head #{self.seq}"


class PendingQuerySet(models.QuerySet["PendingRead"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("reads waiting to be sealed cannot be changed")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("reads waiting to be sealed are only removed by sealing them")

    def remove_sealed(self) -> int:
        """Delete these rows: only for `waymark.audit.log.seal`, in the transaction that has
        just chained them."""
        return models.QuerySet.delete(self)[0]


class PendingRead(models.Model):
    """A staff read, written without the chain's lock and waiting to be sealed into it: the
    fields an AuditEntry gets, a random nonce, and an HMAC under the audit key over them."""

    at = models.DateTimeField()
    actor_ref = models.CharField(max_length=36, blank=True)
    actor_label = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=64)
    detail = models.CharField(max_length=300, blank=True)
    subject_ref = models.CharField(max_length=36, blank=True)
    address = models.GenericIPAddressField(null=True, blank=True)
    via = models.CharField(max_length=16)
    nonce = models.CharField(max_length=32)
    key_id = models.CharField(max_length=16, blank=True, default="")
    mac = models.CharField(max_length=64)

    objects = PendingQuerySet.as_manager()

    class Meta:
        ordering = ("id",)
        # Declared here, not as `db_index` and `unique` on the fields: on PostgreSQL those add
        # a second index for LIKE to each text column, which nothing here asks, and every
        # audited page wrote: a third of the cost of inserting a caseload page's 50 reads.
        indexes = (models.Index(fields=["subject_ref"], name="pending_read_subject"),)
        constraints = (models.UniqueConstraint(fields=["nonce"], name="one_pending_read_a_nonce"),)

    def __str__(self) -> str:
        return f"audit read {self.action} waiting to be sealed"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("reads waiting to be sealed cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("reads waiting to be sealed are only removed by sealing them")
