"""Writing and checking the audit trail (the one place that does either).

`record` is called by every action that shows or changes a person's data for someone other than
that person, by every consent change and by every export. It runs in the caller's transaction,
so an action that rolls back leaves no entry, and an entry never exists for an action that did
not happen.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from waymark.audit import keys
from waymark.audit.models import AuditEntry, ChainHead
from waymark.net import client_address

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
    """The client's address, as waymark.net decides it (behind a proxy too)."""
    return client_address(request) if request is not None else None


def _via(request: HttpRequest | None, via: str | None) -> str:
    if via:
        return via
    if request is None:
        return "system"
    return "api" if request.path.startswith("/api/") else "web"


class UnknownKeyError(LookupError):
    """An entry or checkpoint signed with an audit key that is not configured."""


def entry_hash(entry: AuditEntry) -> str:
    """HMAC-SHA256, under the audit key the entry names, over the entry's fields and the hash
    of the entry before it; a plain SHA-256 for an entry written before the trail was keyed."""
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
    if not entry.key_id:
        return hashlib.sha256(canonical.encode()).hexdigest()
    key = keys.by_id(entry.key_id)
    if key is None:
        raise UnknownKeyError(entry.key_id)
    return keys.sign(key, canonical)


def _key_id() -> str:
    """The id of the key new entries are signed with ("" when none is configured: the check
    waymark.E009 stops a production server from starting like that)."""
    found = keys.current()
    return found[0] if found else ""


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
            key_id=_key_id(),
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
        key_id = _key_id()
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
                key_id=key_id,
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
    expected_seq, prev, keyed = 1, GENESIS, False
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
        if entry.seq != expected_seq:
            yield Problem(entry.seq, f"expected entry {expected_seq} here: entries are missing")
        if entry.prev_hash != prev:
            yield Problem(entry.seq, "does not follow the entry before it")
        if keyed and not entry.key_id:
            # Once the trail is keyed it stays keyed: an unsigned entry after a signed one was
            # written around the key (a plain SHA-256 anyone can recompute).
            yield Problem(entry.seq, "is not signed, though the entries before it are")
        keyed = keyed or bool(entry.key_id)
        try:
            if entry_hash(entry) != entry.hash:
                yield Problem(entry.seq, "was changed after it was written")
        except UnknownKeyError:
            yield Problem(
                entry.seq, f"is signed with audit key {entry.key_id}, which is not configured"
            )
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


# Checkpoints ---------------------------------------------------------------------------------

CHECKPOINT_FORMAT = "waymark-audit-checkpoint/1"


@dataclass(frozen=True)
class Checkpoint:
    """The chain's head at one moment, signed with the audit key: kept outside the database,
    it proves later that no entry up to `seq` was deleted, cut off or rewritten."""

    seq: int
    hash: str
    at: str
    key_id: str
    signature: str

    def message(self) -> str:
        return f"{CHECKPOINT_FORMAT}:{self.seq}:{self.hash}:{self.at}:{self.key_id}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": CHECKPOINT_FORMAT,
            "seq": self.seq,
            "hash": self.hash,
            "at": self.at,
            "key_id": self.key_id,
            "signature": self.signature,
        }


class CheckpointError(ValueError):
    """A checkpoint file that cannot be read."""


def checkpoint() -> Checkpoint:
    """A signed checkpoint of the chain's head now (ImproperlyConfigured without a key)."""
    found_id, key = keys.require_current()
    current = head()
    seq, hash_ = (current.seq, current.hash) if current else (0, GENESIS)
    unsigned = Checkpoint(seq, hash_, timezone.now().isoformat(), found_id, "")
    return Checkpoint(seq, hash_, unsigned.at, found_id, keys.sign(key, unsigned.message()))


def read_checkpoint(text: str) -> Checkpoint:
    try:
        data = json.loads(text)
        if data.get("format") != CHECKPOINT_FORMAT:
            raise CheckpointError("not a Waymark audit checkpoint")
        return Checkpoint(
            int(data["seq"]), str(data["hash"]), str(data["at"]), str(data["key_id"]),
            str(data["signature"]),
        )  # fmt: skip
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        if isinstance(error, CheckpointError):
            raise
        raise CheckpointError(f"not a readable checkpoint ({error})") from error


def _against(point: Checkpoint) -> Iterator[Problem]:
    key = keys.by_id(point.key_id)
    if key is None:
        yield Problem(None, f"the checkpoint is signed with audit key {point.key_id}, "
                            "which is not configured")  # fmt: skip
        return
    if not hmac_equal(keys.sign(key, point.message()), point.signature):
        yield Problem(None, "the checkpoint's signature is wrong: it was changed or forged")
        return
    if point.seq == 0:
        return
    entry = AuditEntry.objects.filter(seq=point.seq).first()
    if entry is None:
        newest = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
        yield Problem(point.seq, f"is in the checkpoint of {point.at}, but the chain ends at "
                                 f"{newest}: entries were deleted or cut off")  # fmt: skip
    elif entry.hash != point.hash:
        yield Problem(point.seq, f"differs from the checkpoint of {point.at}: the chain up to "
                                 "it was rewritten")  # fmt: skip


def hmac_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a, b)


def latest_checkpoint(folder: str) -> Checkpoint | None:
    """The newest checkpoint in a folder of them (as the worker writes them), if any."""
    found = sorted(Path(folder).glob("audit-checkpoint-*.json")) if folder else []
    return read_checkpoint(found[-1].read_text(encoding="utf-8")) if found else None


def write_checkpoint(folder: str, when: datetime | None = None) -> Path:
    """Write today's checkpoint into `folder` (0600; replaces today's if run again)."""
    point = checkpoint()
    day = (when or timezone.now()).strftime("%Y%m%d")
    path = Path(folder) / f"audit-checkpoint-{day}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(point.as_dict(), indent=2) + "\n", encoding="utf-8")
    temporary.chmod(0o600)
    temporary.replace(path)
    return path


def write_daily_checkpoint() -> Path | None:
    """The worker's daily tick: today's checkpoint into WAYMARK_AUDIT_CHECKPOINT_DIR, when
    that is set and an audit key is configured."""
    from django.conf import settings

    folder = settings.WAYMARK_AUDIT_CHECKPOINT_DIR
    if not folder or keys.current() is None:
        return None
    return write_checkpoint(folder)


def verify(point: Checkpoint | None = None) -> list[Problem]:
    """Every break in the chain: edited, deleted, inserted or cut-off entries, entries signed
    around the key, and — with a checkpoint — a chain shorter than it or rewritten up to it."""
    problems = list(_walk())
    if point is not None:
        problems += list(_against(point))
    return problems


def head() -> ChainHead | None:
    return ChainHead.objects.filter(pk=HEAD).first()


def entries_about(person: User) -> QuerySet[AuditEntry]:
    """Everything the trail says about one person's data, newest first."""
    return AuditEntry.objects.filter(subject_ref=_ref(person)).order_by("-seq")
