"""The audit trail: append-only, hash-chained, and a break anywhere is found."""

from __future__ import annotations

import threading
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections
from django.test import Client, RequestFactory
from django.urls import reverse

from waymark.accounts.models import User
from waymark.audit import log
from waymark.audit.models import AppendOnlyError, AuditEntry

pytestmark = pytest.mark.django_db


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


def _trail(person: User, staff: User, count: int = 5) -> list[AuditEntry]:
    return [
        log.record("view.chart", actor=staff, subject=person, detail=f"chart {n}")
        for n in range(count)
    ]


def _sql(statement: str, *params: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_entries_chain_in_order(person: User, staff: User) -> None:
    entries = _trail(person, staff)
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0].prev_hash == log.GENESIS
    for before, after in pairwise(entries):
        assert after.prev_hash == before.hash
    assert log.verify() == []


def test_an_edited_row_is_found(person: User, staff: User) -> None:
    _trail(person, staff)
    _sql("UPDATE audit_auditentry SET detail = %s WHERE seq = 3", "nothing to see")
    problems = log.verify()
    assert [(p.seq, p.what) for p in problems] == [(3, "was changed after it was written")]


def test_a_rewritten_hash_breaks_the_next_link(person: User, staff: User) -> None:
    _trail(person, staff)
    _sql("UPDATE audit_auditentry SET actor_label = 'someone', hash = %s WHERE seq = 2", "f" * 64)
    seqs = {p.seq for p in log.verify()}
    assert {2, 3} <= seqs


def test_a_deleted_row_is_found(person: User, staff: User) -> None:
    _trail(person, staff)
    _sql("DELETE FROM audit_auditentry WHERE seq = 2")
    problems = log.verify()
    assert problems and problems[0].seq == 3


def test_entries_cut_off_the_end_are_found(person: User, staff: User) -> None:
    _trail(person, staff)
    _sql("DELETE FROM audit_auditentry WHERE seq >= 4")
    assert [p.seq for p in log.verify()] == [None]


def test_the_application_cannot_change_or_delete_entries(person: User, staff: User) -> None:
    entry = _trail(person, staff, 1)[0]
    entry.detail = "changed"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(detail="x")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    assert log.verify() == []


def test_staff_are_named_with_their_programs_and_people_not_at_all(
    person: User, staff: User
) -> None:
    assert log.record("view.chart", actor=staff, subject=person).actor_label == "Sam (Riverside)"
    own = log.record("export.json", actor=person, subject=person)
    assert own.actor_label == "" and own.actor_ref == str(person.public_id)


def test_who_when_and_from_where(person: User, staff: User) -> None:
    request = RequestFactory().get("/clinic/", REMOTE_ADDR="192.0.2.7")
    entry = log.record("view.chart", actor=staff, subject=person, request=request)
    assert entry.actor_ref == str(staff.public_id) and entry.actor_label == "Sam (Riverside)"
    assert entry.subject_ref == str(person.public_id)
    assert entry.address == "192.0.2.7" and entry.via == "web"
    api = RequestFactory().get("/api/v1/x", REMOTE_ADDR="not an address")
    entry = log.record("view.chart", actor=staff, subject=person, request=api)
    assert entry.address is None and entry.via == "api"


def test_the_command_says_intact_or_exits_with_an_error(
    person: User, staff: User, capsys: pytest.CaptureFixture[str]
) -> None:
    _trail(person, staff)
    call_command("audit", "verify")
    assert "intact: 5 entries" in capsys.readouterr().out
    _sql("UPDATE audit_auditentry SET action = 'view.nothing' WHERE seq = 1")
    with pytest.raises(CommandError, match="broken"):
        call_command("audit", "verify")
    assert "entry 1: was changed" in capsys.readouterr().err


# SQLite's shared in-memory test database cannot take writers from several threads; on SQLite
# the IMMEDIATE transactions (settings.py) serialise writers, on PostgreSQL the head's row lock.
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_chain(person: User, staff: User) -> None:
    errors: list[BaseException] = []

    def write() -> None:
        try:
            for _ in range(10):
                log.record("view.chart", actor=staff, subject=person)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert AuditEntry.objects.count() == 40
    assert log.verify() == []


def test_the_person_sees_who_looked(client: Client, person: User, staff: User) -> None:
    url = reverse("audit:access_log")
    assert client.get(url).status_code == 302
    _trail(person, staff, 2)
    log.record("export.json", actor=person, subject=person, detail="JSON export")
    log.record("view.chart", actor=person, subject=staff, detail="someone else's")
    client.force_login(person)
    page = client.get(url).content.decode()
    assert page.count("Sam (Riverside)") == 2 and "JSON export" in page
    assert "someone else" not in page
    assert "People other than you looked at or changed your data 2 times" in page
