"""Writing and checking the audit trail (the one place that does either).

`record` is called by every action that shows or changes a person's data for someone other than
that person, by every consent change and by every export. It runs in the caller's transaction,
so an action that rolls back leaves no entry, and an entry never exists for an action that did
not happen.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from waymark.audit.models import AuditEntry, ChainHead

if TYPE_CHECKING:
    from waymark.accounts.models import User

GENESIS = "0" * 64
HEAD = 1
MAX_DETAIL = 300


def _ref(user: Any) -> str:
    return str(user.public_id) if user is not None else ""


def _label(user: Any) -> str:
    """Staff are named as people would know them, with their programs: "Sam Lee (Riverside
    Outpatient)", so a person can tell who looked. Anyone else gets no name in the trail:
    only the opaque reference, which says nothing once their account is deleted."""
    if user is None:
        return ""
    from waymark.accounts.models import Membership

    programs = sorted(
        Membership.objects.filter(user=user, active=True).values_list(
            "organization__name", flat=True
        )
    )
    if not programs and not (user.is_staff or user.is_superuser):
        return ""
    name = str(user.get_full_name() or user.get_username())
    if programs:
        name = f"{name} ({', '.join(programs)})"
    return name[:200]


def _address(request: HttpRequest | None) -> str | None:
    """The client address the app server saw; proxies are the deployer's to configure."""
    if request is None:
        return None
    raw = str(request.META.get("REMOTE_ADDR") or "")
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        return None


def _via(request: HttpRequest | None, via: str | None) -> str:
    if via:
        return via
    if request is None:
        return "system"
    return "api" if request.path.startswith("/api/") else "web"


def entry_hash(entry: AuditEntry) -> str:
    """SHA-256 over the entry's fields and the hash of the entry before it."""
    fields = {
        "seq": entry.seq,
        "at": entry.at.isoformat(),
        "actor_ref": entry.actor_ref,
        "actor_label": entry.actor_label,
        "action": entry.action,
        "detail": entry.detail,
        "subject_ref": entry.subject_ref,
        "address": entry.address,
        "via": entry.via,
        "prev_hash": entry.prev_hash,
    }
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _take_head(count: int = 1) -> ChainHead:
    """Lock the head row (creating it after a fresh database) and advance it by `count`."""
    if not ChainHead.objects.filter(pk=HEAD).update(seq=F("seq") + count):
        ChainHead.objects.get_or_create(pk=HEAD, defaults={"seq": 0, "hash": GENESIS})
        ChainHead.objects.filter(pk=HEAD).update(seq=F("seq") + count)
    return ChainHead.objects.get(pk=HEAD)


def record(
    action: str,
    *,
    actor: User | None,
    subject: User | None = None,
    request: HttpRequest | None = None,
    detail: str = "",
    via: str | None = None,
) -> AuditEntry:
    """Append one entry: who (actor), did what (action, detail), to whose data (subject)."""
    with transaction.atomic():
        # The UPDATE takes the row lock (PostgreSQL) or the write lock (SQLite) before the
        # read, so two writers can never chain onto the same previous entry.
        head = _take_head()
        entry = AuditEntry(
            seq=head.seq,
            at=timezone.now(),
            actor_ref=_ref(actor),
            actor_label=_label(actor),
            action=action,
            detail=detail[:MAX_DETAIL],
            subject_ref=_ref(subject),
            address=_address(request),
            via=_via(request, via),
            prev_hash=head.hash,
        )
        entry.hash = entry_hash(entry)
        entry.save()
        ChainHead.objects.filter(pk=HEAD).update(hash=entry.hash)
    return entry


def record_many(
    action: str,
    *,
    actor: User | None,
    subjects: Sequence[User],
    request: HttpRequest | None = None,
    detail: str = "",
) -> list[AuditEntry]:
    """One entry per subject, chained in order, in a fixed number of queries however many:
    for a list that shows several people's data at once (the caseload), so each of them sees
    it in their own access log."""
    if not subjects:
        return []
    with transaction.atomic():
        head = _take_head(len(subjects))
        at, label, address = timezone.now(), _label(actor), _address(request)
        prev, first = head.hash, head.seq - len(subjects) + 1
        # The head's hash is still the one before these entries: it is updated below.
        entries = []
        for offset, subject in enumerate(subjects):
            entry = AuditEntry(
                seq=first + offset,
                at=at,
                actor_ref=_ref(actor),
                actor_label=label,
                action=action,
                detail=detail[:MAX_DETAIL],
                subject_ref=_ref(subject),
                address=address,
                via=_via(request, None),
                prev_hash=prev,
            )
            entry.hash = prev = entry_hash(entry)
            entries.append(entry)
        AuditEntry.objects.bulk_create(entries)
        ChainHead.objects.filter(pk=HEAD).update(hash=prev)
    return entries


@dataclass(frozen=True)
class Problem:
    seq: int | None
    what: str

    def __str__(self) -> str:
        where = f"entry {self.seq}" if self.seq is not None else "chain head"
        return f"{where}: {self.what}"


def _walk() -> Iterator[Problem]:
    expected_seq, prev = 1, GENESIS
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
        if entry.seq != expected_seq:
            yield Problem(entry.seq, f"expected entry {expected_seq} here: entries are missing")
        if entry.prev_hash != prev:
            yield Problem(entry.seq, "does not follow the entry before it")
        if entry_hash(entry) != entry.hash:
            yield Problem(entry.seq, "was changed after it was written")
        expected_seq, prev = entry.seq + 1, entry.hash
    head = ChainHead.objects.filter(pk=HEAD).first()
    last_seq = expected_seq - 1
    if head is None:
        if last_seq:
            yield Problem(None, "is missing")
        return
    if head.seq != last_seq or head.hash != prev:
        newest = f"says entry {head.seq} is the newest, but the chain ends at {last_seq}"
        yield Problem(None, newest)


def verify() -> list[Problem]:
    """Every break in the chain: edited, deleted, inserted or cut-off entries."""
    return list(_walk())


def head() -> ChainHead | None:
    return ChainHead.objects.filter(pk=HEAD).first()


def entries_about(person: User) -> QuerySet[AuditEntry]:
    """Everything the trail says about one person's data, newest first."""
    return AuditEntry.objects.filter(subject_ref=_ref(person)).order_by("-seq")
