"""Quick screens, taken as a person would: clicks and the keyboard, in a real browser."""

from __future__ import annotations

import pytest
from django.conf import settings
from playwright.sync_api import Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from .helpers import ConsoleWatch, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def question(page: Page, number: int) -> Locator:
    """The fieldset of question NUMBER (its legend starts with "NUMBER.")."""
    return page.locator("form fieldset").nth(number - 1)


def assert_safety_before_h1(page: Page) -> None:
    safety = page.locator("section.safety")
    expect(safety).to_have_count(1)
    expect(safety).to_have_attribute("role", "alert")
    expect(page.locator("h1")).to_have_count(1)
    before = page.evaluate(
        """() => Boolean(document.querySelector("section.safety").compareDocumentPosition(
            document.querySelector("h1")) & Node.DOCUMENT_POSITION_FOLLOWING)"""
    )
    assert before, "the crisis section must come before the result's h1"
    for line in settings.HELP_LINES:
        expect(safety).to_contain_text(str(line["name"]))
        expect(safety).to_contain_text(str(line["contact"]))


def test_the_list_of_quick_screens_passes_axe(
    page: Page, live_server: LiveServer, console: ConsoleWatch
) -> None:
    page.goto(live_server.url + "/screeners/")
    expect(page.locator("h1")).to_have_count(1)
    phq9 = page.get_by_role("link", name="PHQ-9")
    expect(phq9).to_be_visible()
    assert_accessible(page)
    console.assert_clean()


def test_phq9_with_thoughts_of_self_harm_shows_crisis_help_first(
    page: Page, live_server: LiveServer, console: ConsoleWatch
) -> None:
    page.goto(live_server.url + "/screeners/phq-9/")
    expect(page.locator("h1")).to_contain_text("PHQ-9")
    assert_accessible(page)
    for number in range(1, 9):
        question(page, number).get_by_label("Not at all").check()
    # Question 9 by keyboard: focus its first answer, then arrow down to "Several days".
    question(page, 9).get_by_label("Not at all").focus()
    page.keyboard.press("ArrowDown")
    expect(question(page, 9).get_by_label("Several days")).to_be_checked()
    page.get_by_role("button", name="See my result").focus()
    page.keyboard.press("Enter")

    expect(page.locator("h1")).to_contain_text("Your PHQ-9 result")
    assert_safety_before_h1(page)
    expect(page.locator(".score")).to_contain_text("Score 1 of 27")
    assert_accessible(page)
    console.assert_clean()


def test_phq9_without_self_harm_shows_no_crisis_section(
    page: Page, live_server: LiveServer, console: ConsoleWatch
) -> None:
    page.goto(live_server.url + "/screeners/phq-9/")
    for number in range(1, 10):
        question(page, number).get_by_label("Not at all").check()
    page.get_by_role("button", name="See my result").click()
    expect(page.locator("h1")).to_contain_text("Your PHQ-9 result")
    expect(page.locator("section.safety")).to_have_count(0)
    # The help lines are still on the page, in the footer.
    expect(page.locator("footer")).to_contain_text(str(settings.HELP_LINES[0]["name"]))
    assert_accessible(page)
    console.assert_clean()


def test_audit_with_missing_answers_keeps_the_given_one_and_shows_errors(
    page: Page, live_server: LiveServer, console: ConsoleWatch
) -> None:
    page.goto(live_server.url + "/screeners/audit/")
    question(page, 1).get_by_label("Monthly or less").check()
    page.get_by_role("button", name="See my result").click()

    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_have_attribute("role", "alert")
    expect(question(page, 1).get_by_label("Monthly or less")).to_be_checked()
    expect(page.locator("fieldset .errorlist").first).to_be_visible()
    assert_accessible(page)
    console.assert_clean()
