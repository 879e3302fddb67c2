"""The JSON API (CONTRACTS.md §6): it answers exactly as the command line does, every error
has the one shape, and nobody sees a check-up that is not theirs."""

from __future__ import annotations

import io
import json
import re
import sys
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from unittest.mock import patch

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given
from hypothesis import settings as fuzz_settings
from hypothesis import strategies as st

from tests.reference import load
from waymark.api import ratelimit
from waymark.api.errors import CODES
from waymark.checkup.models import SESSION_KEY, Answer, CheckUp
from waymark.cli import run_clinical
from waymark.clinical import pathway, scoring
from waymark.clinical.profile import CRITERIA, SUBSTANCES, schema
from waymark.paths.examples import examples

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

VIGNETTES = load("vignettes.json")
SCORING_CASES = load("scoring.json")
PROFILE = VIGNETTES[0]["profile"]
ERROR_STATUSES = {"400", "401", "403", "404", "405", "409", "413", "429"}

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limit(settings: Any) -> Iterator[None]:
    """Each test starts with an empty counter, and a limit no ordinary test reaches."""
    settings.WAYMARK_API_RATE_LIMIT = 100_000
    cache.clear()
    yield
    cache.clear()


def post(client: Client, url: str, body: Any, **extra: Any) -> Response:
    """POST `body` as JSON; a `str` or `bytes` body is sent as it is."""
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    response: Response = client.post(
        f"/api/v1{url}", data=data, content_type="application/json", **extra
    )
    return response


