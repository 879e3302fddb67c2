"""One-click unsubscribe (waymark.unsubscribe), shared by the three lists Waymark emails:
check-in reminders, emails about questions, and the weekly digest. Each list's own page is
tested with its email (test_email, test_measures, test_digest); here, what they share."""

from __future__ import annotations

from itertools import permutations
from urllib.parse import urlsplit

import pytest
from django.test import Client, override_settings

from tests.programs import make_staff
from waymark import mail
from waymark.accounts.models import Role, User
from waymark.audit.models import AuditEntry
from waymark.clinic import digest
from waymark.measures import actions, sending
from waymark.tracking import reminders
from waymark.tracking.models import Reminder
from waymark.tracking.reminders import zone_of
from waymark.unsubscribe import EmailList

pytestmark = pytest.mark.django_db

LISTS: dict[str, EmailList] = {"reminders": reminders.UNSUBSCRIBE, "measures": sending.UNSUBSCRIBE,
         "digest": digest.UNSUBSCRIBE}  # fmt: skip


def on_every_list() -> User:
    """A clinician who also checks in: reminders on, measure emails on, the digest on."""
    user = make_staff(Role.CLINICIAN).user
    Reminder.objects.create(owner=user, time="09:00", time_zone="UTC", weekdays=[0])
    return user


def lists_on(user: User) -> dict[str, bool]:
    user.refresh_from_db()
    return {name: email_list.is_on(user) for name, email_list in LISTS.items()}


def test_every_list_signs_with_its_own_salt() -> None:
    salts = [email_list.salt for email_list in LISTS.values()]
    assert len(set(salts)) == len(salts)
    assert not {reminders.CONFIRM_SALT} & set(salts)


@pytest.mark.parametrize(("made_for", "posted_to"), list(permutations(LISTS, 2)))
def test_a_link_for_one_list_never_turns_another_off(made_for: str, posted_to: str) -> None:
    user = on_every_list()
    token = LISTS[made_for].token(user)
    assert LISTS[posted_to].person(token) is None
    own = urlsplit(LISTS[posted_to].url(user)).path
    elsewhere = own.replace(LISTS[posted_to].token(user), token)
    response = Client(enforce_csrf_checks=True).post(elsewhere)
    assert response.status_code == 400 and "not valid" in response.content.decode()
    assert lists_on(user) == {"reminders": True, "measures": True, "digest": True}
    assert not AuditEntry.objects.exists()


def test_each_list_reads_its_own_setting() -> None:
    user = on_every_list()
    assert reminders.reminders_on(user) and actions.emails_on(user) and user.weekly_digest
    Reminder.objects.filter(owner=user).update(enabled=False)
    actions.do_turn_emails_off(user, by_link=False)
    User.objects.filter(pk=user.pk).update(weekly_digest=False)
    assert lists_on(user) == {"reminders": False, "measures": False, "digest": False}


@pytest.mark.parametrize("name", list(LISTS))
def test_a_link_turns_its_own_list_off_and_no_other(name: str) -> None:
    user = on_every_list()
    url = urlsplit(LISTS[name].url(user)).path
    assert LISTS[name].person(LISTS[name].token(user)) == user
    page = Client().get(url)
    assert page.status_code == 200 and 'method="post"' in page.content.decode()
    assert all(lists_on(user).values())  # a GET (a link scanner) changes nothing
    assert Client(enforce_csrf_checks=True).post(url).status_code == 200
    assert lists_on(user) == {other: other != name for other in LISTS}
    assert Client().put(url).status_code == 405


def test_an_email_on_a_list_carries_the_one_click_headers() -> None:
    message = mail.message("Subject", "Body", ["a@example.org"], language="en",
                           unsubscribe="https://waymark.example/stop/t/")  # fmt: skip
    assert message.extra_headers["List-Unsubscribe"] == "<https://waymark.example/stop/t/>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    one_off = mail.message("Subject", "Body", ["a@example.org"], language="en")
    assert "List-Unsubscribe" not in one_off.extra_headers
    assert "List-Unsubscribe-Post" not in one_off.extra_headers


@override_settings(TIME_ZONE="America/Mexico_City")
def test_a_persons_time_zone_is_their_reminders_else_the_sites() -> None:
    user = make_staff(Role.CLINICIAN).user
    assert zone_of(user) == "America/Mexico_City"
    Reminder.objects.create(owner=user, time="09:00", time_zone="Europe/Madrid", weekdays=[0])
    assert zone_of(User.objects.get(pk=user.pk)) == "Europe/Madrid"
    Reminder.objects.filter(owner=user).update(time_zone="Not/AZone")
    assert zone_of(User.objects.get(pk=user.pk)) == "America/Mexico_City"
