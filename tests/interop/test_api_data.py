"""The API twins of the data page, and a program's FHIR export for its staff."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django.test import Client

from tests.interop.people import rich_person
from tests.programs import make_consent, make_person, make_staff
from waymark.accounts.models import User
from waymark.audit.log import seal
from waymark.audit.models import AuditEntry
from waymark.interop import fhir
from waymark.interop.sections import SECTIONS

pytestmark = pytest.mark.django_db

# Rows about the person that are not theirs to take away, with the reason.
NOT_EXPORTED = {
    "interop.ApiToken": "secrets: tokens are made again on the new server",
    "accounts.RecoveryCode": "secrets: recovery codes are made again on the new server",
    "accounts.Membership": "a program's staff records",
    "accounts.Invitation": "made by program staff",
    "accounts.Consent": "sharing is with this server's programs; it is granted again there",
    "accounts.ConsentEvent": "the history of those consents",
    "clinic.ClinicalNote": "a program's notes, in the program's own records",
    "clinic.ClinicianScale": "entered by a program's clinicians",
    "clinic.Alert": "a program's caseload alerts, worked out again from the records",
    "clinic.Episode": "a program's own record of admission and discharge, like its notes",
    "audit.AuditEntry": "the server's own log",
    "admin.LogEntry": "the admin site's log of what staff changed",
    "otp_totp.TOTPDevice": "staff authenticators are enrolled again",
    "otp_static.StaticDevice": "staff backup codes are made again",
    "jobs.Job": "the server's queue",
    "tracking.SubmissionKey": "API retry keys of this server, meaningless elsewhere",
    "tracking.PushSubscription": "a phone's push address, turned on again on the new server",
    "measures.MeasureRequest": "a program's asks on this server, with their one-time links "
    "(the answers are exported)",
}


def test_every_model_about_a_person_is_exported_or_excluded_with_a_reason() -> None:
    """A new model that belongs to a person must join an export section (sections.py) or be
    named here with the reason it stays behind."""
    covered = {model._meta.label for section in SECTIONS for model in section.models}
    user_model = apps.get_model("accounts", "User")

    def owned(model: type[models.Model]) -> bool:
        for field in model._meta.get_fields():
            if isinstance(field, models.ForeignKey | models.OneToOneField):
                if field.related_model is user_model and field.remote_field.on_delete in (
                    models.CASCADE, models.PROTECT):  # fmt: skip
                    return True
                parent = field.related_model
                if parent is not model and parent._meta.label in covered:
                    return True
        return False

    missing = [
        model._meta.label
        for model in apps.get_models()
        if model is not user_model and owned(model)
        and model._meta.label not in covered and model._meta.label not in NOT_EXPORTED
    ]  # fmt: skip
    assert missing == []


def test_the_api_export_is_the_document(client: Client) -> None:
    rich_person(client)
    data = client.get("/api/v1/export").json()
    assert data["format"] == "waymark-export" and len(data["checkins"]) == 40
    bundle = client.get("/api/v1/export/fhir").json()
    fhir.validate(bundle)
    assert Client().get("/api/v1/export").status_code == 401
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert actions.count("export.json") == 1 and actions.count("export.fhir") == 1


def test_the_api_imports_into_an_empty_account_only(client: Client) -> None:
    rich_person(client)
    exported = client.get("/api/v1/export").json()
    full = client.post("/api/v1/import", exported, content_type="application/json")
    assert full.status_code == 409 and full.json()["error"]["code"] == "account-not-empty"
    newcomer = Client()
    newcomer.force_login(User.objects.create_user("newcomer"))
    broken = dict(exported, checkins=[{"day": "yesterday"}])
    bad = newcomer.post("/api/v1/import", broken, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid-request"
    good = newcomer.post("/api/v1/import", exported, content_type="application/json")
    assert good.status_code == 200, good.content
    assert good.json()["imported"]["checkins"] == 40


def sharing_export_bundle(client: Client) -> dict[str, Any]:
    bundle: dict[str, Any] = client.get("/api/v1/export/fhir").json()
    return bundle


def test_staff_get_a_bundle_per_patient_who_shares_check_ups(client: Client) -> None:
    sharing = rich_person(client)
    staff = make_staff()
    make_consent(sharing, staff.membership, scopes=["checkups", "plan"])
    quiet = make_person()
    make_consent(quiet, staff.membership, scopes=["checkins"])  # no check-ups shared
    program = staff.membership.organization
    url = f"/api/v1/programs/{program.public_id}/fhir"
    response = staff.client.get(url)
    assert response.status_code == 200, response.content
    (bundle,) = response.json()["bundles"]
    fhir.validate(bundle)
    # Labelled for the receiving record system: Part 2 applies, no redisclosure without consent.
    labels = {coding["code"] for coding in bundle["meta"]["security"]}
    assert labels == {"42CFRPart2", "NORDSCLCD"}
    assert "meta" not in sharing_export_bundle(client)  # a person's own copy carries none
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert "CarePlan" in kinds
    care_plan = next(e["resource"] for e in bundle["entry"]
                     if e["resource"]["resourceType"] == "CarePlan")  # fmt: skip
    assert "Call Alex" not in str(care_plan)  # notes were not shared
    assert seal() == 1  # one export.fhir read, for the one person exported
    assert AuditEntry.objects.filter(
        action="export.fhir",
        subject_ref=str(sharing.public_id),
        actor_ref=str(staff.user.public_id),
    ).exists()
    # Not verified, not staff, another program: nothing.
    assert make_staff(verified=False, program=program).client.get(url).status_code == 403
    assert client.get(url).status_code == 403
    assert make_staff().client.get(url).status_code == 404
    assert Client().get(url).status_code == 401


def test_the_staff_page_downloads_the_program_s_bundles(client: Client) -> None:
    import json

    from django.urls import reverse

    sharing = rich_person(client)
    staff = make_staff()
    make_consent(sharing, staff.membership, scopes=["checkups"])
    page = staff.client.get(reverse("interop:programs"))
    assert page.status_code == 200
    assert "42 CFR Part 2" in page.content.decode()  # the notice goes with the records
    program = staff.membership.organization
    url = reverse("interop:program_fhir", args=[program.public_id])
    assert url in page.content.decode()
    response = staff.client.get(url)
    assert response.status_code == 200
    lines = response.content.decode().splitlines()
    assert len(lines) == 1
    bundle = json.loads(lines[0])
    fhir.validate(bundle)
    assert {coding["code"] for coding in bundle["meta"]["security"]} == {"42CFRPart2", "NORDSCLCD"}
    assert make_staff().client.get(url).status_code == 404  # another program's staff
    assert client.get(url).status_code == 403  # a patient
    unverified = make_staff(verified=False, program=program)
    assert unverified.client.get(url).status_code == 302  # sent to enter a code
