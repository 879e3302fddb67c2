"""A year of check-ins on a 360 px phone: each chart's numbers wait behind "Show the numbers",
so the progress page stays a page one can scroll, and the tables are still there for whoever
opens them (by keyboard too)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from waymark.accounts.models import User
from waymark.tracking import actions
from waymark.tracking.models import CheckIn, SubstanceAmount

from .helpers import SMALL_PHONE, ConsoleWatch, assert_accessible, sign_in_new_person
from .test_checkup import assert_fits_the_screen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# Measured at 360 px with a year of check-ins: 12,711 px with every chart's table open, 6,580
# with them closed (the four outcome tables, the headline numbers, stay open).
TALLEST = 7500


def a_year_of_checkins(owner: User) -> None:
    today = actions.today()
    CheckIn.objects.bulk_create(
        CheckIn(owner=owner, day=today - timedelta(days=back), used=back % 3 == 0,
                cravings=back % 11, mood=1 + back % 5)
        for back in range(365)
        if back % 9 != 4  # a few missed days
    )  # fmt: skip
    SubstanceAmount.objects.bulk_create(
        SubstanceAmount(check_in=check_in, substance="alcohol", amount="4.5")
        for check_in in CheckIn.objects.filter(owner=owner, used=True)
    )


def test_a_year_of_progress_fits_a_phone_with_the_numbers_one_tap_away(
    page: Page, live_server: LiveServer, console: ConsoleWatch
) -> None:
    page.set_viewport_size(SMALL_PHONE)
    person = sign_in_new_person(page, live_server, "robin")
    a_year_of_checkins(person)
    page.goto(live_server.url + "/progress/")
    figures = page.locator("section.figure")
    expect(figures).to_have_count(7)
    height = page.evaluate("() => document.scrollingElement.scrollHeight")
    assert height < TALLEST, f"the progress page is {height}px tall on a 360px phone"
    assert_fits_the_screen(page)
    assert_accessible(page)

    # The headline numbers stay in sight; each chart's table waits, closed, with its caption.
    expect(page.locator("#outcome-windows table").first).to_be_visible()
    drinks = page.locator("#figure-drinks")
    expect(drinks.locator("svg")).to_be_visible()
    expect(drinks.locator("table")).to_be_hidden()
    expect(drinks.locator("table caption")).to_have_count(1)

    summary = drinks.get_by_text("Show the numbers")
    summary.focus()
    page.keyboard.press("Enter")
    expect(drinks.locator("table")).to_be_visible()
    assert drinks.locator("table tbody tr").count() >= 28  # a row a day, the last four weeks
    expect(drinks.locator("table caption")).to_be_visible()
    assert_fits_the_screen(page)
    assert_accessible(page)
    console.assert_clean()
