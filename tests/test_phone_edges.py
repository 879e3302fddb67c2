"""Rough edges a newcomer found on a phone, through Django's client: "My plan" in the menu and
at /plans/, staff see the staff menu only, a clean time zone list, long text refused with a
reason instead of cut off, the consent's end date filled in, a throttled code told to wait,
and the Spanish crisis lines on the wallet card. The browser halves are in
tests/e2e/test_phone_edges.py."""

from __future__ import annotations

import io
import re
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from tests.programs import make_consent, make_person, make_program, make_staff, totp_token
from tests.test_checkup import complete
from tests.test_plans import BY_NAME
from waymark.accounts import staff as staff_auth
from waymark.accounts.models import Invitation, Role, SignInEvent, User
from waymark.checkup.models import CheckUp
from waymark.plans.models import Plan
from waymark.tracking.forms import COMMON_TIME_ZONES, ReminderForm, time_zone_choices
from waymark.tracking.models import CheckIn, Reminder

pytestmark = pytest.mark.django_db

VIGNETTE = "weekend drinker over limits, wants to cut down"
MY_PLAN = 'href="/plans/"'


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def take_checkup(client: Client) -> CheckUp:
    complete(client, BY_NAME[VIGNETTE]["profile"])
    return CheckUp.objects.filter(status=CheckUp.Status.COMPLETE).order_by("-pk").first()  # type: ignore[return-value]


def make_plan(client: Client) -> Plan:
    checkup = take_checkup(client)
    response = client.post(reverse("plans:create", args=[checkup.public_id]))
    assert response.status_code == 302
    return Plan.objects.get(checkup=checkup)


def header(html: str) -> str:
    return html[html.index("<header") : html.index("</header>")]


# 1. My plan ------------------------------------------------------------------------------------


def test_my_plan_is_in_the_persons_menu_and_opens_their_newest_plan() -> None:
    client = signed_in(make_person())
    make_plan(client)
    newest = make_plan(client)
    assert MY_PLAN in header(client.get(reverse("accounts:settings")).content.decode())
    response = client.get("/plans/")
    assert response.status_code == 302
    assert response["Location"] == reverse("plans:detail", args=[newest.public_id])


def test_with_a_result_but_no_plan_my_plan_leads_to_making_one_from_it() -> None:
    client = signed_in(make_person())
    checkup = take_checkup(client)
    page = client.get("/plans/")
    html = page.content.decode()
    assert page.status_code == 200 and "You have no plan yet." in html
    result = reverse("checkup:result", args=[checkup.public_id])
    assert f'href="{result}#plan-heading"' in html
    assert 'id="plan-heading"' in client.get(result).content.decode()


def test_with_nothing_yet_my_plan_explains_and_offers_the_check_up() -> None:
    page = signed_in(make_person()).get("/plans/")
    html = page.content.decode()
    assert page.status_code == 200 and "You have no plan yet." in html
    assert f'href="{reverse("checkup:start")}"' in html


def test_a_visitor_finds_the_plan_they_made_without_an_account() -> None:
    visitor = Client()
    assert MY_PLAN not in header(visitor.get("/").content.decode()), "nothing to find yet"
    plan = make_plan(visitor)
    assert plan.checkup.owner is None
    assert MY_PLAN in header(visitor.get("/").content.decode())
    response = visitor.get("/plans/")
    assert response["Location"] == reverse("plans:detail", args=[plan.public_id])


def test_a_visitor_with_nothing_in_this_browser_is_asked_to_sign_in() -> None:
    response = Client().get("/plans/")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next=/plans/"


def test_my_plan_never_opens_anyone_elses_plan() -> None:
    program = make_program()
    clinician = make_staff(Role.CLINICIAN, program=program)
    person = make_person()
    plan = make_plan(signed_in(person))
    make_consent(person, clinician.membership)
    detail = reverse("plans:detail", args=[plan.public_id])
    for viewer in (clinician.client, signed_in(make_person()), Client()):
        response = viewer.get("/plans/")
        assert response.get("Location") != detail
        assert str(plan.public_id) not in response.content.decode()


# 2. Staff see the staff menu only -------------------------------------------------------------

PERSON_LINKS = ('href="/track/"', 'href="/progress/"', MY_PLAN, 'href="/checkup/history/"')


