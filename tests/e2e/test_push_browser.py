"""Push reminders in real headless Chromium, on a 360 px phone: the reminders page turns
notifications on for the phone and off again, the worker's push reaches our own push service
signed and encrypted, and the service worker turns that push into a notification.

What headless Chromium cannot do, said plainly: it has no push service (FCM is out of reach),
so a real `pushManager.subscribe()` is refused in a fresh profile (AbortError; asserted below)
and never completes in a persistent one. The page's subscription is therefore made by a stand-in
`PushManager` holding keys the test generated, and the push is handed to the service worker with
the DevTools command `ServiceWorker.deliverPushMessage`, as a push service would hand it to the
browser. Everything else is the real page, the real worker and the real /sw.js."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.push_service import TEST_VAPID_KEY, PushService, new_phone, push_service, unb64
from tests.push_service import verify_vapid as verified
from waymark.accounts.models import User
from waymark.jobs import enqueue
from waymark.jobs.models import Job
from waymark.jobs.registry import TICKS
from waymark.jobs.worker import Worker
from waymark.tracking import actions, push, reminders
from waymark.tracking.models import Channel, PushSubscription, Reminder

from .helpers import SMALL_PHONE, ConsoleWatch, assert_accessible, sign_in_new_person
from .test_checkup import assert_fits_the_screen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGE = "/track/reminders/"
ON = "Notifications are on for this phone."
OFF = "Notifications are off for this phone."
FAILED = "Notifications could not be turned on here. Please try again later, or use email."
INCOGNITO_PUSH = "does not support the Push API in incognito mode"

# A stand-in for the browser's PushManager (headless Chromium has no push service): it hands
# out the subscription the test made, keeps the key the page subscribed with, and remembers
# across pages (as the browser would) that this phone is subscribed.
STAND_IN = """
(subscription) => {
  const made = (key) => ({
    endpoint: subscription.endpoint,
    options: { applicationServerKey: key },
    toJSON: () => subscription,
    unsubscribe: async () => { sessionStorage.removeItem("pushKey"); return true; },
  });
  PushManager.prototype.getSubscription = async function () {
    const key = sessionStorage.getItem("pushKey");
    return key ? made(new Uint8Array(JSON.parse(key)).buffer) : null;
  };
  PushManager.prototype.subscribe = async function (options) {
    const key = Array.from(new Uint8Array(options.applicationServerKey));
    sessionStorage.setItem("pushKey", JSON.stringify(key));
    window.subscribedWith = key;
    return made(options.applicationServerKey);
  };
}
"""


@pytest.fixture(autouse=True)
def _push_on(settings: Any) -> None:
    settings.WAYMARK_VAPID_PRIVATE_KEY = TEST_VAPID_KEY
    settings.WAYMARK_PUSH_SERVICES = ["127.0.0.1"]
    settings.WAYMARK_PUSH_ALLOW_HTTP = True


@pytest.fixture(autouse=True)
def _no_ticks() -> Iterator[None]:
    ticks = dict(TICKS)
    TICKS.clear()
    yield
    TICKS.update(ticks)


@pytest.fixture
def service() -> Iterator[PushService]:
    with push_service() as started:
        yield started


@pytest.fixture
def phone(page: Page, live_server: LiveServer) -> Page:
    page.set_viewport_size(SMALL_PHONE)
    page.context.grant_permissions(["notifications"], origin=live_server.url)
    return page


NOTIFICATIONS = """async () => (await (await navigator.serviceWorker.ready).getNotifications())
  .map((n) => ({title: n.title, body: n.body, tag: n.tag, lang: n.lang, data: n.data}))"""


def deliver(page: Page, live_server: LiveServer, message: dict[str, Any]) -> list[dict[str, Any]]:
    """Hand a push to the service worker as the browser's push service would (DevTools names
    the worker's registration); the notifications it then shows."""
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    session = page.context.new_cdp_session(page)
    found: list[dict[str, Any]] = []
    session.on(
        "ServiceWorker.workerRegistrationUpdated", lambda e: found.extend(e["registrations"])
    )
    session.send("ServiceWorker.enable")
    page.wait_for_timeout(100)
    for _ in range(40):
        if any(not r.get("isDeleted") for r in found):
            break
        page.wait_for_timeout(100)
    [registration] = [r["registrationId"] for r in found if not r.get("isDeleted")][-1:]
    session.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": live_server.url, "registrationId": registration, "data": json.dumps(message)},
    )
    page.wait_for_function(f"async () => (await ({NOTIFICATIONS})()).length > 0")
    shown: list[dict[str, Any]] = page.evaluate(NOTIFICATIONS)
    return shown


