"""A first visit to the reminders page preselects the device's own time zone; a saved one stays."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import time

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from waymark.tracking import reminders

from .helpers import ConsoleWatch, sign_in_new_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def in_denver(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(timezone_id="America/Denver")
    yield context.new_page()
    context.close()


def test_the_first_visit_offers_the_devices_time_zone(
    in_denver: Page, live_server: LiveServer, console: ConsoleWatch
) -> None:
    watch = ConsoleWatch(in_denver)
    sign_in_new_person(in_denver, live_server, "rowan", email="rowan@example.org")
    in_denver.goto(live_server.url + "/track/reminders/")
    expect(in_denver.get_by_label("Time zone")).to_have_value("America/Denver")
    watch.assert_clean()


def test_a_saved_time_zone_is_kept(
    in_denver: Page, live_server: LiveServer, console: ConsoleWatch
) -> None:
    watch = ConsoleWatch(in_denver)
    person = sign_in_new_person(in_denver, live_server, "rowan", email="rowan@example.org")
    reminders.do_save_reminder(person, time(7, 30), "Europe/Madrid", [0], "rowan@example.org")
    in_denver.goto(live_server.url + "/track/reminders/")
    expect(in_denver.get_by_label("Time zone")).to_have_value("Europe/Madrid")
    watch.assert_clean()
