"""Attacks on the audit trail, made directly on the database, and how each is caught.

The review found `audit verify` reporting "intact" after every row was deleted, after the
newest rows were cut off with the head moved back, and after an edit with the hashes
recomputed. The chain is now keyed (HMAC under a key outside the database) and can be checked
against a signed checkpoint kept elsewhere: every attack here must be reported. These run on
SQLite and on PostgreSQL (CI runs the suite on both).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from tests.conftest import TEST_AUDIT_KEY
from waymark.accounts.models import User
from waymark.audit import keys, log
from waymark.audit.models import AuditEntry

pytestmark = pytest.mark.django_db
OTHER_KEY = "b3RoZXItYXVkaXQta2V5LWZvci13YXltYXJrLXRlc3Q="


@pytest.fixture
def trail() -> list[AuditEntry]:
    person = User.objects.create_user("river", password="a-long-password-1")
    return [
        log.record("view.chart", actor=None, subject=person, detail=f"chart {n}", via="system")
        for n in range(6)
    ]


def _sql(statement: str, *params: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _unkeyed_hash(entry: AuditEntry) -> str:
    """What an attacker without the key can compute: the old, plain SHA-256 chain."""
    unkeyed = AuditEntry(**{f.name: getattr(entry, f.name) for f in AuditEntry._meta.fields})
    unkeyed.key_id = ""
    return log.entry_hash(unkeyed)


def _rechain_from(seq: int, *, keep_key_id: bool) -> None:
    """Recompute every hash from `seq` on, as an attacker with database access would."""
    prev = AuditEntry.objects.get(seq=seq - 1).hash if seq > 1 else log.GENESIS
    for entry in AuditEntry.objects.filter(seq__gte=seq).order_by("seq"):
        entry.prev_hash = prev
        if not keep_key_id:
            entry.key_id = ""
        digest = _unkeyed_hash(entry)
        _sql("UPDATE audit_auditentry SET prev_hash = %s, hash = %s, key_id = %s WHERE seq = %s",
             prev, digest, entry.key_id, entry.seq)  # fmt: skip
        prev = digest
    last = AuditEntry.objects.order_by("-seq").first()
    _sql("UPDATE audit_chainhead SET seq = %s, hash = %s", last.seq if last else 0, prev)


def test_entries_are_signed_with_the_audit_key(trail: list[AuditEntry]) -> None:
    key_id = keys.key_id(keys.by_id(trail[0].key_id) or b"")
    assert all(e.key_id == key_id for e in trail)
    assert trail[0].hash != _unkeyed_hash(trail[0])  # not a plain SHA-256
    assert log.verify() == []


def test_an_edit_with_the_hashes_recomputed_is_caught(trail: list[AuditEntry]) -> None:
    _sql("UPDATE audit_auditentry SET detail = 'nothing to see' WHERE seq = 3")
    _rechain_from(3, keep_key_id=True)
    assert {p.seq for p in log.verify()} >= {3, 4, 5, 6}


def test_recomputing_the_chain_as_unsigned_is_caught(trail: list[AuditEntry]) -> None:
    _sql("UPDATE audit_auditentry SET detail = 'nothing to see' WHERE seq = 3")
    _rechain_from(3, keep_key_id=False)
    problems = log.verify()
    assert [p.seq for p in problems] == [3, 4, 5, 6]
    assert all("not signed" in p.what for p in problems)


def test_rewriting_the_whole_chain_unsigned_is_caught_by_the_checkpoint(
    trail: list[AuditEntry],
) -> None:
    point = log.checkpoint()
    _sql("UPDATE audit_auditentry SET detail = 'nothing to see' WHERE seq = 2")
    _rechain_from(1, keep_key_id=False)
    assert log.verify() == []  # without the key nothing is signed, and nothing shows
    assert [p.seq for p in log.verify(point)] == [6]


def test_deleting_every_entry_is_caught_by_the_checkpoint(trail: list[AuditEntry]) -> None:
    point = log.checkpoint()
    _sql("DELETE FROM audit_auditentry")
    _sql("DELETE FROM audit_chainhead")
    assert log.verify() == []  # an empty trail looks like a new install…
    problems = log.verify(point)  # …but not beside a checkpoint kept elsewhere
    assert len(problems) == 1 and "entries were deleted or cut off" in problems[0].what


def test_cutting_off_the_newest_with_the_head_moved_back_is_caught(
    trail: list[AuditEntry],
) -> None:
    point = log.checkpoint()
    _sql("DELETE FROM audit_auditentry WHERE seq >= 5")
    _sql("UPDATE audit_chainhead SET seq = 4, hash = %s", trail[3].hash)
    assert log.verify() == []
    assert "the chain ends at 4" in log.verify(point)[0].what


def test_a_forged_or_edited_checkpoint_is_refused(trail: list[AuditEntry]) -> None:
    point = log.checkpoint()
    forged = log.Checkpoint(2, trail[1].hash, point.at, point.key_id, point.signature)
    assert "signature is wrong" in log.verify(forged)[0].what
    unkeyed = log.Checkpoint(point.seq, point.hash, point.at, "0123456789abcdef", "x")
    assert "not configured" in log.verify(unkeyed)[0].what


def test_a_chain_that_grew_after_the_checkpoint_matches_it(trail: list[AuditEntry]) -> None:
    point = log.checkpoint()
    log.record("view.chart", actor=None, via="system")
    assert log.verify(point) == []


def test_rotating_the_key_keeps_old_entries_verifiable(settings: Any, trail: list[AuditEntry]):
    settings.WAYMARK_AUDIT_KEYS = [OTHER_KEY, TEST_AUDIT_KEY]
    newer = log.record("view.chart", actor=None, via="system")
    assert newer.key_id != trail[0].key_id
    assert log.verify() == []
    settings.WAYMARK_AUDIT_KEYS = [OTHER_KEY]  # the old key removed: its entries cannot be checked
    problems = log.verify()
    assert [p.seq for p in problems] == [e.seq for e in trail]
    assert all("not configured" in p.what for p in problems)


def test_the_commands_write_and_check_a_checkpoint(
    trail: list[AuditEntry], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "checkpoint.json"
    call_command("audit", "checkpoint", "--output", str(output))
    assert output.stat().st_mode & 0o777 == 0o600
    saved = json.loads(output.read_text())
    assert saved["seq"] == 6 and saved["hash"] == trail[-1].hash
    call_command("audit", "verify", "--checkpoint", str(output))
    assert "matches the checkpoint" in capsys.readouterr().out
    _sql("DELETE FROM audit_auditentry WHERE seq >= 5")
    _sql("UPDATE audit_chainhead SET seq = 4, hash = %s", trail[3].hash)
    with pytest.raises(CommandError, match="broken"):
        call_command("audit", "verify", "--checkpoint", str(output))
    assert "cut off" in capsys.readouterr().err


def test_verify_uses_the_newest_checkpoint_the_worker_wrote(
    settings: Any, trail: list[AuditEntry], tmp_path: Path
) -> None:
    settings.WAYMARK_AUDIT_CHECKPOINT_DIR = str(tmp_path)
    written = log.write_daily_checkpoint()
    assert written is not None and written.parent == tmp_path
    assert written.stat().st_mode & 0o777 == 0o600
    _sql("DELETE FROM audit_auditentry")
    _sql("DELETE FROM audit_chainhead")
    with pytest.raises(CommandError, match="broken"):
        call_command("audit", "verify")


def test_a_checkpoint_file_that_is_not_one_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "something else"}')
    with pytest.raises(CommandError, match="cannot read the checkpoint"):
        call_command("audit", "verify", "--checkpoint", str(bad))


def test_the_key_id_says_nothing_about_the_key() -> None:
    raw = b"k" * 32
    assert keys.key_id(raw) == hashlib.sha256(raw).hexdigest()[:16]
