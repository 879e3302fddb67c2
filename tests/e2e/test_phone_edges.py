"""Rough edges a newcomer found on a 360 px phone, in a real browser: a very long word in a plan
wraps instead of widening the page, a textarea counts the characters left and too long a text
comes back with the reason (with and without JavaScript), and the reminder page offers the
device's own zone from the common ones. The Django-client halves are in
tests/test_phone_edges.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.test_checkup import complete
from tests.test_plans import BY_NAME
from waymark.accounts.models import User
from waymark.checkup.models import CheckUp
from waymark.tracking.models import CheckIn

from .helpers import SMALL_PHONE, ConsoleWatch, assert_accessible, sign_in_new_person
from .test_checkup import assert_fits_the_screen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_WORD = "Supercalifragilistic" * 25  # 500 characters, no break anywhere
LONG_GOAL = "Nevermoreonaweeknight" * 14 + "ok"  # 296: the longest line a list takes


@pytest.fixture(autouse=True)
def phone(page: Page) -> None:
    page.set_viewport_size(SMALL_PHONE)


def plan_with_long_words(person: User) -> None:
    """The person's plan, with their own goal and notes typed as one unbroken word each."""
    client = Client()
    client.force_login(person)
    complete(client, BY_NAME["weekend drinker over limits, wants to cut down"]["profile"])
    checkup = CheckUp.objects.get(owner=person)
    response = client.post(reverse("plans:create", args=[checkup.public_id]))
    edit = response["Location"] + "edit/"
    saved = client.post(edit, {"goals": LONG_GOAL, "notes": LONG_WORD})
    assert saved.status_code == 302, saved.content.decode()[:2000]


def test_a_500_character_word_in_a_plan_wraps_on_a_phone(
    page: Page, live_server: LiveServer, console: ConsoleWatch
) -> None:
    person = sign_in_new_person(page, live_server, "rowan")
    plan_with_long_words(person)
    page.get_by_role("link", name="My plan").click()  # from the menu, through /plans/
    expect(page.locator("main h1")).to_have_text("My recovery plan")
    expect(page.locator("main")).to_contain_text(LONG_WORD)
    expect(page.locator("main")).to_contain_text(LONG_GOAL)
    assert_fits_the_screen(page)
    page.get_by_role("link", name="Edit my plan").click()
    expect(page.get_by_label("Notes")).to_have_value(LONG_WORD)
    assert_fits_the_screen(page)
    console.assert_clean()


def test_a_textarea_counts_down_and_too_long_a_note_comes_back_with_the_reason(
    page: Page, live_server: LiveServer, console: ConsoleWatch
) -> None:
    sign_in_new_person(page, live_server, "rowan")
    page.goto(live_server.url + "/track/")
    note = page.get_by_label("A note for yourself (optional)")
    count = page.locator(".char-count")
    expect(count).to_have_text("Characters left: 2,000")
    note.fill("Walked instead")
    expect(count).to_have_text("Characters left: 1,986")
    spoken = page.locator("[aria-live=polite]", has_text="Characters left")
    expect(spoken).to_have_text("Characters left: 1,986")  # once typing pauses
    assert "maxlength" not in note.evaluate("e => e.outerHTML")
    assert_accessible(page)

    pasted = "x" * 2100
    note.fill(pasted)
    expect(count).to_have_text("Characters over the limit: 100")
    expect(note).to_have_value(pasted)  # nothing is cut off
    page.locator("input[name=used][value=no]").check()
    page.get_by_role("button", name="Save my check-in").click()
    expect(page.locator(".error-summary")).to_contain_text(
        "This is 2100 characters long; the most is 2000."
    )
    expect(note).to_have_value(pasted)
    expect(count).to_have_text("Characters over the limit: 100")
    assert not CheckIn.objects.exists()
    assert_fits_the_screen(page)
    console.assert_clean()


@pytest.fixture
def without_javascript(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(java_script_enabled=False, viewport=SMALL_PHONE)
    yield context.new_page()
    context.close()


def test_without_javascript_the_servers_message_says_what_is_wrong(
    without_javascript: Page, live_server: LiveServer
) -> None:
    page = without_javascript
    sign_in_new_person(page, live_server, "rowan")
    page.goto(live_server.url + "/track/")
    expect(page.locator(".char-count")).to_have_count(0)
    page.get_by_label("A note for yourself (optional)").fill("y" * 2001)
    page.locator("input[name=used][value=no]").check()
    page.get_by_role("button", name="Save my check-in").click()
    expect(page.locator(".error-summary")).to_contain_text("the most is 2000")
    expect(page.get_by_label("A note for yourself (optional)")).to_have_value("y" * 2001)


@pytest.fixture
def in_bogota(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(timezone_id="America/Bogota", viewport=SMALL_PHONE)
    yield context.new_page()
    context.close()


def test_the_reminder_page_offers_the_devices_zone_among_the_common_ones(
    in_bogota: Page, live_server: LiveServer
) -> None:
    watch = ConsoleWatch(in_bogota)
    sign_in_new_person(in_bogota, live_server, "rowan")
    in_bogota.goto(live_server.url + "/track/reminders/")
    zone = in_bogota.get_by_label("Time zone")
    expect(zone).to_have_value("America/Bogota")
    group = zone.locator("option:checked").evaluate("o => o.parentElement.label")
    assert group == "Common time zones"
    assert_fits_the_screen(in_bogota)
    watch.assert_clean()
