"""The "money not spent" figure on a 360 × 740 phone: a quiet offer, a typing slip shown
where it happened (and focused), the figure in its place below the summary, and removing it;
in Spanish with Spanish separators. The same flows through Django's client are in
tests/test_progress_money.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from waymark.accounts.models import User
from waymark.tracking import actions
from waymark.tracking.models import CheckIn

from .helpers import SMALL_PHONE, ConsoleWatch, assert_accessible, sign_in_new_person
from .test_checkup import assert_fits_the_screen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def phone(page: Page) -> None:
    page.set_viewport_size(SMALL_PHONE)


def ten_days(owner: User) -> None:
    """Ten days ending today: use on two of them."""
    today = actions.today()
    CheckIn.objects.bulk_create(
        CheckIn(owner=owner, day=today - timedelta(days=back), used=back in (2, 6))
        for back in range(10)
    )


def test_setting_seeing_and_removing_the_money_figure_on_a_phone(
    page: Page, live_server: LiveServer, console: ConsoleWatch
) -> None:
    person = sign_in_new_person(page, live_server, "robin")
    ten_days(person)
    page.goto(live_server.url + "/progress/")
    offer = page.locator("#money")
    expect(offer.get_by_label("What you usually spent on a day of use")).to_be_hidden()
    assert_fits_the_screen(page)
    assert_accessible(page)

    offer.get_by_text("See the money you did not spend (optional)").click()
    amount = offer.get_by_label("What you usually spent on a day of use")
    amount.fill("50.000")
    offer.get_by_label("Currency").select_option("COP")
    offer.get_by_role("button", name="Save").click()
    errors = page.locator("#spend-errors")
    expect(errors).to_be_focused()
    expect(errors).to_contain_text("for fifty thousand, write 50000")
    expect(amount).to_have_value("50.000")  # kept, in the open form
    assert_fits_the_screen(page)
    assert_accessible(page)

    amount.fill("50000")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Saved: 50,000 COP on a day of use.")
    figure = page.locator("#money")
    expect(figure.get_by_role("heading", name="Money not spent")).to_be_visible()
    expect(figure.locator("#money-whole")).to_have_text("400,000 COP")  # 8 days × 50,000
    box = figure.bounding_box()
    summary = page.locator("#summary").bounding_box()
    assert box is not None and summary is not None and box["y"] > summary["y"]
    assert_fits_the_screen(page)
    assert_accessible(page)

    page.context.set_extra_http_headers({"Accept-Language": "es"})
    page.goto(live_server.url + "/progress/")
    expect(page.locator("#money-whole")).to_have_text("400\u00a0000 COP")
    page.context.set_extra_http_headers({"Accept-Language": "en"})
    page.goto(live_server.url + "/progress/")

    figure = page.locator("#money")
    figure.get_by_text("Change or remove this figure").click()
    figure.get_by_role("button", name="Remove this figure").click()
    expect(page.locator(".messages")).to_contain_text("The money figure is removed.")
    expect(page.locator("#money-whole")).to_have_count(0)
    expect(page.locator("#money")).to_contain_text("See the money you did not spend")
    console.assert_clean()
