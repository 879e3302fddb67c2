"""Episodes of care on the chart, in the API, in the program report and the funder CSV."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from tests.programs import Staff, make_consent, make_person, make_program, make_staff
from waymark.accounts.models import Organization, Role, User
from waymark.audit.models import AuditEntry, PendingRead
from waymark.clinic.episode_views import COLUMNS
from waymark.clinic.models import Episode
from waymark.clinic.report import program_report_for
from waymark.clinic.snapshots import latest_snapshot, save_snapshot
from waymark.clinical.report import MIN_CELL
from waymark.measures.models import MeasureResponse

pytestmark = pytest.mark.django_db


def _today() -> date:
    """Read when a test runs, not at import: a run that crosses midnight sees one day."""
    return timezone.localdate()


def _admitted() -> date:
    return _today() - timedelta(days=300)


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, 12))


def _phq9(person: User, program: Organization, day: date, total: int) -> None:
    MeasureResponse.objects.create(
        person=person,
        program=program,
        instrument="phq-9",
        version="1",
        total=total,
        completed_at=_at(day),
        via="app",
    )


def _program_with(people: int) -> tuple[Organization, Staff]:
    program = make_program()
    lead = make_staff(Role.LEAD, program=program)
    for _ in range(people):
        person = make_person()
        make_consent(person, lead.membership)
        Episode.objects.create(person=person, program=program, admitted_on=_admitted())
        _phq9(person, program, _admitted(), 18)
        _phq9(person, program, _admitted() + timedelta(days=182), 3)
    return program, lead


def test_a_clinician_admits_and_discharges_from_the_chart_and_both_are_audited() -> None:
    program = make_program()
    clinician = make_staff(Role.CLINICIAN, program=program)
    person = make_person()
    make_consent(person, clinician.membership)
    url = f"/clinic/people/{person.public_id}/episodes/"
    day = (_today() - timedelta(days=10)).isoformat()
    response = clinician.client.post(url, {"program": program.public_id, "admitted_on": day})
    assert response.status_code == 302
    episode = Episode.objects.get(person=person)
    assert episode.created_by == clinician.user
    again = clinician.client.post(url, {"program": program.public_id, "admitted_on": day})
    assert again.status_code == 400  # one open episode per program
    assert Episode.objects.filter(person=person).count() == 1
    chart = clinician.client.get(f"/clinic/people/{person.public_id}/")
    assert "Episodes of care" in chart.content.decode()
    discharge = f"{url}{episode.public_id}/discharge/"
    early = clinician.client.post(
        discharge, {"discharged_on": (_today() - timedelta(days=11)).isoformat(), "reason": "left"}
    )
    assert early.status_code == 400
    done = clinician.client.post(
        discharge, {"discharged_on": _today().isoformat(), "reason": "left"}
    )
    assert done.status_code == 302
    episode.refresh_from_db()
    assert (episode.discharged_on, episode.discharge_reason) == (_today(), "left")
    actions = set(
        AuditEntry.objects.filter(subject_ref__isnull=False).values_list("action", flat=True)
    )
    assert {"episode.admit", "episode.discharge"} <= actions


def test_the_api_twins_list_admit_and_discharge() -> None:
    program = make_program()
    clinician = make_staff(Role.CLINICIAN, program=program)
    person = make_person()
    make_consent(person, clinician.membership)
    base = f"/api/v1/clinic/people/{person.public_id}/episodes"
    body = {"program": str(program.public_id), "admitted_on": _today().isoformat()}
    made = clinician.client.post(base, json.dumps(body), content_type="application/json")
    assert made.status_code == 201, made.content
    episode_id = made.json()["id"]
    again = clinician.client.post(base, json.dumps(body), content_type="application/json")
    assert again.status_code == 400 and again.json()["error"]["code"] == "invalid-request"
    out = {"discharged_on": _today().isoformat(), "reason": "completed"}
    closed = clinician.client.post(
        f"{base}/{episode_id}/discharge", json.dumps(out), content_type="application/json"
    )
    assert closed.status_code == 200 and closed.json()["discharge_reason"] == "completed"
    listed = clinician.client.get(base).json()["items"]
    assert [e["id"] for e in listed] == [episode_id]
    other = make_staff(Role.CLINICIAN)
    assert other.client.get(base).status_code == 404


@pytest.mark.parametrize(("people", "shown"), [(MIN_CELL - 1, False), (MIN_CELL, True)])
def test_the_report_section_is_withheld_under_eleven_and_kept_reports_agree(
    people: int, shown: bool
) -> None:
    program, lead = _program_with(people)
    live = program_report_for(program)
    assert live.episodes is not None
    assert (live.episodes.episodes.value is not None) is shown
    if shown:
        assert live.episodes.episodes.value == MIN_CELL
        assert live.episodes.followup_rate.value == 100.0
        assert live.episodes.response.value == 100.0
        assert live.episodes.remission.value == 100.0
    save_snapshot(program)
    kept = latest_snapshot(program)
    assert kept is not None and kept[0].episodes == live.episodes
    page = lead.client.get(f"/clinic/programs/{program.public_id}/report/").content.decode()
    assert "Episodes and follow-up" in page
    api = lead.client.get(f"/api/v1/clinic/programs/{program.public_id}/report").json()
    assert api["episodes"]["target"] == 80
    assert (api["episodes"]["followup_rate"]["value"] is not None) is shown


def test_the_csv_is_refused_under_eleven_people() -> None:
    program, lead = _program_with(MIN_CELL - 1)
    response = lead.client.get(f"/clinic/programs/{program.public_id}/episodes.csv")
    assert response.status_code == 409


def test_the_csv_has_one_de_identified_row_per_episode_and_its_read_is_audited() -> None:
    program, lead = _program_with(MIN_CELL)
    before = PendingRead.objects.count()
    response = lead.client.get(f"/clinic/programs/{program.public_id}/episodes.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert tuple(rows[0]) == COLUMNS
    assert len(rows) == MIN_CELL + 1
    first = dict(zip(COLUMNS, rows[1], strict=True))
    assert first["episode"] == "1" and first["baseline_phq9"] == "18"
    assert first["followup_phq9"] == "3" and first["response"] == "yes"
    assert first["followup_achieved"] == "yes" and first["remission"] == "yes"
    text = response.content.decode()
    for episode in Episode.objects.filter(program=program):
        assert str(episode.person.public_id) not in text
        assert episode.person.username not in text
    assert PendingRead.objects.count() == before + 1


def test_the_csv_is_for_the_programs_leads_only() -> None:
    program, _lead = _program_with(MIN_CELL)
    url = f"/clinic/programs/{program.public_id}/episodes.csv"
    clinician = make_staff(Role.CLINICIAN, program=program)
    other_lead = make_staff(Role.LEAD)
    assert clinician.client.get(url).status_code == 404
    assert other_lead.client.get(url).status_code == 404
    person = make_person()
    from django.test import Client

    client = Client()
    client.force_login(person)
    assert client.get(url).status_code == 403
    assert Client().get(url).status_code == 302


def test_a_check_ups_phq9_is_a_result_in_the_report_and_the_csv_alike() -> None:
    from tests.test_clinic import complete_crisis_checkup
    from waymark.checkup.history import scores
    from waymark.clinic.episodes import program_rows, results_of

    program = make_program()
    lead = make_staff(Role.LEAD, program=program)
    person = make_person()
    make_consent(person, lead.membership)
    checkup = complete_crisis_checkup(person)
    Episode.objects.create(person=person, program=program, admitted_on=_today())
    total = scores(checkup)["phq-9"].total
    rows = program_rows(program, [person.pk], _today())
    assert rows[0].outcome.baseline_phq9 == total
    given = {person.pk: [(_today(), total)]}
    assert results_of([person.pk], given) == results_of([person.pk])
