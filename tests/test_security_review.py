"""Holes found in the security and privacy review of programs, clinic and data (issues 7, 8):
each test failed before its fix."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.programs import make_consent, make_person, make_staff
from waymark.accounts.models import Membership, Role
from waymark.audit.log import seal
from waymark.audit.models import AuditEntry, PendingRead
from waymark.interop.models import ApiToken

pytestmark = pytest.mark.django_db
SECRET = re.compile(r"wm_[A-Za-z0-9_-]{43}")


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def _make_token(client: Client, expires: str = "30") -> tuple[int, str]:
    response = client.post(
        reverse("interop:tokens"), {"name": "script", "scope": "read", "expires": expires}
    )
    found = SECRET.findall(response.content.decode())
    return response.status_code, found[0] if found else ""


# API tokens of staff ------------------------------------------------------------------------


def test_a_token_made_before_becoming_staff_never_passes_the_second_factor() -> None:
    """A person's token carries no second factor: when their account later gets a program
    membership, the token must not read patients' charts (it never saw a code)."""
    person = make_person("later-staff")
    client = Client()
    client.force_login(person)
    status, secret = _make_token(client)
    assert status == 200 and secret
    clinician = make_staff()
    Membership.objects.create(
        user=person, organization=clinician.membership.organization, role=Role.CLINICIAN
    )
    patient = make_person()
    make_consent(patient, Membership.objects.get(user=person))
    api = Client()
    assert api.get("/api/v1/clinic/caseload", headers=bearer(secret)).status_code == 403
    chart = api.get(f"/api/v1/clinic/people/{patient.public_id}", headers=bearer(secret))
    assert chart.status_code in (403, 404)
    # A token made from a verified staff session does read the chart.
    staff = make_staff(program=clinician.membership.organization)
    make_consent(patient, staff.membership)
    status, verified = _make_token(staff.client)
    assert status == 200
    chart = api.get(f"/api/v1/clinic/people/{patient.public_id}", headers=bearer(verified))
    assert chart.status_code == 200


def test_a_staff_token_was_made_by_addstaff_on_an_existing_account_too() -> None:
    """`waymark addstaff` on an existing account: its older token stays a person's token."""
    person = make_person("joining")
    client = Client()
    client.force_login(person)
    _status, secret = _make_token(client)
    program = make_staff().membership.organization
    call_command("addstaff", "joining", "--program", str(program.public_id), "--role", "clinician")
    assert not ApiToken.objects.get().verified
    assert Client().get("/api/v1/clinic/caseload", headers=bearer(secret)).status_code == 403


@pytest.mark.parametrize("expires", ["365", "never"])
def test_staff_tokens_expire_within_90_days_on_the_page(expires: str) -> None:
    staff = make_staff()
    page = staff.client.get(reverse("interop:tokens")).content.decode()
    assert 'value="90"' in page and f'value="{expires}"' not in page  # not offered
    assert "90 days" in page
    status, secret = _make_token(staff.client, expires)  # and refused when sent anyway
    assert status == 400 and not secret
    assert not ApiToken.objects.exists()
    status, secret = _make_token(staff.client, "90")
    assert status == 200 and secret


def test_staff_tokens_expire_within_90_days_in_the_api() -> None:
    staff = make_staff()
    never = staff.client.post("/api/v1/tokens", {"name": "ci"}, content_type="application/json")
    assert never.status_code == 400
    assert "body.expires" in never.json()["error"]["fields"]
    late = (timezone.now() + timedelta(days=91)).isoformat()
    too_late = staff.client.post(
        "/api/v1/tokens", {"name": "ci", "expires": late}, content_type="application/json"
    )
    assert too_late.status_code == 400
    soon = (timezone.now() + timedelta(days=89)).isoformat()
    made = staff.client.post(
        "/api/v1/tokens", {"name": "ci", "expires": soon}, content_type="application/json"
    )
    assert made.status_code == 201, made.content
    assert ApiToken.objects.get().verified
    # A person's token may still be made without an expiry.
    person = make_person()
    client = Client()
    client.force_login(person)
    assert (
        client.post("/api/v1/tokens", {"name": "mine"}, content_type="application/json")
    ).status_code == 201