def test_a_phone_turns_notifications_on_and_the_reminder_becomes_a_notification(
    phone: Page, live_server: LiveServer, service: PushService, console: ConsoleWatch
) -> None:
    mine = new_phone(service)
    phone.add_init_script(f"({STAND_IN})({json.dumps(mine.subscription())})")
    person = sign_in_new_person(phone, live_server, "rowan")
    phone.goto(live_server.url + PAGE)
    panel = phone.locator("#push-panel")
    expect(panel.get_by_role("status")).to_have_text(OFF)
    expect(panel.get_by_text("can’t get notifications")).to_be_hidden()
    assert_accessible(phone)
    assert_fits_the_screen(phone)

    phone.get_by_role("button", name="Turn on notifications on this phone").click()
    expect(panel.get_by_role("status")).to_have_text(ON)
    [row] = PushSubscription.objects.filter(owner=person)
    assert row.endpoint == mine.endpoint
    key = bytes(phone.evaluate("() => window.subscribedWith"))
    assert key == unb64(push.public_key())  # subscribed with the site's VAPID key

    phone.get_by_label("A notification on this phone").check()
    phone.get_by_role("button", name="Turn reminders on").click()
    expect(phone.locator("#reminder-status")).to_contain_text("Reminders are on.")
    expect(panel.get_by_role("status")).to_have_text(ON)  # this phone, on the new page too
    assert Reminder.objects.get(owner=person).channel == Channel.PUSH
    assert_accessible(phone)
    console.assert_clean()

    # The worker sends today's reminder (due now, not at the time chosen): one push, signed
    # and encrypted for this phone ...
    Job.objects.filter(kind=reminders.KIND).delete()
    day = actions.today()
    enqueue(reminders.KIND, reminders.dedupe_key(person, day), run_at=row.created_at,
            payload={"person": str(person.public_id), "day": day.isoformat()})  # fmt: skip
    Worker("w").run_once()
    [received] = service.received
    verified(received, audience=service.url)
    message = mine.read(received)
    # ... which the service worker shows as the notification, discreetly.
    [shown] = deliver(phone, live_server, message)
    assert shown == {
        "title": "Waymark",
        "body": "A moment for your check-in?",
        "tag": "waymark-reminder",
        "lang": "en",
        "data": {"url": "/track/"},
    }

    phone.get_by_role("button", name="Turn off notifications on this phone").click()
    expect(panel.get_by_role("status")).to_have_text(OFF)
    assert not PushSubscription.objects.exists()
    console.assert_clean()


def test_a_push_from_elsewhere_never_opens_another_site(
    phone: Page, live_server: LiveServer, console: ConsoleWatch
) -> None:
    sign_in_new_person(phone, live_server, "rowan")
    phone.goto(live_server.url + PAGE)
    [shown] = deliver(phone, live_server, {"url": "https://example.org/", "title": 7})
    assert shown["title"] == "Waymark" and shown["data"] == {"url": "/track/"}


def test_headless_chromium_has_no_push_service_and_the_page_says_it_failed(
    phone: Page, live_server: LiveServer, console: ConsoleWatch
) -> None:
    """Said plainly: headless Chromium refuses a real subscription (no push service), so the
    test above stands in for it. The page then tells the person, and email still works."""
    sign_in_new_person(phone, live_server, "rowan")
    phone.goto(live_server.url + PAGE)
    panel = phone.locator("#push-panel")
    expect(panel.get_by_role("status")).to_have_text(OFF)
    refused = phone.evaluate(
        """async () => {
             const registration = await navigator.serviceWorker.ready;
             const key = document.querySelector("[data-push-key]").dataset.pushKey;
             const raw = atob(key.replace(/-/g, "+").replace(/_/g, "/") + "=");
             const bytes = Uint8Array.from(raw, (c) => c.charCodeAt(0));
             try {
               await registration.pushManager.subscribe({userVisibleOnly: true,
                                                         applicationServerKey: bytes});
               return "subscribed";
             } catch (error) { return error.name; }
           }"""
    )
    assert refused == "AbortError", "headless Chromium subscribed for real: drop the stand-in"
    phone.get_by_role("button", name="Turn on notifications on this phone").click()
    expect(panel.get_by_role("status")).to_have_text(FAILED)
    assert not PushSubscription.objects.exists()
    # Chromium explains the refusal in the console; nothing else may appear there.
    console.problems = [p for p in console.problems if INCOGNITO_PUSH not in p]
    console.assert_clean()


def test_without_javascript_the_page_says_so_and_email_still_works(
    browser: Browser, live_server: LiveServer
) -> None:
    User.objects.create_user("rowan", password="a-long-password-for-e2e-1")
    context = browser.new_context(java_script_enabled=False, viewport=SMALL_PHONE)
    page = context.new_page()
    try:
        page.goto(live_server.url + "/account/login/")
        page.get_by_label("Username").fill("rowan")
        page.get_by_label("Password").fill("a-long-password-for-e2e-1")
        page.get_by_role("button", name="Sign in").click()
        page.goto(live_server.url + PAGE)
        expect(
            page.get_by_text("This phone can’t get notifications from Waymark here")
        ).to_be_visible()
        expect(
            page.get_by_role("button", name="Turn on notifications on this phone")
        ).to_be_hidden()
        expect(page.get_by_label("Email", exact=True)).to_be_checked()
    finally:
        context.close()
