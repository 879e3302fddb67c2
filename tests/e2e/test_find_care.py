"""Find help near you, on a small phone: every link there, nothing fetched from elsewhere."""

from __future__ import annotations

import pytest
from django.conf import settings
from playwright.sync_api import Page, Request, expect
from pytest_django.live_server_helper import LiveServer

from .helpers import SMALL_PHONE, ConsoleWatch, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_find_care_on_a_small_phone_loads_only_our_own_files_and_passes_axe(
    page: Page, live_server: LiveServer, console: ConsoleWatch
) -> None:
    elsewhere: list[str] = []

    def watch(request: Request) -> None:
        if not request.url.startswith((live_server.url, "data:")):
            elsewhere.append(request.url)

    page.on("request", watch)
    page.set_viewport_size(SMALL_PHONE)
    page.goto(live_server.url + "/")
    page.locator("footer").get_by_role("link", name="Find help near you").click()
    expect(page.locator("h1")).to_have_text("Find help near you")
    main = page.locator("main")
    for link in settings.CARE_LINKS:
        expect(main.locator(f'a[href="{link["href"]}"]')).to_be_visible()
    expect(main.get_by_role("heading", name="Questions to ask a program")).to_be_visible()
    scroll_width = page.evaluate("() => document.scrollingElement.scrollWidth")
    assert scroll_width <= SMALL_PHONE["width"], f"the page scrolls sideways: {scroll_width}px"
    assert_accessible(page)
    assert elsewhere == [], f"the page asked other sites for: {elsewhere}"
    console.assert_clean()
