"""The home page and what every page shares: help lines, skip link, language switch."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from .helpers import ConsoleWatch, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshot-home.png"


def test_home_page_renders_with_help_lines_and_passes_axe(
    page: Page, live_server: LiveServer, console: ConsoleWatch
) -> None:
    page.goto(live_server.url + "/")
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("h1")).to_have_text("Find the recovery path that fits you")
    footer = page.locator("footer")
    for line in settings.HELP_LINES:
        expect(footer).to_contain_text(str(line["name"]))
        expect(footer).to_contain_text(str(line["contact"]))
    assert_accessible(page)
    console.assert_clean()


def test_page_title_names_the_page_then_waymark(
    page: Page, live_server: LiveServer, console: ConsoleWatch
) -> None:
    page.goto(live_server.url + "/")
    expect(page).to_have_title("Find the recovery path that fits you · Waymark")
    page.goto(live_server.url + "/screeners/")
    expect(page).to_have_title("Quick screens · Waymark")
    console.assert_clean()


def test_home_page_fits_a_small_phone(
    page: Page, live_server: LiveServer, console: ConsoleWatch
) -> None:
    page.set_viewport_size({"width": 360, "height": 640})
    page.goto(live_server.url + "/")
    expect(page.locator("h1")).to_be_visible()
    scroll_width = page.evaluate("() => document.scrollingElement.scrollWidth")
    assert scroll_width <= 360, f"the page scrolls sideways: {scroll_width}px wide"
    assert_accessible(page)
    console.assert_clean()


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(
    page: Page, live_server: LiveServer, console: ConsoleWatch
) -> None:
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    skip_link = page.locator("a.skip-link")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_visible()  # visible when focused, for sighted keyboard users
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    console.assert_clean()


def test_language_switches_to_spanish_from_the_footer(
    page: Page, live_server: LiveServer, console: ConsoleWatch
) -> None:
    page.goto(live_server.url + "/screeners/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.locator("#language-select").select_option("es")
    page.locator("form.language button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page).to_have_url(live_server.url + "/screeners/")
    assert_accessible(page)
    console.assert_clean()


@pytest.mark.skipif(
    not os.environ.get("WAYMARK_SCREENSHOT"), reason="set WAYMARK_SCREENSHOT=1 to update it"
)
def test_screenshot_of_the_home_page_for_the_readme(
    page: Page, live_server: LiveServer, console: ConsoleWatch
) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + "/")
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))
    console.assert_clean()