def assert_error(response: Response, status: int, code: str | None = None) -> dict[str, str]:
    """The one error shape, exactly; returns `fields`."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = json.loads(response.content)
    assert list(body) == ["error"]
    error = body["error"]
    assert sorted(error) == ["code", "fields", "message"]
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["fields"], dict)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in error["fields"].items())
    assert error["code"] in CODES, error
    if code is not None:
        assert error["code"] == code, error
    fields: dict[str, str] = error["fields"]
    return fields


def cli_json(*args: str, stdin: str = "") -> Any:
    """What `waymark ARGS` prints, decoded (the CLI's own test helper, in one call)."""
    out, err = io.StringIO(), io.StringIO()
    with patch.object(sys, "stdin", io.StringIO(stdin)):
        status = run_clinical(list(args), out, err)
    assert status == 0, err.getvalue()
    return json.loads(out.getvalue())


def recommend_json(profile: Any) -> Any:
    return cli_json("recommend", "--profile", "-", "--json", stdin=json.dumps(profile))


# --- POST /recommend ---------------------------------------------------------------------------


@pytest.mark.parametrize("vignette", VIGNETTES, ids=[v["name"] for v in VIGNETTES])
def test_recommend_answers_exactly_what_the_command_line_prints(
    client: Client, vignette: dict[str, Any]
) -> None:
    expected = recommend_json(vignette["profile"])
    response = post(client, "/recommend", vignette["profile"])
    assert response.status_code == 200, response.content
    answer = json.loads(response.content)
    assert answer == expected
    assert list(answer) == list(expected)  # the same keys in the same order, too


def test_recommend_needs_no_cookie_no_csrf_token_and_stores_nothing() -> None:
    strict = Client(enforce_csrf_checks=True)
    response = post(strict, "/recommend", PROFILE)
    assert response.status_code == 200
    assert not response.cookies
    assert Session.objects.count() == 0 and CheckUp.objects.count() == 0


def test_recommend_ignores_the_session_of_a_signed_in_browser() -> None:
    # No CSRF token is needed even with a session cookie: nothing is done on anyone's behalf.
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(_person("me"))
    assert post(strict, "/recommend", PROFILE).status_code == 200


def test_recommend_names_the_json_path_at_fault(client: Client) -> None:
    profile = {**PROFILE, "substances": [{"substance": "wine"}]}
    fields = assert_error(post(client, "/recommend", profile), 400, "invalid-profile")
    assert list(fields) == ["$.substances[0].substance"]


def test_recommend_rejects_unknown_keys_as_the_command_line_does(client: Client) -> None:
    fields = assert_error(post(client, "/recommend", {**PROFILE, "favourite": 1}), 400)
    assert list(fields) == ["$"] and "favourite" in fields["$"]


def test_recommend_refuses_ten_thousand_substances_without_trouble(client: Client) -> None:
    profile = {**PROFILE, "substances": [{"substance": "alcohol"}] * 10_000}
    fields = assert_error(post(client, "/recommend", profile), 400, "invalid-profile")
    assert list(fields) == ["$.substances[1].substance"]


def test_recommend_reads_the_profile_itself_never_a_coerced_copy(client: Client) -> None:
    # "31" is not an age: a schema library that coerced it would answer 200.
    fields = assert_error(post(client, "/recommend", {**PROFILE, "age": "31"}), 400)
    assert list(fields) == ["$.age"]


# --- POST /score, GET /instruments -------------------------------------------------------------


def _score_args(case: dict[str, Any]) -> list[str]:
    answers = ",".join("-" if a is None else str(a) for a in case["answers"])
    args = ["score", case["instrument"], "--answers", answers, "--json"]
    args += ["--sex", case["sex"]] if case.get("sex") else []
    return args + (["--prescribed"] if case.get("prescribed") else [])


@pytest.mark.parametrize("case", SCORING_CASES)
def test_score_answers_exactly_what_the_command_line_prints(
    client: Client, case: dict[str, Any]
) -> None:
    expected = cli_json(*_score_args(case))
    response = post(client, "/score", {k: v for k, v in case.items() if k != "expect"})
    assert response.status_code == 200, response.content
    assert json.loads(response.content) == expected
    assert {k: expected[k] for k in case["expect"]} == case["expect"]


def test_score_answers_the_bam_s_subscales_as_the_command_line_does(client: Client) -> None:
    """No single total (CONTRACTS.md §1b): null total and band, and the subscales."""
    given = [1, 2, 3, 0, None, 0, *[None] * 7, 2, 3, 4, 2, 2, 3, 1, 2, 4, 3]
    case = {"instrument": "bam", "answers": given}
    response = post(client, "/score", case)
    assert response.status_code == 200, response.content
    body = json.loads(response.content)
    assert body == cli_json(*_score_args(case))
    assert (body["total"], body["band"]) == (None, None)
    assert body["subscales"]["risk"] == {"score": 12, "min": 0, "max": 24, "label": "Risk factors"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"instrument": "cage", "answers": [1]}, "instrument"),
        ({"instrument": "gad-7", "answers": [0, 0, 0]}, "answers"),
        ({"instrument": "gad-7", "answers": [0, 0, 0, 0, 0, 0, 9]}, "answers.6"),
        ({"instrument": "gad-7", "answers": [0, 0, "1", 0, 0, 0, 0]}, "answers.2"),
        ({"instrument": "gad-7", "answers": [0, None, 0, 0, 0, 0, 0]}, "answers.1"),
        ({"instrument": "gad-7", "answers": [0, 1.0, 0, 0, 0, 0, 0]}, "answers.1"),
        ({"instrument": "gad-7", "answers": [0, True, 0, 0, 0, 0, 0]}, "answers.1"),
        ({"instrument": "gad-7", "answers": [0, -1, 0, 0, 0, 0, 0]}, "answers.1"),
        ({"instrument": "gad-7", "answers": [10**40] * 7}, "answers.0"),
        ({"instrument": "phq-9", "answers": [0] * 8 + [None]}, "answers.8"),
        ({"instrument": "audit", "answers": [1, None] + [0] * 8}, "answers.1"),
        ({"instrument": "audit-c", "answers": [0, 0, 0], "prescribed": True}, "prescribed"),
        ({"instrument": "audit-c", "answers": [0, 0, 0], "sex": "other"}, "body.sex"),
        ({"instrument": "audit-c", "answers": [0, 0, 0], "prescribed": "yes"}, "body.prescribed"),
        ({"instrument": 7, "answers": [0, 0, 0]}, "body.instrument"),
        ({"instrument": "audit-c", "answers": "0,0,0"}, "body.answers"),
        ({"answers": [0, 0, 0]}, "body.instrument"),
        ([0, 0, 0], "body"),
    ],
)
def test_score_errors_name_what_is_at_fault(client: Client, body: Any, field: str) -> None:
    fields = assert_error(post(client, "/score", body), 400)
    assert field in fields, fields


