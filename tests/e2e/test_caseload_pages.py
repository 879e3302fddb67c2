"""A clinician with a long caseload on a 360 px phone: the search form and the pages work with
the keyboard and without JavaScript, fit the screen, and pass axe; the current page is marked
for screen readers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.programs import make_consent, make_person, make_program, make_staff
from tests.test_clinic import crisis_checkup
from waymark.accounts.models import Role
from waymark.clinic import actions
from waymark.clinic.chart import PAGE_SIZE, short_id
from waymark.tracking.models import CheckIn

from .helpers import SMALL_PHONE, ConsoleWatch, assert_accessible
from .test_checkup import assert_fits_the_screen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def assert_no_word_broken(page: Page) -> None:
    """No heading, alias or short id takes more lines than it has words (split at spaces and
    hyphens): a table squeezed on a phone had broken them mid-word ("Pers/on", "b2c8/e71e")."""
    found = page.evaluate(
        """[...document.querySelectorAll(
              '#caseload thead th, #caseload tbody th a, #caseload tbody th .meta')].map(el => {
            const range = document.createRange(); range.selectNodeContents(el);
            const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
            return [el.textContent.trim(), tops.size,
                    el.textContent.trim().split(/[\\s-]+/).length]; })"""
    )
    broken = [text for text, lines, words in found if lines > words]
    assert not broken, broken


def test_a_long_caseload_pages_searches_and_filters_on_a_phone(
    page: Page, live_server: LiveServer, console: ConsoleWatch
) -> None:
    page.set_viewport_size(SMALL_PHONE)
    clinician = make_staff(Role.CLINICIAN, program=make_program("Riverside Outpatient"))
    today = timezone.localdate()
    people = []
    for number in range(PAGE_SIZE + 5):
        person = make_person(f"river-{number:02d}-with-a-longer-alias")
        make_consent(person, clinician.membership)
        CheckIn.objects.create(owner=person, day=today - timedelta(days=number % 9), used=False)
        people.append(person)
    # An alias with nowhere to break: its column widens and the table scrolls in its own box.
    unbroken = make_person("Riverside" * 5)
    make_consent(unbroken, clinician.membership)
    CheckIn.objects.create(owner=unbroken, day=today - timedelta(days=30), used=False)
    urgent = people[-1]
    crisis_checkup(urgent)
    actions.evaluate(urgent)
    page.context.add_cookies(
        [{"name": "sessionid", "value": clinician.client.cookies["sessionid"].value,
          "url": live_server.url}]
    )  # fmt: skip

    page.goto(live_server.url + "/clinic/")
    rows = page.locator("#caseload tbody tr")
    expect(rows).to_have_count(PAGE_SIZE)
    expect(rows.first).to_contain_text(urgent.username)
    expect(page.locator("#caseload caption")).to_contain_text(f"{PAGE_SIZE + 6} people")
    expect(rows.nth(1)).to_contain_text(unbroken.username)
    assert_no_word_broken(page)
    pages = page.get_by_role("navigation", name="Pages of the caseload")
    expect(pages).to_contain_text("Page 1 of 2")
    expect(pages.get_by_role("link", name="Page 1")).to_have_attribute("aria-current", "page")
    assert_fits_the_screen(page)
    assert_accessible(page)

    pages.get_by_role("link", name="Next").focus()
    page.keyboard.press("Enter")
    expect(rows).to_have_count(6)
    expect(page.get_by_role("link", name="Page 2")).to_have_attribute("aria-current", "page")
    assert_fits_the_screen(page)

    search = page.get_by_role("search", name="Search the caseload")
    search.get_by_label("Name or short id").fill(short_id(people[7]))
    search.get_by_role("button", name="Show").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(people[7].username)
    expect(page.locator("#caseload caption")).to_contain_text("1 person")

    search.get_by_label("Name or short id").fill("")
    search.get_by_label("Open alerts").select_option(label="An urgent alert")
    search.get_by_role("button", name="Show").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Suicidal thoughts reported")
    assert_fits_the_screen(page)
    assert_no_word_broken(page)
    assert_accessible(page)

    search.get_by_label("Name or short id").fill("nobody-by-this-name")
    search.get_by_role("button", name="Show").click()
    expect(page.locator("main")).to_contain_text("Nobody on your caseload matches this search.")
    page.get_by_role("link", name="Show everyone").first.click()
    expect(rows).to_have_count(PAGE_SIZE)
    console.assert_clean()
