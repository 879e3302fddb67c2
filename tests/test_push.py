"""Push reminders (Web Push), tested against a push service of our own on loopback: it takes
the worker's POST as FCM or Mozilla's would, checks the VAPID signature (RFC 8292) against the
key the request names, which must be the site's, and decrypts the body (RFC 8291, aes128gcm)
with the private key and auth secret of the subscription the test made, as the phone would."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import time, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import Client
from django.utils import timezone

from tests.push_service import (
    TEST_VAPID_KEY,
    Phone,
    PushService,
    b64,
    new_phone,
    push_service,
    unb64,
    verify_vapid,
)
from waymark import settings as settings_module
from waymark.accounts.models import User
from waymark.jobs import enqueue
from waymark.jobs.models import Job
from waymark.jobs.registry import TICKS
from waymark.jobs.worker import Worker
from waymark.tracking import actions, checks, push, reminders
from waymark.tracking.models import Channel, PushSubscription, Reminder

pytestmark = pytest.mark.django_db

CLINICAL_WORDS = re.compile(
    r"alcohol|drink|drug|recovery|use|craving|sober|relapse|substance|addict|bebida|droga",
    re.IGNORECASE,
)


@pytest.fixture
def service() -> Iterator[PushService]:
    with push_service() as started:
        yield started


@pytest.fixture(autouse=True)
def _push_on(settings: Any) -> None:
    settings.WAYMARK_VAPID_PRIVATE_KEY = TEST_VAPID_KEY
    settings.WAYMARK_VAPID_SUBJECT = ""
    settings.DEFAULT_FROM_EMAIL = "Waymark <reminders@waymark.example.org>"
    settings.WAYMARK_PUSH_SERVICES = ["127.0.0.1"]
    settings.WAYMARK_PUSH_ALLOW_HTTP = True


@pytest.fixture(autouse=True)
def _no_ticks() -> Iterator[None]:
    """The worker here runs jobs only: the tests call the reminder tick themselves."""
    ticks = dict(TICKS)
    TICKS.clear()
    yield
    TICKS.update(ticks)


def person_with_phone(
    phone: Phone, channel: str = Channel.PUSH, email: str = "", *more: Phone
) -> User:
    """Sam, with notifications on for the phone(s), then a reminder (nothing queued yet)."""
    sam = User.objects.create_user("sam", email=email, password=None)
    for each in (phone, *more):
        reminders.do_add_phone(sam, push.parse_subscription(each.subscription()))
    Reminder.objects.create(
        owner=sam,
        time=time(9, 0),
        time_zone="UTC",
        weekdays=list(range(7)),
        channel=channel,
        email_confirmed=email,
    )
    return sam


def due_job(sam: User) -> Job:
    day = actions.today()
    payload = {"person": str(sam.public_id), "day": day.isoformat()}
    enqueue(reminders.KIND, reminders.dedupe_key(sam, day), run_at=timezone.now(), payload=payload)
    return Job.objects.get(kind=reminders.KIND)


# --- the push itself ---------------------------------------------------------------------------


def test_a_push_is_signed_with_the_sites_key_and_readable_only_by_the_phone(
    service: PushService,
) -> None:
    phone = new_phone(service)
    sam = person_with_phone(phone)
    due_job(sam)
    assert Worker("w").run_once() == 1
    [received] = service.received
    assert received.path == "/push/v1/phone-1"
    claims = verify_vapid(received, audience=service.url)
    assert claims["sub"] == "mailto:reminders@waymark.example.org"
    assert received.headers["content-encoding"] == "aes128gcm"
    assert received.headers["ttl"] == str(push.TTL_SECONDS) == "7200"
    assert received.headers["urgency"] == "normal"
    assert b"check-in" not in received.body  # encrypted: the push service reads nothing
    message = phone.read(received)
    assert message == {
        "title": "Waymark",
        "body": "A moment for your check-in?",
        "url": "/track/",
        "tag": "waymark-reminder",
        "lang": "en",
    }
    assert Job.objects.get().outcome == "sent"
    assert PushSubscription.objects.get().last_success_at is not None
    assert mail.outbox == []


def test_the_payload_says_nothing_about_alcohol_drugs_or_recovery() -> None:
    for language in ("en", "es"):
        message = json.loads(push.reminder_payload(language))
        text = " ".join(str(value) for value in message.values())
        assert not CLINICAL_WORDS.search(text), text
        assert message["lang"] == language


def test_another_phones_keys_cannot_read_it(service: PushService) -> None:
    phone = new_phone(service)
    due_job(person_with_phone(phone))
    Worker("w").run_once()
    stranger = Phone(phone.endpoint, ec.generate_private_key(ec.SECP256R1()), phone.auth)
    with pytest.raises(Exception):  # noqa: B017 (http_ece raises InvalidTag or its own)
        stranger.read(service.received[0])


def test_a_forged_signature_would_be_caught(service: PushService) -> None:
    """The check above is real: a token signed by another key fails it."""
    phone = new_phone(service)
    due_job(person_with_phone(phone))
    Worker("w").run_once()
    received = service.received[0]
    token = re.search(r"t=([^,]+)", received.headers["authorization"])
    assert token
    head, claims, signature = token.group(1).split(".")
    forged_claims = b64(json.dumps({**json.loads(unb64(claims)), "aud": "x"}).encode())
    received.headers["authorization"] = received.headers["authorization"].replace(
        token.group(1), f"{head}.{forged_claims}.{signature}"
    )
    with pytest.raises(InvalidSignature):
        verify_vapid(received, audience="x")


@pytest.mark.parametrize("status", [410, 404])
def test_an_ended_subscription_is_removed(service: PushService, status: int) -> None:
    service.status = status
    phone = new_phone(service)
    due_job(person_with_phone(phone))
    Worker("w").run_once()
    assert len(service.received) == 1
    assert not PushSubscription.objects.exists()
    job = Job.objects.get()
    assert job.done_at is not None
    assert job.outcome == "not sent: every phone's subscription has ended"


def test_a_refusing_push_service_is_logged_without_the_endpoint(
    service: PushService, caplog: pytest.LogCaptureFixture
) -> None:
    service.status = 500
    phone = new_phone(service, "secret-capability-token")
    sam = person_with_phone(phone)
    due_job(sam)
    with caplog.at_level(logging.INFO):
        Worker("w").run_once()
    assert PushSubscription.objects.count() == 1  # kept: the service may be back tomorrow
    job = Job.objects.get()
    assert job.done_at is not None and job.outcome == "not sent: the push service did not take it"
    assert "HTTP 500" in caplog.text
    assert "secret-capability-token" not in caplog.text and service.url not in caplog.text


def test_an_unreachable_push_service_means_try_again_later(
    service: PushService, caplog: pytest.LogCaptureFixture
) -> None:
    phone = new_phone(service)
    sam = person_with_phone(phone)
    closed = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = closed.server_address[1]
    closed.server_close()  # nothing listens there now
    row = PushSubscription.objects.get()
    row.endpoint = f"http://127.0.0.1:{port}/push/v1/gone-away"
    row.save()
    now = timezone.now()
    due_job(sam)
    with caplog.at_level(logging.WARNING):
        Worker("w").run_once()
    job = Job.objects.get()
    assert job.done_at is None and job.run_at > now  # nothing went out: queued again
    assert "ConnectionError" in caplog.text and "gone-away" not in caplog.text


def test_the_push_goes_with_the_email_when_both_are_chosen(service: PushService) -> None:
    phone = new_phone(service)
    sam = person_with_phone(phone, Channel.BOTH, email="sam@example.org")
    due_job(sam)
    Worker("w").run_once()
    assert len(service.received) == 1 and len(mail.outbox) == 1
    assert Job.objects.get().outcome == "sent"


def test_a_refused_push_does_not_stop_the_email(service: PushService) -> None:
    service.status = 410
    sam = person_with_phone(new_phone(service), Channel.BOTH, email="sam@example.org")
    due_job(sam)
    Worker("w").run_once()
    assert len(mail.outbox) == 1
    assert Job.objects.get().outcome == "sent by email only"


def test_every_phone_of_the_person_gets_one(service: PushService) -> None:
    first, second = new_phone(service, "one"), new_phone(service, "two")
    sam = person_with_phone(first, Channel.PUSH, "", second)
    due_job(sam)
    Worker("w").run_once()
    assert sorted(r.path for r in service.received) == ["/push/v1/one", "/push/v1/two"]


# --- the whole path: a due reminder, the worker, one push ----------------------------------------


def test_a_due_reminder_reaches_the_phone_once(service: PushService) -> None:
    phone = new_phone(service)
    sam = person_with_phone(phone)
    midnight = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    now = max(timezone.now(), midnight + timedelta(minutes=10))  # "a minute ago" is today
    Reminder.objects.filter(owner=sam).update(
        time=(now - timedelta(minutes=1)).time().replace(second=0, microsecond=0)
    )
    assert reminders.queue_due_reminders(now) >= 1  # today's (and maybe tomorrow's)
    for _ in range(3):  # several workers' turns
        Worker("w").run_once(now + timedelta(minutes=1))
    assert reminders.queue_due_reminders(now) == 0
    Worker("w").run_once(now + timedelta(minutes=2))
    assert len(service.received) == 1
    assert phone.read(service.received[0])["body"] == "A moment for your check-in?"


def test_a_push_only_reminder_needs_a_phone_not_an_address(service: PushService) -> None:
    phone = new_phone(service)
    sam = person_with_phone(phone)
    assert sam.email == ""
    now = timezone.now()
    assert reminders.queue_due_reminders(now) >= 1
    PushSubscription.objects.all().delete()
    Job.objects.all().delete()
    assert reminders.queue_due_reminders(now) == 0  # no phone: nothing to send to


def test_no_push_reminders_without_a_vapid_key(service: PushService, settings: Any) -> None:
    sam = person_with_phone(new_phone(service))
    settings.WAYMARK_VAPID_PRIVATE_KEY = ""
    assert reminders.queue_due_reminders(timezone.now()) == 0
    due_job(sam)
    Worker("w").run_once()
    assert service.received == []
    assert Job.objects.get().outcome == "skipped: reminders are off"


def test_a_checked_in_day_gets_no_push(service: PushService) -> None:
    sam = person_with_phone(new_phone(service))
    actions.do_record_checkin(sam, actions.today(), actions.CheckInData(used=False))
    due_job(sam)
    Worker("w").run_once()
    assert service.received == []


# --- subscribing and unsubscribing ---------------------------------------------------------------

SUBSCRIBE = "/track/reminders/push/subscribe/"
UNSUBSCRIBE = "/track/reminders/push/unsubscribe/"


@pytest.fixture
def signed_in(client: Client) -> User:
    sam = User.objects.create_user("sam", email="", password=None)
    client.force_login(sam)
    return sam


def post_json(client: Client, url: str, data: Any) -> Any:
    return client.post(url, json.dumps(data), content_type="application/json")


def test_the_page_script_gets_the_public_key(client: Client, signed_in: User) -> None:
    answer = client.get("/track/reminders/push/key/")
    assert answer.status_code == 200
    key = answer.json()["public_key"]
    assert len(unb64(key)) == 65 and unb64(key)[0] == 4  # an uncompressed P-256 point
    from py_vapid import Vapid

    expected = Vapid.from_string(TEST_VAPID_KEY).public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    assert unb64(key) == expected


def test_subscribing_keeps_the_phone_encrypted(
    client: Client, signed_in: User, service: PushService
) -> None:
    phone = new_phone(service, "capability-7")
    client.defaults["HTTP_USER_AGENT"] = "Mozilla/5.0 (Linux; Android 14) Chrome/131.0 Mobile"
    first = post_json(client, SUBSCRIBE, phone.subscription())
    assert first.status_code == 201 and first.json()["device"] == "Chrome · Android"
    again = post_json(client, SUBSCRIBE, phone.subscription())
    assert again.status_code == 200
    row = PushSubscription.objects.get()
    assert row.owner == signed_in and row.endpoint == phone.endpoint
    with connection.cursor() as cursor:
        cursor.execute("SELECT endpoint, p256dh, auth FROM tracking_pushsubscription")
        stored = " ".join(cursor.fetchone())
    assert "capability-7" not in stored
    assert phone.subscription()["keys"]["auth"] not in stored


def test_a_phone_moves_to_whoever_turned_notifications_on_last(
    client: Client, signed_in: User, service: PushService
) -> None:
    phone = new_phone(service)
    other = User.objects.create_user("robin", password=None)
    reminders.do_add_phone(other, push.parse_subscription(phone.subscription()))
    assert post_json(client, SUBSCRIBE, phone.subscription()).status_code == 200
    assert PushSubscription.objects.get().owner == signed_in


def test_a_person_keeps_at_most_ten_phones(signed_in: User, service: PushService) -> None:
    for number in range(push.MAX_PHONES + 2):
        phone = new_phone(service, f"phone-{number}")
        reminders.do_add_phone(signed_in, push.parse_subscription(phone.subscription()))
    kept = sorted(row.endpoint.rsplit("-", 1)[1] for row in PushSubscription.objects.all())
    assert len(kept) == push.MAX_PHONES and "0" not in kept and "1" not in kept


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"endpoint": "https://evil.example.org/push"}, "endpoint"),
        ({"endpoint": "ftp://127.0.0.1/push"}, "endpoint"),
        ({"endpoint": "http://user:pw@127.0.0.1/push"}, "endpoint"),
        ({"endpoint": "http://127.0.0.1/" + "x" * 3000}, "endpoint"),
        ({"keys": {"p256dh": "AAAA", "auth": b64(b"0" * 16)}}, "keys.p256dh"),
        ({"keys": {"p256dh": b64(b"\x04" + b"\x01" * 64), "auth": b64(b"0" * 16)}}, "keys.p256dh"),
        ({"keys": {"auth": b64(b"0" * 16)}}, "keys.p256dh"),
        ({"keys": None}, "keys"),
    ],
)
def test_a_bad_subscription_is_refused_in_the_api_error_shape(
    client: Client, signed_in: User, service: PushService, change: dict[str, Any], where: str
) -> None:
    data = {**new_phone(service).subscription(), **change}
    if isinstance(change.get("keys"), dict) and "p256dh" not in change["keys"]:
        data["keys"] = {"auth": change["keys"]["auth"]}
    answer = post_json(client, SUBSCRIBE, data)
    assert answer.status_code == 400, answer.content
    error = answer.json()["error"]
    assert error["code"] == "invalid-request" and where in error["fields"]
    assert not PushSubscription.objects.exists()


def test_only_https_outside_tests(settings: Any, service: PushService) -> None:
    settings.WAYMARK_PUSH_ALLOW_HTTP = False
    settings.WAYMARK_PUSH_SERVICES = ["fcm.googleapis.com", "push.apple.com"]
    assert push.endpoint_problem("http://fcm.googleapis.com/fcm/send/x")
    assert push.endpoint_problem("https://fcm.googleapis.com/fcm/send/x") is None
    assert push.endpoint_problem("https://web.push.apple.com/QGx") is None
    assert push.endpoint_problem("https://push.apple.com.evil.org/x")
    assert push.endpoint_problem("https://10.0.0.1/x")


def test_broken_json_and_strangers_are_refused(client: Client, service: PushService) -> None:
    anonymous = post_json(client, SUBSCRIBE, new_phone(service).subscription())
    assert anonymous.status_code == 401 and anonymous.json()["error"]["code"] == "not-signed-in"
    assert Client().get("/track/reminders/push/key/").status_code == 401
    client.force_login(User.objects.create_user("sam", password=None))
    broken = client.post(SUBSCRIBE, "{not json", content_type="application/json")
    assert broken.status_code == 400 and broken.json()["error"]["code"] == "invalid-json"
    assert client.get(SUBSCRIBE).status_code == 405


def test_subscribing_needs_the_csrf_token(service: PushService) -> None:
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(User.objects.create_user("sam", password=None))
    answer = post_json(strict, SUBSCRIBE, new_phone(service).subscription())
    assert answer.status_code == 403
    assert not PushSubscription.objects.exists()


def test_without_a_vapid_key_push_is_not_offered(
    client: Client, signed_in: User, settings: Any, service: PushService
) -> None:
    settings.WAYMARK_VAPID_PRIVATE_KEY = ""
    assert client.get("/track/reminders/push/key/").status_code == 404
    assert post_json(client, SUBSCRIBE, new_phone(service).subscription()).status_code == 404
    page = client.get("/track/reminders/").content.decode()
    assert "push-panel" not in page and 'name="channel"' not in page


def test_unsubscribing_removes_only_ones_own_phone(
    client: Client, signed_in: User, service: PushService
) -> None:
    mine, theirs = new_phone(service, "mine"), new_phone(service, "theirs")
    robin = User.objects.create_user("robin", password=None)
    reminders.do_add_phone(signed_in, push.parse_subscription(mine.subscription()))
    reminders.do_add_phone(robin, push.parse_subscription(theirs.subscription()))
    assert post_json(client, UNSUBSCRIBE, {"endpoint": theirs.endpoint}).json() == {
        "removed": False
    }
    assert post_json(client, UNSUBSCRIBE, {"endpoint": mine.endpoint}).json() == {"removed": True}
    assert [row.owner for row in PushSubscription.objects.all()] == [robin]
    assert post_json(client, UNSUBSCRIBE, {}).status_code == 400


def test_turning_a_phone_on_queues_a_push_reminder_that_had_nowhere_to_go(
    signed_in: User, service: PushService
) -> None:
    Reminder.objects.create(
        owner=signed_in, time=time(23, 59), time_zone="Pacific/Kiritimati",
        weekdays=list(range(7)), channel=Channel.PUSH,
    )  # fmt: skip
    assert not Job.objects.exists()
    reminders.do_add_phone(signed_in, push.parse_subscription(new_phone(service).subscription()))
    assert Job.objects.filter(kind=reminders.KIND, done_at=None).exists()


# --- the reminders page ------------------------------------------------------------------------

PAGE = "/track/reminders/"


def form(**changes: Any) -> dict[str, Any]:
    return {
        "time": "20:30",
        "time_zone": "America/Chicago",
        "weekdays": ["0", "2", "4"],
        "channel": "push",
        "email": "",
        "action": "save",
        **changes,
    }


def test_the_page_offers_push_beside_email(client: Client, signed_in: User) -> None:
    page = client.get(PAGE).content.decode()
    assert "Send reminders as" in page
    for value in ("email", "push", "both"):
        assert f'name="channel" value="{value}"' in page
    assert re.search(r'name="channel" value="email"[^>]*checked', page)  # email, unless chosen
    assert "Turn on notifications on this phone" in page
    assert "can’t get notifications from Waymark here" in page  # until push.js says otherwise
    assert f'data-push-key="{push.public_key()}"' in page
    assert "waymark/js/push.js" in page
    assert "nothing about what you record" in page


def test_push_only_needs_a_phone_first(client: Client, signed_in: User) -> None:
    answer = client.post(PAGE, form())
    assert answer.status_code == 400
    assert "Turn on notifications on this phone first, or choose email." in answer.content.decode()
    assert not Reminder.objects.exists()


def test_push_only_reminders_need_no_email_and_send_no_confirmation(
    client: Client, signed_in: User, service: PushService
) -> None:
    reminders.do_add_phone(signed_in, push.parse_subscription(new_phone(service).subscription()))
    answer = client.post(PAGE, form(time="23:59", time_zone="Pacific/Kiritimati",
                                    weekdays=[str(n) for n in range(7)]))  # fmt: skip
    assert answer.status_code == 302
    reminder = Reminder.objects.get()
    assert reminder.channel == Channel.PUSH and reminder.enabled
    assert mail.outbox == []
    assert Job.objects.filter(kind=reminders.KIND, done_at=None).exists()
    page = client.get(PAGE).content.decode()
    assert "Reminders are on." in page and "email-unconfirmed" not in page
    PushSubscription.objects.all().delete()
    assert "No phone has notifications from Waymark turned on" in client.get(PAGE).content.decode()


def test_email_is_still_required_for_email_reminders(client: Client, signed_in: User) -> None:
    for channel in ("email", "both"):
        answer = client.post(PAGE, form(channel=channel))
        assert "Please enter the email address" in answer.content.decode()
    assert not Reminder.objects.exists()


def test_a_form_without_the_choice_means_email(client: Client, signed_in: User) -> None:
    data = form(email="sam@example.org")
    del data["channel"]
    assert client.post(PAGE, data).status_code == 302
    assert Reminder.objects.get().channel == Channel.EMAIL
    assert len(mail.outbox) == 1  # the confirmation


# --- keys and configuration ----------------------------------------------------------------------


def test_a_vapid_key_is_checked_and_never_shown() -> None:
    assert settings_module.vapid_key("X", TEST_VAPID_KEY + "=") == TEST_VAPID_KEY
    assert settings_module.vapid_key("X", "") == ""
    for bad in ("short", b64(b"\xff" * 32), b64(b"\x00" * 32), "é" * 43):
        with pytest.raises(ImproperlyConfigured) as raised:
            settings_module.vapid_key("WAYMARK_VAPID_PRIVATE_KEY", bad)
        assert bad not in str(raised.value)


def test_debug_makes_a_local_key_once(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings_module, "DATA_DIR", tmp_path)
    first = settings_module.local_vapid_key()
    assert settings_module.local_vapid_key() == first
    assert (tmp_path / "vapid-key").stat().st_mode & 0o777 == 0o600
    assert len(unb64(first)) == 32


def test_the_makefile_key_is_one_the_settings_take(tmp_path: Any) -> None:
    root = settings_module.PROJECT_DIR
    done = subprocess.run(["make", "-s", "-f", str(root / "Makefile"), "data/vapid-key"],
                          cwd=tmp_path, capture_output=True, text=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    key = (tmp_path / "data" / "vapid-key").read_text()
    assert settings_module.vapid_key("data/vapid-key", key)


def test_the_subject_is_the_sites_address_unless_set(settings: Any) -> None:
    assert push.subject() == "mailto:reminders@waymark.example.org"
    settings.WAYMARK_VAPID_SUBJECT = "https://waymark.example.org"
    assert push.subject() == "https://waymark.example.org"
    assert checks.check_push() == []
    settings.WAYMARK_VAPID_SUBJECT = "admin@example.org"
    assert [w.id for w in checks.check_push()] == ["tracking.W003"]


def test_a_site_without_a_vapid_key_is_warned_about(settings: Any) -> None:
    settings.WAYMARK_VAPID_PRIVATE_KEY = ""
    [warning] = checks.check_push()
    assert warning.id == "tracking.W002" and "make data/vapid-key" in str(warning.hint)


def test_web_pages_do_not_load_the_push_library(tmp_path: Any) -> None:
    """pywebpush brings aiohttp (about half a second): only the worker's send path loads it."""
    code = (
        "import sys, django; django.setup(); import waymark.urls\n"
        "from waymark.tracking import push, push_views, reminders\n"
        "push.public_key()\n"
        "print(sorted(m for m in ('pywebpush', 'aiohttp', 'http_ece', 'py_vapid')"
        " if m in sys.modules))\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "waymark.settings", "DEBUG": "True",
           "WAYMARK_DATA_DIR": str(tmp_path)}  # fmt: skip
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False, env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_an_unreachable_mail_server_and_an_ended_phone_mean_try_again(
    service: PushService, settings: Any
) -> None:
    settings.EMAIL_BACKEND = "tests.test_reminders.Unreachable"
    service.status = 410
    sam = person_with_phone(new_phone(service), Channel.BOTH, email="sam@example.org")
    due_job(sam)
    Worker("w").run_once()
    job = Job.objects.get()
    assert job.done_at is None and "mail server" in job.last_error  # nothing went out
    assert not PushSubscription.objects.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Worker("w").run_once(job.run_at)
    assert len(mail.outbox) == 1 and len(service.received) == 1
    assert Job.objects.get().outcome == "sent by email only"