def test_score_errors_say_what_the_command_line_says(client: Client) -> None:
    fields = assert_error(
        post(client, "/score", {"instrument": "gad-7", "answers": [0] * 6 + [9]}), 400
    )
    err = io.StringIO()
    run_clinical(["score", "gad-7", "--answers", "0,0,0,0,0,0,9"], io.StringIO(), err)
    assert err.getvalue() == f"waymark: error: {fields['answers.6']}\n"


def test_instruments_lists_what_the_command_line_lists(client: Client) -> None:
    response = client.get("/api/v1/instruments")
    assert response.status_code == 200
    assert json.loads(response.content) == cli_json("instruments", "--json")


@pytest.mark.parametrize("instrument", scoring.all_instruments(), ids=lambda i: i.id)
def test_an_instrument_shows_its_questions_options_bands_and_source(
    client: Client, instrument: scoring.Instrument
) -> None:
    response = client.get(f"/api/v1/instruments/{instrument.id}")
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["id"] == instrument.id and body["licence"] == instrument.licence
    assert body["source"] == instrument.source and body["loinc"]["panel"] == instrument.loinc_panel
    assert [q["text"] for q in body["questions"]] == [item.text for item in instrument.items]
    first = body["questions"][0]["options"]
    assert [(o["label"], o["points"]) for o in first] == [
        (o.label, o.points) for o in instrument.items[0].options
    ]
    assert {b["id"] for b in body["bands"]} == {
        band.id for bands in instrument.bands.values() for band in bands
    }


def test_an_unknown_instrument_is_not_found(client: Client) -> None:
    assert_error(client.get("/api/v1/instruments/cage"), 404, "not-found")


# --- examples ----------------------------------------------------------------------------------


def test_examples_list_every_example_person(client: Client) -> None:
    body = json.loads(client.get("/api/v1/examples").content)
    assert [row["slug"] for row in body] == [person["slug"] for person in examples()]


@pytest.mark.parametrize("person", examples(), ids=lambda p: p["slug"])
def test_an_example_shows_the_recommendation_the_engine_gives(
    client: Client, person: dict[str, Any]
) -> None:
    body = json.loads(client.get(f"/api/v1/examples/{person['slug']}").content)
    assert body["profile"] == person["profile"]
    expected = recommend_json(person["profile"])
    assert body["recommendation"] == expected


def test_an_unknown_example_is_not_found(client: Client) -> None:
    assert_error(client.get("/api/v1/examples/nobody"), 404, "not-found")


# --- malformed requests: 4xx in the one shape, never 500 ---------------------------------------


@pytest.mark.parametrize("url", ["/recommend", "/score"])
@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ("not json", 400, "invalid-json"),
        ("", 400, "invalid-json"),
        ("   ", 400, "invalid-json"),
        ('{"version": 1,', 400, "invalid-json"),
        ('{"age": NaN}', 400, "invalid-json"),
        ('{"age": Infinity}', 400, "invalid-json"),
        ('{"age": 1e400}', 400, "invalid-json"),
        ('{"age": ' + "9" * 5000 + "}", 400, "invalid-json"),
        ("[" * 100_000, 400, "invalid-json"),
        (b"\xff\xfe{}", 400, "invalid-json"),
        ([], 400, None),
        ([PROFILE], 400, None),
        ("null", 400, None),
        ("42", 400, None),
        ('"text"', 400, None),
        ({}, 400, None),
    ],
)
def test_a_malformed_body_is_a_400_in_the_error_shape(
    client: Client, url: str, body: Any, status: int, code: str | None
) -> None:
    assert_error(post(client, url, body), status, code)


@pytest.mark.parametrize("url", ["/recommend", "/score"])
def test_a_body_over_the_upload_limit_is_too_large(client: Client, settings: Any, url: str) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    assert_error(post(client, url, {"padding": "x" * 2000}), 413, "too-large")


@pytest.mark.parametrize(
    ("method", "url"),
    [("get", "/recommend"), ("put", "/score"), ("delete", "/instruments"), ("post", "/examples")],
)
def test_a_wrong_method_is_a_405_that_says_which_are_allowed(
    client: Client, method: str, url: str
) -> None:
    response = getattr(client, method)(f"/api/v1{url}")
    assert_error(response, 405, "method-not-allowed")
    assert response["Allow"]


