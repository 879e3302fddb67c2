"""Writing and checking the audit trail (the one place that does either).

`record` is called by every action that changes a person's data for someone other than that
person, by every consent change and by every export of one's own data; `record_read` and
`record_reads` by every staff read (a chart, the caseload, a report). Both run in the caller's
transaction, so an action that rolls back leaves no entry, and an entry never exists for an
action that did not happen.

`record` appends to the chain under its head's lock. A read does not take that lock: it is one
INSERT into PendingRead, signed on its own, and `seal` moves waiting reads into the chain in
batches (the worker every minute, and `waymark audit verify` before it checks), keeping the
time each read happened.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
from collections.abc import Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import BigIntegerField, CharField, F, QuerySet, Value
from django.http import HttpRequest
from django.utils import timezone

from waymark import rows
from waymark.audit import keys
from waymark.audit.models import AuditEntry, ChainHead, PendingRead
from waymark.net import client_address

if TYPE_CHECKING:
    from waymark.accounts.models import User

logger = logging.getLogger(__name__)

GENESIS = "0" * 64
HEAD = 1
MAX_DETAIL = 300
SEAL_BATCH = 500  # waiting reads chained per transaction: the head's lock is held that long
# Reads waiting longer than this mean nothing is sealing them (the worker is down).
STALLED_AFTER = timedelta(minutes=5)


def _ref(user: Any) -> str:
    return str(user.public_id) if user is not None else ""


def _label(user: Any, request: HttpRequest | None = None) -> str:
    """Staff are named as people would know them, with their programs: "Sam Lee (Riverside
    Outpatient)", so a person can tell who looked. Anyone else gets no name in the trail:
    only the opaque reference, which says nothing once their account is deleted. (The
    programs of the request's own user are those the request has read already.)"""
    if user is None:
        return ""
    from waymark.access import request_memberships
    from waymark.accounts.models import Membership

    if request is not None and getattr(getattr(request, "user", None), "pk", None) == user.pk:
        programs = sorted(m.organization.name for m in request_memberships(request))
    else:
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


def _signed(fields: dict[str, Any], key_id: str) -> str:
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    if not key_id:
        return hashlib.sha256(canonical.encode()).hexdigest()
    key = keys.by_id(key_id)
    if key is None:
        raise UnknownKeyError(key_id)
    return keys.sign(key, canonical)


def entry_hash(entry: AuditEntry) -> str:
    """HMAC-SHA256, under the audit key the entry names, over the entry's fields and the hash
    of the entry before it; a plain SHA-256 for an entry written before the trail was keyed."""
    fields: dict[str, Any] = {
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
    if entry.nonce:  # a sealed read (entries from before reads were sealed have none)
        fields["nonce"] = entry.nonce
    return _signed(fields, entry.key_id)


def read_mac(read: PendingRead) -> str:
    """HMAC-SHA256, under the audit key the read names, over a waiting read's own fields (it
    has no place in the chain yet); marked as a read, so it can never pass for an entry."""
    fields = {
        "kind": "pending-read",
        "nonce": read.nonce,
        "at": read.at.isoformat(),
        "actor_ref": read.actor_ref,
        "actor_label": read.actor_label,
        "action": read.action,
        "detail": read.detail,
        "subject_ref": read.subject_ref,
        "address": read.address,
        "via": read.via,
    }
    return _signed(fields, read.key_id)


def _key_id() -> str:
    """The id of the key new entries are signed with ("" when none is configured: the check
    waymark.E009 stops a production server from starting like that)."""
    found = keys.current()
    return found[0] if found else ""


def _take_head() -> ChainHead:
    """Lock the head row (creating it after a fresh database) and read it. Call inside a
    transaction: the UPDATE takes the row lock (PostgreSQL) or the write lock (SQLite) before
    the read, so two writers can never chain onto the same previous entry."""
    if not ChainHead.objects.filter(pk=HEAD).update(seq=F("seq")):
        ChainHead.objects.get_or_create(pk=HEAD, defaults={"seq": 0, "hash": GENESIS})
        ChainHead.objects.filter(pk=HEAD).update(seq=F("seq"))
    return ChainHead.objects.get(pk=HEAD)


def _chain(head: ChainHead, entries: list[AuditEntry]) -> None:
    """Number, sign and save `entries` after the locked head, and move the head past them."""
    seq, prev, key_id = head.seq, head.hash, _key_id()
    for entry in entries:
        seq += 1
        entry.seq, entry.prev_hash, entry.key_id = seq, prev, key_id
        entry.hash = prev = entry_hash(entry)
    AuditEntry.objects.bulk_create(entries)
    ChainHead.objects.filter(pk=HEAD).update(seq=seq, hash=prev)


# What happened, as an entry and a waiting read both say it.
FIELDS = ("at", "actor_ref", "actor_label", "action", "detail", "subject_ref", "address", "via")


def _what(
    action: str, actor: User | None, request: HttpRequest | None, detail: str, via: str | None
) -> dict[str, Any]:
    """The fields of FIELDS but the subject's, for one call (the actor's label is a query)."""
    return {
        "at": timezone.now(),
        "actor_ref": _ref(actor),
        "actor_label": _label(actor, request),
        "action": action,
        "detail": detail[:MAX_DETAIL],
        "address": _address(request),
        "via": _via(request, via),
    }


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
    entry = AuditEntry(**_what(action, actor, request, detail, via), subject_ref=_ref(subject))
    _append([entry])
    return entry


def record_many(
    action: str,
    *,
    actor: User | None,
    subjects: Sequence[User],
    request: HttpRequest | None = None,
    detail: str = "",
) -> list[AuditEntry]:
    """One entry per subject, chained in order, in a fixed number of queries however many.
    For a change that touches several people; a read of several (the caseload) is
    `record_reads`."""
    if not subjects:
        return []
    what = _what(action, actor, request, detail, None)
    entries = [AuditEntry(**what, subject_ref=_ref(subject)) for subject in subjects]
    _append(entries)
    return entries


def _append(entries: list[AuditEntry]) -> None:
    """Chain `entries` under the head's lock. Reads waiting are left to `seal`: sealing them
    here would need the web server's database role to delete them (operations.md)."""
    with transaction.atomic():
        _chain(_take_head(), entries)


# Reads: written without the head's lock, sealed into the chain soon after -------------------


def _read(what: dict[str, Any], subject: User | None, key_id: str) -> PendingRead:
    read = PendingRead(
        **what, subject_ref=_ref(subject), nonce=secrets.token_hex(16), key_id=key_id
    )
    read.mac = read_mac(read)
    return read


def record_read(
    action: str,
    *,
    actor: User | None,
    subject: User | None = None,
    request: HttpRequest | None = None,
    detail: str = "",
    via: str | None = None,
) -> PendingRead:
    """Record that `actor` saw `subject`'s data (or, with no subject, something about no one
    person): one INSERT, no lock on the chain. `seal` chains it soon after."""
    read = _read(_what(action, actor, request, detail, via), subject, _key_id())
    read.save()
    return read


def record_reads(
    action: str,
    *,
    actor: User | None,
    subjects: Sequence[User],
    request: HttpRequest | None = None,
    detail: str = "",
) -> list[PendingRead]:
    """One read per subject, for a page that shows several people's data at once (the
    caseload), so each sees it in their own access log: one multi-row INSERT however many
    (split only past the database's limit on parameters), no lock on the chain."""
    if not subjects:
        return []
    what, key_id = _what(action, actor, request, detail, None), _key_id()
    reads = [_read(what, subject, key_id) for subject in subjects]
    _insert(reads)
    return reads


# What differs from one read of a call to the next: the rest is the same for all of them.
_EACH_READ = ("subject_ref", "nonce", "mac")


def _insert(reads: list[PendingRead]) -> None:
    """Insert waiting reads of one call (the same action, actor, time, ...: only `_EACH_READ`
    differs) with their ids set, as `bulk_create` would: what they share is sent once, and
    one row of the three that differ a read (``INSERT ... SELECT ... FROM (VALUES ...)``), so
    a page of 50 reads is 158 parameters, not 550 for psycopg to quote and the database to
    parse. The text is passed as it is (`bulk_create` prepares each field of each row on its
    own); the time and the address go through their field's own preparation."""
    db = rows.database()
    fields = [f for f in PendingRead._meta.concrete_fields if not f.primary_key]
    each = [f for f in fields if f.attname in _EACH_READ]
    first = reads[0]
    shared = {
        f.attname: getattr(first, f.attname) if isinstance(f, CharField)
        else f.get_db_prep_save(getattr(first, f.attname), db)
        for f in fields if f not in each
    }  # fmt: skip
    if any(getattr(read, name) != getattr(first, name) for read in reads for name in shared):
        raise ValueError("reads inserted together differ only in " + ", ".join(_EACH_READ))
    picked = [
        f"v.column{each.index(f) + 1}" if f in each else "%s" for f in fields
    ]  # VALUES' columns are column1, column2, ... on both databases
    table = rows.table(db, PendingRead)
    columns = ", ".join(rows.column(db, PendingRead, f.name) for f in fields)
    returning = db.features.can_return_rows_from_bulk_insert
    limit = db.features.max_query_params  # SQLite's; None: no limit (PostgreSQL)
    size = max((limit - len(shared)) // len(each), 1) if limit else len(reads)
    with transaction.atomic(savepoint=False) if len(reads) > size else nullcontext():
        for start in range(0, len(reads), size):
            batch = reads[start : start + size]
            row = f"({', '.join(['%s'] * len(each))})"
            sql = (
                f"INSERT INTO {table} ({columns}) SELECT {', '.join(picked)} "  # noqa: S608 (names from the model, values as %s)
                f"FROM (VALUES {', '.join([row] * len(batch))}) AS v"
            )
            if returning:
                sql += f" RETURNING {rows.column(db, PendingRead, 'id')}"
            values = [shared[f.attname] for f in fields if f not in each]
            values += [getattr(read, f.attname) for read in batch for f in each]
            with db.cursor() as cursor:
                cursor.execute(sql, values)
                ids = [found[0] for found in cursor.fetchall()] if returning else []
            for read, pk in zip(batch, ids or [None] * len(batch), strict=True):
                read.pk = pk
                read._state.adding, read._state.db = False, db.alias


def _read_problem(read: PendingRead, keyed: bool) -> str | None:
    """What is wrong with a waiting read's own signature, if anything."""
    if keyed and not read.key_id:
        # With a key configured every read is signed: an unsigned one was written around it.
        return "is not signed, though the audit key is configured"
    try:
        if not hmac_equal(read_mac(read), read.mac):
            return "was changed after it was written, or forged without the audit key"
    except UnknownKeyError:
        return f"is signed with audit key {read.key_id}, which is not configured"
    return None


def _sealable(after: int, limit: int) -> tuple[int | None, dict[int, AuditEntry]]:
    """The last of up to `limit` waiting reads after id `after` (None when there is none),
    and, by read id in id order, the chain entries (not numbered yet) of those that may be
    sealed: their signature holds and their nonce is nowhere in the chain. The others stay
    where they are, for `verify` to report."""
    waiting = list(PendingRead.objects.filter(pk__gt=after).order_by("pk")[:limit])
    if not waiting:
        return None, {}
    nonces = [read.nonce for read in waiting]
    chained = set(AuditEntry.objects.filter(nonce__in=nonces).values_list("nonce", flat=True))
    keyed, sealing = keys.current() is not None, {}
    for read in waiting:
        problem = _read_problem(read, keyed) or ("is a copy" if read.nonce in chained else None)
        if problem:
            logger.warning("audit: read %s %s: left waiting, unsealed", read.pk, problem)
            continue
        fields = {name: getattr(read, name) for name in FIELDS}
        sealing[read.pk] = AuditEntry(**fields, nonce=read.nonce)
    return waiting[-1].pk, sealing


def _remove(sealed: dict[int, AuditEntry]) -> None:
    """Delete the waiting reads just chained, by id (on PostgreSQL a read with a lower id may
    still be committing, unseen: it stays for the next turn)."""
    if sealed:
        PendingRead.objects.filter(pk__in=list(sealed)).remove_sealed()


def seal() -> int:
    """Chain every read waiting now, in batches of SEAL_BATCH, each in one transaction under
    the head's lock (so two sealers, or a sealer and a writer, take turns): each read once, in
    the order written, keeping its time. Reads whose signature fails stay waiting, for
    `verify` to report. How many were sealed."""
    count, after = 0, 0
    while PendingRead.objects.filter(pk__gt=after).exists():  # no lock taken for nothing
        with transaction.atomic():
            head = _take_head()
            last, sealed = _sealable(after, SEAL_BATCH)
            if last is None:
                break
            if sealed:
                _chain(head, list(sealed.values()))
                _remove(sealed)
        count, after = count + len(sealed), last
    return count


def oldest_waiting() -> datetime | None:
    """When the oldest read still waiting to be sealed happened."""
    return PendingRead.objects.order_by("at").values_list("at", flat=True).first()


@dataclass(frozen=True)
class Problem:
    seq: int | None
    what: str
    read: int | None = None  # the id of a read waiting to be sealed

    def __str__(self) -> str:
        if self.read is not None:
            return f"read {self.read} waiting to be sealed: {self.what}"
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


def _waiting() -> Iterator[Problem]:
    """Reads not sealed yet: each one's own signature, and none that is in the chain already
    (a copy put back to be sealed twice)."""
    keyed = keys.current() is not None
    for read in PendingRead.objects.order_by("pk").iterator(chunk_size=2000):
        problem = _read_problem(read, keyed)
        if problem:
            yield Problem(None, problem, read=read.pk)
    sealed = AuditEntry.objects.exclude(nonce="").values("nonce")
    copies = PendingRead.objects.filter(nonce__in=sealed).order_by("pk")
    for pk in copies.values_list("pk", flat=True).iterator(chunk_size=2000):
        yield Problem(None, "is in the chain already: a copy of a sealed read", read=pk)


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
    around the key, and — with a checkpoint — a chain shorter than it or rewritten up to it;
    and every read waiting to be sealed that was edited, forged, signed around the key or
    copied. (A waiting read deleted outright leaves no trace: docs/operations.md.)"""
    problems = list(_walk()) + list(_waiting())
    if point is not None:
        problems += list(_against(point))
    return problems


def head() -> ChainHead | None:
    return ChainHead.objects.filter(pk=HEAD).first()


SHOWN = ("at", "actor_ref", "actor_label", "action", "detail", "via", "seq")


def entries_about(
    person: User, *, not_by: User | None = None
) -> QuerySet[AuditEntry, dict[str, Any]]:
    """Everything the trail says about one person's data, sealed or still waiting to be,
    newest first (by when it happened), as dicts of SHOWN; `not_by` leaves that actor out."""
    sealed = AuditEntry.objects.filter(subject_ref=_ref(person))
    waiting = PendingRead.objects.filter(subject_ref=_ref(person))
    if not_by is not None:
        sealed = sealed.exclude(actor_ref=_ref(not_by))
        waiting = waiting.exclude(actor_ref=_ref(not_by))
    rows: QuerySet[AuditEntry, dict[str, Any]] = sealed.order_by().values(*SHOWN)
    unsealed = waiting.order_by().annotate(seq=Value(None, output_field=BigIntegerField()))
    return rows.union(unsealed.values(*SHOWN), all=True).order_by(
        F("at").desc(), F("seq").desc(nulls_first=True)
    )
