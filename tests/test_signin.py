"""Sign-in protection (issue 15, item 4): password guessing gets nowhere, and the real person
always has a way in — their own device, the emailed unlock link, a recovery code.

Time is moved by ageing the throttle's events (`wait`), never by sleeping. Every request goes
to the test client with a loopback REMOTE_ADDR: nothing leaves the machine.
"""

from __future__ import annotations

import re
from datetime import time, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.core import mail
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from tests.programs import make_staff, totp_token
from waymark.accounts import checks, recovery, throttle
from waymark.accounts.models import RecoveryCode, SignInEvent, User
from waymark.audit.models import AuditEntry
from waymark.tracking.models import Reminder

PASSWORD = "a-long-password-1"
PAUSED = "Signing in to this account is paused for now"
NOW = timezone.now()
ACCOUNT = throttle.Policy(free=5, lock_after=20)


# --- the maths ---------------------------------------------------------------------------------


def test_no_wait_within_the_free_tries_then_it_doubles_up_to_five_minutes() -> None:
    waits = [throttle.wait_after(ACCOUNT, failures) for failures in range(16)]
    assert waits == [0, 0, 0, 0, 0, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300]
    assert throttle.wait_after(ACCOUNT, 10**9) == throttle.MAX_WAIT_SECONDS  # no overflow


@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=1, max_value=50))
def test_a_wait_never_shrinks_as_failures_grow(failures: int, free: int) -> None:
    policy = throttle.Policy(free=free)
    assert throttle.wait_after(policy, failures) <= throttle.wait_after(policy, failures + 1)
    assert 0 <= throttle.wait_after(policy, failures) <= throttle.MAX_WAIT_SECONDS


def test_the_wait_counts_from_the_last_failure() -> None:
    last = NOW - timedelta(seconds=3)
    assert throttle.refusal(ACCOUNT, 6, last, NOW) == throttle.Refusal(seconds=1)  # 4 s wait
    assert throttle.refusal(ACCOUNT, 6, NOW - timedelta(seconds=4), NOW) is None
    assert throttle.refusal(ACCOUNT, 4, NOW, NOW) is None  # still a free try
    assert throttle.refusal(ACCOUNT, 0, None, NOW) is None


def test_at_the_lock_count_it_is_paused_however_long_ago() -> None:
    long_ago = NOW - timedelta(days=1)
    assert throttle.refusal(ACCOUNT, 20, long_ago, NOW) == throttle.Refusal(locked=True)
    assert throttle.refusal(throttle.Policy(free=5), 10**6, long_ago, NOW) is None  # never locks


def test_staff_codes_wait_as_django_otp_did_but_per_session() -> None:
    waits = [throttle.wait_after(throttle.TWO_STEP_POLICY, failures) for failures in range(5)]
    assert waits == [0, 1, 2, 4, 8]


def test_a_pause_outweighs_any_wait_and_the_longest_wait_wins() -> None:
    wait, pause = throttle.Refusal(seconds=30), throttle.Refusal(locked=True)
    assert throttle.worst([None, throttle.Refusal(seconds=2), wait]) == wait
    assert throttle.worst([wait, pause, None]) == pause
    assert throttle.worst([None, None]) is None


# --- helpers -----------------------------------------------------------------------------------


