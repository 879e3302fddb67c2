"""Staff reads are audited without the chain's lock: each is written waiting, signed on its own,
and sealed into the chain in batches, keeping its time. Nothing about a read can be changed
unseen, waiting or sealed; only a waiting read deleted outright leaves no trace (the sealing
window, docs/operations.md), and a test here keeps that limit in view.

The attacks are made directly on the database, like tests/test_audit_attacks.py; they run on
SQLite and on PostgreSQL. The lock and concurrency tests need PostgreSQL: SQLite has one
writer at a time, so a read's INSERT there waits for the database's write lock like any write.
"""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError, connection, connections, transaction
from django.test import Client, RequestFactory
from django.utils import timezone

from waymark.accounts.models import User
from waymark.audit import keys, log
from waymark.audit.apps import SEAL_SECONDS, SEAL_TICK
from waymark.audit.models import AppendOnlyError, AuditEntry, PendingRead
from waymark.jobs.registry import TICKS

pytestmark = pytest.mark.django_db

COLUMNS = ("at", "actor_ref", "actor_label", "action", "detail", "subject_ref", "address", "via",
           "nonce", "key_id", "mac")  # fmt: skip


@pytest.fixture
def person() -> User:
    return User.objects.create_user("river", password="a-long-password-1")


@pytest.fixture
def staff() -> User:
    from waymark.accounts.models import Membership, Organization, Role

    user = User.objects.create_user("sam", password="a-long-password-2", first_name="Sam")
    program = Organization.objects.create(name="Riverside")
    Membership.objects.create(user=user, organization=program, role=Role.CLINICIAN)
    return user


def _reads(person: User, staff: User, count: int = 3) -> list[PendingRead]:
    return [
        log.record_read("view.chart", actor=staff, subject=person, detail=f"chart {n}")
        for n in range(count)
    ]


