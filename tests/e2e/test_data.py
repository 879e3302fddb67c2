"""A person's data on a 360px phone: download the export from the data page, then delete the
account after reading what goes and confirming; axe-core on each page."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, ViewportSize, expect
from pytest_django.live_server_helper import LiveServer

from waymark.accounts.models import User
from waymark.tracking.actions import today
from waymark.tracking.models import CheckIn

from .helpers import ConsoleWatch, assert_accessible
from .test_checkup import assert_fits_the_screen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SMALL_PHONE: ViewportSize = {"width": 360, "height": 740}
PASSWORD = "a long enough password 42"


@pytest.fixture(autouse=True)
def phone(page: Page) -> None:
    page.set_viewport_size(SMALL_PHONE)


def test_download_then_delete_on_a_phone(
    page: Page, live_server: LiveServer, console: ConsoleWatch
) -> None:
    user = User.objects.create_user("kit", password=PASSWORD)
    for back in range(3):
        CheckIn.objects.create(owner=user, day=today() - timedelta(days=back), used=False,
                               note=f"note {back}")  # fmt: skip
    page.goto(live_server.url + "/account/login/")
    page.get_by_label("Username").fill("kit")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(live_server.url + "/account/login/")

    page.goto(live_server.url + "/account/settings/")
    page.get_by_role("link", name="Your data: download, import or delete").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your data")
    assert_fits_the_screen(page)
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="JSON", exact=True).click()
    exported = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert exported["account"]["nickname"] == "kit"
    assert sorted(c["note"] for c in exported["checkins"]) == ["note 0", "note 1", "note 2"]

    page.get_by_role("link", name="Delete my account…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete your account")
    expect(page.get_by_role("link", name="Download everything (JSON)")).to_be_visible()
    assert_fits_the_screen(page)
    assert_accessible(page)
    page.get_by_label("Type your nickname to confirm").fill("kat")
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account and all my data").click()
    expect(page.locator(".error-summary")).to_contain_text("This is not your nickname.")
    assert_accessible(page)
    assert User.objects.filter(username="kit").exists()
    page.get_by_label("Type your nickname to confirm").fill("kit")
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account and all my data").click()
    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_text("Your account and all its data are deleted.")).to_be_visible()
    assert_accessible(page)
    assert not User.objects.filter(username="kit").exists()
    assert not CheckIn.objects.exists()
    console.assert_clean()


def test_make_and_revoke_a_token_on_a_phone(
    page: Page, live_server: LiveServer, console: ConsoleWatch
) -> None:
    User.objects.create_user("kit", password=PASSWORD)
    page.goto(live_server.url + "/account/login/")
    page.get_by_label("Username").fill("kit")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(live_server.url + "/account/login/")
    page.goto(live_server.url + "/account/settings/")
    page.get_by_role("link", name="API tokens").click()
    assert_accessible(page)
    page.get_by_label("Name").fill("my spreadsheet")
    page.get_by_label("Read only").check()
    page.get_by_role("button", name="Make the token").click()
    secret = page.locator("#new-token").inner_text()
    assert secret.startswith("wm_") and len(secret) == 46
    assert_fits_the_screen(page)
    assert_accessible(page)
    page.get_by_role("button", name="Revoke “my spreadsheet”").click()
    expect(page.get_by_text("The token “my spreadsheet” is revoked.")).to_be_visible()
    expect(page.locator("#new-token")).to_have_count(0)
    assert_accessible(page)
    console.assert_clean()