def at(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


def sign_in(client: Client, username: str = "river", password: str = PASSWORD) -> Any:
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def wait(seconds: float) -> None:
    """Let time pass for the throttle: every event it counts becomes that much older."""
    SignInEvent.objects.update(at=F("at") - timedelta(seconds=seconds))


def fail_until_paused(client: Client, username: str = "river") -> int:
    """Wrong passwords, each after waiting as long as asked, until the account is paused; how
    many passwords were checked."""
    checked = 0
    for _ in range(100):
        response = sign_in(client, username, "wrong-guess")
        page = response.content.decode()
        if response.status_code == 200:
            checked += 1
        elif PAUSED in page:
            return checked
        else:
            wait(int(re.search(r"wait (\d+) second", page)[1]))  # type: ignore[index]
    raise AssertionError("never paused")


def confirm_email(user: User, address: str = "river@example.org") -> None:
    user.email = address
    user.save(update_fields=["email"])
    Reminder.objects.create(
        owner=user, time=time(9), time_zone="UTC", weekdays=[0], email_confirmed=address
    )


def unlock_link() -> str:
    (message,) = mail.outbox
    return re.search(r"https?://\S+", str(message.body))[0]  # type: ignore[index]


@pytest.fixture
def river(db: Any) -> User:
    return User.objects.create_user("river", password=PASSWORD)


@pytest.fixture(autouse=True)
def still(monkeypatch: pytest.MonkeyPatch) -> None:
    """The throttle's clock stands still: only `wait` moves it (a long run of requests takes
    real seconds, in which the first waits would pass)."""
    monkeypatch.setattr(throttle, "timezone", SimpleNamespace(now=lambda: NOW))


# --- per account -------------------------------------------------------------------------------


def test_after_five_wrong_passwords_each_try_waits_longer_and_says_so(river: User) -> None:
    client = at("127.0.0.2")
    for _ in range(5):
        assert sign_in(client, password="wrong").status_code == 200
    refused = sign_in(client)  # the right password, too soon: not even checked
    assert refused.status_code == 429 and not signed_in(client)
    assert "wait 2 seconds, then try again" in refused.content.decode()
    assert refused["Retry-After"] == "2"
    wait(2)
    assert sign_in(client, password="wrong").status_code == 200
    assert "wait 4 seconds" in sign_in(client).content.decode()
    wait(4)
    assert sign_in(client).status_code == 302 and signed_in(client)


def test_the_account_counts_wrong_passwords_from_every_address(river: User) -> None:
    for number in range(5):
        sign_in(at(f"127.0.1.{number}"), password="wrong")
    assert sign_in(at("127.0.1.99")).status_code == 429


def test_a_success_does_not_wipe_the_count(river: User) -> None:
    client = at("127.0.0.2")
    for _ in range(4):
        sign_in(client, password="wrong")
    assert sign_in(client).status_code == 302
    assert sign_in(at("127.0.0.3"), password="wrong").status_code == 200
    assert sign_in(at("127.0.0.4")).status_code == 429  # the fifth failure counts


def test_many_wrong_passwords_pause_the_account_and_say_how_to_lift_it(river: User) -> None:
    client = at("127.0.0.2")
    assert fail_until_paused(client) == 20
    wait(3600)
    paused = sign_in(client)  # the right password does not get in
    page = paused.content.decode()
    assert paused.status_code == 429 and not signed_in(client)
    assert PAUSED in page and reverse("accounts:recover") in page
    entry = AuditEntry.objects.get(action="account.sign-in-paused")
    assert entry.subject_ref == str(river.public_id) and "no unlock email" in entry.detail
    assert mail.outbox == []  # no confirmed address: nothing is emailed
    own = Client()
    own.force_login(river)  # the person sees it in their access log
    log = own.get(reverse("audit:access_log")).content.decode()
    assert "Paused signing in to your account after many wrong passwords" in log


def test_the_pause_ends_by_itself_after_the_window(river: User) -> None:
    fail_until_paused(at("127.0.0.2"))
    wait(24 * 3600)
    assert sign_in(at("127.0.0.2")).status_code == 302


def test_an_unknown_nickname_is_paused_just_the_same(river: User) -> None:
    client = at("127.0.0.2")
    assert fail_until_paused(client, "nobody-by-this-name") == 20
    unknown = sign_in(client, "nobody-by-this-name").content.decode()
    known = sign_in(at("127.0.0.3"), "river").content.decode()
    assert PAUSED in unknown and PAUSED not in known  # the other account is untouched
    assert not AuditEntry.objects.filter(action="account.sign-in-paused").exists()


def test_the_tables_hold_no_nickname_and_no_address(river: User) -> None:
    sign_in(at("127.0.0.77"), password="wrong")
    for event in SignInEvent.objects.all():
        assert "river" not in event.key and "127.0.0.77" not in event.key
        assert len(event.key) == 64


# --- the emailed unlock link -------------------------------------------------------------------


def test_a_confirmed_address_gets_an_unlock_link_that_works_once(river: User) -> None:
    confirm_email(river)
    fail_until_paused(at("127.0.0.2"))
    (message,) = mail.outbox
    assert message.to == ["river@example.org"] and "paused" in message.subject
    assert "alcohol" not in message.body and PASSWORD not in message.body
    link = unlock_link().replace("http://localhost:8000", "")
    device = at("127.0.0.9")
    assert "Lift the pause" in device.get(link).content.decode()
    assert sign_in(at("127.0.0.9")).status_code == 429  # opening the link lifted nothing
    lifted = device.post(link)
    assert lifted.status_code == 302 and lifted["Location"] == reverse("accounts:login")
    assert sign_in(device).status_code == 302
    again = at("127.0.0.10").post(link)
    assert again.status_code == 400 and "no longer works" in again.content.decode()
    entry = AuditEntry.objects.get(action="account.sign-in-resumed")
    assert entry.actor_ref == entry.subject_ref == str(river.public_id)


def test_an_unconfirmed_address_is_never_written_to(river: User) -> None:
    river.email = "maybe-a-stranger@example.org"
    river.save(update_fields=["email"])
    fail_until_paused(at("127.0.0.2"))
    assert mail.outbox == []


def test_an_altered_unlock_link_lifts_nothing(river: User) -> None:
    confirm_email(river)
    fail_until_paused(at("127.0.0.2"))
    link = unlock_link().replace("http://localhost:8000", "")
    assert at("127.0.0.9").post(link[:-3] + "xyz/").status_code == 400
    assert sign_in(at("127.0.0.9")).status_code == 429


# --- the device that signed in before ----------------------------------------------------------


def test_a_device_that_signed_in_before_is_not_held_back_by_guessing_elsewhere(
    river: User,
) -> None:
    phone = at("127.0.0.200")
    assert sign_in(phone).status_code == 302
    assert throttle.DEVICE_COOKIE in phone.cookies
    phone.post(reverse("accounts:logout"))
    fail_until_paused(at("127.0.0.66"))
    assert sign_in(phone).status_code == 302 and signed_in(phone)
    assert sign_in(at("127.0.0.201")).status_code == 429  # a new browser is still paused


def test_a_device_cookie_helps_only_its_own_account(river: User) -> None:
    User.objects.create_user("sky", password=PASSWORD)
    laptop = at("127.0.0.200")
    sign_in(laptop, "sky")
    laptop.post(reverse("accounts:logout"))
    fail_until_paused(at("127.0.0.66"), "river")
    assert sign_in(laptop, "river").status_code == 429


def test_a_device_that_guesses_too_often_loses_its_pass(river: User) -> None:
    phone = at("127.0.0.200")
    sign_in(phone)
    phone.post(reverse("accounts:logout"))
    for _ in range(throttle.DEVICE_FREE_TRIES):
        assert sign_in(phone, password="wrong").status_code == 200
    assert sign_in(phone).status_code == 429


# --- per address -------------------------------------------------------------------------------


def test_many_nicknames_from_one_address_make_that_address_wait(river: User) -> None:
    guesser = at("127.0.0.50")
    for number in range(20):
        assert sign_in(guesser, f"someone{number}", "wrong").status_code == 200
    assert sign_in(guesser, "river").status_code == 429  # a fresh nickname, same address
    assert sign_in(at("127.0.0.51"), "river").status_code == 302  # another address is fine


def test_an_ipv6_subscriber_s_whole_64_counts_as_one_address(river: User) -> None:
    for number in range(20):
        sign_in(at(f"2001:db8:1:2::{number + 1:x}"), f"someone{number}", "wrong")
    assert sign_in(at("2001:db8:1:2:ffff::9"), "river").status_code == 429
    assert sign_in(at("2001:db8:1:3::1"), "river").status_code == 302


# --- the spray ---------------------------------------------------------------------------------


def test_a_spray_from_40_addresses_gets_nowhere_and_the_real_person_still_signs_in(
    river: User,
) -> None:
    """40 loopback addresses, 5 guesses each, the right password among them: nobody gets in.
    The person signs in from their own phone; from a new browser, through the unlock link."""
    confirm_email(river)
    phone = at("127.0.0.200")
    assert sign_in(phone).status_code == 302
    phone.post(reverse("accounts:logout"))
    guesses = [f"guess-{n}" for n in range(199)] + [PASSWORD]
    attackers = [at(f"127.0.0.{n}") for n in range(2, 42)]
    checked, got_in = 0, 0
    for number, guess in enumerate(guesses):
        attacker = attackers[number % 40]
        response = sign_in(attacker, password=guess)
        checked += response.status_code == 200
        got_in += signed_in(attacker)
    assert got_in == 0 and checked == 5  # every guess after the fifth waited, unchecked

    # Even guessing at the pace the waits allow, the account pauses after 20 guesses.
    assert fail_until_paused(attackers[0]) == 15
    assert sign_in(attackers[1]).status_code == 429  # the right password, now paused

    assert sign_in(phone).status_code == 302  # the person's own phone
    new_browser = at("127.0.0.201")
    assert sign_in(new_browser).status_code == 429
    new_browser.post(unlock_link().replace("http://localhost:8000", ""))
    assert sign_in(new_browser).status_code == 302 and signed_in(new_browser)


# --- recovery codes ----------------------------------------------------------------------------


def sign_up(client: Client) -> list[str]:
    data = {"username": "river", "password1": PASSWORD, "password2": PASSWORD}
    response = client.post(reverse("accounts:signup"), data)
    page = client.get(response["Location"]).content.decode()
    return re.findall(r"<code>([A-Z0-9-]+)</code>", page)


def recover(client: Client, code: str, username: str = "river") -> Any:
    return client.post(reverse("accounts:recover"), {"username": username, "code": code})


@pytest.mark.django_db
def test_sign_up_shows_recovery_codes_once_and_keeps_only_their_hashes() -> None:
    client = at("127.0.0.2")
    codes = sign_up(client)
    assert len(codes) == recovery.CODE_COUNT and len(set(codes)) == recovery.CODE_COUNT
    assert all(re.fullmatch(r"[A-Z0-9]{4}(-[A-Z0-9]{4}){3}", code) for code in codes)
    stored = list(RecoveryCode.objects.values_list("digest", flat=True))
    assert len(stored) == recovery.CODE_COUNT
    assert not any(code.replace("-", "") in digest for code in codes for digest in stored)
    again = client.get(reverse("accounts:recovery_codes")).content.decode()
    assert not any(code in again for code in codes)
    assert "8 unused recovery codes" in again


@pytest.mark.django_db
def test_a_recovery_code_signs_in_once_and_lets_the_person_set_a_new_password() -> None:
    codes = sign_up(at("127.0.0.2"))
    client = at("127.0.0.3")
    response = recover(client, codes[0].lower().replace("-", " "))  # as typed on a phone
    assert response.status_code == 302 and signed_in(client)
    assert response["Location"].startswith(reverse("accounts:recovery_password"))
    page = client.get(response["Location"]).content.decode()
    assert "7 recovery codes left" in page
    new = "another-long-pass-2"
    done = client.post(
        reverse("accounts:recovery_password"), {"new_password1": new, "new_password2": new}
    )
    assert done.status_code == 302 and signed_in(client)
    assert sign_in(at("127.0.0.4"), password=new).status_code == 302
    assert sign_in(at("127.0.0.5")).status_code == 200  # the old password is gone
    assert recover(at("127.0.0.6"), codes[0]).status_code == 400  # used up
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"account.recovery-sign-in", "account.password-recovered"} <= actions
    assert not AuditEntry.objects.filter(detail__contains=new).exists()