def test_a_staff_token_without_an_expiry_from_before_the_rule_reads_no_patient() -> None:
    """Tokens stored before the rule (no `verified` mark, or no expiry) are a person's only."""
    staff = make_staff()
    patient = make_person()
    make_consent(patient, staff.membership)
    from waymark.api.tokens import digest

    secret = "wm_" + "a" * 43
    ApiToken.objects.create(
        owner=staff.user, name="old", prefix=secret[:10], digest=digest(secret), verified=False
    )
    assert Client().get("/api/v1/clinic/caseload", headers=bearer(secret)).status_code == 403
    assert not PendingRead.objects.exists() and seal() == 0
    assert AuditEntry.objects.filter(action="view.caseload").count() == 0


# A program's FHIR export --------------------------------------------------------------------


def test_a_program_s_fhir_export_holds_only_what_that_program_s_consent_shares() -> None:
    """A clinician in two programs: a person who shares with program B (notes too) and once
    shared with program A (revoked) is not in A's export; B's export carries no email (no
    consent shares contact details) and names where it was downloaded from."""
    from waymark.interop import fhir

    person = make_person("two-programs")
    person.email = "private@example.org"
    person.save(update_fields=["email"])
    staff = make_staff()
    program_a = staff.membership.organization
    from tests.programs import make_program

    program_b = make_program()
    in_b = Membership.objects.create(user=staff.user, organization=program_b, role=Role.CLINICIAN)
    make_consent(person, staff.membership, revoked=True)
    make_consent(person, in_b)
    from tests.test_checkup import complete

    client = Client()
    client.force_login(person)
    from tests.interop.people import BY_NAME

    complete(client, BY_NAME["occasional cannabis, no problems"]["profile"])

    url_a = f"/api/v1/programs/{program_a.public_id}/fhir"
    url_b = f"/api/v1/programs/{program_b.public_id}/fhir"
    assert staff.client.get(url_a).json()["bundles"] == []
    assert (
        staff.client.get(reverse("interop:program_fhir", args=[program_a.public_id])).content == b""
    )
    (bundle,) = staff.client.get(url_b, REMOTE_ADDR="203.0.113.9").json()["bundles"]
    fhir.validate(bundle)
    assert "private@example.org" not in str(bundle)
    seal()
    entry = AuditEntry.objects.filter(action="export.fhir", subject_ref=str(person.public_id))
    assert entry.count() == 1
    assert entry.get().via == "api" and entry.get().address == "203.0.113.9"


# The caseload shows each person's alerts and last check-in: each person sees that it did ------


@pytest.mark.parametrize("via", ["web", "api"])
def test_each_person_on_a_caseload_sees_the_caseload_view_in_their_access_log(via: str) -> None:
    staff = make_staff()
    people = [make_person() for _ in range(3)]
    for person in people:
        make_consent(person, staff.membership)
    url = "/clinic/" if via == "web" else "/api/v1/clinic/caseload"
    assert staff.client.get(url).status_code == 200
    for person in people:  # each sees it at once, though it is not sealed yet
        own = Client()
        own.force_login(person)
        log = own.get("/api/v1/access-log").json()["items"]
        assert [e["action"] for e in log if e["action"] == "view.caseload"] == ["view.caseload"]
    seal()
    for person in people:
        entry = AuditEntry.objects.filter(subject_ref=str(person.public_id), action="view.caseload")
        assert entry.count() == 1
        assert entry.get().actor_ref == str(staff.user.public_id) and entry.get().via == via
        own = Client()
        own.force_login(person)
        log = own.get("/api/v1/access-log").json()["items"]
        assert [e["action"] for e in log if e["action"] == "view.caseload"] == ["view.caseload"]
    from waymark.audit.log import verify

    assert verify() == []


# The admin site: a lead's reach ends at their own program ------------------------------------


