"""A clinician on a desktop: two-step sign-in with a code computed here, the caseload, a
consented person's chart, and acknowledging an alert with a note — axe on each page and a clean
console under the strict CSP. The same flows through Django's client are in tests/test_clinic.py."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.programs import make_consent, make_person, make_program, make_staff, totp_token
from tests.test_clinic import complete_crisis_checkup
from waymark.accounts.models import Role
from waymark.clinic import actions
from waymark.clinic.models import Alert
from waymark.tracking.actions import CheckInData, do_record_checkin

from .helpers import ConsoleWatch, assert_accessible
from .test_checkup import assert_fits_the_screen
from .test_consent import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_clinician_opens_the_caseload_and_acknowledges_an_alert(
    page: Page, live_server: LiveServer, console: ConsoleWatch
) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    program = make_program("Riverside Outpatient")
    clinician = make_staff(Role.CLINICIAN, program=program, verified=False)
    assert clinician.device is not None
    calm, urgent = make_person("calm-river"), make_person("north-star")
    for person in (calm, urgent):
        make_consent(person, clinician.membership)
        do_record_checkin(
            person,
            timezone.localdate() - timedelta(days=1),
            CheckInData(used=True, amounts={"alcohol": Decimal(2)}, cravings=3),
        )
    complete_crisis_checkup(urgent)
    actions.evaluate(urgent)
    alert = Alert.objects.get(person=urgent, rule="suicidal-thoughts")

    sign_in(page, live_server, clinician.user.username)
    page.goto(live_server.url + "/clinic/")
    expect(page.locator("main h1")).to_have_text("Enter your code")
    page.get_by_role("textbox", name="Code").fill(totp_token(clinician.device))
    page.get_by_role("button", name="Continue").click()

    expect(page.locator("main h1")).to_have_text("Caseload")
    rows = page.locator("#caseload tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("north-star")
    expect(rows.first).to_contain_text("Suicidal thoughts reported")
    assert_accessible(page)

    page.get_by_role("link", name="north-star").click()
    expect(page.locator("main h1")).to_contain_text("Chart: north-star")
    # Safety first: the alerts section comes before anything else of the record.
    headings = page.locator("main h2").all_inner_texts()
    assert headings[0] == "Safety and alerts"
    expect(page.locator("#scales-statement")).to_contain_text("never decide whether withdrawal")
    assert_accessible(page)

    card = page.locator(f"#alert-{alert.public_id}")
    card.get_by_label("Note (what you did or decided)").fill("Phoned; safety plan reviewed.")
    card.get_by_role("button", name="Acknowledge").click()
    expect(page.locator(".messages")).to_contain_text("Alert acknowledged.")
    expect(page.locator("#acknowledged")).to_contain_text("Phoned; safety plan reviewed.")
    assert_accessible(page)
    alert.refresh_from_db()
    assert alert.acknowledged_by == clinician.user

    page.get_by_role("link", name="Back to the caseload").click()
    expect(page.locator("#caseload tbody tr").first).not_to_contain_text("Suicidal")
    console.assert_clean()


def test_the_caseload_and_a_full_chart_fit_a_360px_phone(
    page: Page, live_server: LiveServer, console: ConsoleWatch
) -> None:
    from tests.test_clinic import checkin

    page.set_viewport_size({"width": 360, "height": 740})
    clinician = make_staff(Role.CLINICIAN, program=make_program("Riverside Outpatient"))
    person = make_person("north-star-with-a-long-alias")
    make_consent(person, clinician.membership)
    for days_ago in range(20, 0, -1):
        checkin(person, days_ago, cravings=days_ago % 10, alcohol=str(days_ago % 5))
    complete_crisis_checkup(person)
    actions.evaluate(person)
    page.context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": clinician.client.cookies["sessionid"].value,
                "url": live_server.url,
            }
        ]
    )
    page.goto(live_server.url + "/clinic/")
    expect(page.locator("main h1")).to_have_text("Caseload")
    assert_fits_the_screen(page)
    page.get_by_role("link", name="north-star-with-a-long-alias").click()
    expect(page.locator("#checkins")).to_be_visible()
    assert_fits_the_screen(page)
    assert_accessible(page)
    console.assert_clean()


def test_a_lead_reads_the_program_report_with_small_cells_hidden(
    page: Page, live_server: LiveServer, console: ConsoleWatch
) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    program = make_program("Riverside Outpatient")
    lead = make_staff(Role.LEAD, program=program)
    for _ in range(3):
        make_consent(make_person(), lead.membership)
    page.context.add_cookies(
        [{"name": "sessionid", "value": lead.client.cookies["sessionid"].value,
          "url": live_server.url}]
    )  # fmt: skip
    page.goto(live_server.url + "/clinic/")
    page.get_by_role("link", name="Program report: Riverside Outpatient").click()
    expect(page.locator("#report")).to_contain_text("Not shown (fewer than 11 people)")
    assert_fits_the_screen(page)
    assert_accessible(page)
    console.assert_clean()
