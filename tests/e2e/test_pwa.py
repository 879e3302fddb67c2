"""Waymark on a 360 px phone in real Chromium: the manifest and the service worker register and
Chrome finds the app installable; a check-in made offline is kept on the phone, sent once the
connection is back, recorded exactly once (a second send changes nothing); signing out clears
the phone; Lighthouse finds the check-in page fully accessible. The pages' side is in
tests/test_pwa.py; Lighthouse's performance score is `make bench`'s (bench/lighthouse.py)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect
from pytest_django.live_server_helper import LiveServer

from bench import lighthouse
from tests.conftest import skip_or_fail
from waymark.accounts.models import User
from waymark.checkup.models import CheckUp
from waymark.plans.models import Plan, PlanVersion
from waymark.templatetags.phone import device_person
from waymark.tracking import actions
from waymark.tracking.models import CheckIn, SubmissionKey

from .helpers import SMALL_PHONE, ConsoleWatch, assert_accessible, sign_in_new_person
from .test_checkup import assert_fits_the_screen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAVED = "Saved on this phone. It will be sent when you're back online."
SENT = "Sent. Your check-in is in your account now."


@pytest.fixture(autouse=True)
def phone(page: Page) -> None:
    page.set_viewport_size(SMALL_PHONE)


def controlled(page: Page) -> None:
    """Wait until the service worker is active and controls the page (reloaded once for it)."""
    scope = page.evaluate("async () => (await navigator.serviceWorker.ready).scope")
    assert scope.endswith("/") and scope.count("/") == 3, scope
    if not page.evaluate("() => !!navigator.serviceWorker.controller"):
        page.reload()
    page.wait_for_function("() => !!navigator.serviceWorker.controller")


def waiting_rows(page: Page) -> list[dict[str, Any]]:
    page.wait_for_function("() => typeof WaymarkQueue !== 'undefined'")  # a deferred script
    rows: list[dict[str, Any]] = page.evaluate("() => WaymarkQueue.all()")
    return rows


def cache_names(page: Page) -> list[str]:
    names: list[str] = page.evaluate("() => caches.keys()")
    return names


def forgive_failed_sends(console: ConsoleWatch) -> None:
    """A send that cannot get through (no connection, a page that thinks it is online as on a
    weak signal, an ended session) keeps the check-in; the browser still logs the request."""
    console.problems = [
        problem
        for problem in console.problems
        if not ("Failed to load resource" in problem and "/api/v1/checkins" in problem)
    ]


def check_in_offline(page: Page, context: BrowserContext) -> None:
    context.set_offline(True)
    page.locator("fieldset").filter(has_text="Did you use today?").get_by_label("Yes").check()
    page.get_by_label("Alcohol (standard drinks)").fill("2")
    page.get_by_label("A note for yourself (optional)").fill("Kept on the phone")
    page.get_by_role("button", name="Save my check-in").last.click()
    expect(page.locator("#device-status")).to_have_text(SAVED)


def test_chrome_finds_waymark_installable_once_the_worker_runs(
    playwright: Playwright,
    browser_type_launch_args: dict[str, Any],
    live_server: LiveServer,
    tmp_path: Path,
) -> None:
    # A profile of its own: Chrome offers no install in an incognito window, and every other
    # test's browser context is one.
    context = playwright.chromium.launch_persistent_context(
        tmp_path / "profile", **browser_type_launch_args, viewport=SMALL_PHONE
    )
    try:
        page = context.pages[0] if context.pages else context.new_page()
        watch = ConsoleWatch(page)
        sign_in_new_person(page, live_server, "robin")
        page.goto(live_server.url + "/track/")
        controlled(page)
        cdp = context.new_cdp_session(page)
        manifest = cdp.send("Page.getAppManifest")
        assert manifest["url"] == live_server.url + "/manifest.webmanifest?lang=en"
        assert not manifest["errors"], manifest["errors"]
        assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
        watch.assert_clean()
    finally:
        context.close()


def test_the_worker_keeps_the_check_in_page_and_one_tap_calls_a_person(
    page: Page, live_server: LiveServer, console: ConsoleWatch
) -> None:
    person = sign_in_new_person(page, live_server, "robin")
    plan = Plan.objects.create(checkup=CheckUp.objects.create(owner=person))
    people = [{"name": "Alex", "phone": "555-0100"}]
    PlanVersion.objects.create(
        plan=plan, number=1, content={"approach": "staged", "people": people}
    )
    page.goto(live_server.url + "/track/")
    controlled(page)
    # The worker kept the pages' files, the offline page and this person's check-in page.
    names = cache_names(page)
    assert "waymark-private" in names
    assert any(name.startswith("waymark-files-") for name in names)
    assert any(name.startswith("waymark-pages-") for name in names)

    # One tap to a person, big enough for a thumb, on the check-in page and the shortcut's page.
    call = page.get_by_role("link", name="Call Alex 555-0100")
    expect(call).to_have_attribute("href", "tel:5550100")
    box = call.bounding_box()
    assert box is not None and box["height"] >= 48
    assert_fits_the_screen(page)
    page.goto(live_server.url + "/call/")
    expect(page.get_by_role("link", name="Call Alex 555-0100")).to_be_visible()
    assert_accessible(page)
    assert_fits_the_screen(page)
    console.assert_clean()


def test_a_check_in_made_offline_is_sent_when_back_online_and_recorded_once(
    page: Page, context: BrowserContext, live_server: LiveServer, console: ConsoleWatch
) -> None:
    person = sign_in_new_person(page, live_server, "robin")
    page.goto(live_server.url + "/track/")
    controlled(page)
    check_in_offline(page, context)
    assert_accessible(page)
    [row] = waiting_rows(page)
    assert row["day"] == actions.today().isoformat()
    assert row["person"] == device_person(person)
    assert row["answers"]["amounts"] == {"alcohol": 2}
    assert not CheckIn.objects.filter(owner=person).exists()

    # Still offline, the check-in page comes from the phone and says what waits on it.
    page.reload()
    expect(page.locator("main h1")).to_have_text("Today's check-in")
    expect(page.locator("#device-status")).to_have_text(SAVED)
    assert not CheckIn.objects.filter(owner=person).exists()
    forgive_failed_sends(console)

    # Sent by the page at the `online` event, and perhaps by the worker's Background Sync too.
    sent: list[dict[str, Any]] = []
    context.on(
        "request",
        lambda request: (
            sent.append({"headers": request.headers, "body": request.post_data})
            if request.url.endswith("/api/v1/checkins")
            else None
        ),
    )
    context.set_offline(False)  # the `online` event sends it
    expect(page.locator("#device-status")).to_have_text(SENT)
    stored = CheckIn.objects.get(owner=person)
    assert stored.used and stored.note == "Kept on the phone"
    assert [(a.substance, str(a.amount)) for a in stored.amounts.all()] == [("alcohol", "2.00")]
    assert waiting_rows(page) == []
    assert sent and {request["headers"]["idempotency-key"] for request in sent} == {row["key"]}
    assert SubmissionKey.objects.filter(owner=person).count() == 1
    first = len(sent)

    # The same row sent again (a retry after a lost answer) changes nothing.
    page.evaluate("row => WaymarkQueue.keep(row)", row)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    page.wait_for_function(
        "async () => typeof WaymarkQueue !== 'undefined' && (await WaymarkQueue.all()).length === 0"
    )
    for _ in range(50):  # Playwright reports the request as an event: let it arrive
        if len(sent) > first:
            break
        page.wait_for_timeout(100)
    assert len(sent) > first and json.loads(sent[-1]["body"]) == json.loads(sent[0]["body"])
    assert CheckIn.objects.filter(owner=person).count() == 1
    again = CheckIn.objects.get(owner=person)
    assert (again.pk, again.note, again.updated_at) == (stored.pk, stored.note, stored.updated_at)
    assert SubmissionKey.objects.filter(owner=person).count() == 1
    console.assert_clean()


def test_signing_out_clears_the_waiting_check_in_and_the_kept_pages(
    page: Page, context: BrowserContext, live_server: LiveServer, console: ConsoleWatch
) -> None:
    person = sign_in_new_person(page, live_server, "robin")
    page.goto(live_server.url + "/track/")
    controlled(page)
    check_in_offline(page, context)
    # Back online, but the API cannot be reached: the check-in waits on the phone.
    context.route("**/api/v1/checkins", lambda route: route.abort())  # the worker's too
    context.set_offline(False)
    expect(page.locator("#device-status")).to_have_text(SAVED)
    assert len(waiting_rows(page)) == 1
    assert "waymark-private" in cache_names(page)

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible(timeout=15_000)
    # Cleared by the header and the sign-out script; either may still be finishing, and the
    # signed-out page's deferred scripts may not have run yet when the link shows.
    page.wait_for_function(
        "async () => typeof WaymarkQueue !== 'undefined'"
        " && (await WaymarkQueue.all()).length === 0"
        " && !(await caches.keys()).includes('waymark-private')"
    )
    assert not CheckIn.objects.filter(owner=person).exists()
    forgive_failed_sends(console)  # the worker's Background Sync tried too
    console.assert_clean()


def test_a_check_in_waiting_when_the_session_ended_asks_to_sign_in(
    page: Page, context: BrowserContext, live_server: LiveServer, console: ConsoleWatch
) -> None:
    person = sign_in_new_person(page, live_server, "robin")
    page.goto(live_server.url + "/track/")
    controlled(page)
    check_in_offline(page, context)
    context.clear_cookies()  # the session ran out while the phone was offline
    context.set_offline(False)
    expect(page.locator("#device-status")).to_contain_text("Sign in to send it.")
    assert len(waiting_rows(page)) == 1  # kept
    forgive_failed_sends(console)
    page.locator("#device-status").get_by_role("link", name="Sign in").click()
    page.get_by_label("Username").fill("robin")
    page.get_by_label("Password").fill("a-long-password-for-e2e-1")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#device-status")).to_have_text(SENT)
    assert CheckIn.objects.filter(owner=person).count() == 1
    console.assert_clean()


def test_a_check_in_that_cannot_get_through_on_a_weak_signal_is_kept_by_the_worker(
    page: Page, context: BrowserContext, live_server: LiveServer, console: ConsoleWatch
) -> None:
    person = sign_in_new_person(page, live_server, "robin")
    page.goto(live_server.url + "/track/")
    controlled(page)
    key = page.locator("input[name='idempotency_key']").input_value()
    # The phone says it is online, but the form's POST never arrives (the worker's fetch fails).
    context.route(
        "**/track/*/",
        lambda route: route.abort() if route.request.method == "POST" else route.fallback(),
    )
    page.locator("fieldset").filter(has_text="Did you use today?").get_by_label("No").check()
    page.get_by_role("button", name="Save my check-in").last.click()
    # The worker kept it and went back to the check-in page, which sent it through the API.
    expect(page.locator("#device-status")).to_have_text(SENT)
    stored = CheckIn.objects.get(owner=person)
    assert not stored.used
    assert str(SubmissionKey.objects.get(owner=person).key) == key  # the form's own key
    console.problems = [p for p in console.problems if "/track/" not in p]
    console.assert_clean()


def test_a_check_in_page_kept_from_an_earlier_day_moves_to_today(
    page: Page, context: BrowserContext, live_server: LiveServer, console: ConsoleWatch
) -> None:
    person = sign_in_new_person(page, live_server, "robin")
    today = actions.today()
    actions.do_record_checkin(person, today, actions.CheckInData(used=True, note="Yesterday's"))
    page.goto(live_server.url + "/track/")
    controlled(page)
    expect(page.get_by_label("A note for yourself (optional)")).to_have_value("Yesterday's")
    # A day later, offline: the kept page opens with the new day and none of the old answers.
    tomorrow = today + timedelta(days=1)
    page.clock.set_fixed_time(f"{tomorrow.isoformat()}T12:00:00Z")
    context.set_offline(True)
    page.reload()
    form = page.locator("form[data-offline-form]")
    expect(form).to_have_attribute("data-day", tomorrow.isoformat())
    expect(form).to_have_attribute("action", f"/track/{tomorrow.isoformat()}/")
    expect(page.get_by_label("A note for yourself (optional)")).to_have_value("")
    expect(page.get_by_text("You have checked in for this day.")).to_be_hidden()
    forgive_failed_sends(console)
    console.assert_clean()


def test_without_javascript_the_check_in_and_the_call_buttons_still_work(
    browser: Browser, live_server: LiveServer
) -> None:
    context = browser.new_context(java_script_enabled=False, viewport=SMALL_PHONE)
    try:
        page = context.new_page()
        person = sign_in_new_person(page, live_server, "robin")
        page.goto(live_server.url + "/track/")
        expect(page.locator("[data-install-hint]")).to_be_hidden()
        expect(page.get_by_role("link", name="988 Suicide & Crisis Lifeline")).to_be_visible()
        page.locator("fieldset").filter(has_text="Did you use today?").get_by_label("No").check()
        page.get_by_role("button", name="Save my check-in").last.click()
        expect(page.locator("main h1")).to_have_text("Thanks for checking in")
        assert CheckIn.objects.filter(owner=person).count() == 1
    finally:
        context.close()


def test_lighthouse_finds_the_check_in_page_fully_accessible(live_server: LiveServer) -> None:
    if not lighthouse.LIGHTHOUSE.exists():
        skip_or_fail(f"{lighthouse.LIGHTHOUSE} is missing (run `npm ci`)")
    person = User.objects.create_user("lighthouse")
    client = Client()
    client.force_login(person)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    found = lighthouse.report(live_server.url + "/track/", ["accessibility"], {"Cookie": cookie})
    assert found["finalDisplayedUrl"].endswith("/track/")  # signed in, not sent to sign in
    assert lighthouse.score(found, "accessibility") == 100, lighthouse.failed_audits(
        found, "accessibility"
    )
