"""On a 360 × 740 phone: a person enters a program's code, shares, and stops sharing — with
axe on each page and a clean console under the strict CSP. Then the staff side: a clinician's
two-step sign-in and a lead's admin site, also under the strict CSP. The same flows through
Django's client are in tests/test_consent.py and tests/test_staff.py."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, ViewportSize, expect
from pytest_django.live_server_helper import LiveServer

from tests.programs import PASSWORD, make_person, make_program, make_staff, totp_token
from waymark import access
from waymark.accounts.models import Consent, Invitation, Role, format_code

from .helpers import ConsoleWatch, assert_accessible
from .test_checkup import assert_fits_the_screen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SMALL_PHONE: ViewportSize = {"width": 360, "height": 740}


@pytest.fixture(autouse=True)
def phone(page: Page) -> None:
    page.set_viewport_size(SMALL_PHONE)


def sign_in(page: Page, live_server: LiveServer, username: str) -> None:
    page.goto(live_server.url + "/account/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(live_server.url + "/account/login/")


def test_a_person_shares_with_a_program_by_code_then_stops(
    page: Page, live_server: LiveServer, console: ConsoleWatch
) -> None:
    program = make_program("Riverside Outpatient")
    clinician = make_staff(Role.CLINICIAN, program=program)
    invitation = Invitation.objects.create(organization=program)
    person = make_person("rowan")
    sign_in(page, live_server, "rowan")

    page.goto(live_server.url + "/account/settings/")
    page.get_by_role("link", name="Sharing with a program").click()
    expect(page.locator("main h1")).to_have_text("Sharing with a program")
    assert_accessible(page)
    assert_fits_the_screen(page)

    page.get_by_role("textbox", name="Invitation code").fill("nope-nope")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".error-summary")).to_contain_text("This code was not found")
    assert_accessible(page)

    page.get_by_role("textbox", name="Invitation code").fill(format_code(invitation.code).lower())
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("main h1")).to_have_text("Share with Riverside Outpatient?")
    assert_accessible(page)
    assert_fits_the_screen(page)
    clinician_box = page.get_by_label(clinician.user.display_name, exact=False)
    expect(clinician_box).to_be_checked()  # the program's only clinician
    expect(page.get_by_label("Your own written notes", exact=False)).not_to_be_checked()
    page.get_by_label("Check-ups: your answers", exact=False).uncheck()
    page.get_by_role("button", name="Share", exact=True).click()

    expect(page.locator("main h1")).to_have_text("Sharing with a program")
    expect(page.locator(".messages")).to_contain_text("You are now sharing with")
    assert_accessible(page)
    consent = Consent.objects.get(person=person)
    assert consent.scopes == ["plan", "checkins"]
    viewer = clinician.user
    viewer.is_verified = lambda: True  # type: ignore[attr-defined]
    assert access.can_see(viewer, person, "plan")

    page.get_by_role("link", name="Stop sharing").click()
    expect(page.locator("main h1")).to_have_text("Stop sharing with Riverside Outpatient?")
    assert_accessible(page)
    page.get_by_role("button", name="Stop sharing now").click()
    expect(page.locator(".messages")).to_contain_text("You stopped sharing")
    expect(page.get_by_text("You are not sharing with anyone.")).to_be_visible()
    assert not access.can_see(viewer, person, "plan")
    page.get_by_text("History").first.click()
    expect(page.locator(".log").first).to_contain_text("Revoked")
    assert_accessible(page)
    console.assert_clean()


def test_a_lead_enters_the_code_and_uses_the_admin_under_the_strict_csp(
    page: Page, live_server: LiveServer, console: ConsoleWatch
) -> None:
    page.set_viewport_size({"width": 1200, "height": 900})
    program = make_program("Riverside Outpatient")
    lead = make_staff(Role.LEAD, program=program, verified=False)
    make_staff(Role.CLINICIAN, program=program)
    assert lead.device is not None
    sign_in(page, live_server, lead.user.username)
    page.goto(live_server.url + "/admin/")
    expect(page.locator("main h1")).to_have_text("Enter your code")
    assert_accessible(page)
    page.get_by_role("textbox", name="Code").fill(totp_token(lead.device))
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(live_server.url + "/admin/")
    page.get_by_role("link", name="Staff memberships").first.click()
    expect(page.locator("#result_list")).to_be_visible()
    page.goto(live_server.url + "/admin/")
    page.get_by_role("link", name="Invitation codes").first.click()
    page.get_by_role("link", name="Add invitation code").click()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    assert Invitation.objects.filter(organization=program, created_by=lead.user).exists()
    console.assert_clean()


def test_a_new_clinician_sets_up_two_step_sign_in_on_a_phone(
    page: Page, live_server: LiveServer, console: ConsoleWatch
) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    staff = make_staff(Role.CLINICIAN, verified=False, enrolled=False)
    sign_in(page, live_server, staff.user.username)
    page.goto(live_server.url + "/account/staff/")
    expect(page.locator("main h1")).to_have_text("Set up two-step sign-in")
    qr = page.get_by_role("img", name="QR code for your authenticator app")
    expect(qr).to_be_visible()
    box = qr.locator("svg").bounding_box()
    assert box is not None and box["width"] >= 100, "big enough to scan"
    assert_accessible(page)
    assert_fits_the_screen(page)
    device = TOTPDevice.objects.get(user=staff.user, confirmed=False)
    page.get_by_role("textbox", name="Code").fill(totp_token(device))
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.locator("main h1")).to_have_text("Your backup codes")
    expect(page.locator(".backup-codes li")).to_have_count(10)
    assert_accessible(page)
    page.get_by_role("link", name="I have saved them — continue").click()
    expect(page).not_to_have_url(live_server.url + "/account/staff/enrol/")
    page.goto(live_server.url + "/account/staff/")
    expect(page.locator("main h1")).to_have_text("Staff")
    page.get_by_role("button", name="Make a new code").click()
    expect(page.locator(".invitation-code")).to_have_count(1)
    assert_accessible(page)
    assert_fits_the_screen(page)
    console.assert_clean()