@pytest.mark.django_db
def test_a_recovery_code_lifts_a_pause() -> None:
    codes = sign_up(at("127.0.0.2"))
    fail_until_paused(at("127.0.0.66"))
    client = at("127.0.0.3")
    assert recover(client, codes[3]).status_code == 302
    assert sign_in(at("127.0.0.4")).status_code == 302
    entry = AuditEntry.objects.get(action="account.recovery-sign-in")
    assert "pause on signing in was lifted" in entry.detail
    assert AuditEntry.objects.filter(action="account.sign-in-resumed").exists()


@pytest.mark.django_db
def test_recovery_codes_cannot_be_guessed_quickly() -> None:
    sign_up(at("127.0.0.2"))
    client = at("127.0.0.3")
    for _ in range(throttle.RECOVERY_FREE_TRIES):
        assert recover(client, "AAAA-BBBB-CCCC-DDDD").status_code == 400
    refused = recover(client, "AAAA-BBBB-CCCC-DDDD")
    assert refused.status_code == 429 and "wait 2 seconds" in refused.content.decode()


@pytest.mark.django_db
def test_new_recovery_codes_need_the_password_and_replace_the_old() -> None:
    client = at("127.0.0.2")
    old = sign_up(client)
    url = reverse("accounts:recovery_codes")
    assert client.post(url, {"password": "wrong"}).status_code == 400
    page = client.post(url, {"password": PASSWORD}).content.decode()
    new = re.findall(r"<code>([A-Z0-9-]+)</code>", page)
    assert len(new) == recovery.CODE_COUNT and not set(new) & set(old)
    assert recover(at("127.0.0.3"), old[0]).status_code == 400
    assert recover(at("127.0.0.4"), new[0]).status_code == 302
    assert AuditEntry.objects.filter(action="account.recovery-codes").count() == 1


