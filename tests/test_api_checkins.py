"""Writing check-ins through the API: POST /api/v1/checkins and PUT /api/v1/checkins/{day}.
The same checks as the page, session + CSRF, and a retry never makes a second check-in."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.core.cache import cache
from django.db import connection, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.test_api import assert_error
from waymark.accounts.models import User
from waymark.api import tokens
from waymark.clinic.hooks import evaluation_key
from waymark.interop.models import ApiToken
from waymark.jobs.models import Job
from waymark.jobs.registry import TICKS
from waymark.tracking import actions, keys
from waymark.tracking.keys import purge_submission_keys
from waymark.tracking.models import CheckIn, SubmissionKey, SubstanceAmount

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limit(settings: Any) -> Iterator[None]:
    settings.WAYMARK_API_RATE_LIMIT = 100_000
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def person(client: Client) -> User:
    user = User.objects.create_user("sam", password="a-long-password-1")
    client.force_login(user)
    return user


def send(
    client: Client,
    body: Any,
    key: uuid.UUID | str | None = None,
    *,
    method: str = "post",
    url: str = "/api/v1/checkins",
    **extra: Any,
) -> Response:
    headers = {} if key is None else {"Idempotency-Key": str(key)}
    data = body if isinstance(body, str) else json.dumps(body)
    call = getattr(client, method)
    response: Response = call(
        url, data=data, content_type="application/json", headers=headers, **extra
    )
    return response


def a_day(back: int = 0) -> str:
    return (actions.today() - timedelta(days=back)).isoformat()


def test_a_check_in_is_recorded_and_read_back(client: Client, person: User) -> None:
    body = {
        "day": a_day(1),
        "used": True,
        "amounts": {"alcohol": 3.5, "cannabis": 1},
        "cravings": 6,
        "mood": 2,
        "triggers": ["stress", "payday"],
        "helped": ["talking"],
        "note": "Long shift.",
    }
    response = send(client, body, uuid.uuid4())
    assert response.status_code == 201, response.content
    answer = json.loads(response.content)
    assert answer == {**body, "amounts": {"alcohol": 3.5, "cannabis": 1.0}}
    stored = CheckIn.objects.get(owner=person)
    assert stored.day.isoformat() == body["day"] and stored.used and stored.cravings == 6
    assert dict(stored.amounts.values_list("substance", "amount")) == {
        "alcohol": Decimal("3.5"),
        "cannabis": Decimal("1"),
    }
    listed = json.loads(client.get("/api/v1/checkins").content)
    assert listed["items"] == [answer]


def test_a_retry_with_the_same_key_returns_the_same_check_in(client: Client, person: User) -> None:
    key = uuid.uuid4()
    body = {"day": a_day(), "used": False, "cravings": 2}
    first = send(client, body, key)
    again = send(client, body, key)
    assert first.status_code == 201
    assert again.status_code == 200
    assert json.loads(again.content) == json.loads(first.content)
    assert CheckIn.objects.filter(owner=person).count() == 1


def test_a_late_retry_does_not_undo_a_later_change_of_the_same_day(
    client: Client, person: User
) -> None:
    first_key = uuid.uuid4()
    first = send(client, {"day": a_day(), "used": False}, first_key)
    changed = send(client, {"day": a_day(), "used": True, "amounts": {"alcohol": 2}}, uuid.uuid4())
    assert changed.status_code == 200  # replaced
    # The first request's retry arrives late: recognised, answered, and nothing changes.
    retry = send(client, {"day": a_day(), "used": False}, first_key)
    assert retry.status_code == 200
    assert json.loads(retry.content) == json.loads(changed.content)
    assert json.loads(first.content) != json.loads(changed.content)
    stored = CheckIn.objects.get(owner=person)
    assert stored.used and [str(a.amount) for a in stored.amounts.all()] == ["2.00"]


def test_the_same_answers_in_another_order_are_the_same_request(
    client: Client, person: User
) -> None:
    key = uuid.uuid4()
    body = {"day": a_day(), "used": True, "amounts": {"alcohol": 2, "cannabis": 1.5},
            "triggers": ["stress", "boredom"]}  # fmt: skip
    assert send(client, body, key).status_code == 201
    again = {
        **body,
        "amounts": {"cannabis": 1.50, "alcohol": 2.0},
        "triggers": ["boredom", "stress"],
    }
    assert send(client, again, key).status_code == 200


def test_the_key_record_reveals_nothing_of_the_answers(client: Client, person: User) -> None:
    send(client, {"day": a_day(), "used": False, "note": "Called my sister."}, uuid.uuid4())
    stored = SubmissionKey.objects.get()
    assert "sister" not in stored.fingerprint
    assert stored.fingerprint != hashlib.sha256(b"Called my sister.").hexdigest()
    assert len(stored.fingerprint) == 64


def test_the_same_key_with_other_answers_is_a_conflict(client: Client, person: User) -> None:
    key = uuid.uuid4()
    send(client, {"day": a_day(), "used": False}, key)
    fields = assert_error(send(client, {"day": a_day(), "used": True}, key), 409)
    assert "header.Idempotency-Key" in fields
    other_day = send(client, {"day": a_day(2), "used": False}, key)
    assert_error(other_day, 409, "idempotency-conflict")
    assert not CheckIn.objects.filter(owner=person).get().used
    assert CheckIn.objects.filter(owner=person).count() == 1


def test_post_requires_an_idempotency_key_that_is_a_uuid(client: Client, person: User) -> None:
    missing = assert_error(send(client, {"day": a_day(), "used": False}), 400, "invalid-request")
    assert any("Idempotency-Key" in where for where in missing), missing
    assert_error(send(client, {"day": a_day(), "used": False}, "not-a-uuid"), 400)
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"used": False, "cravings": 11}, "body.cravings"),
        ({"used": False, "cravings": -1}, "body.cravings"),
        ({"used": False, "mood": 0}, "body.mood"),
        ({"used": False, "mood": 6}, "body.mood"),
        ({"used": True, "amounts": {"alcohol": -1}}, "body.amounts.alcohol"),
        ({"used": True, "amounts": {"alcohol": 201}}, "body.amounts.alcohol"),
        ({"used": True, "amounts": {"alcohol": 1.005}}, "body.amounts.alcohol"),
        ({"used": True, "amounts": {"glue": 1}}, "body.amounts.glue"),
        ({"used": False, "amounts": {"alcohol": 2}}, "body.used"),
        ({"used": False, "triggers": ["weather"]}, "body.triggers.0"),
        ({"used": False, "helped": ["luck"]}, "body.helped.0"),
        ({"used": False, "note": "x" * (actions.MAX_NOTE + 1)}, "body.note"),
        ({"used": "maybe"}, "body.used"),
        ({}, "body.used"),
        ({"used": False, "extra": 1}, "body.extra"),
    ],
)
def test_answers_the_page_would_refuse_are_refused(
    client: Client, person: User, body: dict[str, Any], where: str
) -> None:
    response = send(client, {"day": a_day(), **body}, uuid.uuid4())
    fields = assert_error(response, 400, "invalid-request")
    assert where in fields, fields
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize("back", [-1, actions.BACKFILL_DAYS + 1])
def test_days_outside_the_backfill_window_are_refused(
    client: Client, person: User, back: int
) -> None:
    fields = assert_error(send(client, {"day": a_day(back), "used": False}, uuid.uuid4()), 400)
    assert "body.day" in fields
    put = send(client, {"used": False}, method="put", url=f"/api/v1/checkins/{a_day(back)}")
    assert "path.day" in assert_error(put, 400)
    assert not CheckIn.objects.exists()


def test_the_oldest_open_day_can_be_recorded(client: Client, person: User) -> None:
    response = send(client, {"day": a_day(actions.BACKFILL_DAYS), "used": False}, uuid.uuid4())
    assert response.status_code == 201


def test_put_records_then_replaces_one_day(client: Client, person: User) -> None:
    url = f"/api/v1/checkins/{a_day(3)}"
    created = send(client, {"used": True, "amounts": {"alcohol": 4}}, method="put", url=url)
    assert created.status_code == 201, created.content
    replaced = send(client, {"used": False, "mood": 4}, method="put", url=url)
    assert replaced.status_code == 200
    assert json.loads(replaced.content)["amounts"] == {}
    stored = CheckIn.objects.get(owner=person)
    assert not stored.used and stored.mood == 4
    assert not SubstanceAmount.objects.exists()
    impossible = send(client, {"used": False}, method="put", url="/api/v1/checkins/2026-02-30")
    assert_error(impossible, 400)


def test_writes_need_a_session_and_the_csrf_token(person: User) -> None:
    body = {"day": a_day(), "used": False}
    assert_error(send(Client(), body, uuid.uuid4()), 401, "not-signed-in")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(person)
    assert_error(send(strict, body, uuid.uuid4()), 403, "forbidden")
    strict.get("/track/")  # the page sets the CSRF cookie
    token = strict.cookies["csrftoken"].value
    response = send(strict, body, uuid.uuid4(), HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201, response.content
    assert CheckIn.objects.filter(owner=person).count() == 1


def test_nobody_writes_or_reads_another_persons_day(client: Client, person: User) -> None:
    other = User.objects.create_user("alex", password=None)
    actions.do_record_checkin(other, actions.today(), actions.CheckInData(used=True))
    key = uuid.uuid4()
    response = send(client, {"day": a_day(), "used": False}, key)
    assert response.status_code == 201  # a check-in of sam's own, not alex's replaced
    assert CheckIn.objects.get(owner=other).used
    # A key alex used means nothing for sam, and the other way round.
    actions.do_record_checkin(other, actions.today(), actions.CheckInData(used=True), key)
    assert send(client, {"day": a_day(), "used": False}, key).status_code == 200


def test_the_openapi_document_describes_the_writes(client: Client) -> None:
    document = json.loads(client.get("/api/v1/openapi.json").content)
    post = document["paths"]["/api/v1/checkins"]["post"]
    assert {"200", "201", "400", "401", "403", "409"} <= set(post["responses"])
    headers = [p for p in post["parameters"] if p["in"] == "header"]
    assert [(h["name"], h["required"]) for h in headers] == [("Idempotency-Key", True)]
    put = document["paths"]["/api/v1/checkins/{day}"]["put"]
    assert put["requestBody"]["required"] is True
    schemas = document["components"]["schemas"]
    assert {"cravings", "mood", "amounts", "triggers", "day"} <= set(
        schemas["NewCheckInIn"]["properties"]
    )


def test_keys_are_forgotten_after_a_week(client: Client, person: User) -> None:
    send(client, {"day": a_day(), "used": False}, uuid.uuid4())
    send(client, {"day": a_day(1), "used": False}, uuid.uuid4())
    now = timezone.now()
    SubmissionKey.objects.filter(check_in__day=a_day()).update(created_at=now - timedelta(days=8))
    assert purge_submission_keys(now) == 1
    assert SubmissionKey.objects.get().check_in.day.isoformat() == a_day(1)
    assert keys.TICK in TICKS


# --- the cost of a write ----------------------------------------------------------------------

# Statements one API write sends, with the rate limit off (its cache costs 3 to 7 more, as on
# every API request), on a person's first write and the two after it:
#   every request: the session, the user (django_auth);
#   new day: the key's lookup, the day's upsert, its amounts (one INSERT), the alert
#     evaluation queued (one UPDATE; on a person's first write none is there to update: an
#     INSERT and the UPDATE again), the key kept;
#   replaced day: the same, one DELETE of the old amounts more and the job's UPDATE alone;
#   replay of a key: the key's lookup with its check-in, that check-in's amounts.
# PostgreSQL sends the upsert, the amounts and the job as one message (one round trip).
WRITE_STATEMENTS = {
    "sqlite": {"new": 9, "replaced": 8, "replay": 4},
    "postgresql": {"new": 5, "replaced": 5, "replay": 4},
}


def _write_statements(case: str) -> int:
    return WRITE_STATEMENTS[connection.vendor][case]


def _evaluation(person: User) -> Job:
    return Job.objects.get(dedupe_key=evaluation_key(person.public_id))


def _history(person: User, days: int) -> None:
    """``days`` recorded days before today, each with an amount."""
    check_ins = CheckIn.objects.bulk_create(
        CheckIn(owner=person, day=actions.today() - timedelta(days=back), used=True, note="n")
        for back in range(1, days + 1)
    )
    SubstanceAmount.objects.bulk_create(
        SubstanceAmount(check_in=check_in, substance="alcohol", amount=Decimal(2))
        for check_in in check_ins
    )


def _statements(send_once: Callable[[], Response]) -> tuple[Response, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = send_once()
    # The test's own transaction turns the request's BEGIN/COMMIT into (RELEASE) SAVEPOINT.
    return response, [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]


def test_a_write_costs_the_same_few_statements_whatever_the_history(
    client: Client, settings: Any
) -> None:
    settings.WAYMARK_API_RATE_LIMIT = 0
    amounts = {"alcohol": 2.0, "cannabis": 1.0}
    body = {"day": a_day(), "used": True, "amounts": amounts, "cravings": 3, "mood": None,
            "triggers": ["stress"], "helped": [], "note": "n"}  # fmt: skip
    for days in (0, 30, 400):
        person = User.objects.create_user(f"with-{days}-days", password=None)
        client.force_login(person)
        _history(person, days)
        key = uuid.uuid4()
        cases = [("new", uuid.uuid4(), 201), ("replaced", key, 200), ("replay", key, 200)]
        for case, sent, status in cases:
            response, statements = _statements(partial(send, client, body, sent))
            assert response.status_code == status, (days, case, response.content)
            assert len(statements) == _write_statements(case), (days, case, statements)
            # The person's alerts are evaluated again after a change, not after a replay.
            assert (_evaluation(person).done_at is None) == (case != "replay"), (days, case)
            Job.objects.filter(pk=_evaluation(person).pk).update(done_at=timezone.now())
            if case != "replay":  # nothing read back: the answer is what was written
                reads = [s for s in statements if s.startswith('SELECT "tracking_checkin"')]
                assert reads == [], reads
            assert json.loads(response.content) == body
        assert CheckIn.objects.filter(owner=person).count() == days + 1
        check_in = CheckIn.objects.get(owner=person, day=a_day())
        assert {a.substance: float(a.amount) for a in check_in.amounts.all()} == amounts


def _scripted(person: User, letter: str) -> str:
    """A read-write API token of ``person``'s, used within the last minute (so a request does
    not write its last use): its secret."""
    secret = "wm_" + letter * 43
    ApiToken.objects.create(owner=person, name="script", prefix=secret[:10],
                            digest=tokens.digest(secret), scope=ApiToken.Scope.READ_WRITE,
                            last_used_at=timezone.now())  # fmt: skip
    return secret


def test_a_write_with_a_token_signs_in_with_one_statement(settings: Any) -> None:
    """A bearer request reads its token and the owner in one statement, instead of the
    session and the user; nothing else is added (no session, no last use within a minute)."""
    settings.WAYMARK_API_RATE_LIMIT = 0
    secret = _scripted(User.objects.create_user("scripted", password=None), "s")
    client = Client(enforce_csrf_checks=True)
    body = {"used": True, "amounts": {"alcohol": 2.0}, "cravings": 3, "mood": None,
            "triggers": [], "helped": [], "note": ""}  # fmt: skip
    key = uuid.uuid4()
    for case, status in (("new", 201), ("replaced", 200), ("replay", 200)):
        sent = uuid.uuid4() if case == "new" else key
        put = partial(send, client, body, sent, method="put", url=f"/api/v1/checkins/{a_day()}",
                      HTTP_AUTHORIZATION=f"Bearer {secret}")  # fmt: skip
        response, statements = _statements(put)
        assert response.status_code == status, (case, response.content)
        assert len(statements) == _write_statements(case) - 1, (case, statements)
        assert '"interop_apitoken"' in statements[0] and '"accounts_user"' in statements[0]
        assert not [s for s in statements if "django_session" in s], statements


@pytest.mark.django_db(transaction=True)
def test_a_write_without_a_key_sends_no_transaction_of_its_own_on_postgresql(
    settings: Any,
) -> None:
    """Without an idempotency key, PostgreSQL gets the token's lookup and one message (the
    upsert, the amounts, the job): two round trips, neither in a transaction Django opened
    (the message is one of its own). SQLite runs the same statements one by one in a
    transaction. Either way the day, its amounts and the job are all written."""
    settings.WAYMARK_API_RATE_LIMIT = 0
    person = User.objects.create_user("unkeyed", password=None)
    secret = _scripted(person, "u")
    client = Client(enforce_csrf_checks=True)
    sent: list[tuple[str, bool]] = []

    def watch(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        sent.append((sql, connection.in_atomic_block))
        return execute(sql, params, many, context)

    for amounts, status in (({"alcohol": 2.0, "cannabis": 1.0}, 201), ({"cannabis": 3.0}, 200)):
        sent.clear()
        with connection.execute_wrapper(watch):
            response = client.put(
                f"/api/v1/checkins/{a_day()}",
                json.dumps({"used": True, "amounts": amounts}),
                "application/json",
                HTTP_AUTHORIZATION=f"Bearer {secret}",
            )
        assert response.status_code == status, response.content
        if connection.vendor == "postgresql":
            assert len(sent) == 2 and not any(atomic for _, atomic in sent), sent
        else:
            # After the token's lookup, all in a transaction (its BEGIN IMMEDIATE opens it).
            writes = [atomic for sql, atomic in sent[1:] if not sql.startswith("BEGIN")]
            assert writes and all(writes), [(sql[:60], atomic) for sql, atomic in sent]
        check_in = CheckIn.objects.get(owner=person, day=a_day())
        assert {a.substance: float(a.amount) for a in check_in.amounts.all()} == amounts
        assert _evaluation(person).done_at is None
        Job.objects.filter(pk=_evaluation(person).pk).update(done_at=timezone.now())


def test_the_answer_to_a_write_is_what_a_read_gives(client: Client, person: User) -> None:
    body = {"day": a_day(2), "used": True, "amounts": {"cannabis": 1.5, "alcohol": 3},
            "cravings": 4, "mood": 5, "triggers": ["payday", "stress"],
            "helped": ["plan", "talking"], "note": "Ñandú — «notes» 💬"}  # fmt: skip
    written = json.loads(send(client, body, uuid.uuid4()).content)
    listed = json.loads(client.get("/api/v1/checkins").content)["items"]
    assert listed == [written]
    assert written["triggers"] == ["stress", "payday"]  # in the page's order, as stored


def test_a_day_holding_the_key_without_its_record_is_a_replay(client: Client, person: User) -> None:
    """The API's record of a key is purged after a week (and the page keeps no such record):
    the day itself still knows the key, so the request is recognised and changes nothing."""
    key = uuid.uuid4()
    page = actions.do_record_checkin(person, actions.today(), actions.CheckInData(used=False), key)
    assert page.created and page.applied
    response = send(client, {"day": a_day(), "used": True, "amounts": {"alcohol": 1}}, key)
    assert response.status_code == 200
    assert json.loads(response.content)["used"] is False
    assert not CheckIn.objects.get(owner=person).used and not SubstanceAmount.objects.exists()
    assert SubmissionKey.objects.get(owner=person, key=key).check_in.day == actions.today()


def test_a_key_another_day_holds_is_not_taken_from_it(client: Client, person: User) -> None:
    key = uuid.uuid4()
    actions.do_record_checkin(person, actions.today(), actions.CheckInData(used=False), key)
    response = send(client, {"day": a_day(1), "used": True}, key)
    assert response.status_code == 201  # no record of the key yet: a new request
    keys = dict(CheckIn.objects.filter(owner=person).values_list("day", "idempotency_key"))
    assert keys == {actions.today(): key, actions.today() - timedelta(days=1): None}


# --- two requests at once -----------------------------------------------------------------
# On SQLite, IMMEDIATE transactions (settings.py) queue writers whole, so there is no race to
# arrange: a subprocess with a file database and threads shows that. On PostgreSQL the second
# request is made to wait, deterministically, on a lock the first one holds.


def _until_another_waits(timeout: float = 30) -> bool:
    """In the open transaction of this thread: wait until another connection waits for a lock
    (this transaction's, as nothing else runs)."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            row = cursor.fetchone()
            if row is not None and row[0]:
                return True
            time.sleep(0.02)
    return False


def _race(person: User, first: Any, second: Any, **extra: Any) -> tuple[Response, Response]:
    """``first`` (a request's body and key) is sent from another thread inside a transaction
    that stays open until ``second``, sent from here, waits on its locks; then it commits.
    ``extra``: `send`'s keywords for both."""
    clients = [Client(), Client()]
    for each in clients:
        each.force_login(person)
    ready = threading.Event()
    outcome: dict[str, Any] = {}

    def send_first() -> None:
        try:
            with transaction.atomic():
                outcome["response"] = send(clients[0], *first, **extra)
                ready.set()
                outcome["waited"] = _until_another_waits()
        except BaseException as error:  # pragma: no cover - reported below
            outcome["error"] = error
        finally:
            ready.set()
            connections.close_all()

    thread = threading.Thread(target=send_first)
    thread.start()
    ready.wait(timeout=60)
    try:
        answer = send(clients[1], *second, **extra)
    finally:
        thread.join(timeout=60)
    assert "error" not in outcome, outcome
    assert outcome["waited"], "the second request never waited for the first"
    return outcome["response"], answer


def _stored(person: User) -> list[tuple[str, bool, dict[str, Decimal]]]:
    return [
        (c.day.isoformat(), c.used, {a.substance: a.amount for a in c.amounts.all()})
        for c in CheckIn.objects.filter(owner=person).prefetch_related("amounts")
    ]


@pytest.fixture
def racing(settings: Any) -> User:
    # Off: the limit's counter (a row of the cache table) would make the second request wait
    # on the first for that, not for the check-in.
    settings.WAYMARK_API_RATE_LIMIT = 0
    return User.objects.create_user("sam", password=None)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("keyed", [True, False], ids=["with keys", "without keys"])
def test_on_postgresql_two_writes_of_one_day_at_once_queue_up(racing: User, keyed: bool) -> None:
    """The second write waits for the day's row; its DELETE of the old amounts then sees the
    first one's (cannabis), though all its statements were sent before the first committed.
    Without keys, the second is the PUT's one message, in no transaction of its own."""
    first = {"used": True, "amounts": {"alcohol": 1, "cannabis": 2}}
    second = {"used": True, "amounts": {"alcohol": 3}}
    if keyed:
        sent = (
            ({"day": a_day(), **first}, uuid.uuid4()),
            ({"day": a_day(), **second}, uuid.uuid4()),
        )
        created, replaced = _race(racing, *sent)
    else:
        put = {"method": "put", "url": f"/api/v1/checkins/{a_day()}"}
        created, replaced = _race(racing, (first, None), (second, None), **put)
    assert (created.status_code, replaced.status_code) == (201, 200), replaced.content
    assert _stored(racing) == [(a_day(), True, {"alcohol": Decimal(3)})]
    assert SubmissionKey.objects.count() == (2 if keyed else 0)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_the_same_request_twice_at_once_is_applied_once(racing: User) -> None:
    request = ({"day": a_day(), "used": True, "amounts": {"alcohol": 2}}, uuid.uuid4())
    first, again = _race(racing, request, request)
    assert (first.status_code, again.status_code) == (201, 200)
    assert json.loads(again.content) == json.loads(first.content)
    assert _stored(racing) == [(a_day(), True, {"alcohol": Decimal(2)})]
    assert SubmissionKey.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_one_key_with_other_answers_at_once_is_a_conflict(racing: User) -> None:
    key = uuid.uuid4()
    first = ({"day": a_day(), "used": True, "amounts": {"alcohol": 2}}, key)
    other = ({"day": a_day(), "used": False}, key)
    created, refused = _race(racing, first, other)
    assert created.status_code == 201
    assert_error(refused, 409, "idempotency-conflict")
    assert _stored(racing) == [(a_day(), True, {"alcohol": Decimal(2)})]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_one_key_for_two_days_at_once_is_a_conflict(racing: User) -> None:
    """The one race that ends in an IntegrityError (the key's unique constraint): the second
    request is rolled back and tried again, and then sees the first one's key."""
    key = uuid.uuid4()
    first = ({"day": a_day(), "used": False}, key)
    other_day = ({"day": a_day(1), "used": False}, key)
    created, refused = _race(racing, first, other_day)
    assert created.status_code == 201
    assert_error(refused, 409, "idempotency-conflict")
    assert _stored(racing) == [(a_day(), False, {})]


# Run in a subprocess on a copy of the test database in a file: threads, each with its own
# connection, send the same day at once; SQLite's lock and busy timeout queue them.
SQLITE_RACE = """
import json, sys, threading, uuid
import django
django.setup()
from django.conf import settings
from django.db import connections
from django.test import Client
from django.test.utils import setup_test_environment
from waymark.accounts.models import User
from waymark.tracking.actions import today
from waymark.tracking.models import CheckIn, SubmissionKey

setup_test_environment()
settings.WAYMARK_API_RATE_LIMIT = 0
person = User.objects.create_user("sam", password=None)
rounds = []
for back in range(6):
    day = today().toordinal() - back
    day = type(today()).fromordinal(day).isoformat()
    key = str(uuid.uuid4())
    one = {"day": day, "used": True, "amounts": {"alcohol": 1, "cannabis": 2}}
    two = {"day": day, "used": True, "amounts": {"alcohol": 3}}
    case = ["two answers", "one request twice", "one key, other answers"][back % 3]
    bodies = {"two answers": [(one, str(uuid.uuid4())), (two, str(uuid.uuid4()))],
              "one request twice": [(one, key), (one, key)],
              "one key, other answers": [(one, key), (two, key)]}[case]
    clients = [Client(), Client()]
    for client in clients:
        client.force_login(person)
    start = threading.Barrier(2)
    answers = [None, None]

    def send(n):
        try:
            start.wait()
            body, sent = bodies[n]
            response = clients[n].post("/api/v1/checkins", json.dumps(body),
                content_type="application/json", headers={"Idempotency-Key": sent})
            answers[n] = [response.status_code, json.loads(response.content)]
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stored = CheckIn.objects.filter(owner=person, day=day).prefetch_related("amounts").get()
    amounts = {a.substance: float(a.amount) for a in stored.amounts.all()}
    keys = SubmissionKey.objects.filter(check_in=stored).count()
    rounds.append({"case": case, "answers": answers, "amounts": amounts, "keys": keys})
print(json.dumps(rounds))
"""


@pytest.mark.django_db(transaction=True)  # no transaction open here: the copy would wait on it
def test_on_sqlite_writes_at_once_are_queued_whole(tmp_path: Path) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only: PostgreSQL has its own tests above")
    connection.ensure_connection()
    with sqlite3.connect(tmp_path / "waymark.sqlite3") as copy:
        connection.connection.backup(copy)  # the migrated test database, empty
    environment = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")}
    environment.update(DEBUG="True", WAYMARK_DATA_DIR=str(tmp_path))
    done = subprocess.run(
        [sys.executable, "-c", SQLITE_RACE],
        env=environment,
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    for round_ in json.loads(done.stdout):
        (status_1, one), (status_2, two) = round_["answers"]
        case, statuses = round_["case"], sorted([status_1, status_2])
        if case == "two answers":  # both applied, one after the other, the last one kept
            assert statuses == [200, 201], round_
            last = one if status_1 == 200 else two
            assert round_["amounts"] == last["amounts"], round_
            assert round_["keys"] == 2, round_
        elif case == "one request twice":  # applied once, answered twice alike
            assert statuses == [200, 201] and one == two, round_
            assert round_["amounts"] == {"alcohol": 1.0, "cannabis": 2.0}, round_
            assert round_["keys"] == 1, round_
        else:  # the first holds the key, the other is refused and changes nothing
            assert statuses == [201, 409], round_
            kept = one if status_1 == 201 else two
            assert round_["amounts"] == kept["amounts"], round_
