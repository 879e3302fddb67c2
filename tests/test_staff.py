"""Staff accounts: two-step sign-in (TOTP) before anything, and the admin site limited to the
lead's own program with no patient data."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.programs import (
    PASSWORD,
    make_consent,
    make_person,
    make_program,
    make_staff,
    totp_token,
)
from waymark.accounts.models import Invitation, Membership, Role, SignInEvent
from waymark.audit.models import AuditEntry

pytestmark = pytest.mark.django_db
STAFF_PAGES = ("accounts:staff_home",)


def let_a_moment_pass(seconds: int = 2) -> None:
    """For the sign-in throttle (waymark/accounts/throttle.py): its counts grow older."""
    SignInEvent.objects.update(at=F("at") - timedelta(seconds=seconds))


def test_staff_sign_in_asks_for_the_code_before_any_staff_page() -> None:
    staff = make_staff(Role.CLINICIAN, verified=False, client=Client())
    client = Client()
    response = client.post(
        reverse("accounts:login"), {"username": staff.user.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    landing = client.get(response["Location"], follow=True)
    assert landing.status_code == 200
    assert landing.redirect_chain[-1][0].startswith(reverse("accounts:staff_verify"))
    assert "one-time-code" in landing.content.decode()
    page = client.get(reverse("accounts:staff_home"))
    assert page.status_code == 302 and page["Location"].startswith(reverse("accounts:staff_verify"))


def test_a_right_code_verifies_the_session_and_a_wrong_one_does_not() -> None:
    staff = make_staff(Role.CLINICIAN, verified=False)
    assert staff.device is not None
    wrong = staff.client.post(reverse("accounts:staff_verify"), {"code": "000000"})
    assert wrong.status_code == 400 and 'role="alert"' in wrong.content.decode()
    assert staff.client.get(reverse("accounts:staff_home")).status_code == 302
    let_a_moment_pass()  # a wrong code makes the next try wait a moment
    right = staff.client.post(
        reverse("accounts:staff_verify"),
        {"code": totp_token(staff.device), "next": reverse("accounts:staff_home")},
    )
    assert right.status_code == 302 and right["Location"] == reverse("accounts:staff_home")
    assert staff.client.get(reverse("accounts:staff_home")).status_code == 200


def test_repeated_wrong_codes_are_throttled_even_before_a_right_one() -> None:
    staff = make_staff(Role.CLINICIAN, verified=False)
    assert staff.device is not None
    for _ in range(3):
        staff.client.post(reverse("accounts:staff_verify"), {"code": "000000"})
    right = staff.client.post(reverse("accounts:staff_verify"), {"code": totp_token(staff.device)})
    assert right.status_code == 400
    assert staff.client.get(reverse("accounts:staff_home")).status_code == 302


def test_staff_without_an_authenticator_are_sent_to_set_one_up() -> None:
    staff = make_staff(Role.CLINICIAN, verified=False, enrolled=False)
    response = staff.client.get(reverse("accounts:staff_home"))
    assert response["Location"].startswith(reverse("accounts:staff_enrol"))
    response = staff.client.get(reverse("accounts:staff_verify"))
    assert response["Location"].startswith(reverse("accounts:staff_enrol"))


def test_enrolment_shows_a_local_qr_code_and_the_secret_then_backup_codes() -> None:
    staff = make_staff(Role.CLINICIAN, verified=False, enrolled=False)
    page = staff.client.get(reverse("accounts:staff_enrol"))
    html = page.content.decode()
    assert page.status_code == 200
    svg = html.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert "<path" in svg and "href" not in svg and "style" not in svg  # drawn here, CSP-clean
    device = TOTPDevice.objects.get(user=staff.user, confirmed=False)
    again = staff.client.get(reverse("accounts:staff_enrol")).content.decode()
    assert TOTPDevice.objects.filter(user=staff.user).count() == 1, "reload keeps the secret"
    assert html.count("<code") == again.count("<code") == 1
    wrong = staff.client.post(reverse("accounts:staff_enrol"), {"code": "123"})
    assert wrong.status_code == 400
    device.refresh_from_db()
    device.throttle_reset()  # a wrong code makes the next try wait a moment
    done = staff.client.post(reverse("accounts:staff_enrol"), {"code": totp_token(device)})
    assert done.status_code == 200
    codes = StaticToken.objects.filter(device__user=staff.user)
    assert codes.count() == 10
    assert all(code.token in done.content.decode() for code in codes)
    device.refresh_from_db()
    assert device.confirmed
    assert staff.client.get(reverse("accounts:staff_home")).status_code == 200
    assert AuditEntry.objects.filter(action="staff.enrol-2fa").count() == 1
    # Once set up, the secret is never shown again.
    assert staff.client.get(reverse("accounts:staff_enrol")).status_code == 302


def test_a_backup_code_works_once() -> None:
    staff = make_staff(Role.CLINICIAN, verified=False)
    from waymark.accounts.staff import new_backup_codes

    code = new_backup_codes(staff.user)[0]
    first = staff.client.post(reverse("accounts:staff_verify"), {"code": code.upper()})
    assert first.status_code == 302
    other = Client()
    other.force_login(staff.user)
    second = other.post(reverse("accounts:staff_verify"), {"code": code})
    assert second.status_code == 400


def test_a_person_without_a_membership_gets_403_on_staff_pages() -> None:
    person = make_person()
    client = Client()
    client.force_login(person)
    for name in (*STAFF_PAGES, "accounts:staff_verify", "accounts:staff_enrol"):
        assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize(
    "name", ["accounts:staff_new_code", "accounts:staff_backup_codes", "accounts:staff_home"]
)
def test_an_unverified_staff_session_can_change_nothing(name: str) -> None:
    staff = make_staff(Role.CLINICIAN, verified=False)
    response = staff.client.post(reverse(name), {"membership": str(staff.membership.public_id)})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:staff_verify"))
    assert not Invitation.objects.exists()
    assert not StaticToken.objects.filter(device__user=staff.user).exists()


def test_a_superuser_sets_up_two_step_sign_in_before_the_admin() -> None:
    from waymark.accounts.models import User

    root = User.objects.create_superuser("root", password=PASSWORD)
    make_program()
    client = Client()
    client.force_login(root)
    response = client.get(admin_url("index"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:staff_enrol"))
    device = TOTPDevice.objects.get(user=root)
    client.post(reverse("accounts:staff_enrol"), {"code": totp_token(device)})
    assert client.get(admin_url("index")).status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in() -> None:
    response = Client().get(reverse("accounts:staff_home"))
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_clinician_makes_and_withdraws_their_own_invitation_code() -> None:
    staff = make_staff(Role.CLINICIAN)
    response = staff.client.post(
        reverse("accounts:staff_new_code"), {"membership": str(staff.membership.public_id)}
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get(created_by=staff.user)
    assert list(invitation.clinicians.all()) == [staff.membership]
    assert (
        invitation.display_code in staff.client.get(reverse("accounts:staff_home")).content.decode()
    )
    staff.client.post(reverse("accounts:staff_withdraw_code", args=[invitation.public_id]))
    invitation.refresh_from_db()
    assert invitation.withdrawn_at is not None and not invitation.usable()


def test_a_clinician_cannot_make_a_code_for_another_program() -> None:
    staff = make_staff(Role.CLINICIAN)
    stranger = make_staff(Role.CLINICIAN)
    staff.client.post(
        reverse("accounts:staff_new_code"), {"membership": str(stranger.membership.public_id)}
    )
    assert not Invitation.objects.exists()


# The admin site ------------------------------------------------------------------------------


def admin_url(name: str, *args: object) -> str:
    return reverse(f"admin:{name}", args=args)


def test_the_admin_needs_a_verified_lead_or_admin() -> None:
    clinician = make_staff(Role.CLINICIAN)
    assert clinician.client.get(admin_url("index")).status_code in (302, 403)
    unverified = make_staff(Role.LEAD, verified=False)
    response = unverified.client.get(admin_url("index"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:staff_verify"))
    assert (
        Client()
        .get(admin_url("index"), follow=True)
        .redirect_chain[-1][0]
        .startswith(reverse("accounts:login"))
    )
    lead = make_staff(Role.LEAD)
    assert lead.client.get(admin_url("index")).status_code == 200


def test_a_lead_sees_and_manages_only_their_own_program() -> None:
    program, other = make_program("Riverside"), make_program("Hillside")
    lead = make_staff(Role.LEAD, program=program)
    mine = make_staff(Role.CLINICIAN, program=program).membership
    theirs = make_staff(Role.CLINICIAN, program=other).membership
    foreign_code = Invitation.objects.create(organization=other)
    listing = lead.client.get(admin_url("accounts_membership_changelist")).content.decode()
    assert mine.user.username in listing and theirs.user.username not in listing
    assert lead.client.get(admin_url("accounts_membership_change", theirs.pk)).status_code in (
        302,
        403,
        404,
    )
    assert lead.client.get(
        admin_url("accounts_invitation_change", foreign_code.pk)
    ).status_code in (
        302,
        403,
        404,
    )
    orgs = lead.client.get(admin_url("accounts_organization_changelist")).content.decode()
    assert "Riverside" in orgs and "Hillside" not in orgs
    # Deactivating a clinician works, and is audited.
    response = lead.client.post(
        admin_url("accounts_membership_change", mine.pk), {"role": "clinician", "active": ""}
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert not mine.active
    assert AuditEntry.objects.filter(action="staff.membership-change").exists()


def test_a_lead_makes_a_code_for_their_program_only() -> None:
    program, other = make_program(), make_program()
    lead = make_staff(Role.LEAD, program=program)
    foreign = make_staff(Role.CLINICIAN, program=other).membership
    expires = (timezone.now() + timedelta(days=10)).strftime("%Y-%m-%d")
    response = lead.client.post(
        admin_url("accounts_invitation_add"),
        {
            "organization": other.pk,
            "clinicians": [foreign.pk],
            "expires_at_0": expires,
            "expires_at_1": "12:00:00",
        },
    )
    assert response.status_code == 200 and not Invitation.objects.exists()
    response = lead.client.post(
        admin_url("accounts_invitation_add"),
        {"organization": program.pk, "expires_at_0": expires, "expires_at_1": "12:00:00"},
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.organization == program and invitation.created_by == lead.user


def test_the_admin_shows_no_patients_or_consents() -> None:
    program = make_program()
    lead = make_staff(Role.LEAD, program=program)
    clinician = make_staff(Role.CLINICIAN, program=program)
    person = make_person("hidden-person-name")
    make_consent(person, clinician.membership)
    index = lead.client.get(admin_url("index")).content.decode()
    assert "onsent" not in index and "hidden-person-name" not in index
    for name in ("accounts_membership_changelist", "accounts_invitation_changelist"):
        assert "hidden-person-name" not in lead.client.get(admin_url(name)).content.decode()


def test_a_lead_resets_a_clinicians_lost_authenticator() -> None:
    program = make_program()
    lead = make_staff(Role.LEAD, program=program)
    clinician = make_staff(Role.CLINICIAN, program=program)
    response = lead.client.post(
        admin_url("accounts_membership_changelist"),
        {"action": "reset_two_step", "_selected_action": [clinician.membership.pk]},
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=clinician.user).exists()
    assert TOTPDevice.objects.filter(user=lead.user).exists()
    assert Membership.objects.get(pk=clinician.membership.pk).active


# Commands and the demo -----------------------------------------------------------------------


def sign_in(client: Client, username: str, password: str) -> bool:
    response = client.post(reverse("accounts:login"), {"username": username, "password": password})
    return response.status_code == 302


def run(*args: str) -> str:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_addprogram_and_addstaff_set_up_a_program_and_a_first_lead() -> None:
    from django.core.management.base import CommandError

    assert "Riverside" in run("addprogram", "Riverside")
    with pytest.raises(CommandError) as duplicate:
        run("addprogram", "Riverside")
    assert duplicate.value.returncode == 2
    out = run(
        "addstaff", "dana", "--program", "Riverside", "--role", "lead", "--name", "Dana Ortiz"
    )
    password = next(line for line in out.splitlines() if line.startswith("One-time password: "))
    assert reverse("accounts:staff_enrol") in out
    client = Client()
    assert sign_in(client, "dana", password.split(": ", 1)[1])
    membership = Membership.objects.get(user__username="dana")
    assert membership.role == Role.LEAD and membership.user.display_name == "Dana Ortiz"
    # An existing account gains a role without a new password.
    again = run("addstaff", "dana", "--program", "Riverside", "--role", "clinician")
    assert "One-time password" not in again
    with pytest.raises(CommandError) as unknown:
        run("addstaff", "sam", "--program", "Nowhere", "--role", "clinician")
    assert unknown.value.returncode == 2 and "no program named" in str(unknown.value)


def test_reset2fa_sends_the_staff_member_back_to_enrolment() -> None:
    staff = make_staff(Role.CLINICIAN)
    run("reset2fa", staff.user.username)
    response = staff.client.get(reverse("accounts:staff_home"))
    assert response["Location"].startswith(reverse("accounts:staff_enrol"))


def test_the_demo_clinician_signs_in_with_the_printed_credentials_and_sees_the_demo_person(
    settings: object,
) -> None:
    from waymark import access
    from waymark.accounts import demo

    out = run("demo")
    assert demo.TOTP_SECRET in out and demo.BACKUP_CODES[0] in out and "DEMO CREDENTIALS" in out
    client = Client()
    assert sign_in(client, demo.CLINICIAN, demo.CLINICIAN_PASSWORD)
    response = client.post(reverse("accounts:staff_verify"), {"code": demo.BACKUP_CODES[0]})
    assert response.status_code == 302
    assert client.get(reverse("accounts:staff_home")).status_code == 200
    from tests.programs import as_verified
    from waymark.accounts.models import User

    clinician = as_verified(User.objects.get(username=demo.CLINICIAN))
    assert [p.username for p in access.people_visible_to(clinician)] == ["demo"]
    run("demo")  # a second run restores the backup codes and adds no second consent
    person = User.objects.get(username="demo")
    assert person.consents.count() == 1
    other = Client()
    assert sign_in(other, demo.CLINICIAN, demo.CLINICIAN_PASSWORD)
    assert (
        other.post(reverse("accounts:staff_verify"), {"code": demo.BACKUP_CODES[0]}).status_code
        == 302
    )


def test_the_demo_lead_reads_the_program_report_and_the_admin(settings: object) -> None:
    from waymark.accounts import demo
    from waymark.accounts.models import Organization

    out = run("demo")
    assert demo.LEAD_PASSWORD in out and demo.LEAD_BACKUP_CODES[0] in out
    client = Client()
    assert sign_in(client, demo.LEAD, demo.LEAD_PASSWORD)
    response = client.post(reverse("accounts:staff_verify"), {"code": demo.LEAD_BACKUP_CODES[0]})
    assert response.status_code == 302
    program = Organization.objects.get(name=demo.PROGRAM)
    report = client.get(reverse("clinic:report", args=[program.public_id]))
    assert report.status_code == 200
    assert client.get("/admin/").status_code == 200
