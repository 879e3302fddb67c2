"""A Spanish-only reader takes the whole check-up on a 360 px phone — ASSIST for each drug
included — and never meets an instrument's English wording: not in a question, not in an
answer, not on the result. The plan they make from it, and its PDF, are in Spanish too."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.checkup_driver import form_data
from waymark.clinical import scoring

from .helpers import SMALL_PHONE, ConsoleWatch, assert_accessible
from .test_checkup import answer_step, wait_for_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
STEP_URL = re.compile(r"/checkup/([0-9a-f-]{36})/([a-z0-9-]+)/$")
FORM = "form.checkup-step"
PERSON: dict[str, Any] = {
    "version": 2, "age": 31, "sex": "female", "pregnant": True, "goal": "unsure",
    "substances": [
        {"substance": "stimulants", "days_used_past_30": 12, "route": "smoked",
         "last_use_days_ago": 2, "criteria": ["craving", "cut-down"]},
        {"substance": "alcohol", "days_used_past_30": 8, "typical_amount": 4},
        {"substance": "cannabis", "days_used_past_30": 20},
    ],
    "mental_health": {"suicidal_thoughts": True},
}  # fmt: skip


def english_only_words() -> set[str]:
    """Every question and answer of every self-rated instrument whose Spanish differs (words
    the same in both, such as "No" or "AUDIT", cannot tell the languages apart)."""
    words: set[str] = set()
    for instrument in scoring.all_instruments():
        if instrument.rater != "self":
            continue
        english, spanish = instrument.wording("en"), instrument.wording("es")
        spanish_words = set()
        for item in spanish.items.values():
            spanish_words |= {item.text, *item.options, *item.variants.values()}
        for item in english.items.values():
            texts = {item.text, *item.variants.values()} | set(item.options)
            words |= {text for text in texts if text not in spanish_words and len(text) > 3}
    return words


def no_english(page: Page, english: set[str], where: str) -> None:
    # "Never Use Alone" is a service's name (a configured harm-reduction line), not wording.
    text = page.locator("main").inner_text().replace("Never Use Alone", "")
    found = sorted(word for word in english if word in text)
    assert found == [], f"{where}: English instrument wording on a Spanish page: {found[:5]}"


def test_a_spanish_reader_takes_the_whole_check_up_without_english(
    page: Page, live_server: LiveServer, console: ConsoleWatch
) -> None:
    english = english_only_words()
    page.set_viewport_size(SMALL_PHONE)
    page.context.set_extra_http_headers({"Accept-Language": "es"})
    page.goto(live_server.url + "/checkup/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(STEP_URL)
    shown = []
    while (step := STEP_URL.search(page.url).group(2)) != "result":  # type: ignore[union-attr]
        shown.append(step)
        no_english(page, english, step)
        width = page.evaluate("() => document.scrollingElement.scrollWidth")
        assert width <= SMALL_PHONE["width"], f"{step} scrolls sideways: {width}px"
        if step.startswith("assist-") or step == "safety":
            assert_accessible(page)
        before = page.url
        answer_step(page, step, form_data(step, PERSON))
        wait_for_page(page, before)
    assert {"assist-cocaine", "assist-amphetamines", "assist-cannabis"} <= set(shown)
    no_english(page, english, "result")
    assert_accessible(page)
    main = page.locator("main")
    expect(main).to_contain_text("Tus riesgos")
    expect(main).to_contain_text("ASSIST")
    console.assert_clean()