@pytest.mark.parametrize("url", ["/", "/nothing", "/recommend/", "/checkups/not-a-uuid"])
def test_an_address_outside_the_api_is_a_404_in_the_error_shape(client: Client, url: str) -> None:
    assert_error(client.get(f"/api/v1{url}"), 404, "not-found")


def test_an_unexpected_failure_is_a_logged_500_in_the_error_shape(
    client: Client, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(profile: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(pathway, "recommend", broken)
    response = post(client, "/recommend", PROFILE)
    fields = assert_error(response, 500, "server-error")
    assert fields == {} and b"boom" not in response.content
    assert "boom" in caplog.text


# --- the rate limit ------------------------------------------------------------------------------


def test_the_rate_limit_answers_429_with_retry_after_in_the_error_shape(
    client: Client, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.WAYMARK_API_RATE_LIMIT = 3
    monkeypatch.setattr(ratelimit, "now", lambda: 6_000_015.0)  # 15 s into a window
    for _ in range(3):
        assert post(client, "/recommend", PROFILE).status_code == 200
    response = post(client, "/recommend", PROFILE)
    assert_error(response, 429, "rate-limited")
    assert response["Retry-After"] == "45"
    assert_error(client.get("/api/v1/instruments"), 429, "rate-limited")
    # Another address has its own count; the next minute starts a new one.
    assert post(client, "/recommend", PROFILE, REMOTE_ADDR="192.0.2.7").status_code == 200
    monkeypatch.setattr(ratelimit, "now", lambda: 6_000_075.0)
    assert post(client, "/recommend", PROFILE).status_code == 200


def test_the_rate_limit_counts_what_every_process_counted(client: Client, settings: Any) -> None:
    settings.WAYMARK_API_RATE_LIMIT = 5
    cache.set(ratelimit.counter_key("127.0.0.1"), 5)  # as another server process left it
    assert_error(client.get("/api/v1/examples"), 429, "rate-limited")


def test_the_rate_limit_can_be_turned_off(client: Client, settings: Any) -> None:
    settings.WAYMARK_API_RATE_LIMIT = 0
    cache.set(ratelimit.counter_key("127.0.0.1"), 10**6)
    assert client.get("/api/v1/examples").status_code == 200


def test_the_rate_limit_counts_bad_requests_too(client: Client, settings: Any) -> None:
    settings.WAYMARK_API_RATE_LIMIT = 2
    assert_error(post(client, "/score", "nope"), 400)
    assert_error(post(client, "/score", "nope"), 400)
    assert_error(post(client, "/score", "nope"), 429, "rate-limited")


def test_the_rate_limit_counts_a_request_in_one_write(client: Client, settings: Any) -> None:
    """Past a window's first request, counting is one read and one write of the counter (the
    database cache: each write is a transaction, which on SQLite waits for the one writer)."""
    settings.WAYMARK_API_RATE_LIMIT = 100
    assert client.get("/api/v1/examples").status_code == 200  # starts the window
    with CaptureQueriesContext(connection) as counted:
        assert client.get("/api/v1/examples").status_code == 200
    writes = [q["sql"] for q in counted if q["sql"].startswith(("INSERT", "UPDATE", "DELETE"))]
    assert len(writes) == 1 and "waymark_cache" in writes[0], writes
    assert cache.get(ratelimit.counter_key("127.0.0.1")) == 2


# --- the OpenAPI document ----------------------------------------------------------------------


def test_the_openapi_document_lists_every_path_and_documents_its_errors(client: Client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) == {
        "/api/v1/recommend",
        "/api/v1/help/find",
        "/api/v1/score",
        "/api/v1/instruments",
        "/api/v1/instruments/{instrument_id}",
        "/api/v1/examples",
        "/api/v1/examples/{slug}",
        "/api/v1/checkups",
        "/api/v1/checkups/{checkup_id}",
        "/api/v1/plans",
        "/api/v1/plans/{plan_id}",
        "/api/v1/plans/{plan_id}/versions",
        "/api/v1/plans/{plan_id}/switch",
        "/api/v1/plans/{plan_id}/next-step",
        "/api/v1/checkins",
        "/api/v1/checkins/{day}",
        "/api/v1/progress",
        "/api/v1/export",
        "/api/v1/export/fhir",
        "/api/v1/import",
        "/api/v1/tokens",
        "/api/v1/tokens/{token_id}",
        "/api/v1/programs/{program_id}/fhir",
        "/api/v1/access-log",
        "/api/v1/reminder",
        "/api/v1/learn",
        "/api/v1/learn/{slug}",
        "/api/v1/consents",
        "/api/v1/consents/{consent_id}",
        "/api/v1/consents/{consent_id}/revoke",
        "/api/v1/invitations/{code}",
        "/api/v1/clinic/caseload",
        "/api/v1/clinic/people/{public_id}",
        "/api/v1/clinic/people/{public_id}/alerts",
        "/api/v1/clinic/people/{public_id}/alerts/{alert_id}/acknowledge",
        "/api/v1/clinic/people/{public_id}/scales",
        "/api/v1/clinic/people/{public_id}/notes",
        "/api/v1/clinic/programs/{program_id}/report",
        "/api/v1/clinic/people/{public_id}/episodes",
        "/api/v1/clinic/people/{public_id}/episodes/{episode_id}/discharge",
        "/api/v1/measures",
        "/api/v1/measures/{measure_id}/answers",
        "/api/v1/clinic/programs/{program_id}/measures",
        "/api/v1/clinic/people/{public_id}/measures",
        "/api/v1/clinic/people/{public_id}/measures/schedule",
    }
    error_ref = {"$ref": "#/components/schemas/Error"}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            documented_errors = ERROR_STATUSES & set(responses)
            assert "429" in documented_errors, (method, path)
            for status in documented_errors:
                assert responses[status]["content"]["application/json"]["schema"] == error_ref
            if operation.get("parameters") or "requestBody" in operation:
                assert documented_errors & {"400", "404"}, (method, path)
    assert "Error" in document["components"]["schemas"]


def test_the_openapi_document_describes_the_profile_as_its_schema_does(client: Client) -> None:
    document = json.loads(client.get("/api/v1/openapi.json").content)
    body = document["paths"]["/api/v1/recommend"]["post"]["requestBody"]
    documented = body["content"]["application/json"]["schema"]
    assert documented["properties"] == schema()["properties"]


# --- check-ups ---------------------------------------------------------------------------------


def _person(name: str) -> Any:
    return get_user_model().objects.create_user(username=name, password="a long passphrase")


def _anonymous_checkup(client: Client) -> CheckUp:
    checkup = CheckUp.objects.create()
    session = client.session
    session[SESSION_KEY] = [*session.get(SESSION_KEY, []), str(checkup.public_id)]
    session.save()
    return checkup


def test_checkups_need_someone_signed_in_or_a_browser_with_checkups(client: Client) -> None:
    assert_error(client.get("/api/v1/checkups"), 401, "not-signed-in")
    assert_error(client.get(f"/api/v1/checkups/{uuid.uuid4()}"), 401, "not-signed-in")


def test_a_person_sees_their_own_checkups_newest_first(client: Client) -> None:
    me = _person("me")
    older = CheckUp.objects.create(owner=me)
    newer = CheckUp.objects.create(owner=me, status=CheckUp.Status.COMPLETE, result={"a": 1})
    CheckUp.objects.create(owner=_person("someone-else"))
    client.force_login(me)
    body = json.loads(client.get("/api/v1/checkups").content)
    assert body["count"] == 2
    assert [row["id"] for row in body["items"]] == [str(newer.public_id), str(older.public_id)]
    assert body["items"][0]["status"] == "complete" and body["items"][0]["result"] == {"a": 1}
    assert sorted(body["items"][0]) == ["completed", "created", "id", "result", "status", "step"]


def test_checkups_are_paginated_with_limit_and_offset(client: Client) -> None:
    me = _person("me")
    made = [CheckUp.objects.create(owner=me) for _ in range(5)]
    client.force_login(me)
    body = json.loads(client.get("/api/v1/checkups?limit=2&offset=1").content)
    assert body["count"] == 5
    assert [row["id"] for row in body["items"]] == [str(made[3].public_id), str(made[2].public_id)]
    for bad in ("limit=0", "limit=1000", "offset=-1", "offset=99999999999999999999", "limit=x"):
        fields = assert_error(client.get(f"/api/v1/checkups?{bad}"), 400, "invalid-request")
        assert set(fields) <= {"query.limit", "query.offset"}


def test_listing_checkups_costs_the_same_queries_for_one_or_many(client: Client) -> None:
    me = _person("me")
    client.force_login(me)
    CheckUp.objects.create(owner=me)
    with CaptureQueriesContext(connection) as one:
        client.get("/api/v1/checkups")
    for _ in range(10):
        Answer.objects.create(checkup=CheckUp.objects.create(owner=me), instrument="profile",
                              version="1", item="age", value=30)  # fmt: skip
    cache.clear()  # the rate-limit counter's first write is an insert, later ones updates
    with CaptureQueriesContext(connection) as many:
        body = json.loads(client.get("/api/v1/checkups").content)
    assert body["count"] == 11
    assert len(many) == len(one)


def test_a_checkup_shows_every_stored_answer_and_the_result(client: Client) -> None:
    me = _person("me")
    checkup = CheckUp.objects.create(owner=me, step="about")
    Answer.objects.create(checkup=checkup, instrument="profile", version="1", item="age", value=31)
    Answer.objects.create(
        checkup=checkup,
        instrument="sud-11",
        version="1",
        context="alcohol",
        item="craving",
        option=1,
    )
    client.force_login(me)
    body = json.loads(client.get(f"/api/v1/checkups/{checkup.public_id}").content)
    assert body["id"] == str(checkup.public_id) and body["step"] == "about"
    assert body["answers"] == [
        {"instrument": "profile", "version": "1", "context": "", "item": "age", "option": None,
         "value": 31},
        {"instrument": "sud-11", "version": "1", "context": "alcohol", "item": "craving",
         "option": 1, "value": None},
    ]  # fmt: skip
    assert body["result"] is None


def test_someone_elses_checkup_is_not_found_never_forbidden(client: Client) -> None:
    theirs = CheckUp.objects.create(owner=_person("them"))
    client.force_login(_person("me"))
    assert_error(client.get(f"/api/v1/checkups/{theirs.public_id}"), 404, "not-found")
    assert_error(client.get(f"/api/v1/checkups/{uuid.uuid4()}"), 404, "not-found")
    assert json.loads(client.get("/api/v1/checkups").content)["count"] == 0


def test_a_browser_sees_the_checkups_it_took_without_an_account_and_no_others(
    client: Client,
) -> None:
    mine = _anonymous_checkup(client)
    other_browser = Client()
    theirs = _anonymous_checkup(other_browser)
    owned = CheckUp.objects.create(owner=_person("them"))
    body = json.loads(client.get("/api/v1/checkups").content)
    assert [row["id"] for row in body["items"]] == [str(mine.public_id)]
    assert client.get(f"/api/v1/checkups/{mine.public_id}").status_code == 200
    for checkup in (theirs, owned):
        assert_error(client.get(f"/api/v1/checkups/{checkup.public_id}"), 404, "not-found")


def test_a_checkup_saved_to_an_account_is_no_longer_the_browsers(client: Client) -> None:
    checkup = _anonymous_checkup(client)
    CheckUp.objects.filter(pk=checkup.pk).update(owner=_person("them"))
    assert_error(client.get(f"/api/v1/checkups/{checkup.public_id}"), 404, "not-found")


def test_no_integer_id_leaves_the_api(client: Client) -> None:
    me = _person("me")
    checkup = CheckUp.objects.create(owner=me)
    Answer.objects.create(checkup=checkup, instrument="profile", version="1", item="age", value=3)
    client.force_login(me)
    for url in ("/api/v1/checkups", f"/api/v1/checkups/{checkup.public_id}"):
        text = client.get(url).content.decode()
        assert not re.search(r'"(id|pk|checkup|owner)": \d', text), text


# --- a short fuzz: never a 500, always the error shape ----------------------------------------

FUZZ = fuzz_settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=15,
)
ANSWERS = st.lists(st.integers(min_value=-2, max_value=8) | st.none() | JSON_VALUES, max_size=12)
SCORE_BODIES = (
    st.fixed_dictionaries(
        {
            "instrument": st.sampled_from([*scoring.INSTRUMENT_IDS, "cage", ""]) | JSON_VALUES,
            "answers": ANSWERS,
        },
        optional={
            "sex": st.sampled_from(["female", "male", None, "x"]) | JSON_VALUES,
            "prescribed": st.booleans() | JSON_VALUES,
        },
    )
    | JSON_VALUES
)
PROFILE_BODIES = (
    st.builds(
        lambda base, key, value: {**base, key: value},
        st.sampled_from([v["profile"] for v in VIGNETTES]),
        st.sampled_from([*{k for v in VIGNETTES for k in v["profile"]}, "unknown"]),
        JSON_VALUES,
    )
    | JSON_VALUES
)
FLAG = st.booleans()
SMALL = st.integers(0, 10)
COUNT = st.integers(0, 10**9)


def _enum(*path: str) -> Any:
    """The values the profile schema allows at `path`."""
    node = schema()
    for key in path:
        node = node[key]
    return st.sampled_from(node["enum"])


HEALTH = _enum("properties", "health", "items")
ROUTE = _enum("properties", "substances", "items", "properties", "route")
CO_OCCURRING = _enum("properties", "mental_health", "properties", "co_occurring", "items")


def _some(**optional: Any) -> Any:
    return st.fixed_dictionaries({}, optional=optional)


def _substance(name: str) -> Any:
    return st.fixed_dictionaries(
        {"substance": st.just(name)},
        optional={
            "route": ROUTE,
            "days_used_past_30": st.integers(0, 30),
            "typical_amount": st.floats(0, 1e6, allow_nan=False),
            "prescribed": FLAG,
            "criteria": st.lists(st.sampled_from(CRITERIA), unique=True),
            "last_use_days_ago": st.none() | st.integers(0, 10**6),
        },
    )


@st.composite
def valid_profiles(draw: Any) -> Any:
    """Profiles the schema accepts, so the fuzz reaches the engine, not only its checks."""
    names = draw(st.lists(st.sampled_from(SUBSTANCES), min_size=1, max_size=4, unique=True))
    required = {
        "version": st.just(1),
        "age": st.integers(0, 120),
        "goal": _enum("properties", "goal"),
        "substances": st.tuples(*(_substance(name) for name in names)).map(list),
    }
    optional = {
        "sex": st.sampled_from(["female", "male", None]),
        "pregnant": FLAG,
        "withdrawal_history": _some(seizures=FLAG, delirium_tremens=FLAG, current_symptoms=FLAG),
        "health": st.lists(HEALTH, unique=True),
        "mental_health": _some(
            suicidal_thoughts=FLAG,
            co_occurring=st.lists(CO_OCCURRING),
        ),
        "readiness": _some(importance=SMALL, confidence=SMALL, readiness=SMALL),
        "support": _some(supportive_people=COUNT, stable_housing=FLAG, substance_free_home=FLAG),
        "past_treatment": _some(
            quit_attempts=COUNT,
            returns_to_use=COUNT,
            treatment_episodes=COUNT,
            helped=st.lists(st.text(max_size=30), max_size=3),
        ),
    }
    return draw(st.fixed_dictionaries(required, optional=optional))


def assert_answered(response: Response) -> None:
    assert response.status_code < 500, response.content
    if response.status_code >= 400:
        assert_error(response, response.status_code)


@FUZZ
@given(body=SCORE_BODIES)
def test_fuzzed_score_requests_never_fail_the_server(client: Client, body: Any) -> None:
    assert_answered(post(client, "/score", body))


@FUZZ
@given(body=PROFILE_BODIES)
def test_fuzzed_profiles_never_fail_the_server(client: Client, body: Any) -> None:
    assert_answered(post(client, "/recommend", body))


@FUZZ
@given(profile=valid_profiles())
def test_fuzzed_valid_profiles_get_the_command_lines_recommendation(
    client: Client, profile: dict[str, Any]
) -> None:
    response = post(client, "/recommend", profile)
    assert response.status_code == 200, response.content
    expected = recommend_json(profile)
    assert json.loads(response.content) == expected