def test_a_lead_cannot_reset_the_second_factor_of_someone_who_also_works_elsewhere() -> None:
    """Resetting an authenticator opens the account to whoever next signs in with its
    password, for every program it belongs to: a lead of program A must not do that to a
    clinician who also works for program B, nor to a superuser."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.programs import make_program

    program_a = make_program()
    lead = make_staff(Role.LEAD, program=program_a)
    both = make_staff(Role.CLINICIAN)  # in another program
    in_a = Membership.objects.create(user=both.user, organization=program_a, role=Role.CLINICIAN)
    boss = make_staff(Role.CLINICIAN, program=program_a)
    boss.user.is_superuser = True
    boss.user.save(update_fields=["is_superuser"])
    only_a = make_staff(Role.CLINICIAN, program=program_a)
    response = lead.client.post(
        reverse("admin:accounts_membership_changelist"),
        {
            "action": "reset_two_step",
            "_selected_action": [in_a.pk, boss.membership.pk, only_a.membership.pk],
        },
        follow=True,
    )
    assert response.status_code == 200
    assert TOTPDevice.objects.filter(user=both.user).exists()
    assert TOTPDevice.objects.filter(user=boss.user).exists()
    assert not TOTPDevice.objects.filter(user=only_a.user).exists()
    assert AuditEntry.objects.filter(action="staff.reset-2fa").count() == 1


# No copy of anyone's data kept in a browser's or proxy's cache -------------------------------


def test_api_answers_with_someone_s_data_are_never_stored_in_a_cache() -> None:
    """The clinic's pages say `no-store`; their JSON twins and a person's export must too."""
    staff = make_staff()
    person = make_person()
    make_consent(person, staff.membership)
    for url in ("/api/v1/clinic/caseload", f"/api/v1/clinic/people/{person.public_id}"):
        response = staff.client.get(url)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
    own = Client()
    own.force_login(person)
    assert "no-store" in own.get("/api/v1/export")["Cache-Control"]
    assert "no-store" in own.get("/api/v1/checkins")["Cache-Control"]


# Deleting an account leaves no queued work that names the person -----------------------------


def test_deleting_an_account_drops_its_queued_reminder_emails() -> None:
    from datetime import time

    from waymark.interop.actions import do_delete_account
    from waymark.jobs.models import Job
    from waymark.tracking.reminders import confirmation_token, do_confirm_email, do_save_reminder

    person = make_person("leaving")
    do_save_reminder(person, time(23, 59), "UTC", list(range(7)), "leaving@example.org")
    do_confirm_email(person, confirmation_token(person, "leaving@example.org"))  # queues them
    public_id = str(person.public_id)
    assert Job.objects.filter(dedupe_key__contains=public_id).exists()  # the test can fail
    do_delete_account(person)
    assert not Job.objects.filter(dedupe_key__contains=public_id).exists()
    assert not [j for j in Job.objects.all() if public_id in str(j.payload)]


# A chart shown again with a form's errors is a view of the chart too -------------------------


def test_a_chart_re_shown_with_a_form_s_errors_is_audited() -> None:
    staff = make_staff()
    person = make_person()
    make_consent(person, staff.membership)
    base = f"/clinic/people/{person.public_id}"
    for url, data in (
        (f"{base}/notes/", {"text": ""}),
        (f"{base}/scales/cows/", {}),
    ):
        before = AuditEntry.objects.filter(action="view.chart").count()
        response = staff.client.post(url, data)
        assert response.status_code == 400
        assert str(person.public_id)[:8] in response.content.decode()  # the chart, again
        seal()
        views = AuditEntry.objects.filter(action="view.chart", subject_ref=str(person.public_id))
        assert views.count() == before + 1


# Checked and sound: kept as guards -----------------------------------------------------------


def test_every_session_write_in_the_new_api_needs_the_csrf_token() -> None:
    """A page on another site cannot make a signed-in browser write through the API."""
    staff = make_staff()
    person = make_person()
    consent = make_consent(person, staff.membership)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(person)
    base = f"/api/v1/clinic/people/{person.public_id}"
    for url, body in (
        (f"/api/v1/consents/{consent.public_id}/revoke", {}),
        ("/api/v1/tokens", {"name": "x"}),
        ("/api/v1/import", {}),
    ):
        response = strict.post(url, body, content_type="application/json")
        assert response.status_code == 403, url
        assert "csrf" in response.content.decode().lower(), response.content
    staff_strict = Client(enforce_csrf_checks=True)
    staff_strict.cookies = staff.client.cookies
    writes: list[tuple[str, dict[str, object]]] = [
        (f"{base}/notes", {"text": "x"}),
        (f"{base}/scales", {"instrument": "cows", "answers": [0] * 11}),
    ]
    for url, write in writes:
        response = staff_strict.post(url, write, content_type="application/json")
        assert response.status_code == 403, url
        assert "csrf" in response.content.decode().lower(), response.content
    assert not ApiToken.objects.exists()
    consent.refresh_from_db()
    assert consent.revoked_at is None


# Import: a file whose records share an id is refused, not a 500 -------------------------------


@pytest.mark.parametrize("section", ["checkups", "checkins"])
def test_an_import_whose_records_share_an_id_is_refused(section: str) -> None:
    from tests.interop.people import rich_person
    from waymark.interop.actions import do_delete_account
    from waymark.interop.export import document, to_json

    source = rich_person(Client(), "source")
    data = document(source)
    do_delete_account(source)  # its ids are free again on this server
    data[section][1]["id"] = data[section][0]["id"]
    newcomer = make_person()
    client = Client()
    client.force_login(newcomer)
    response = client.post("/api/v1/import", data, content_type="application/json")
    assert response.status_code == 400, response.content
    assert "same id" in response.json()["error"]["message"]
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("waymark.json", to_json(data).encode(), "application/json")
    page = client.post(reverse("interop:import"), {"file": upload})
    assert page.status_code == 400
    assert "same id" in page.content.decode()


# A verified staff session ends after a working day, not after the 30 days a person's does -----


def test_a_verified_staff_session_ends_within_a_working_day() -> None:
    from django.conf import settings

    from tests.programs import totp_token

    staff = make_staff(verified=False)
    assert staff.device is not None
    assert staff.client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE  # 30 days
    right = staff.client.post(reverse("accounts:staff_verify"), {"code": totp_token(staff.device)})
    assert right.status_code == 302
    age = staff.client.session.get_expiry_age()
    assert age == settings.WAYMARK_STAFF_SESSION_HOURS * 3600 <= 12 * 3600


# A reset of two-step sign-in (a lost phone) also ends what the old factor vouched for ---------


@pytest.mark.parametrize("by", ["lead", "command"])
def test_resetting_two_step_sign_in_takes_the_second_factor_from_staff_tokens(by: str) -> None:
    from tests.programs import make_program

    program = make_program()
    clinician = make_staff(Role.CLINICIAN, program=program)
    status, secret = _make_token(clinician.client)
    assert status == 200
    api = Client()
    assert api.get("/api/v1/clinic/caseload", headers=bearer(secret)).status_code == 200
    if by == "lead":
        lead = make_staff(Role.LEAD, program=program)
        lead.client.post(
            reverse("admin:accounts_membership_changelist"),
            {"action": "reset_two_step", "_selected_action": [clinician.membership.pk]},
        )
    else:
        call_command("reset2fa", clinician.user.username, stdout=__import__("io").StringIO())
    assert api.get("/api/v1/clinic/caseload", headers=bearer(secret)).status_code == 403
    assert clinician.client.get("/api/v1/clinic/caseload").status_code == 403  # the session too


def test_the_operator_s_program_export_carries_no_email_either() -> None:
    from tests.interop.people import rich_person
    from waymark.interop.people import program_export

    person = rich_person(Client(), "emailed")
    assert person.email
    staff = make_staff()
    make_consent(person, staff.membership, scopes=["checkups"])
    content, _type, _name = program_export(str(staff.membership.organization.public_id))
    assert content and person.email.encode() not in content
