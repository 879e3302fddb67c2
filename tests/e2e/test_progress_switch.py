"""Switching path on a 360 × 740 phone: from the plan page, by keyboard and touch, then the
progress page's charts marking the day. Also the next step offered after four kept weeks and
the worsening banner first. The same flows through Django's client are in
tests/test_reassess_pages.py."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.test_reassess_pages import checkup, kept_weeks, make_plan
from waymark.plans.models import Plan

from .helpers import SMALL_PHONE, ConsoleWatch, assert_accessible, sign_in_new_person
from .test_checkup import COMES_BEFORE, assert_fits_the_screen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def phone(page: Page) -> None:
    page.set_viewport_size(SMALL_PHONE)


def test_switching_path_on_a_phone_is_marked_on_the_charts(
    page: Page, live_server: LiveServer, console: ConsoleWatch
) -> None:
    person = sign_in_new_person(page, live_server, "sam")
    plan = make_plan(person)
    kept_weeks(person, 4)

    page.goto(f"{live_server.url}/progress/")
    offer = page.locator("#next-step")
    expect(offer).to_contain_text("for the last 4 weeks")
    expect(page.locator(".marker")).to_have_count(0)
    assert_accessible(page)
    assert_fits_the_screen(page)

    page.goto(f"{live_server.url}/plans/{plan.public_id}/")
    switch = page.locator("#switch-path")
    expect(switch.locator("input[value=harm-reduction]")).to_have_count(0)  # the path it is on
    switch.get_by_role("button", name="Change my path").click()  # nothing chosen yet
    expect(page.locator("#switch-error")).to_have_text("Please choose one of the other paths.")
    assert_accessible(page)
    page.locator("#switch-path").get_by_label("Abstinence").check()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the button, by keyboard
    expect(page.locator("main .lead")).to_contain_text("Abstinence")
    expect(page.locator("main")).to_contain_text("Path changed from Harm reduction")
    assert Plan.objects.get().latest().content["approach"] == "abstinence"
    assert_accessible(page)
    assert_fits_the_screen(page)

    page.goto(f"{live_server.url}/progress/")
    drinks = page.locator("#figure-drinks")
    expect(drinks.locator("svg .marker")).to_have_count(1)
    expect(drinks.locator("svg .marker text")).to_have_text("Path: Abstinence")
    expect(drinks.locator("caption")).to_contain_text("Path changed to Abstinence on")
    expect(page.locator("#path-changes")).to_contain_text("Path changed to Abstinence on")
    expect(page.locator("#next-step")).to_have_count(0)  # abstinence: no next step to offer
    assert_accessible(page)
    assert_fits_the_screen(page)
    console.assert_clean()


def test_worse_scores_put_the_care_suggestion_first_on_a_phone(
    page: Page, live_server: LiveServer, console: ConsoleWatch
) -> None:
    person = sign_in_new_person(page, live_server, "sam")
    checkup(person, days_ago=40, phq=4)  # the latest 30 days ago: due again
    checkup(person, days_ago=30, phq=12)
    page.goto(f"{live_server.url}/checkup/history/")
    expect(page.locator("#worsening")).to_contain_text("from 4 to 12")
    assert page.evaluate(COMES_BEFORE, ["#worsening", "main h1"]), "care must come first"
    expect(page.locator("#checkup-due")).to_contain_text("due again")
    expect(page.locator("#change-phq-9")).to_contain_text("Worse: 8 points higher")
    assert_accessible(page)
    assert_fits_the_screen(page)
    page.get_by_role("link", name="Take the check-up again").click()
    expect(page).to_have_url(f"{live_server.url}/checkup/")
    console.assert_clean()
