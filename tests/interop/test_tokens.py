"""Personal API tokens: shown once, stored as a hash, scoped, revocable, expiring, audited."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.programs import make_staff
from waymark.accounts.models import User
from waymark.api import tokens
from waymark.audit.models import AuditEntry
from waymark.interop.models import ApiToken
from waymark.tracking.models import CheckIn

pytestmark = pytest.mark.django_db
SECRET = re.compile(r"wm_[A-Za-z0-9_-]{43}")


def make(client: Client, scope: str = "read", expires: str = "90") -> str:
    response = client.post(
        reverse("interop:tokens"), {"name": "my script", "scope": scope, "expires": expires}
    )
    assert response.status_code == 200
    found = SECRET.findall(response.content.decode())
    assert len(found) == 1
    return str(found[0])


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def person(client: Client) -> User:
    user = User.objects.create_user("tess", password="a long enough password 42")
    client.force_login(user)
    return user


def test_a_token_is_shown_once_and_stored_only_as_a_hash(client: Client, person: User) -> None:
    secret = make(client)
    token = ApiToken.objects.get()
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(ApiToken.objects.values().get())
    assert token.prefix == secret[:10]
    page = client.get(reverse("interop:tokens")).content.decode()
    assert secret not in page and token.prefix in page
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert "token.create" in actions


def test_a_token_reads_the_api_without_a_session(client: Client, person: User) -> None:
    secret = make(client)
    stranger = Client()
    assert stranger.get("/api/v1/checkins").status_code == 401
    response = stranger.get("/api/v1/checkins", headers=bearer(secret))
    assert response.status_code == 200, response.content
    assert response.json()["count"] == 0
    assert (
        stranger.get("/api/v1/export", headers=bearer(secret)).json()["account"]["nickname"]
        == "tess"
    )
    assert ApiToken.objects.get().last_used_at is not None


def test_a_read_only_token_may_not_write(client: Client, person: User) -> None:
    secret = make(client, scope="read")
    response = Client().post(
        "/api/v1/tokens", {"name": "x"}, content_type="application/json", headers=bearer(secret)
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_a_read_write_token_writes_without_csrf(client: Client, person: User) -> None:
    secret = make(client, scope="read-write")
    other = ApiToken.objects.get()
    strict = Client(enforce_csrf_checks=True)
    response = strict.delete(f"/api/v1/tokens/{other.public_id}", headers=bearer(secret))
    assert response.status_code == 204
    # …and that token is now revoked: the next request with it is refused.
    assert strict.get("/api/v1/checkins", headers=bearer(secret)).status_code == 401


def test_revoked_expired_and_unknown_tokens_answer_401(client: Client, person: User) -> None:
    secret = make(client)
    token = ApiToken.objects.get()
    assert client.post(reverse("interop:revoke", args=[token.public_id])).status_code == 302
    answer = Client().get("/api/v1/checkins", headers=bearer(secret))
    assert answer.status_code == 401 and answer.json()["error"]["code"] == "not-signed-in"
    assert "token.revoke" in set(AuditEntry.objects.values_list("action", flat=True))
    fresh = make(client)
    ApiToken.objects.filter(revoked_at__isnull=True).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert Client().get("/api/v1/checkins", headers=bearer(fresh)).status_code == 401
    assert Client().get("/api/v1/checkins", headers=bearer("wm_" + "x" * 43)).status_code == 401
    assert Client().get("/api/v1/checkins", headers=bearer("nonsense")).status_code == 401


def test_someone_else_s_token_cannot_be_revoked(client: Client, person: User) -> None:
    make(client)
    token = ApiToken.objects.get()
    other = Client()
    other.force_login(User.objects.create_user("ursula"))
    assert other.post(reverse("interop:revoke", args=[token.public_id])).status_code == 404
    assert ApiToken.objects.get().revoked_at is None


def test_the_form_re_shows_with_messages(client: Client, person: User) -> None:
    response = client.post(reverse("interop:tokens"), {"name": "", "scope": "all"})
    assert response.status_code == 400
    assert 'class="error-summary"' in response.content.decode()
    assert not ApiToken.objects.exists()


def test_staff_make_tokens_only_from_a_verified_session() -> None:
    unverified = make_staff(verified=False)
    response = unverified.client.post(
        reverse("interop:tokens"), {"name": "x", "scope": "read", "expires": "30"}
    )
    assert response.status_code == 403
    assert not ApiToken.objects.exists()
    verified = make_staff()
    assert SECRET.search(
        verified.client.post(
            reverse("interop:tokens"), {"name": "x", "scope": "read", "expires": "30"}
        ).content.decode()
    )


def test_a_token_cannot_make_tokens(client: Client, person: User) -> None:
    secret = make(client, scope="read-write")
    response = Client().post(
        "/api/v1/tokens", {"name": "x"}, content_type="application/json", headers=bearer(secret)
    )
    assert response.status_code == 403
    assert ApiToken.objects.count() == 1


def test_the_api_makes_lists_and_revokes_tokens(client: Client, person: User) -> None:
    made = client.post("/api/v1/tokens", {"name": "ci", "scope": "read-write"},
                       content_type="application/json")  # fmt: skip
    assert made.status_code == 201, made.content
    body = made.json()
    assert SECRET.fullmatch(body["token"]) and body["scope"] == "read-write"
    listed = client.get("/api/v1/tokens").json()
    assert listed["count"] == 1 and "token" not in listed["items"][0]
    assert client.delete(f"/api/v1/tokens/{body['id']}").status_code == 204
    assert client.get("/api/v1/tokens").json()["items"][0]["revoked"] is not None


def test_the_api_refuses_an_expiry_in_the_past(client: Client, person: User) -> None:
    response = client.post("/api/v1/tokens", {"name": "old", "expires": "2001-01-01T00:00:00Z"},
                           content_type="application/json")  # fmt: skip
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"body.expires": "in the past"}
    assert not ApiToken.objects.exists()


def test_a_read_only_token_may_not_write_a_check_in(client: Client, person: User) -> None:
    secret = make(client, scope="read")
    response = Client().put(
        f"/api/v1/checkins/{timezone.localdate().isoformat()}",
        {"used": False},
        content_type="application/json",
        headers=bearer(secret),
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert not CheckIn.objects.exists()


def test_a_token_of_a_deactivated_account_answers_401(client: Client, person: User) -> None:
    secret = make(client, scope="read-write")
    User.objects.filter(pk=person.pk).update(is_active=False)
    answer = Client().get("/api/v1/checkins", headers=bearer(secret))
    assert answer.status_code == 401 and answer.json()["error"]["code"] == "not-signed-in"


def test_a_token_is_read_with_its_owner_as_a_query_would_load_them(
    client: Client, person: User, django_assert_num_queries: Any
) -> None:
    """`find_token` reads its own statement: every field as the ORM gives it (aware dates,
    UUIDs, booleans), the owner included."""
    secret = make(client, scope="read-write")
    ApiToken.objects.update(expires_at=timezone.now() + timedelta(days=3))
    with django_assert_num_queries(1):
        found = tokens.find_token(secret)
        assert found is not None
        owner = found.owner  # loaded with the token
    expected = ApiToken.objects.select_related("owner").get()
    for model, got, want in ((ApiToken, found, expected), (User, owner, expected.owner)):
        for field in model._meta.concrete_fields:
            mine, theirs = getattr(got, field.attname), getattr(want, field.attname)
            assert (mine, type(mine)) == (theirs, type(theirs)), field.name
        assert not got._state.adding and got._state.db == want._state.db
    assert tokens.find_token("wm_" + "x" * 43) is None
    with django_assert_num_queries(0):  # not even the shape of a token: nothing to look up
        assert tokens.find_token("nonsense") is None


def test_a_token_s_last_use_is_written_at_most_once_a_minute(client: Client, person: User) -> None:
    secret = make(client)
    stranger = Client()

    def last_use_writes() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert stranger.get("/api/v1/checkins", headers=bearer(secret)).status_code == 200
        return sum(q["sql"].startswith('UPDATE "interop_apitoken"') for q in captured)

    assert last_use_writes() == 1
    assert last_use_writes() == 0
    ApiToken.objects.update(last_used_at=timezone.now() - timedelta(seconds=61))
    assert last_use_writes() == 1
