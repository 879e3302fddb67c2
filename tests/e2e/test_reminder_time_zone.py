"""A first visit to the reminders page preselects the device's own time zone; a saved one stays."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import time

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from waymark.accounts.models import User
from waymark.tracking import reminders

from .helpers import ConsoleWatch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-password-for-e2e-1"


@pytest.fixture
def in_denver(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(timezone_id="America/Denver")
    yield context.new_page()
    context.close()


def sign_in(page: Page, live_server: LiveServer) -> User:
    person = User.objects.create_user("rowan", password=PASSWORD, email="rowan@example.org")
    page.goto(live_server.url + "/account/login/")
    page.get_by_label("Username").fill("rowan")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(live_server.url + "/account/login/")
    return person


def test_the_first_visit_offers_the_devices_time_zone(
    in_denver: Page, live_server: LiveServer, console: ConsoleWatch
) -> None:
    watch = ConsoleWatch(in_denver)
    sign_in(in_denver, live_server)
    in_denver.goto(live_server.url + "/track/reminders/")
    expect(in_denver.get_by_label("Time zone")).to_have_value("America/Denver")
    watch.assert_clean()


def test_a_saved_time_zone_is_kept(
    in_denver: Page, live_server: LiveServer, console: ConsoleWatch
) -> None:
    watch = ConsoleWatch(in_denver)
    person = sign_in(in_denver, live_server)
    reminders.do_save_reminder(person, time(7, 30), "Europe/Madrid", [0], "rowan@example.org")
    in_denver.goto(live_server.url + "/track/reminders/")
    expect(in_denver.get_by_label("Time zone")).to_have_value("Europe/Madrid")
    watch.assert_clean()
