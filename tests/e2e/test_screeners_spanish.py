"""A quick screen in Spanish on a 360 px phone: Spanish questions and answers, the note that
our own translation is not validated, and a result scored as the same answers in English."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from waymark.clinical import scoring

from .helpers import SMALL_PHONE, ConsoleWatch, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# The note in Spanish, or its English msgid until the catalogue has it.
UNVALIDATED = re.compile(
    r"(traducción nuestra|our own translation).*(no ha sido validada|not been validated)"
)


def test_an_unvalidated_spanish_screen_says_so_and_scores_as_in_english(
    page: Page, live_server: LiveServer, console: ConsoleWatch
) -> None:
    dast = scoring.get_instrument("dast-10")
    words = dast.wording("es")
    page.set_viewport_size(SMALL_PHONE)
    page.context.set_extra_http_headers({"Accept-Language": "es"})
    page.goto(live_server.url + "/screeners/dast-10/")
    expect(page.locator("h1")).to_contain_text(words.name)
    expect(page.locator("form legend").first).to_contain_text(words.text_for(dast.items[0]))
    expect(page.locator("p.meta").filter(has_text=UNVALIDATED)).to_be_visible()
    assert_accessible(page)
    for number in range(1, len(dast.items) + 1):
        page.locator("form fieldset").nth(number - 1).get_by_label("Sí").check()
    page.get_by_role("button", name="Ver mi resultado").click()
    total = scoring.score("dast-10", [1] * len(dast.items)).total  # item 3 is reversed
    expect(page.locator("p.score")).to_contain_text(f"{total}")
    expect(page.locator("p.meta").filter(has_text=UNVALIDATED)).to_be_visible()
    assert_accessible(page)
    console.assert_clean()
