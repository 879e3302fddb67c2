"""THE permission matrix: every page and endpoint that shows a person's data, tried as each
persona — the person, their consented clinician, an unlinked clinician, a clinician whose
consent was revoked, another person, a lead of another program, and anonymous. Zero leaks:
the status code is the expected one, and no marker of the person's data appears in the answer.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from tests.conftest import module_settings
from tests.programs import as_verified, make_consent, make_person, make_program, make_staff
from tests.test_clinic import complete_crisis_checkup
from tests.test_plans import make_plan
from waymark.accounts.models import Role, User
from waymark.audit.log import seal
from waymark.audit.models import AuditEntry
from waymark.clinic import actions
from waymark.clinic.models import Alert, ClinicalNote, ClinicianScale
from waymark.plans.models import Plan
from waymark.tracking.actions import CheckInData, do_record_checkin

pytestmark = pytest.mark.django_db

ALIAS = "zebra-marker-alias"
CHECKIN_NOTE = "MARKER-CHECKIN-NOTE-81"
CLINICAL_NOTE = "MARKER-CLINICAL-NOTE-82"
ACK_NOTE = "MARKER-ACK-NOTE-83"
PERSONAS = ("person", "clinician", "unlinked", "revoked", "other_person", "other_lead", "anonymous")
STAFF = ("clinician", "unlinked", "revoked", "other_lead")


@dataclass
class World:
    person: User
    plan: Plan
    checkup_id: str
    clients: dict[str, Client]
    markers: tuple[str, ...]
    program_id: str
    day: str


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """Built once for the module, inside a transaction rolled back at its end; each test runs
    in a savepoint of its own within it (pytest-django's django_db), so nothing one test
    changes reaches the next."""
    with django_db_blocker.unblock(), module_settings(), transaction.atomic():
        yield _build_world()
        transaction.set_rollback(True)


def _build_world() -> World:
    program = make_program()
    clinician = make_staff(Role.CLINICIAN, program=program)
    unlinked = make_staff(Role.CLINICIAN, program=program)  # same program, not named
    revoked = make_staff(Role.CLINICIAN, program=program)
    other_lead = make_staff(Role.LEAD)  # lead of another program

    person_client = Client()
    person = make_person(ALIAS)
    person_client.force_login(person)
    plan = make_plan(person_client, "weekend drinker over limits, wants to cut down")
    day = timezone.localdate() - timedelta(days=1)
    do_record_checkin(
        person,
        day,
        CheckInData(used=True, amounts={"alcohol": Decimal(3)}, cravings=9, note=CHECKIN_NOTE),
    )
    make_consent(person, clinician.membership)
    make_consent(person, revoked.membership, revoked=True)
    complete_crisis_checkup(person)
    actions.evaluate(person)
    viewer = as_verified(clinician.user)
    actions.do_add_note(viewer, person, CLINICAL_NOTE)
    acknowledged = Alert.objects.filter(person=person, rule="craving-spike").get()
    actions.do_acknowledge(acknowledged, viewer, ACK_NOTE)

    other_client = Client()
    other_client.force_login(make_person())
    return World(
        person=person,
        plan=plan,
        checkup_id=str(plan.checkup.public_id),
        clients={
            "person": person_client,
            "clinician": clinician.client,
            "unlinked": unlinked.client,
            "revoked": revoked.client,
            "other_person": other_client,
            "other_lead": other_lead.client,
            "anonymous": Client(),
        },
        markers=(ALIAS, CHECKIN_NOTE, CLINICAL_NOTE, ACK_NOTE, str(person.public_id)),
        program_id=str(program.public_id),
        day=day.isoformat(),
    )


def body(response: Any) -> str:
    raw: bytes = (
        b"".join(response.streaming_content)
        if hasattr(response, "streaming_content")
        else response.content
    )
    if raw.startswith(b"PK"):  # a zip (the CSV export): read every file in it
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            raw = b"\n".join(archive.read(name) for name in archive.namelist())
    return raw.decode("utf-8", "replace")


def no_marker(world: World, response: Any, where: str) -> None:
    text = body(response)
    for marker in world.markers:
        assert marker not in text, f"{where}: {marker!r} leaked"


# The person's own pages and endpoints --------------------------------------------------------

# Pages addressed by the person's own ids: only the person may see them.
OWN_BY_ID = (
    "/checkup/{checkup}/result/",
    "/plans/{plan}/",
    "/plans/{plan}/versions/",
    "/plans/{plan}/versions/1/",
    "/plans/{plan}/recovery-plan.pdf",
    "/plans/{plan}/wallet-card.pdf",
    "/api/v1/checkups/{checkup}",
    "/api/v1/plans/{plan}",
    "/api/v1/plans/{plan}/versions",
)
# Pages of "my own data": each viewer sees their own, so others see none of the person's.
OWN_PAGES = (
    "/progress/",
    "/progress/record.csv",
    "/track/",
    "/track/{day}/",
    "/track/calendar/",
    "/checkup/history/",
    "/account/access/",
    "/account/sharing/",
    "/account/data/export/json/",
    "/account/data/export/csv/",
    "/account/data/export/fhir/",
    "/api/v1/checkups",
    "/api/v1/plans",
    "/api/v1/checkins",
    "/api/v1/progress",
    "/api/v1/export",
    "/api/v1/export/fhir",
)


def url_for(world: World, pattern: str) -> str:
    return pattern.format(checkup=world.checkup_id, plan=world.plan.public_id, day=world.day)


@pytest.mark.parametrize("pattern", OWN_BY_ID)
def test_pages_by_the_persons_ids_are_theirs_alone(world: World, pattern: str) -> None:
    url = url_for(world, pattern)
    own = world.clients["person"].get(url)
    assert own.status_code == 200, url
    for persona in PERSONAS[1:]:
        response = world.clients[persona].get(url)
        if persona == "anonymous":
            expected = {401} if url.startswith("/api/") else {302, 404}
        else:
            expected = {404}
        assert response.status_code in expected, f"{persona} {url}: {response.status_code}"
        no_marker(world, response, f"{persona} {url}")


@pytest.mark.parametrize("pattern", OWN_PAGES)
def test_own_data_pages_never_show_the_person_to_anyone_else(world: World, pattern: str) -> None:
    url = url_for(world, pattern)
    own = world.clients["person"].get(url)
    assert own.status_code == 200, url
    for persona in PERSONAS[1:]:
        response = world.clients[persona].get(url)
        assert response.status_code in {200, 302, 401, 404}, f"{persona} {url}"
        if persona == "anonymous" and url.startswith("/api/"):
            assert response.status_code == 401, url
        no_marker(world, response, f"{persona} {url}")


@pytest.mark.parametrize(
    "url",
    [
        "/track/{day}/",
        "/api/v1/checkins",
        "/account/data/export/json/",
        "/account/data/export/csv/",
    ],
)
def test_the_persons_own_pages_do_show_their_markers(world: World, url: str) -> None:
    # The matrix must be able to fail: the markers are there for the person.
    assert CHECKIN_NOTE in body(world.clients["person"].get(url_for(world, url)))


# The clinic ---------------------------------------------------------------------------------

CLINIC_READS = {
    # url: expected status per persona
    "/clinic/": {"person": 403, "other_person": 403, "anonymous": 302},
    "/clinic/people/{person}/": {"person": 403, "other_person": 403, "anonymous": 302},
    "/api/v1/clinic/caseload": {"person": 403, "other_person": 403, "anonymous": 401},
    "/api/v1/clinic/people/{person}": {"person": 403, "other_person": 403, "anonymous": 401},
    "/api/v1/clinic/people/{person}/alerts": {
        "person": 403,
        "other_person": 403,
        "anonymous": 401,
    },
}


def clinic_url(world: World, pattern: str) -> str:
    return pattern.format(person=world.person.public_id, program=world.program_id)


@pytest.mark.parametrize("pattern", list(CLINIC_READS))
def test_clinic_reads_follow_consent(world: World, pattern: str) -> None:
    url = clinic_url(world, pattern)
    by_person = "{person}" in pattern
    for persona in PERSONAS:
        response = world.clients[persona].get(url)
        where = f"{persona} {url}"
        if persona == "clinician":
            assert response.status_code == 200, where
            marker = ACK_NOTE if pattern.endswith("/alerts") else ALIAS
            assert marker in body(response), where
            if by_person and "alerts" not in pattern:
                assert CHECKIN_NOTE in body(response), where
                assert CLINICAL_NOTE in body(response), where
            continue
        expected = CLINIC_READS[pattern].get(persona, 404 if by_person else 200)
        assert response.status_code == expected, f"{where}: {response.status_code}"
        no_marker(world, response, where)


def test_the_program_report_is_for_its_leads_only(world: World) -> None:
    for prefix in ("/clinic/programs/", "/api/v1/clinic/programs/"):
        url = f"{prefix}{world.program_id}/report" + ("/" if prefix == "/clinic/programs/" else "")
        for persona in PERSONAS:
            response = world.clients[persona].get(url)
            if persona == "anonymous":
                assert response.status_code in {302, 401}
            elif persona in ("person", "other_person"):
                assert response.status_code == 403, persona
            else:
                assert response.status_code == 404, f"{persona} {url}"
            no_marker(world, response, f"{persona} {url}")


def test_the_episodes_csv_is_for_the_programs_leads_only(world: World) -> None:
    url = f"/clinic/programs/{world.program_id}/episodes.csv"
    for persona in PERSONAS:
        response = world.clients[persona].get(url)
        if persona == "anonymous":
            assert response.status_code == 302
        elif persona in ("person", "other_person"):
            assert response.status_code == 403, persona
        else:
            assert response.status_code == 404, f"{persona} {url}"
        no_marker(world, response, f"{persona} {url}")


def test_nobody_but_the_consented_clinician_can_admit_or_see_episodes(world: World) -> None:
    person = world.person.public_id
    day = timezone.localdate().isoformat()
    for persona in PERSONAS:
        if persona == "clinician":
            continue
        client = world.clients[persona]
        page = client.post(f"/clinic/people/{person}/episodes/", {"admitted_on": day})
        assert page.status_code in ({302} if persona == "anonymous" else {403, 404}), persona
        url = f"/api/v1/clinic/people/{person}/episodes"
        body = json.dumps({"program": world.program_id, "admitted_on": day})
        api = client.post(url, body, content_type="application/json")
        assert api.status_code in {401, 403, 404}, f"{persona} {url}"
        assert client.get(url).status_code in {401, 403, 404}, f"{persona} {url}"
    assert not world.person.episodes.exists()


def test_only_the_programs_leads_may_ask_for_its_report_again(world: World) -> None:
    from waymark.clinic.snapshots import KIND
    from waymark.jobs.models import Job

    for prefix in ("/clinic/programs/", "/api/v1/clinic/programs/"):
        url = f"{prefix}{world.program_id}/report" + ("/" if prefix == "/clinic/programs/" else "")
        for persona in PERSONAS:
            response = world.clients[persona].post(url)
            if persona == "anonymous":
                assert response.status_code in {302, 401}
            elif persona in ("person", "other_person"):
                assert response.status_code == 403, persona
            else:
                assert response.status_code == 404, f"{persona} {url}"
            no_marker(world, response, f"{persona} {url}")
    assert not Job.objects.filter(kind=KIND).exists()


def test_nobody_but_the_consented_clinician_can_change_the_chart(world: World) -> None:
    alert = Alert.objects.filter(person=world.person, acknowledged_at__isnull=True).first()
    assert alert is not None
    person = world.person.public_id
    writes: tuple[tuple[str, dict[str, str]], ...] = (
        (f"/clinic/people/{person}/alerts/{alert.public_id}/acknowledge/", {"note": "x"}),
        (f"/clinic/people/{person}/notes/", {"text": "intruder"}),
        (f"/clinic/people/{person}/scales/cows/", {f"cows-{i}": "0" for i in range(11)}),
    )
    api_writes: tuple[tuple[str, dict[str, Any]], ...] = (
        (f"/api/v1/clinic/people/{person}/alerts/{alert.public_id}/acknowledge", {"note": "x"}),
        (f"/api/v1/clinic/people/{person}/notes", {"text": "intruder"}),
        (f"/api/v1/clinic/people/{person}/scales", {"instrument": "cows", "answers": [0] * 11}),
    )
    notes, scales = ClinicalNote.objects.count(), ClinicianScale.objects.count()
    for persona in PERSONAS:
        if persona == "clinician":
            continue
        client = world.clients[persona]
        for url, data in writes:
            response = client.post(url, data)
            assert response.status_code in {302, 403, 404}, f"{persona} {url}"
            if persona != "anonymous":
                assert response.status_code in {403, 404}, f"{persona} {url}"
        for url, data in api_writes:
            response = client.post(url, json.dumps(data), content_type="application/json")
            assert response.status_code in {401, 403, 404}, f"{persona} {url}"
    assert ClinicalNote.objects.count() == notes
    assert ClinicianScale.objects.count() == scales
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


def test_a_staff_session_without_its_second_factor_sees_nothing(world: World) -> None:
    clinician = make_staff(Role.CLINICIAN, verified=False)
    make_consent(world.person, clinician.membership)
    for url in ("/clinic/", f"/clinic/people/{world.person.public_id}/"):
        response = clinician.client.get(url)
        assert response.status_code == 302
        assert "/staff/verify/" in response["Location"]
    response = clinician.client.get(f"/api/v1/clinic/people/{world.person.public_id}")
    assert response.status_code == 403
    no_marker(world, response, "unverified")


def test_every_staff_read_of_the_person_is_audited(world: World) -> None:
    seal()
    before = AuditEntry.objects.filter(subject_ref=str(world.person.public_id)).count()
    client = world.clients["clinician"]
    client.get(f"/clinic/people/{world.person.public_id}/")
    client.get(f"/api/v1/clinic/people/{world.person.public_id}")
    client.get(f"/api/v1/clinic/people/{world.person.public_id}/alerts")
    assert seal() == 3
    entries = AuditEntry.objects.filter(subject_ref=str(world.person.public_id)).order_by("seq")
    assert entries.count() == before + 3
    assert [e.action for e in entries][-3:] == ["view.chart", "view.chart", "view.alerts"]
    for entry in entries:
        for marker in (CHECKIN_NOTE, CLINICAL_NOTE, ACK_NOTE):
            assert marker not in entry.detail


# Measures (issue 16): the person's own, the one-time link, the staff schedules and results ----


@dataclass
class Measures:
    waiting: str  # a waiting measure's public id: a marker of the person's own
    token: str
    lead: Any  # the lead of the person's program (no persona is)


def measures_in(world: World) -> Measures:
    from waymark.accounts.models import Organization
    from waymark.measures import actions as measure_actions
    from waymark.measures import links, sending
    from waymark.measures.models import MeasureRequest, Via

    program = Organization.objects.get(public_id=world.program_id)
    lead = make_staff(Role.LEAD, program=program)
    measure_actions.do_set_program_schedule(program, {"bam": 30, "phq-9": 14}, lead.user)
    sending.make_due_requests()
    bam = MeasureRequest.objects.get(person=world.person, instrument="bam")
    measure_actions.do_answer(bam, [0, 0, 0, 1, 0, 1] + [0] * 17, Via.APP)
    waiting = MeasureRequest.objects.get(person=world.person, instrument="phq-9")
    token, digest = links.new_token(waiting)
    MeasureRequest.objects.filter(pk=waiting.pk).update(nonce_hash=digest)
    world.markers = (*world.markers, str(waiting.public_id))
    return Measures(str(waiting.public_id), token, lead)


def test_the_persons_measures_are_theirs_alone(world: World) -> None:
    m = measures_in(world)
    own = world.clients["person"]
    for url in ("/measures/", "/api/v1/measures", f"/measures/{m.waiting}/"):
        response = own.get(url)
        assert response.status_code == 200, url
        if url != f"/measures/{m.waiting}/":
            assert m.waiting in body(response), url
    for persona in PERSONAS[1:]:
        client = world.clients[persona]
        for url in ("/measures/", "/api/v1/measures"):
            response = client.get(url)
            expected = {401} if persona == "anonymous" and "/api/" in url else {200, 302}
            assert response.status_code in expected, f"{persona} {url}"
            no_marker(world, response, f"{persona} {url}")
        response = client.get(f"/measures/{m.waiting}/")
        assert response.status_code == (302 if persona == "anonymous" else 404), persona
        answers = json.dumps({"answers": [0] * 9})
        response = client.post(
            f"/api/v1/measures/{m.waiting}/answers", answers, content_type="application/json"
        )
        assert response.status_code in {401, 403, 404}, persona
        response = client.post(f"/measures/{m.waiting}/", {"interest": "0"})
        assert response.status_code in {302, 404}, persona


def test_the_link_opens_for_its_person_and_anyone_signed_out_only(world: World) -> None:
    m = measures_in(world)
    for persona in PERSONAS:
        response = world.clients[persona].get(f"/m/{m.token}/")
        expected = 200 if persona in ("person", "anonymous") else 403
        assert response.status_code == expected, persona
        if persona != "person":  # the person's own measure, on their own page
            no_marker(world, response, f"{persona} link")
    # After the person stops sharing, it opens for nobody.
    from waymark.accounts.actions import do_revoke_consent
    from waymark.accounts.models import Consent

    for consent in Consent.objects.active().filter(person=world.person):
        do_revoke_consent(consent, actor=world.person)
    for persona in ("person", "anonymous"):
        assert world.clients[persona].get(f"/m/{m.token}/").status_code == 410


MEASURE_READS = {
    # url: expected status per persona (the consented clinician: 200)
    "/clinic/people/{person}/measures/": {"person": 403, "other_person": 403, "anonymous": 302},
    "/api/v1/clinic/people/{person}/measures": {
        "person": 403,
        "other_person": 403,
        "anonymous": 401,
    },
}


@pytest.mark.parametrize("pattern", list(MEASURE_READS))
def test_a_persons_measures_follow_consent(world: World, pattern: str) -> None:
    measures_in(world)
    url = clinic_url(world, pattern)
    for persona in PERSONAS:
        response = world.clients[persona].get(url)
        where = f"{persona} {url}"
        if persona == "clinician":
            assert response.status_code == 200, where
            assert "bam" in body(response).lower(), where
            continue
        expected = MEASURE_READS[pattern].get(persona, 404)
        assert response.status_code == expected, f"{where}: {response.status_code}"
        no_marker(world, response, where)


def test_a_programs_schedule_is_for_its_leads_only(world: World) -> None:
    m = measures_in(world)
    pages = (f"/clinic/programs/{world.program_id}/measures/",
             f"/api/v1/clinic/programs/{world.program_id}/measures")  # fmt: skip
    for url in pages:
        assert m.lead.client.get(url).status_code == 200, url
        for persona in PERSONAS:
            response = world.clients[persona].get(url)
            if persona == "anonymous":
                assert response.status_code in {302, 401}
            elif persona in ("person", "other_person"):
                assert response.status_code == 403, persona
            else:
                assert response.status_code == 404, f"{persona} {url}"
            no_marker(world, response, f"{persona} {url}")


def test_nobody_but_the_consented_clinician_or_the_lead_changes_measures(world: World) -> None:
    from waymark.measures.models import Schedule

    measures_in(world)
    before = sorted(Schedule.objects.values_list("instrument", "every_days", "active"))
    person = world.person.public_id
    for persona in PERSONAS:
        if persona == "clinician":
            continue
        client = world.clients[persona]
        for url, data in (
            (f"/clinic/people/{person}/measures/", {"every_bam": "7"}),
            (f"/clinic/programs/{world.program_id}/measures/", {"every_bam": "7"}),
        ):
            response = client.post(url, data)
            assert response.status_code in ({302} if persona == "anonymous" else {403, 404})
        for url in (f"/api/v1/clinic/people/{person}/measures/schedule",
                    f"/api/v1/clinic/programs/{world.program_id}/measures"):  # fmt: skip
            payload = json.dumps({"every_days": {"bam": 7}})
            response = client.put(url, payload, content_type="application/json")
            assert response.status_code in {401, 403, 404}, f"{persona} {url}"
    assert sorted(Schedule.objects.values_list("instrument", "every_days", "active")) == before
