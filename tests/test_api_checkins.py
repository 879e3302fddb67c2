"""Writing check-ins through the API: POST /api/v1/checkins and PUT /api/v1/checkins/{day}.
The same checks as the page, session + CSRF, and a retry never makes a second check-in."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from tests.test_api import assert_error
from waymark.accounts.models import User
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
