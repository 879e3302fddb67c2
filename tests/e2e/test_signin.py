"""Sign-in protection in a real browser on a 360 px phone: the recovery codes shown at sign-up,
the paused sign-in page, signing in with a recovery code and choosing a new password — each page
clean under axe and the strict CSP. The rules themselves are tested in tests/test_signin.py."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from waymark.accounts import throttle
from waymark.accounts.models import SignInEvent

from .helpers import PASSWORD, SMALL_PHONE, ConsoleWatch, assert_accessible
from .test_checkup import assert_fits_the_screen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def phone(page: Page) -> None:
    page.set_viewport_size(SMALL_PHONE)


def check(page: Page, console: ConsoleWatch) -> None:
    assert_accessible(page)
    assert_fits_the_screen(page)
    console.assert_clean()


def sign_in(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url + "/account/login/")
    page.get_by_label("Username").fill("rowan")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page: Page, live_server: LiveServer) -> None:
    """Sign out and wait for the home page: the sign-out form first clears this phone's
    saved data (phone.js), so the next navigation must not race its submission."""
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(live_server.url + "/")


def test_a_paused_person_gets_back_in_with_a_saved_recovery_code(
    page: Page, live_server: LiveServer, console: ConsoleWatch
) -> None:
    page.goto(live_server.url + "/account/signup/")
    page.get_by_label("Username").fill("rowan")
    page.locator("#id_password1").fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("main h1")).to_have_text("Your recovery codes")
    codes = page.locator(".backup-codes code").all_inner_texts()
    assert len(codes) == 8
    check(page, console)
    page.get_by_role("link", name="I have saved them — continue").click()
    sign_out(page, live_server)

    # Someone else guessed 20 wrong passwords: signing in to the account is paused.
    key = throttle._key(SignInEvent.Scope.ACCOUNT, "rowan")
    SignInEvent.objects.bulk_create(
        SignInEvent(scope=SignInEvent.Scope.ACCOUNT, key=key) for _ in range(20)
    )
    sign_in(page, live_server)  # this phone signed in before: the pause does not stop it
    expect(page).not_to_have_url(live_server.url + "/account/login/")
    sign_out(page, live_server)
    page.context.clear_cookies()  # another browser
    sign_in(page, live_server)
    expect(page.locator(".error-summary")).to_contain_text("paused for now")
    expect(page.locator(".notice")).to_contain_text("recovery code")
    check(page, console)

    page.get_by_role("link", name="Use a recovery code").first.click()
    expect(page.locator("main h1")).to_have_text("Use a recovery code")
    check(page, console)
    page.get_by_label("Username").fill("rowan")
    page.get_by_label("Recovery code").fill(codes[0].lower())
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("main h1")).to_have_text("Choose a new password")
    expect(page.locator("main")).to_contain_text("7 recovery codes left")
    check(page, console)
    page.locator("#id_new_password1").fill("a-brand-new-long-password-2")
    page.get_by_label("New password confirmation").fill("a-brand-new-long-password-2")
    page.get_by_role("button", name="Save the new password").click()
    expect(page.locator(".messages")).to_contain_text("Your new password is set.")
    check(page, console)
