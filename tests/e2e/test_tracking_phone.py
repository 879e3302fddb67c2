"""Today's check-in on a 360 × 740 phone, through the real form, and the progress page's chart
and its data table changing to show it. The same flows through Django's client are in
tests/test_tracking.py and tests/test_progress.py."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from waymark.tracking import actions
from waymark.tracking.models import CheckIn, Reminder

from .helpers import SMALL_PHONE, ConsoleWatch, assert_accessible, sign_in_new_person
from .test_checkup import assert_fits_the_screen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def phone(page: Page) -> None:
    page.set_viewport_size(SMALL_PHONE)


def test_a_check_in_on_a_phone_changes_the_chart_and_its_table(
    page: Page, live_server: LiveServer, console: ConsoleWatch
) -> None:
    person = sign_in_new_person(page, live_server, "rowan")
    today = actions.today()
    # Three earlier days, so there is a chart to change: a drink, none, and two drinks.
    for back, drinks in ((3, "1"), (2, "0"), (1, "2")):
        used = drinks != "0"
        amounts = {"alcohol": Decimal(drinks)} if used else {}
        actions.do_record_checkin(
            person, today - timedelta(days=back), actions.CheckInData(used=used, amounts=amounts)
        )

    page.goto(live_server.url + "/progress/")
    figure = page.locator("#figure-drinks")
    expect(figure).to_be_visible()
    figure.get_by_text("Show the numbers").click()  # the table waits closed under the chart
    assert_fits_the_screen(page)
    today_row = figure.locator("tbody tr").last
    expect(today_row).to_contain_text("Not recorded")
    chart_before = figure.locator("svg").inner_html()
    table_before = figure.locator("table").inner_text()

    # Today's check-in, through the link on the progress page and the real form.
    page.get_by_role("link", name="Check in for today").first.click()
    expect(page.locator("main h1")).to_have_text("Today's check-in")
    assert_accessible(page)
    assert_fits_the_screen(page)
    page.locator("fieldset").filter(has_text="Did you use today?").get_by_label("Yes").check()
    page.get_by_label("Alcohol (standard drinks)").fill("3.5")
    page.get_by_role("button", name="Save my check-in").last.click()
    expect(page.locator("main h1")).to_have_text("Thanks for checking in")
    assert_accessible(page)
    stored = CheckIn.objects.get(owner=person, day=today)
    assert stored.used
    assert [str(a.amount) for a in stored.amounts.all()] == ["3.50"]

    page.goto(live_server.url + "/progress/")
    figure = page.locator("#figure-drinks")
    figure.get_by_text("Show the numbers").click()
    expect(figure.locator("tbody tr").last).not_to_contain_text("Not recorded")
    expect(figure.locator("tbody tr").last.locator("td").first).to_have_text("3.5")
    assert figure.locator("table").inner_text() != table_before
    assert figure.locator("svg").inner_html() != chart_before
    assert_fits_the_screen(page)
    console.assert_clean()


def test_reminders_are_turned_on_and_off_on_a_phone(
    page: Page, live_server: LiveServer, console: ConsoleWatch
) -> None:
    person = sign_in_new_person(page, live_server, "rowan")
    page.goto(live_server.url + "/account/settings/")
    page.get_by_role("link", name="Check-in reminders by email").click()
    expect(page.locator("main h1")).to_have_text("Check-in reminders")
    expect(page.locator("#reminder-status")).to_contain_text("Reminders are off.")
    assert_accessible(page)
    assert_fits_the_screen(page)

    # Without an email address, the form says what is missing and keeps what was typed.
    page.get_by_label("Time of day").fill("07:45")
    page.get_by_role("button", name="Turn reminders on").click()
    expect(page.locator(".error-summary")).to_contain_text("Please enter the email address")
    expect(page.get_by_label("Time of day")).to_have_value("07:45")
    assert_accessible(page)

    page.get_by_label("Email address").fill("rowan@example.org")
    page.get_by_label("Time zone").select_option("America/Denver")
    page.get_by_label("Sunday").uncheck()
    page.get_by_role("button", name="Turn reminders on").click()
    expect(page.locator("#reminder-status")).to_contain_text("Reminders are on.")
    expect(page.locator("#reminder-status")).to_contain_text("At 07:45 (America / Denver)")
    assert_accessible(page)
    reminder = Reminder.objects.get(owner=person)
    assert reminder.enabled and reminder.weekdays == [0, 1, 2, 3, 4, 5]

    page.get_by_role("button", name="Turn reminders off").click()
    expect(page.locator("#reminder-status")).to_contain_text("Reminders are off.")
    assert not Reminder.objects.get(owner=person).enabled
    console.assert_clean()