def _sql(statement: str, *params: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _insert(row: dict[str, Any]) -> None:
    """A waiting read written straight into the table, as someone with database access can."""
    values = {**row, "at": connection.ops.adapt_datetimefield_value(row["at"])}
    columns = ", ".join(COLUMNS)
    marks = ", ".join(["%s"] * len(COLUMNS))
    _sql(f"INSERT INTO audit_pendingread ({columns}) VALUES ({marks})",
         *[values[c] for c in COLUMNS])  # fmt: skip


CHANGED = "was changed after it was written, or forged without the audit key"


def _problems() -> list[tuple[int | None, int | None, str]]:
    return [(p.seq, p.read, p.what) for p in log.verify()]


# Writing and sealing ---------------------------------------------------------------------------


def test_a_read_waits_signed_with_no_place_in_the_chain(person: User, staff: User) -> None:
    request = RequestFactory().get("/clinic/", REMOTE_ADDR="192.0.2.7")
    read = log.record_read("view.chart", actor=staff, subject=person, request=request)
    assert AuditEntry.objects.count() == 0 and log.head() is None
    stored = PendingRead.objects.get()
    assert stored.actor_label == "Sam (Riverside)" and stored.subject_ref == str(person.public_id)
    assert stored.address == "192.0.2.7" and stored.via == "web"
    current = keys.current()
    assert current is not None and stored.key_id == current[0]
    assert stored.mac == read.mac == log.read_mac(stored)
    assert log.verify() == []


def test_sealing_chains_every_read_once_in_order_keeping_its_time(
    person: User, staff: User
) -> None:
    reads = _reads(person, staff, 5)
    assert log.seal() == 5
    entries = list(AuditEntry.objects.order_by("seq"))
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert [(e.at, e.detail, e.nonce) for e in entries] == [
        (r.at, r.detail, r.nonce) for r in reads
    ]
    assert all(e.actor_label == "Sam (Riverside)" for e in entries)
    assert not PendingRead.objects.exists()
    assert log.seal() == 0
    assert log.verify() == []


def test_sealing_goes_in_batches_each_under_the_lock(
    person: User, staff: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(log, "SEAL_BATCH", 2)
    reads = _reads(person, staff, 5)
    assert log.seal() == 5
    assert list(AuditEntry.objects.values_list("nonce", flat=True)) == [r.nonce for r in reads]
    assert log.verify() == []


def test_a_change_goes_into_the_chain_at_once_and_leaves_the_reads_to_the_sealing(
    person: User, staff: User
) -> None:
    _reads(person, staff, 2)
    entry = log.record("consent.grant", actor=person, subject=person)
    assert entry.seq == 1 and PendingRead.objects.count() == 2
    assert log.seal() == 2
    assert list(AuditEntry.objects.values_list("action", flat=True)) == [
        "consent.grant", "view.chart", "view.chart",
    ]  # fmt: skip
    assert log.verify() == []


def test_reads_inserted_together_share_all_but_subject_nonce_and_signature(
    person: User, staff: User
) -> None:
    """What the reads of one call share is sent once: reads that differ in more cannot be
    inserted together (a programming error, never a silent mix-up)."""
    reads = log.record_reads("view.caseload", actor=staff, subjects=[person, staff])
    assert len({r.nonce for r in reads}) == 2 and len({r.pk for r in reads}) == 2
    stored = {r.pk: (r.subject_ref, r.nonce, r.mac) for r in PendingRead.objects.all()}
    assert stored == {r.pk: (r.subject_ref, r.nonce, r.mac) for r in reads}
    what = log._what("view.caseload", staff, None, "caseload list", None)
    mixed = [log._read(what, person, ""), log._read({**what, "detail": "other"}, staff, "")]
    with pytest.raises(ValueError, match="differ only in subject_ref, nonce, mac"):
        log._insert(mixed)
    assert PendingRead.objects.count() == 2 and log.seal() == 2 and log.verify() == []


def test_staff_are_named_from_the_programs_their_request_has_read(
    staff: User, person: User, django_assert_num_queries: Any
) -> None:
    from waymark.access import request_is_staff
    from waymark.accounts.models import Membership, Organization, Role

    Membership.objects.create(
        user=staff, organization=Organization.objects.create(name="Alder"), role=Role.LEAD
    )
    request = RequestFactory().get("/clinic/")
    request.user = staff
    with django_assert_num_queries(1):
        assert request_is_staff(request)  # reads the memberships, once
    with django_assert_num_queries(0):
        named = log._label(staff, request)
    assert named == log._label(staff) == "Sam (Alder, Riverside)"
    # Another user than the request's is looked up as ever.
    with django_assert_num_queries(1):
        assert log._label(person, request) == ""


def test_many_reads_are_one_insert_however_many(
    person: User, staff: User, django_assert_num_queries: Any
) -> None:
    people = [User.objects.create_user(f"person-{n}") for n in range(50)]
    # The actor's programs (for their name in the trail), then one INSERT: no lock, no head.
    with django_assert_num_queries(2):
        log.record_reads("view.caseload", actor=staff, subjects=people[:1])
    with django_assert_num_queries(2):
        log.record_reads("view.caseload", actor=staff, subjects=people)
    with django_assert_num_queries(2):
        log.record_read("view.chart", actor=staff, subject=person)
    assert PendingRead.objects.count() == 52
    assert log.record_reads("view.caseload", actor=staff, subjects=[]) == []
    assert log.seal() == 52 and log.verify() == []


def test_reads_past_the_parameter_limit_fill_each_insert(person: User, staff: User) -> None:
    """SQLite takes 999 parameters a statement: 8 shared and 3 a read make 330 reads an
    INSERT. PostgreSQL has no such limit: one INSERT."""
    from math import ceil

    from django.test.utils import CaptureQueriesContext

    limit = connection.features.max_query_params
    count = 700
    with CaptureQueriesContext(connection) as captured:
        reads = log.record_reads("view.caseload", actor=staff, subjects=[person] * count)
    inserts = [q for q in captured.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == (ceil(count / ((limit - 8) // 3)) if limit else 1)
    assert len({r.pk for r in reads}) == count
    assert log.seal() == count and log.verify() == []


def test_the_worker_seals_every_minute(person: User, staff: User) -> None:
    _reads(person, staff, 2)
    tick = TICKS[SEAL_TICK]
    assert tick.every == timedelta(seconds=SEAL_SECONDS) == timedelta(minutes=1)
    tick.run()
    assert AuditEntry.objects.count() == 2 and not PendingRead.objects.exists()


def test_the_application_cannot_change_or_delete_a_waiting_read(person: User, staff: User):
    read = _reads(person, staff, 1)[0]
    read.detail = "changed"
    with pytest.raises(AppendOnlyError):
        read.save()
    with pytest.raises(AppendOnlyError):
        read.delete()
    with pytest.raises(AppendOnlyError):
        PendingRead.objects.filter(pk=read.pk).update(detail="x")
    with pytest.raises(AppendOnlyError):
        PendingRead.objects.all().delete()
    assert log.verify() == []


# What the person sees --------------------------------------------------------------------------


def _log_page(client: Client) -> str:
    page = client.get("/account/access/").content.decode()
    return re.sub(r"\s+", " ", page[page.index("<h1") : page.index("Back to settings")])


def test_the_person_sees_a_read_at_once_and_the_same_once_it_is_sealed(
    person: User, staff: User
) -> None:
    log.record("consent.grant", actor=person, subject=person)
    log.record_read("view.chart", actor=staff, subject=person, detail="chart")
    log.record_read("view.chart", actor=staff, subject=staff, detail="someone else's")
    client = Client()
    client.force_login(person)
    waiting_page, waiting_api = _log_page(client), client.get("/api/v1/access-log").json()
    assert "Sam (Riverside)" in waiting_page and "Opened your chart" in waiting_page
    assert "looked at or changed your data once" in waiting_page
    assert [(e["actor"], e["actor_name"], e["action"]) for e in waiting_api["items"]] == [
        ("someone", "Sam (Riverside)", "view.chart"),
        ("you", "", "consent.grant"),
    ]
    assert log.seal() == 2
    assert _log_page(client) == waiting_page
    assert client.get("/api/v1/access-log").json() == waiting_api


def test_the_log_is_in_the_order_things_happened_not_the_order_they_were_sealed(
    person: User, staff: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    earlier = timezone.now() - timedelta(seconds=30)
    monkeypatch.setattr(timezone, "now", lambda: earlier)
    log.record_read("view.chart", actor=staff, subject=person)
    monkeypatch.undo()
    log.record("consent.grant", actor=person, subject=person)
    log.seal()  # the read is sealed after the later change…
    assert list(AuditEntry.objects.values_list("action", flat=True)) == [
        "consent.grant", "view.chart",
    ]  # fmt: skip
    client = Client()
    client.force_login(person)
    items = client.get("/api/v1/access-log").json()["items"]
    assert [e["action"] for e in items] == ["consent.grant", "view.chart"]  # …newest first
    assert log.verify() == []


# Attacks -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value"),
    [("detail", "nothing to see"), ("subject_ref", "someone-else"), ("actor_label", "nobody"),
     ("action", "view.nothing"), ("via", "api")],
)  # fmt: skip
def test_an_edited_waiting_read_is_caught_and_never_sealed(
    person: User, staff: User, column: str, value: str
) -> None:
    reads = _reads(person, staff)
    _sql(f"UPDATE audit_pendingread SET {column} = %s WHERE id = %s", value, reads[1].pk)
    edited = (None, reads[1].pk, CHANGED)
    assert _problems() == [edited]
    assert log.seal() == 2  # the others go on; the edited one stays, as evidence
    assert list(PendingRead.objects.values_list("pk", flat=True)) == [reads[1].pk]
    assert _problems() == [edited]


def test_an_edited_sealed_read_is_caught_like_any_entry(person: User, staff: User) -> None:
    _reads(person, staff)
    log.seal()
    _sql("UPDATE audit_auditentry SET detail = 'nothing to see' WHERE seq = 2")
    assert _problems() == [(2, None, "was changed after it was written")]
    _sql("UPDATE audit_auditentry SET detail = 'chart 1', nonce = '' WHERE seq = 2")
    assert _problems() == [(2, None, "was changed after it was written")]


def test_a_read_forged_without_the_key_is_caught(person: User, staff: User) -> None:
    real = _reads(person, staff, 1)[0]
    forged = {c: getattr(real, c) for c in COLUMNS} | {"detail": "forged", "nonce": "f" * 32}
    _insert(forged | {"mac": "0" * 64})
    _insert(forged | {"nonce": "e" * 32, "key_id": "", "mac": "0" * 64})
    _insert(forged | {"nonce": "d" * 32, "key_id": "0123456789abcdef"})
    found = [what for _, _, what in _problems()]
    assert found == [
        CHANGED,
        "is not signed, though the audit key is configured",
        "is signed with audit key 0123456789abcdef, which is not configured",
    ]
    assert log.seal() == 1  # only the real one
    assert AuditEntry.objects.get().nonce == real.nonce


def test_a_read_put_back_after_it_was_sealed_is_caught(person: User, staff: User) -> None:
    read = _reads(person, staff, 1)[0]
    copy = {c: getattr(read, c) for c in COLUMNS}
    log.seal()
    _insert(copy)  # its signature holds: it is the real read, a second time
    (problem,) = log.verify()
    assert problem.read is not None and "a copy of a sealed read" in problem.what
    assert log.seal() == 0 and AuditEntry.objects.count() == 1


def test_a_waiting_read_deleted_outright_leaves_no_trace_until_sealed(
    person: User, staff: User
) -> None:
    """The sealing window, as docs/operations.md states it: a read deleted before it is sealed
    (within the minute) is not detectable; once sealed, deleting it breaks the chain."""
    reads = _reads(person, staff)
    _sql("DELETE FROM audit_pendingread WHERE id = %s", reads[0].pk)
    assert log.verify() == []
    log.seal()
    _sql("DELETE FROM audit_auditentry WHERE seq = 1")
    assert {p.seq for p in log.verify()} == {2}


# The command -----------------------------------------------------------------------------------


def test_verify_seals_first_and_says_when_reads_waited_too_long(
    person: User, staff: User, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    long_ago = timezone.now() - timedelta(minutes=12)
    monkeypatch.setattr(timezone, "now", lambda: long_ago)
    _reads(person, staff, 2)
    monkeypatch.undo()
    call_command("audit", "verify")
    out, err = capsys.readouterr()
    assert "reads sealed into the chain first: 2" in out and "intact: 2 entries" in out
    assert "oldest read waiting to be sealed was 12 minutes old: is the worker running?" in err
    _reads(person, staff, 1)
    call_command("audit", "verify")
    out, err = capsys.readouterr()
    assert "reads sealed into the chain first: 1" in out and err == ""


def test_verify_fails_on_an_edited_waiting_read(
    person: User, staff: User, capsys: pytest.CaptureFixture[str]
) -> None:
    reads = _reads(person, staff)
    _sql("UPDATE audit_pendingread SET detail = 'x' WHERE id = %s", reads[2].pk)
    with pytest.raises(CommandError, match="broken"):
        call_command("audit", "verify")
    assert f"read {reads[2].pk} waiting to be sealed: was changed" in capsys.readouterr().err


# PostgreSQL: no lock for a read, and sealers taking turns -------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_read_takes_no_lock_on_the_head(person: User, staff: User) -> None:
    log.record("consent.grant", actor=person, subject=person)  # the head row exists
    locked, release = threading.Event(), threading.Event()

    def hold_the_head() -> None:
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SELECT seq FROM audit_chainhead FOR UPDATE")
                locked.set()
                release.wait(30)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_the_head)
    holder.start()
    try:
        assert locked.wait(10)
        _sql("SET lock_timeout = '1s'")
        log.record_read("view.chart", actor=staff, subject=person)
        log.record_reads("view.caseload", actor=staff, subjects=[person, staff])
        with pytest.raises(OperationalError, match="lock timeout"):
            log.record("consent.revoke", actor=person, subject=person)  # a change waits
    finally:
        release.set()
        holder.join()
        _sql("SET lock_timeout = 0")
    assert PendingRead.objects.count() == 3
    assert log.seal() == 3 and log.verify() == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_sealers_writers_and_readers_at_once_make_one_chain_with_every_read_once_in_order(
    person: User, staff: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(log, "SEAL_BATCH", 25)
    reads = log.record_reads("view.caseload", actor=staff, subjects=[person] * 300)
    errors: list[BaseException] = []

    def run(work: Any) -> None:
        try:
            work()
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    def write() -> None:
        for _ in range(10):
            log.record("consent.change", actor=person, subject=person)

    def read() -> None:
        reads.extend(log.record_read("view.chart", actor=staff, subject=person) for _ in range(50))

    threads = [threading.Thread(target=run, args=(log.seal,)) for _ in range(3)]
    threads += [threading.Thread(target=run, args=(work,)) for work in (write, write, read)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    log.seal()
    chain = list(AuditEntry.objects.order_by("seq").values_list("nonce", flat=True))
    assert len(chain) == 370 and not PendingRead.objects.exists()
    in_order = sorted(reads, key=lambda read: read.pk)
    assert [nonce for nonce in chain if nonce] == [read.nonce for read in in_order]
    assert log.verify() == []


@pytest.mark.postgres
@pytest.mark.django_db
def test_waiting_reads_carry_only_the_indexes_they_are_read_by() -> None:
    """Every audited page inserts reads: each index is written with each of them. The person's
    access log reads them by subject, sealing by nonce (unique); nothing asks LIKE, for which
    PostgreSQL would need the second index Django adds to a text field's `db_index`."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = %s", [PendingRead._meta.db_table]
        )
        found = sorted(row[0].split(" USING ")[1] for row in cursor.fetchall())
    assert found == ["btree (id)", "btree (nonce)", "btree (subject_ref)"]
