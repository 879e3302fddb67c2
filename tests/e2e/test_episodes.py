"""A clinician admits and discharges a person from the chart on a 360 px phone, and a lead
reads the report's "Episodes and follow-up": axe on each page, a clean console under the
strict CSP. The same flows through Django's client are in tests/test_episodes.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.programs import make_consent, make_person, make_program, make_staff, totp_token
from waymark.accounts.models import Role
from waymark.clinic.models import Episode

from .helpers import ConsoleWatch, assert_accessible
from .test_checkup import assert_fits_the_screen
from .test_consent import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_clinician_records_an_episode_and_a_lead_sees_the_follow_up_section(
    page: Page, live_server: LiveServer, console: ConsoleWatch
) -> None:
    page.set_viewport_size({"width": 360, "height": 780})
    program = make_program("Riverside Outpatient")
    lead = make_staff(Role.LEAD, program=program, verified=False)
    assert lead.device is not None
    person = make_person("north-star")
    make_consent(person, lead.membership)

    sign_in(page, live_server, lead.user.username)
    page.goto(live_server.url + f"/clinic/people/{person.public_id}/")
    page.get_by_role("textbox", name="Code").fill(totp_token(lead.device))
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("main h1")).to_contain_text("Chart: north-star")

    section = page.locator("#episodes")
    section.get_by_text("Record an admission").click()
    admitted = (timezone.localdate() - timedelta(days=30)).isoformat()
    section.get_by_label("Admitted on").fill(admitted)
    section.get_by_role("button", name="Record admission").click()
    expect(page.locator(".messages")).to_contain_text("Admission recorded.")
    expect(page.locator("#episode-list")).to_contain_text("Riverside Outpatient")
    assert_accessible(page)
    assert_fits_the_screen(page)

    page.locator("#episodes summary", has_text="Discharge from").click()
    page.get_by_label("Discharged on").fill(timezone.localdate().isoformat())
    page.get_by_label("Reason").select_option("completed")
    page.get_by_role("button", name="Record discharge").click()
    expect(page.locator(".messages")).to_contain_text("Discharge recorded.")
    expect(page.locator("#episode-list")).to_contain_text("Completed treatment")
    assert Episode.objects.get(person=person).discharge_reason == "completed"

    page.goto(live_server.url + f"/clinic/programs/{program.public_id}/report/")
    expect(page.locator("#episodes h2")).to_have_text("Episodes and follow-up")
    expect(page.locator("#episode-report")).to_contain_text("Not shown (fewer than 11 people)")
    assert_accessible(page)
    assert_fits_the_screen(page)
    console.assert_clean()
