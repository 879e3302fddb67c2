"""Example people and their recommendations: safety first, then the h1, then the factors."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from waymark.clinical.pathway import recommend
from waymark.clinical.profile import parse_profile
from waymark.paths.examples import examples

from .helpers import ConsoleWatch, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COMES_BEFORE = """([first, second]) => Boolean(document.querySelector(first)
    .compareDocumentPosition(document.querySelector(second)) & Node.DOCUMENT_POSITION_FOLLOWING)"""


def test_the_list_of_examples_links_to_each_and_passes_axe(
    page: Page, live_server: LiveServer, console: ConsoleWatch
) -> None:
    page.goto(live_server.url + reverse("paths:examples"))
    expect(page.locator("h1")).to_have_count(1)
    links = page.locator("main .card h2 a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert hrefs == [reverse("paths:example", args=[p["slug"]]) for p in examples()]
    assert_accessible(page)
    console.assert_clean()


@pytest.mark.parametrize("person", examples(), ids=lambda person: str(person["slug"]))
def test_each_example_puts_safety_before_the_h1_and_passes_axe(
    page: Page, live_server: LiveServer, console: ConsoleWatch, person: dict[str, Any]
) -> None:
    findings = recommend(parse_profile(person["profile"])).safety
    page.goto(live_server.url + reverse("paths:example", args=[person["slug"]]))
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("h1")).to_have_text(person["title"])
    safety = page.locator("section.safety")
    if findings:
        expect(safety).to_have_count(1)
        # Only a crisis interrupts a screen reader; other findings are a labelled region.
        if "crisis-support" in findings:
            expect(safety).to_have_attribute("role", "alert")
        else:
            expect(safety).to_have_attribute("aria-labelledby", "safety-heading")
        assert page.evaluate(COMES_BEFORE, ["section.safety", "h1"]), "safety must precede h1"
        for finding in findings:
            if finding != "crisis-support":
                expect(safety.locator(f"#safety-{finding}")).to_have_count(1)
        if "crisis-support" in findings:
            for line in settings.HELP_LINES:
                expect(safety).to_contain_text(str(line["name"]))
    else:
        expect(safety).to_have_count(0)
    assert page.evaluate(COMES_BEFORE, ["h1", ".factors"]), "the factors must follow the h1"
    assert_accessible(page)
    console.assert_clean()