@pytest.mark.parametrize("verified", [True, False])
def test_staff_see_the_staff_menu_and_not_the_persons(verified: bool) -> None:
    staff = make_staff(Role.CLINICIAN, verified=verified)
    menu = header(staff.client.get(reverse("accounts:settings")).content.decode())
    assert 'href="/clinic/"' in menu and f'href="{reverse("accounts:staff_home")}"' in menu
    assert not [link for link in PERSON_LINKS if link in menu]


def test_a_person_sees_their_own_menu_and_no_staff_links() -> None:
    menu = header(signed_in(make_person()).get(reverse("accounts:settings")).content.decode())
    assert all(link in menu for link in PERSON_LINKS)
    assert 'href="/clinic/"' not in menu and reverse("accounts:staff_home") not in menu


# 3. Time zones ---------------------------------------------------------------------------------


def offered(choices: list[tuple[str, Any]]) -> list[str]:
    return [value for _, group in choices for value, _ in group]


def test_the_time_zone_list_has_common_zones_first_and_no_junk() -> None:
    (common_title, common), (all_title, rest) = time_zone_choices()
    assert (common_title, all_title) == ("Common time zones", "All time zones")
    names = [value for value, _ in common]
    assert names[: len(COMMON_TIME_ZONES)] == list(COMMON_TIME_ZONES)
    for zone in ("America/Bogota", "America/Argentina/Buenos_Aires", "Europe/Madrid"):
        assert zone in names
    assert names[-1] == "UTC"
    every = offered(time_zone_choices())
    assert len(every) == len(set(every)), "each zone once"
    junk = re.compile(r"^(Etc/|US/|Canada/|SystemV/|posix|right/)|^(Factory|localtime|EST5EDT)$")
    assert not [zone for zone in every if junk.search(zone)]
    assert all("/" in zone for zone in every if zone != "UTC")
    assert len(rest) > 300, "everywhere else is still there"


def test_utc_is_the_default_only_when_nothing_else_is_known(settings: Any) -> None:
    client = signed_in(make_person())
    html = client.get(reverse("tracking:reminders")).content.decode()
    assert '<option value="UTC" selected>' in html
    assert "data-guess-time-zone" in html, "the browser's own zone is offered first"
    settings.TIME_ZONE = "America/Chicago"
    html = client.get(reverse("tracking:reminders")).content.decode()
    assert '<option value="America/Chicago" selected>' in html


def test_a_zone_saved_under_an_old_name_is_kept() -> None:
    person = make_person()
    Reminder.objects.create(owner=person, time="08:00", time_zone="US/Eastern", weekdays=[0])
    form = ReminderForm(initial={"time_zone": "US/Eastern"})
    assert offered(form.fields["time_zone"].choices)[0] == "US/Eastern"  # type: ignore[attr-defined]
    data = {"time": "08:00", "time_zone": "US/Eastern", "weekdays": ["0"], "email": "a@b.org"}
    assert ReminderForm(data).is_valid()


# 5. Long text is refused with a reason, never cut off ----------------------------------------


def check_in_with_note(client: Client, note: str) -> Any:
    data = {"used": "no", "idempotency_key": str(uuid.uuid4()), "note": note}
    return client.post(reverse("tracking:today"), data)


def test_a_note_that_is_too_long_comes_back_with_a_reason_and_the_text_kept() -> None:
    client = signed_in(make_person())
    page = client.get(reverse("tracking:today")).content.decode()
    textarea = re.search(r"<textarea[^>]*name=\"note\"[^>]*>", page)
    assert textarea is not None
    assert "maxlength" not in textarea.group(0), "a browser would cut the text silently"
    assert 'data-max-length="2000"' in textarea.group(0)
    assert 'data-count-left="Characters left: %(count)s"' in textarea.group(0)
    note = "word " * 420  # 2,100 characters
    response = check_in_with_note(client, note)
    html = response.content.decode()
    assert response.status_code == 400 and not CheckIn.objects.exists()
    assert "This is 2099 characters long; the most is 2000." in html
    assert note.strip() in html


