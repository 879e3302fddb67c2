"""The JSON twins of re-assessment, the next step and switching paths: GET /progress says what
the progress page says, and the two writes make the same versions as the pages, with the same
checks (session + CSRF or a token, nobody else's plan, only a step on offer now)."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.test_api import assert_error
from tests.test_reassess_pages import (
    PASSWORD,
    PROGRESS,
    checkup,
    kept_weeks,
    make_plan,
    sign_in,
    today,
)
from waymark.accounts.models import User
from waymark.checkup.models import SESSION_KEY, CheckUp
from waymark.clinical.plan import APPROACHES
from waymark.clinical.reassess import ABSTINENCE_TRIAL, LOWER_TARGET
from waymark.plans.actions import do_create_plan, do_switch_path
from waymark.plans.models import Plan, PlanVersion
from waymark.tracking.models import CheckIn

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

pytestmark = pytest.mark.django_db
API = "/api/v1"
TOKEN = re.compile(r"wm_[A-Za-z0-9_-]{43}")


@pytest.fixture(autouse=True)
def _fresh_rate_limit(settings: Any) -> Iterator[None]:
    settings.WAYMARK_API_RATE_LIMIT = 100_000
    cache.clear()
    yield
    cache.clear()


def progress(client: Client) -> dict[str, Any]:
    response = client.get(f"{API}/progress")
    assert response.status_code == 200, response.content
    body: dict[str, Any] = json.loads(response.content)
    return body


def post(client: Client, url: str, body: Any, **extra: Any) -> Response:
    data = body if isinstance(body, str) else json.dumps(body)
    response: Response = client.post(url, data=data, content_type="application/json", **extra)
    return response


def switch_url(plan: Plan) -> str:
    return f"{API}/plans/{plan.public_id}/switch"


def step_url(plan: Plan) -> str:
    return f"{API}/plans/{plan.public_id}/next-step"


# Reading: re-assessment, the next step, the switches -----------------------------------------


def test_without_a_check_up_or_plan_nothing_is_due_offered_or_switched(client: Client) -> None:
    sign_in(client)
    body = progress(client)
    assert body["plan"] is None and body["approach"] is None
    assert body["reassessment"] == {"due": None, "changes": [], "worsening": []}
    assert body["next_step"] is None and body["switches"] == []


def test_the_check_up_is_due_again_28_days_on_and_overdue_two_weeks_later(client: Client) -> None:
    owner = sign_in(client)
    done = checkup(owner, days_ago=29)
    completed = timezone.localdate(done.completed_at)
    due = progress(client)["reassessment"]["due"]
    assert due == {
        "last": completed.isoformat(),
        "on": (completed + timedelta(days=28)).isoformat(),
        "status": "due",
    }
    CheckUp.objects.filter(pk=done.pk).update(completed_at=timezone.now() - timedelta(days=43))
    assert progress(client)["reassessment"]["due"]["status"] == "overdue"
    CheckUp.objects.filter(pk=done.pk).update(completed_at=timezone.now() - timedelta(days=3))
    assert progress(client)["reassessment"]["due"]["status"] == "not-yet"


def test_change_since_baseline_and_worsening_with_its_message_and_no_next_step(
    client: Client,
) -> None:
    owner = sign_in(client)
    plan = make_plan(owner)
    kept_weeks(owner, 4)  # a next step would be on offer, but for the worsening
    CheckUp.objects.filter(pk=plan.checkup.pk).update(
        completed_at=timezone.now() - timedelta(days=50)
    )
    first = checkup(owner, days_ago=40, phq=4)
    latest = checkup(owner, days_ago=2, phq=15)
    again = progress(client)["reassessment"]
    phq = next(c for c in again["changes"] if c["instrument"] == "phq-9")
    assert phq["name"] == "PHQ-9"
    assert phq["baseline"] == {
        "total": 4,
        "band": "minimal",
        "band_label": "Minimal",
        "on": timezone.localdate(first.completed_at).isoformat(),
    }
    assert phq["latest"] == {
        "total": 15,
        "band": "moderately-severe",
        "band_label": "Moderately severe",
        "on": timezone.localdate(latest.completed_at).isoformat(),
    }
    assert phq["difference"] == 11 and phq["direction"] == "worse"
    [worse] = again["worsening"]
    assert worse["instrument"] == "phq-9" and worse["name"] == "PHQ-9"
    assert worse["before"]["total"] == 4 and worse["after"]["total"] == 15
    assert worse["reasons"] == ["band-up", "points-up"]
    assert "from 4 to 15 points" in worse["message"]
    assert "Consider talking to a doctor or counsellor soon" in worse["message"]
    assert "%(" not in worse["message"]
    assert progress(client)["next_step"] is None
    # The page says the same.
    page = client.get(PROGRESS).content.decode()
    assert 'id="worsening"' in page and 'id="next-step"' not in page


def test_the_next_step_on_offer_is_the_page_s_with_its_options(client: Client) -> None:
    owner = sign_in(client)
    plan = make_plan(owner)
    kept_weeks(owner, 4)
    body = progress(client)
    assert body["plan"] == str(plan.public_id) and body["approach"] == "harm-reduction"
    step = body["next_step"]
    assert step["plan"] == str(plan.public_id) and step["limit"] == 3.0
    assert "limit of 3 drinks a day for the last 4 weeks" in step["message"]
    assert [w["kept"] for w in step["weeks"]] == [True] * 4
    assert all(w["days_counted"] >= 5 for w in step["weeks"])
    offers = {o["kind"]: o for o in step["offers"]}
    assert list(offers) == ["lower-target", "abstinence-trial"]
    assert offers["lower-target"]["limit"] == 2.0
    assert offers["lower-target"]["message"] == "Lower my limit to 2 drinks a day."
    assert offers["abstinence-trial"]["limit"] == 0.0
    assert not any(o["with_clinician"] for o in offers.values())
    page_step = client.get(PROGRESS).context["next_step"]
    assert [o.kind for o in page_step.offers] == list(offers)


def test_three_kept_weeks_offer_nothing_yet(client: Client) -> None:
    owner = sign_in(client)
    make_plan(owner)
    kept_weeks(owner, 4)
    monday = today() - timedelta(days=today().weekday())
    CheckIn.objects.filter(owner=owner, day__lt=monday - timedelta(weeks=3)).delete()
    assert progress(client)["next_step"] is None


def test_switches_are_listed_oldest_first_with_the_date_and_both_paths(client: Client) -> None:
    owner = sign_in(client)
    plan = make_plan(owner)
    do_switch_path(plan, "abstinence", owner)
    PlanVersion.objects.filter(plan=plan, number=2).update(
        created_at=timezone.now() - timedelta(days=20)
    )
    do_switch_path(plan, "staged", owner)
    body = progress(client)
    assert body["approach"] == "staged"
    assert body["switches"] == [
        {"date": (today() - timedelta(days=20)).isoformat(), "from": "harm-reduction",
         "to": "abstinence"},
        {"date": today().isoformat(), "from": "abstinence", "to": "staged"},
    ]  # fmt: skip


def test_reading_progress_takes_the_same_queries_for_more_switches_and_days(
    client: Client,
) -> None:
    owner = sign_in(client)
    plan = make_plan(owner)
    counts = []
    for switches, weeks in ((1, 1), (6, 4)):
        PlanVersion.objects.filter(plan=plan, number__gt=1).delete()
        CheckIn.objects.filter(owner=owner).delete()
        kept_weeks(owner, weeks)
        for n in range(switches):
            do_switch_path(plan, ("abstinence", "harm-reduction")[n % 2], owner)
        progress(client)  # the rate limit's counter is made on the first request
        with CaptureQueriesContext(connection) as queries:
            progress(client)
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


# Switching path -----------------------------------------------------------------------------


def test_switching_path_makes_a_new_version_as_the_page_does(client: Client) -> None:
    owner = sign_in(client)
    plan = make_plan(owner)
    content = dict(plan.latest().content)
    before = json.loads(client.get(f"{API}/plans/{plan.public_id}").content)["document"]
    response = post(client, switch_url(plan), {"approach": "abstinence"})
    assert response.status_code == 200, response.content
    body = json.loads(response.content)
    assert body["id"] == str(plan.public_id) and body["version"] == 2
    assert body["approach"] == "abstinence"
    assert body["content"]["switched_from"] == "harm-reduction"
    assert body["content"]["people"] == content.get("people")
    assert body["document"]["safety"] == before["safety"]  # every safety item stays
    assert plan.versions.get(number=1).content["approach"] == "harm-reduction"
    assert progress(client)["switches"] == [
        {"date": today().isoformat(), "from": "harm-reduction", "to": "abstinence"}
    ]


def test_a_bad_or_unchanged_path_is_a_400_and_changes_nothing(client: Client) -> None:
    owner = sign_in(client)
    plan = make_plan(owner)
    for body, field in (
        ({"approach": "moderation"}, "body.approach"),
        ({"approach": "harm-reduction"}, "body.approach"),
        ({}, "body.approach"),
        ({"approach": "staged", "extra": 1}, "body.extra"),
    ):
        fields = assert_error(post(client, switch_url(plan), body), 400, "invalid-request")
        assert field in fields, (body, fields)
    assert_error(post(client, switch_url(plan), "not json"), 400)
    assert plan.versions.count() == 1


def test_nobody_switches_or_steps_another_person_s_plan(client: Client) -> None:
    owner = sign_in(client)
    plan = make_plan(owner)
    kept_weeks(owner, 4)
    other = Client()
    other.force_login(User.objects.create_user("alex", password=PASSWORD))
    assert_error(post(other, switch_url(plan), {"approach": "abstinence"}), 404, "not-found")
    assert_error(post(other, step_url(plan), {"kind": "lower-target"}), 404, "not-found")
    missing = f"{API}/plans/{uuid.uuid4()}/switch"
    assert_error(post(client, missing, {"approach": "abstinence"}), 404, "not-found")
    assert plan.versions.count() == 1


def test_writes_need_a_session_and_the_csrf_token(client: Client) -> None:
    owner = sign_in(client)
    plan = make_plan(owner)
    body = {"approach": "abstinence"}
    assert_error(post(Client(), switch_url(plan), body), 401, "not-signed-in")
    assert_error(post(Client(), step_url(plan), {"kind": "lower-target"}), 401, "not-signed-in")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(owner)
    assert_error(post(strict, switch_url(plan), body), 403, "forbidden")
    assert plan.versions.count() == 1
    strict.get(PROGRESS)  # the page sets the CSRF cookie
    token = strict.cookies["csrftoken"].value
    response = post(strict, switch_url(plan), body, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200, response.content
    assert plan.versions.count() == 2


def test_a_browser_switches_the_plan_of_a_check_up_it_took_without_an_account() -> None:
    """As on the page: a plan is visible exactly when its check-up is. The next step needs
    an account (it follows the progress page, which needs check-ins)."""
    browser = Client()
    taken = checkup(User.objects.create_user("former", password=PASSWORD), days_ago=3)
    CheckUp.objects.filter(pk=taken.pk).update(owner=None)
    plan = do_create_plan(taken, "harm-reduction", None)
    assert_error(post(browser, switch_url(plan), {"approach": "staged"}), 401, "not-signed-in")
    session = browser.session
    session[SESSION_KEY] = [str(taken.public_id)]
    session.save()
    response = post(browser, switch_url(plan), {"approach": "staged"})
    assert response.status_code == 200, response.content
    assert plan.latest().content["approach"] == "staged" and plan.latest().created_by is None
    assert_error(post(browser, step_url(plan), {"kind": "lower-target"}), 401, "not-signed-in")


def make_token(client: Client, scope: str) -> dict[str, str]:
    response = client.post(
        reverse("interop:tokens"), {"name": "my script", "scope": scope, "expires": "90"}
    )
    [secret] = TOKEN.findall(response.content.decode())
    return {"Authorization": f"Bearer {secret}"}


def test_a_read_write_token_switches_without_csrf_and_a_read_token_may_not(
    client: Client,
) -> None:
    owner = sign_in(client)
    plan = make_plan(owner)
    kept_weeks(owner, 4)
    reader, writer = make_token(client, "read"), make_token(client, "read-write")
    stranger = Client(enforce_csrf_checks=True)
    assert json.loads(stranger.get(f"{API}/progress", headers=reader).content)["next_step"]
    body = {"kind": "lower-target"}
    assert_error(post(stranger, step_url(plan), body, headers=reader), 403, "forbidden")
    response = post(stranger, step_url(plan), body, headers=writer)
    assert response.status_code == 200, response.content
    assert plan.latest().content["daily_limit"] == 2.0


# Taking the next step -----------------------------------------------------------------------


def test_a_lower_limit_makes_a_new_version_and_the_offer_starts_again(client: Client) -> None:
    owner = sign_in(client)
    plan = make_plan(owner)
    kept_weeks(owner, 4)
    response = post(client, step_url(plan), {"kind": "lower-target"})
    assert response.status_code == 200, response.content
    body = json.loads(response.content)
    assert body["version"] == 2 and body["approach"] == "harm-reduction"
    assert body["content"]["daily_limit"] == 2.0
    assert body["content"]["next_step"] == {"kind": "lower-target", "with_clinician": False}
    after = progress(client)
    assert after["next_step"] is None and after["switches"] == []  # four new weeks start now
    # Taking it again is no longer on offer: nothing changes.
    fields = assert_error(post(client, step_url(plan), {"kind": "lower-target"}), 400)
    assert "no next step is on offer" in fields["body.kind"]
    assert plan.versions.count() == 2


def test_a_trial_of_abstinence_switches_the_path_and_is_listed_as_a_switch(
    client: Client,
) -> None:
    owner = sign_in(client)
    plan = make_plan(owner)
    kept_weeks(owner, 4)
    response = post(client, step_url(plan), {"kind": "abstinence-trial"})
    assert response.status_code == 200, response.content
    body = json.loads(response.content)
    assert body["approach"] == "abstinence" and body["content"]["daily_limit"] == 0.0
    assert progress(client)["switches"] == [
        {"date": today().isoformat(), "from": "harm-reduction", "to": "abstinence"}
    ]


def test_a_step_not_on_offer_is_a_400_in_the_error_shape(client: Client) -> None:
    owner = sign_in(client)
    plan = make_plan(owner)
    kept_weeks(owner, 2)
    fields = assert_error(post(client, step_url(plan), {"kind": "abstinence-trial"}), 400)
    assert "body.kind" in fields
    fields = assert_error(post(client, step_url(plan), {"kind": "fewer-days"}), 400)
    assert "body.kind" in fields
    assert plan.versions.count() == 1


def test_only_the_plan_the_progress_page_follows_can_take_the_step(client: Client) -> None:
    owner = sign_in(client)
    older = make_plan(owner)
    Plan.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(days=60))
    newer = make_plan(owner)
    kept_weeks(owner, 4)
    assert progress(client)["next_step"]["plan"] == str(newer.public_id)
    fields = assert_error(post(client, step_url(older), {"kind": "lower-target"}), 400)
    assert "no next step is on offer for this plan" in fields["body.kind"]
    assert older.versions.count() == 1 and newer.versions.count() == 1


# The OpenAPI document -----------------------------------------------------------------------


def test_the_openapi_document_describes_the_new_fields_and_writes(client: Client) -> None:
    document = json.loads(client.get(f"{API}/openapi.json").content)
    schemas = document["components"]["schemas"]
    progress_fields = set(schemas["ProgressOut"]["properties"])
    assert {"reassessment", "next_step", "switches", "plan", "approach"} <= progress_fields
    assert set(schemas["SwitchOut"]["properties"]) == {"date", "from", "to"}
    # The request schemas name exactly the clinical core's paths and next steps.
    assert schemas["SwitchIn"]["properties"]["approach"]["enum"] == list(APPROACHES)
    assert schemas["NextStepIn"]["properties"]["kind"]["enum"] == [LOWER_TARGET, ABSTINENCE_TRIAL]
    for path in ("switch", "next-step"):
        operation = document["paths"][f"{API}/plans/{{plan_id}}/{path}"]["post"]
        assert {"200", "400", "401", "403", "404"} <= set(operation["responses"]), path
        assert operation["requestBody"]["required"] is True
