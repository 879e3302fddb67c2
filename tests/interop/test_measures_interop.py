"""Measures in and out: the answers, the schedules that apply and the email choice are in the
JSON and CSV exports; the answers and the email choice come back on import (the schedules
belong to the program, on its server); each answer is a FHIR QuestionnaireResponse with its
Observations (LOINC only where verified; the BAM's subscales text only), in a program's bundle
only with the check-ups scope; deleting the account takes all of it."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.interop.test_fhir import both_libraries_accept
from tests.programs import Staff, make_consent, make_person, make_program, make_staff
from waymark.accounts.models import Organization, Role, User
from waymark.clinical import scoring
from waymark.interop import csvzip, fhir
from waymark.interop.actions import do_delete_account
from waymark.interop.export import document, to_json
from waymark.interop.importer import ImportFileError, do_import
from waymark.jobs import enqueue
from waymark.jobs.models import Job
from waymark.measures import actions, sending
from waymark.measures.models import EmailOptOut, MeasureRequest, MeasureResponse, Schedule, Via

pytestmark = pytest.mark.django_db

# The BAM with no item skipped ("1-3 days" of drinking and of drug use), as tests/test_measures.
BAM_ANSWERS = [0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 4, 0, 1, 0, 4, 2]


@dataclass
class Answered:
    program: Organization
    clinician: Staff
    person: User


def answer(person: User, program: Organization, measure: str, given: list[int | None],
           via: Via = Via.APP, days_ago: int = 0) -> MeasureResponse:  # fmt: skip
    request = MeasureRequest.objects.create(
        person=person, program=program, instrument=measure,
        due_on=timezone.localdate() - timedelta(days=days_ago),
        expires_at=timezone.now() + timedelta(days=7),
    )  # fmt: skip
    return actions.do_answer(request, given, via, now=timezone.now() - timedelta(days=days_ago))


def phq9(self_harm: int) -> list[int | None]:
    return [0, 1, 0, 0, 2, 0, 0, 0, self_harm]


def answered(scopes: tuple[str, ...] = ("checkups",)) -> Answered:
    """A person sharing check-ups with a program that asks the BAM, PHQ-9 and AUDIT-C; their
    clinician set GAD-7 for them alone; four answers; measure emails turned off."""
    program = make_program("Harbor Clinic")
    lead = make_staff(Role.LEAD, program=program)
    clinician = make_staff(Role.CLINICIAN, program=program)
    person = make_person("sam")
    make_consent(person, [clinician.membership, lead.membership], scopes=scopes,
                 starts_at=timezone.now() - timedelta(days=60))  # fmt: skip
    actions.do_set_program_schedule(program, {"bam": 30, "phq-9": 14, "audit-c": 30}, lead.user)
    actions.do_set_personal_schedule(program, person, {"gad-7": 21}, clinician.user)
    answer(person, program, "bam", list(BAM_ANSWERS), Via.LINK, days_ago=20)
    answer(person, program, "phq-9", phq9(1), days_ago=10)
    answer(person, program, "audit-c", [2, 1, 0], days_ago=5)
    answer(person, program, "gad-7", [1, 1, 0, 0, 2, 0, 1])
    actions.do_turn_emails_off(person, by_link=False)
    return Answered(program, clinician, person)


def test_the_export_holds_the_answers_the_schedules_and_the_email_choice() -> None:
    s = answered()
    data = document(s.person)
    bam, phq, audit_c, gad = data["measures"]  # oldest first
    assert bam["instrument"] == "bam" and bam["total"] is None and bam["band"] == ""
    assert bam["answers"] == BAM_ANSWERS and bam["via"] == "link"
    assert set(bam["subscales"]) == {s.id for s in scoring.get_instrument("bam").subscales}
    assert phq["total"] == 4 and phq["band"] and phq["flags"] == ["suicidal-ideation"]
    assert phq["program"] == "Harbor Clinic" and phq["via"] == "app"
    assert phq["version"] == scoring.get_instrument("phq-9").version
    assert audit_c["subscales"] == {} and gad["completed_at"]
    schedules = {(r["instrument"], r["every_days"], r["personal"]) for r in
                 data["measure_schedules"]}  # fmt: skip
    assert schedules == {("bam", 30, False), ("phq-9", 14, False), ("audit-c", 30, False),
                         ("gad-7", 21, True)}  # fmt: skip
    assert {r["program"] for r in data["measure_schedules"]} == {"Harbor Clinic"}
    (off,) = data["measure_emails_off"]
    since = datetime.fromisoformat(off["since"])
    assert since == EmailOptOut.objects.get(person=s.person).at


def test_the_csv_zip_has_the_measures_and_says_what_each_column_holds() -> None:
    s = answered()
    archive = zipfile.ZipFile(io.BytesIO(csvzip.build(document(s.person))))
    readme = archive.read("README.txt").decode()

    def rows(name: str) -> list[dict[str, str]]:
        found = list(csv.DictReader(io.StringIO(archive.read(name).decode())))
        assert name in readme and found
        for column in found[0]:
            assert f"  {column}: " in readme, (name, column)
        return found

    measures = rows("measures.csv")
    assert [m["instrument"] for m in measures] == ["bam", "phq-9", "audit-c", "gad-7"]
    assert measures[0]["total"] == "" and json.loads(measures[0]["subscales"])
    assert measures[0]["answers"] == ";".join(map(str, BAM_ANSWERS))
    assert measures[1]["flags"] == "suicidal-ideation"
    assert len(rows("measure_schedules.csv")) == 4
    assert len(rows("measure_emails_off.csv")) == 1


def test_deleting_the_account_takes_every_measure_row_and_queued_email() -> None:
    s = answered()
    waiting = MeasureRequest.objects.create(
        person=s.person, program=s.program, instrument="bam", due_on=timezone.localdate(),
        expires_at=timezone.now() + timedelta(days=7),
    )  # fmt: skip
    enqueue(sending.KIND, sending.dedupe_key(waiting), payload={"request": str(waiting.public_id)})
    assert Job.objects.filter(kind=sending.KIND).exists()
    do_delete_account(s.person)
    for model in (MeasureResponse, MeasureRequest, EmailOptOut):
        assert not model.objects.exists(), model
    assert not Schedule.objects.filter(person__isnull=False).exists()
    assert Schedule.objects.filter(program=s.program).count() == 3  # the program's own stay
    assert not Job.objects.filter(kind=sending.KIND).exists()


def test_export_import_export_keeps_the_answers_and_the_email_choice() -> None:
    s = answered()
    first = json.loads(to_json(document(s.person)))
    do_delete_account(s.person)  # moving servers: the ids are free again
    moved = User.objects.create_user("sam")
    counts = do_import(moved, json.dumps(first), actor=None, new_account=True)
    assert counts["measures"] == 4 and counts["measure_emails_off"] == 1
    second = document(moved)
    # The program is the old server's: the answers come back without it, and no program asks
    # anything of the new account until it shares with one there.
    assert second["measures"] == [m | {"program": ""} for m in first["measures"]]
    assert second["measure_schedules"] == []
    assert second["measure_emails_off"] == first["measure_emails_off"]
    stored = MeasureResponse.objects.get(person=moved, instrument="phq-9")
    assert stored.answers == phq9(1) and stored.program is None and stored.request is None
    # Again, beside the account it came from: new ids, the same answers.
    other = User.objects.create_user("sam-2")
    do_import(other, json.dumps(first), actor=None, new_account=True)
    third = document(other)["measures"]
    assert {m["id"] for m in third}.isdisjoint({m["id"] for m in first["measures"]})
    assert [m["answers"] for m in third] == [m["answers"] for m in first["measures"]]


def test_an_older_export_without_measures_still_imports(client: Client) -> None:
    data = json.loads(to_json(document(make_person("old"))))
    for name in ("measures", "measure_schedules", "measure_emails_off"):
        del data[name]
    counts = do_import(User.objects.create_user("older"), json.dumps(data), actor=None)
    assert "measures" not in counts
    client.force_login(User.objects.create_user("older-by-api"))
    answer = client.post("/api/v1/import", data, content_type="application/json")
    assert answer.status_code == 200, answer.content


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda m: m.update(flags=[]), "flags are not the ones"),  # a hidden crisis flag
        (lambda m: m.update(total=20), "scores are not the ones"),
        (lambda m: m.update(band="severe"), "no band 'severe'"),
        (lambda m: m.update(instrument="dast-10"), r"measures\[1\]\.instrument"),
        (lambda m: m["answers"].pop(), "needs 9 answers"),
        (lambda m: m.update(via="fax"), r"measures\[1\]\.via"),
    ],
)
def test_an_answer_whose_scores_do_not_match_is_refused(change: Any, message: str) -> None:
    s = answered()
    data = json.loads(to_json(document(s.person)))
    change(data["measures"][1])
    target = User.objects.create_user("fresh")
    with pytest.raises(ImportFileError, match=message):
        do_import(target, json.dumps(data), actor=None, new_account=True)
    assert not MeasureResponse.objects.filter(person=target).exists()
    assert not EmailOptOut.objects.filter(person=target).exists()


def test_an_account_with_measure_answers_takes_no_import() -> None:
    s = answered()
    with pytest.raises(ImportFileError, match="already has records"):
        do_import(s.person, to_json(document(s.person)), actor=None)


def resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def test_each_answer_is_a_response_with_its_observations_and_only_verified_codes() -> None:
    s = answered()
    bundle = fhir.bundle(s.person, document(s.person))
    both_libraries_accept(bundle)
    responses = resources(bundle, "QuestionnaireResponse")
    assert sorted(r["questionnaire"].split("|")[0].removeprefix(fhir.CANONICAL)
                  for r in responses) == ["audit-c", "bam", "gad-7", "phq-9"]  # fmt: skip
    observations = {o["code"]["text"]: o for o in resources(bundle, "Observation")}
    codes = {text: [c["code"] for c in o["code"].get("coding", [])]
             for text, o in observations.items()}  # fmt: skip
    assert codes["PHQ-9 total score"] == ["44261-6"]
    assert codes["GAD-7 total score"] == ["70274-6"]
    assert codes["AUDIT-C total score"] == ["75626-2"]
    bam = {text: o for text, o in observations.items() if text.startswith("BAM")}
    assert len(bam) == 3 and all(not codes[text] for text in bam)  # no verified LOINC code
    assert all("interpretation" not in o for o in bam.values())
    phq = observations["PHQ-9 total score"]
    assert phq["valueInteger"] == 4 and phq["interpretation"][0]["text"]
    (derived,) = phq["derivedFrom"]
    response = next(r for r in responses if f"urn:uuid:{r['id']}" == derived["reference"])
    assert response["authored"] == phq["effectiveDateTime"]
    self_harm = next(i for i in response["item"] if i["linkId"] == "self-harm")
    assert self_harm["answer"][0]["valueCoding"]["code"] == "1"
    # The same record makes the same bundle.
    again = fhir.bundle(s.person, document(s.person))
    assert [e["fullUrl"] for e in again["entry"]] == [e["fullUrl"] for e in bundle["entry"]]


def test_a_program_gets_the_measures_only_with_the_check_ups_scope() -> None:
    s = answered()
    url = f"/api/v1/programs/{s.program.public_id}/fhir"
    (bundle,) = s.clinician.client.get(url).json()["bundles"]
    fhir.validate(bundle)
    assert len(resources(bundle, "QuestionnaireResponse")) == 4
    assert "Harbor Clinic" not in json.dumps(bundle)  # the document's program names stay out
    other = make_program("Other")
    clinician = make_staff(Role.CLINICIAN, program=other)
    make_consent(s.person, clinician.membership, scopes=["checkins", "plan"])
    url = f"/api/v1/programs/{other.public_id}/fhir"
    assert clinician.client.get(url).json()["bundles"] == []
