"""FHIR: every bundle validates with fhir.resources (R4B) and fhirclient (R4), carries only
LOINC codes FACTS.md marks verified, and our own code checks catch what the libraries miss."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
from django.test import Client
from fhir.resources.R4B.bundle import Bundle as R4BBundle
from fhirclient.models.bundle import Bundle as R4Bundle

from tests import reference
from tests.interop.people import BY_NAME, rich_person
from tests.test_checkup import complete
from waymark.accounts.models import User
from waymark.interop import fhir
from waymark.interop.export import document

pytestmark = pytest.mark.django_db
FACTS = reference.path("FACTS.md")  # vendored from ../shared/clinical/FACTS.md
CODE = re.compile(r"\b\d{4,6}-\d\b")


def verified_in_facts(text: str) -> set[str]:
    """Codes FACTS.md marks ✅: followed by ✅ (the summary table), or in a LOINC paragraph
    marked ✅ and not themselves followed by ⚠️ or ❓ or '?'."""
    found: set[str] = set()
    lines = text.splitlines()
    for index, line in enumerate(lines):
        found |= set(re.findall(r"\b(\d{4,6}-\d) ✅", line))
        if "LOINC" in line and line.lstrip().startswith("*"):
            block = [line]
            for following in lines[index + 1 :]:
                if not following.startswith("  "):
                    break
                block.append(following)
            joined = "\n".join(block)
            if "✅" in joined:
                for match in CODE.finditer(joined):
                    after = joined[match.end() : match.end() + 3]
                    if not re.match(r"\s?(⚠|❓|\?)", after):
                        found.add(match.group())
    return found


def test_the_facts_reader_tells_verified_from_unverified() -> None:
    verified = verified_in_facts(FACTS.read_text(encoding="utf-8"))
    assert {"44260-8", "75624-7", "69725-0", "68518-0"} <= verified
    assert verified.isdisjoint({"72110-0", "69722-7", "102010-6", "102017-1", "72514-3"})


def test_only_loinc_codes_facts_marks_verified_are_used() -> None:
    verified = verified_in_facts(FACTS.read_text(encoding="utf-8"))
    used = fhir.verified_loinc()
    assert used, "the instruments carry LOINC codes"
    assert used <= verified, sorted(used - verified)
    assert all(fhir.loinc_check_digit_ok(code) for code in used)


def test_loinc_check_digits() -> None:
    assert fhir.loinc_check_digit_ok("44249-1")
    assert fhir.loinc_check_digit_ok("75624-7")
    assert not fhir.loinc_check_digit_ok("44249-2")
    assert not fhir.loinc_check_digit_ok("44249")


def both_libraries_accept(bundle: dict[str, Any]) -> None:
    R4BBundle.model_validate(bundle)
    parsed = R4Bundle(bundle, strict=True)
    assert parsed.as_json()["type"] == "collection"
    fhir.check_codes(bundle)


def kinds(bundle: dict[str, Any]) -> list[str]:
    return [entry["resource"]["resourceType"] for entry in bundle["entry"]]


def test_the_rich_person_s_bundle(client: Client) -> None:
    user = rich_person(client)
    bundle = fhir.bundle(user, document(user))
    both_libraries_accept(bundle)
    found = kinds(bundle)
    assert found[0] == "Patient" and found.count("Patient") == 1
    assert found.count("CarePlan") == 1
    responses = [e["resource"] for e in bundle["entry"]
                 if e["resource"]["resourceType"] == "QuestionnaireResponse"]  # fmt: skip
    observations = [e["resource"] for e in bundle["entry"]
                    if e["resource"]["resourceType"] == "Observation"]  # fmt: skip
    assert responses and len(responses) == len(observations)
    # A skipped AUDIT item is an item without an answer, never an invented one.
    audit = [r for r in responses if r["questionnaire"].startswith(fhir.CANONICAL + "audit|")]
    answered = sorted(len([i for i in r["item"] if "answer" in i]) for r in audit)
    assert answered == [3, 10]  # the short one: 3 answers, 7 items without one
    totals = {o["code"]["coding"][0]["code"] for o in observations if "coding" in o["code"]}
    assert "75624-7" in totals or "75626-2" in totals
    patient = bundle["entry"][0]["resource"]
    assert "identifier" not in patient and "birthDate" not in patient and "gender" not in patient
    assert patient["name"] == [{"use": "nickname", "text": "robin"}]
    care_plan = next(e["resource"] for e in bundle["entry"]
                     if e["resource"]["resourceType"] == "CarePlan")  # fmt: skip
    text = str(care_plan)
    assert "Walk the dog every evening" in text and "555 0100" not in text
    assert "Call Alex" in text
    assert "Call Alex" not in str(fhir.bundle(user, document(user), notes=False))


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_every_vignette_s_bundle_validates(client: Client, name: str) -> None:
    user = User.objects.create_user("pat")
    client.force_login(user)
    complete(client, BY_NAME[name]["profile"])
    bundle = fhir.bundle(user, document(user))
    both_libraries_accept(bundle)
    assert "QuestionnaireResponse" in kinds(bundle)


def broken(bundle: dict[str, Any], change: Any, message: str) -> None:
    copied = copy.deepcopy(bundle)
    change(copied)
    with pytest.raises(fhir.FhirError, match=message):
        fhir.check_codes(copied)


def first(bundle: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind)


def test_our_checks_catch_what_the_libraries_let_through(client: Client) -> None:
    user = rich_person(client)
    bundle = fhir.bundle(user, document(user))

    def unverified_loinc(b: dict[str, Any]) -> None:
        first(b, "Observation")["code"]["coding"] = [{"system": fhir.LOINC, "code": "72110-0"}]

    def bad_check_digit(b: dict[str, Any]) -> None:
        first(b, "Observation")["code"]["coding"] = [{"system": fhir.LOINC, "code": "75624-8"}]

    def bad_status(b: dict[str, Any]) -> None:
        first(b, "Observation")["status"] = "done"

    def dangling(b: dict[str, Any]) -> None:
        first(b, "Observation")["subject"] = {"reference": "urn:uuid:0"}

    for change, message in ((unverified_loinc, "not one FACTS.md marks verified"),
                            (bad_check_digit, "check digit"), (bad_status, "Observation.status"),
                            (dangling, "not in the bundle")):  # fmt: skip
        broken(bundle, change, message)
    # The libraries themselves accept the bad status code: that is why check_codes exists.
    copied = copy.deepcopy(bundle)
    bad_check_digit(copied)
    R4BBundle.model_validate(copied)


def test_assist_answers_export_as_responses_and_totals_without_unverified_codes(
    client: Client,
) -> None:
    user = User.objects.create_user("pat")
    client.force_login(user)
    drugs = [{"substance": "opioids", "days_used_past_30": 20},
             {"substance": "cannabis", "days_used_past_30": 6}]  # fmt: skip
    complete(client, {"version": 2, "age": 30, "goal": "cut-down", "substances": drugs})
    bundle = fhir.bundle(user, document(user))
    both_libraries_accept(bundle)
    resources = [e["resource"] for e in bundle["entry"]]
    questionnaires = {r["questionnaire"].split("|")[0] for r in resources
                      if r["resourceType"] == "QuestionnaireResponse"}  # fmt: skip
    assert {fhir.CANONICAL + "assist-opioids", fhir.CANONICAL + "assist-cannabis"} <= questionnaires
    assist = [r for r in resources if r["resourceType"] == "Observation"
              and "ASSIST" in r["code"].get("text", "")]  # fmt: skip
    assert len(assist) == 2
    assert all("coding" not in r["code"] for r in assist)  # no LOINC code is verified for it


def test_a_bam_in_a_check_up_exports_one_observation_per_subscale(client: Client) -> None:
    """The BAM has no single total (CONTRACTS.md §1b): its subscales are the observations.
    No page asks it yet, but an imported check-up may carry it."""
    from waymark.checkup.models import Answer, CheckUp
    from waymark.clinical import scoring

    user = User.objects.create_user("pat")
    client.force_login(user)
    complete(client, {"version": 2, "age": 30, "goal": "stop",
                      "substances": [{"substance": "alcohol"}]})  # fmt: skip
    checkup = CheckUp.objects.get(owner=user)
    bam = scoring.get_instrument("bam")
    given = [1, 2, 3, 0, None, 0, *[None] * 7, 2, 3, 4, 2, 2, 3, 1, 2, 4, 3]
    Answer.objects.bulk_create(
        Answer(checkup=checkup, instrument="bam", version=bam.version, item=item.id, option=option)
        for item, option in zip(bam.items, given, strict=True)
        if option is not None
    )
    bundle = fhir.bundle(user, document(user))
    both_libraries_accept(bundle)
    resources = [e["resource"] for e in bundle["entry"]]
    observations = {
        r["code"]["text"]: r["valueInteger"]
        for r in resources
        if r["resourceType"] == "Observation" and r["code"]["text"].startswith("BAM")
    }
    assert observations == {
        "BAM use score": 0, "BAM risk factors score": 12, "BAM protective factors score": 20,
    }  # fmt: skip
