"""A measure's one-time link on a 360 px phone: opened with no sign-in, the BAM in Spanish
(the person's saved language) with the note that our translation is not validated, answered,
accessible throughout — and then the link no longer works."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.programs import make_consent, make_person, make_program, make_staff
from waymark.accounts.models import Role
from waymark.clinical import scoring
from waymark.measures import actions, links, sending
from waymark.measures.models import MeasureRequest, MeasureResponse, Via
from waymark.tracking.models import Reminder

from .helpers import SMALL_PHONE, ConsoleWatch, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
UNVALIDATED = re.compile(
    r"(traducción nuestra|our own translation).*(no ha sido validada|not been validated)"
)
SEND = re.compile("Enviar mis respuestas|Send my answers")
THANKS = re.compile("Gracias|Thank you")
GONE = re.compile("Este enlace ya no funciona|This link no longer works")


def spanish_link() -> str:
    program = make_program()
    lead = make_staff(Role.LEAD, program=program)
    person = make_person("lucia")
    person.email = "lucia@example.org"
    person.save(update_fields=["email"])
    Reminder.objects.create(
        owner=person, time="09:00", time_zone="Europe/Madrid", weekdays=[0], enabled=False,
        language="es", email_confirmed=person.email,
    )  # fmt: skip
    make_consent(person, lead.membership)
    actions.do_set_program_schedule(program, {"bam": 30}, lead.user)
    sending.make_due_requests()
    request = MeasureRequest.objects.get(person=person, instrument="bam")
    token, digest = links.new_token(request)
    MeasureRequest.objects.filter(pk=request.pk).update(nonce_hash=digest)
    return token


def test_a_bam_in_spanish_by_link_on_a_phone_then_the_link_is_spent(
    page: Page, live_server: LiveServer, console: ConsoleWatch
) -> None:
    bam = scoring.get_instrument("bam")
    words = bam.wording("es")
    link = f"{live_server.url}/m/{spanish_link()}/"
    page.set_viewport_size(SMALL_PHONE)
    page.goto(link)
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator("h1")).to_contain_text(words.name)
    legends = page.locator("form fieldset legend")
    expect(legends).to_have_count(len(bam.items))
    expect(legends.first).to_contain_text(words.text_for(bam.items[0]))
    expect(page.locator("p.meta").filter(has_text=UNVALIDATED)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= SMALL_PHONE["width"]
    assert_accessible(page)
    fieldsets = page.locator("form fieldset")
    for number in range(len(bam.items)):
        fieldsets.nth(number).get_by_role("radio").first.check()
    page.get_by_role("button", name=SEND).click()
    expect(page.locator("h1")).to_have_text(THANKS)
    assert_accessible(page)
    stored = MeasureResponse.objects.get()
    assert stored.via == Via.LINK and stored.answers == [0] * len(bam.items)
    assert stored.subscales == {"use": 0, "risk": 0, "protective": 0}
    page.goto(link)
    expect(page.locator("h1")).to_have_text(GONE)
    assert_accessible(page)
    console.assert_clean()
