"""Small things a clinician reads: today's check-in says 'today', instruments keep their names."""

from __future__ import annotations

import pytest

from tests.programs import make_consent, make_person, make_program, make_staff
from tests.test_clinic import checkin
from waymark.accounts.models import Role
from waymark.templatetags.waymark import instrument_name

pytestmark = pytest.mark.django_db


def test_a_check_in_made_today_reads_today_on_the_caseload() -> None:
    staff = make_staff(Role.CLINICIAN, program=make_program())
    person = make_person()
    make_consent(person, staff.membership)
    checkin(person, 0)
    page = staff.client.get("/clinic/").content.decode()
    assert "0 days ago" not in page
    assert "today" in page


def test_the_report_names_instruments_as_published() -> None:
    assert instrument_name("audit") == "AUDIT"
    assert instrument_name("phq-9") == "PHQ-9"


def test_signed_in_staff_find_the_caseload_from_every_page_and_people_do_not() -> None:
    from django.test import Client

    staff = make_staff(Role.CLINICIAN, program=make_program())
    assert 'href="/clinic/"' in staff.client.get("/account/settings/").content.decode()
    own = Client()
    own.force_login(make_person())
    assert 'href="/clinic/"' not in own.get("/account/settings/").content.decode()


def test_core_messages_write_decimals_as_the_language_does() -> None:
    from django.utils import translation

    from waymark.clinical.text import Message
    from waymark.templatetags.waymark import say

    message = Message(
        "%(now)s drinks a day, %(days)s days, %(name)s", {"now": "1.6", "days": 3, "name": "v1.2.3"}
    )
    with translation.override("es"):
        assert say(message).startswith("1,6 drinks a day, 3 days, v1.2.3")
    with translation.override("en"):
        assert say(message).startswith("1.6 drinks a day")