def test_a_line_break_counts_as_one_character_as_the_browser_counts_it() -> None:
    client = signed_in(make_person())
    note = "\r\n".join(["a"] * 1000)  # 1,999 characters as typed, 2,998 as sent
    assert check_in_with_note(client, note).status_code == 302
    assert CheckIn.objects.get().note == note.replace("\r\n", "\n")


def test_plan_notes_that_are_too_long_come_back_kept() -> None:
    client = signed_in(make_person())
    plan = make_plan(client)
    notes = "x" * 4001
    response = client.post(reverse("plans:edit", args=[plan.public_id]), {"notes": notes})
    assert response.status_code == 400
    html = response.content.decode()
    assert "This is 4001 characters long; the most is 4000." in html and notes in html
    assert plan.versions.count() == 1


def test_the_clinics_textareas_count_and_keep_an_acknowledgement_that_is_too_long() -> None:
    from waymark.clinic.models import Alert

    program = make_program()
    clinician = make_staff(Role.CLINICIAN, program=program)
    person = make_person()
    make_consent(person, clinician.membership)
    alert = Alert.objects.create(
        person=person, rule="craving-spike", priority="normal", rank=1, dedupe_key="x",
        evidence_on=timezone.localdate(), params={"cravings": 9},
    )  # fmt: skip
    chart = reverse("clinic:chart", args=[person.public_id])
    html = clinician.client.get(chart).content.decode()
    areas = re.findall(r"<textarea[^>]*>", html)
    assert areas and all("data-max-length" in a and "maxlength" not in a for a in areas)
    url = reverse("clinic:acknowledge", args=[person.public_id, alert.public_id])
    response = clinician.client.post(url, {"note": "y" * 1001})
    assert response.status_code == 400 and "y" * 1001 in response.content.decode()


# 6. The consent's end date has a default the browser shows -------------------------------------


@pytest.mark.parametrize("language", ["en", "es"])
def test_share_until_is_filled_in_a_year_ahead_in_every_language(language: str) -> None:
    program = make_program()
    make_staff(Role.CLINICIAN, program=program)
    invitation = Invitation.objects.create(organization=program)
    client = signed_in(make_person())
    client.cookies["django_language"] = language
    html = client.get(reverse("accounts:sharing_join"), {"code": invitation.code}).content.decode()
    default = (timezone.localdate() + timedelta(days=365)).isoformat()
    assert re.search(rf'<input type="date" name="ends_on" value="{default}"', html)


# 7. A throttled code is told to wait, not that it is wrong -----------------------------------


def test_a_right_code_too_soon_after_a_wrong_one_is_told_to_wait() -> None:
    staff = make_staff(Role.CLINICIAN, verified=False)
    assert staff.device is not None
    verify = reverse("accounts:staff_verify")
    wrong = staff.client.post(verify, {"code": "000000"})
    assert "That code did not work" in wrong.content.decode()
    right = staff.client.post(verify, {"code": totp_token(staff.device)})
    html = right.content.decode()
    assert right.status_code == 400
    assert "Wait a moment, then try again" in html and "1 second" in html
    assert "That code did not work" not in html
    SignInEvent.objects.update(at=F("at") - timedelta(seconds=2))  # the moment passes
    assert staff.client.post(verify, {"code": totp_token(staff.device)}).status_code == 302


def test_a_wrong_app_code_does_not_hold_up_the_backup_codes() -> None:
    staff = make_staff(Role.CLINICIAN, verified=False)
    codes = staff_auth.new_backup_codes(staff.user)
    verify = reverse("accounts:staff_verify")
    staff.client.post(verify, {"code": "000000"})
    assert staff.client.post(verify, {"code": codes[0]}).status_code == 302


def test_the_wait_is_said_in_seconds_when_known() -> None:
    from waymark.accounts.staff_views import too_soon_message

    assert "in 4 seconds" in too_soon_message(4)
    assert "short wait" in too_soon_message(None)


# 8. The Spanish crisis lines say how to reach them in Spanish, on the wallet card too --------


def test_the_spanish_wallet_card_says_press_2_and_the_spanish_keyword() -> None:
    client = signed_in(make_person())
    plan = make_plan(client)
    client.cookies["django_language"] = "es"
    card = client.get(reverse("plans:wallet", args=[plan.public_id]))
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(card.content)).pages)
    text = " ".join(text.split())
    assert "marca el 2" in text
    assert "AYUDA al 741741" in text