def test_the_new_password_page_needs_a_recovery_sign_in_just_before(river: User) -> None:
    client = Client()
    client.force_login(river)
    response = client.get(reverse("accounts:recovery_password"))
    assert response["Location"] == reverse("accounts:password_change")


# --- the staff code, per session ---------------------------------------------------------------


@pytest.mark.django_db
def test_wrong_codes_in_one_session_do_not_hold_back_another() -> None:
    staff = make_staff(verified=False)
    assert staff.device is not None
    for _ in range(3):
        staff.client.post(reverse("accounts:staff_verify"), {"code": "000000"})
    held = staff.client.post(reverse("accounts:staff_verify"), {"code": totp_token(staff.device)})
    assert "Wait a moment, then try again" in held.content.decode()  # this session waits
    other = Client()
    other.force_login(staff.user)
    right = other.post(reverse("accounts:staff_verify"), {"code": totp_token(staff.device)})
    assert right.status_code == 302  # the staff member's own session does not


@pytest.mark.django_db
def test_too_many_wrong_codes_sign_the_session_out() -> None:
    staff = make_staff(verified=False)
    checked = 0
    for _ in range(60):
        response = staff.client.post(reverse("accounts:staff_verify"), {"code": "000000"})
        if response.status_code == 302:
            break
        if "Wait a moment" in response.content.decode():
            wait(throttle.MAX_WAIT_SECONDS)
        else:
            checked += 1
    assert checked == throttle.TWO_STEP_SIGN_OUT_AFTER - 1
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "_auth_user_id" not in staff.client.session
    entry = AuditEntry.objects.get(action="staff.two-step-signed-out")
    assert entry.actor_ref == str(staff.user.public_id)


# --- the rest ----------------------------------------------------------------------------------


def test_deleting_an_account_forgets_its_count(river: User) -> None:
    from waymark.interop.actions import do_delete_account

    sign_in(at("127.0.0.2"), password="wrong")
    before = SignInEvent.objects.filter(scope=SignInEvent.Scope.ACCOUNT).count()
    do_delete_account(river)
    assert before == 1
    assert not SignInEvent.objects.filter(scope=SignInEvent.Scope.ACCOUNT).exists()


def test_settings_that_would_lock_at_once_are_an_error(settings: Any) -> None:
    assert checks.check_sign_in_throttle() == []
    settings.WAYMARK_SIGNIN_LOCK_AFTER = settings.WAYMARK_SIGNIN_FREE_TRIES
    (error,) = checks.check_sign_in_throttle()
    assert error.id == "accounts.E001" and error.hint


def test_no_password_is_ever_written_to_the_audit_trail(river: User) -> None:
    confirm_email(river)
    fail_until_paused(at("127.0.0.2"))
    for entry in AuditEntry.objects.all():
        assert "wrong-guess" not in entry.detail and PASSWORD not in entry.detail
