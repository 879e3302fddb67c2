"""The clinic's JSON twins: same access rule as the pages, one error shape, verified staff."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tests.programs import make_consent, make_person, make_program, make_staff
from tests.test_clinic import checkin, crisis_checkup
from waymark.accounts.models import Role
from waymark.audit.log import seal
from waymark.audit.models import AuditEntry
from waymark.clinic import actions
from waymark.clinic.models import Alert, ClinicianScale

pytestmark = pytest.mark.django_db


def post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def shape(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code
    assert set(error) == {"code", "message", "fields"}


def test_the_caseload_lists_alerts_most_urgent_first() -> None:
    clinician = make_staff(Role.CLINICIAN, program=make_program())
    person = make_person("marker-alias")
    make_consent(person, clinician.membership)
    checkin(person, 0, cravings=9)
    crisis_checkup(person)
    actions.evaluate(person)
    rows = clinician.client.get("/api/v1/clinic/caseload").json()["items"]
    assert [r["alias"] for r in rows] == ["marker-alias"]
    assert [a["rule"] for a in rows[0]["alerts"]] == ["suicidal-thoughts", "craving-spike"]
    assert rows[0]["id"] == str(person.public_id)
    seal()
    assert AuditEntry.objects.filter(action="view.caseload", via="api").exists()


def test_an_unverified_staff_session_gets_403_and_anonymous_401() -> None:
    clinician = make_staff(Role.CLINICIAN, verified=False)
    shape(clinician.client.get("/api/v1/clinic/caseload"), 403, "forbidden")
    shape(Client().get("/api/v1/clinic/caseload"), 401, "not-signed-in")


def test_a_person_who_is_not_in_the_caseload_is_404() -> None:
    clinician = make_staff(Role.CLINICIAN)
    stranger = make_person()
    shape(clinician.client.get(f"/api/v1/clinic/people/{stranger.public_id}"), 404, "not-found")


def test_the_chart_has_only_the_shared_scopes() -> None:
    clinician = make_staff(Role.CLINICIAN)
    person = make_person()
    make_consent(person, clinician.membership, scopes=("checkups",))
    checkin(person, 0, cravings=9)
    actions.evaluate(person)  # a check-in alert: not shared, not shown
    chart = clinician.client.get(f"/api/v1/clinic/people/{person.public_id}").json()
    assert chart["scopes"] == ["checkups"]
    assert chart["checkins"] is None
    assert chart["outcomes"] is None
    assert chart["plan_versions"] is None
    assert chart["notes"] is None
    assert chart["open_alerts"] == []
    assert chart["screeners"] == []


def test_acknowledging_through_the_api() -> None:
    clinician = make_staff(Role.CLINICIAN)
    person = make_person()
    make_consent(person, clinician.membership)
    crisis_checkup(person)
    (alert,) = actions.evaluate(person)
    url = f"/api/v1/clinic/people/{person.public_id}/alerts/{alert.public_id}/acknowledge"
    response = post(clinician.client, url, {"note": "Seen in clinic today."})
    assert response.status_code == 200, response.content
    assert response.json()["ack_note"] == "Seen in clinic today."
    assert Alert.objects.get(pk=alert.pk).acknowledged_by == clinician.user


def test_recording_a_scale_through_the_api_and_bad_answers() -> None:
    clinician = make_staff(Role.CLINICIAN)
    person = make_person()
    make_consent(person, clinician.membership)
    url = f"/api/v1/clinic/people/{person.public_id}/scales"
    response = post(clinician.client, url, {"instrument": "ciwa-ar", "answers": [7] * 9 + [4]})
    assert response.status_code == 201, response.content
    assert (response.json()["total"], response.json()["band"]) == (67, "severe")
    shape(post(clinician.client, url, {"instrument": "ciwa-ar", "answers": [9] * 10}), 400,
          "invalid-answers")  # fmt: skip
    shape(post(clinician.client, url, {"instrument": "phq-9", "answers": [0] * 9}), 400,
          "invalid-request")  # fmt: skip
    assert ClinicianScale.objects.count() == 1


def test_notes_through_the_api_need_the_notes_scope() -> None:
    clinician = make_staff(Role.CLINICIAN)
    sharing, not_sharing = make_person(), make_person()
    make_consent(sharing, clinician.membership)
    make_consent(not_sharing, clinician.membership, scopes=("checkups",))
    ok = post(clinician.client, f"/api/v1/clinic/people/{sharing.public_id}/notes", {"text": "Hi"})
    assert ok.status_code == 201
    refused = post(
        clinician.client, f"/api/v1/clinic/people/{not_sharing.public_id}/notes", {"text": "Hi"}
    )
    shape(refused, 404, "not-found")


def test_the_report_suppresses_small_cells() -> None:
    program = make_program()
    lead = make_staff(Role.LEAD, program=program)
    for _ in range(10):
        person = make_person()
        make_consent(person, lead.membership)
        checkin(person, 1)
    report = lead.client.get(f"/api/v1/clinic/programs/{program.public_id}/report").json()
    assert report["people"] is None
    assert report["retention"] == {"value": None, "people": None}
    person = make_person()
    make_consent(person, lead.membership)
    checkin(person, 1)
    report = lead.client.get(f"/api/v1/clinic/programs/{program.public_id}/report").json()
    assert report["people"] == 11
    assert report["retention"] == {"value": 100.0, "people": 11}
