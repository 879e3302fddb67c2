"""Measures: the tick that makes due measures, the discreet email, the one-time link (expiry,
replay, tampering, another person's link, a revoked consent, the throttle), answering in the
app, the schedules staff set (audited), results on the chart, and the JSON twins."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone

from tests.programs import Staff, make_consent, make_person, make_program, make_staff
from waymark.accounts.actions import do_revoke_consent
from waymark.accounts.models import Consent, Organization, Role, User
from waymark.audit.log import seal
from waymark.audit.models import AuditEntry, PendingRead
from waymark.jobs.models import Job
from waymark.jobs.registry import KINDS, TICKS
from waymark.jobs.worker import Worker
from waymark.measures import actions, links, sending, throttle
from waymark.measures.models import EmailOptOut, MeasureRequest, MeasureResponse, Schedule, Via
from waymark.tracking.models import Reminder

pytestmark = pytest.mark.django_db

CLINICAL_WORDS = re.compile(
    r"alcohol|drink|drug|recovery|craving|sober|relapse|substance|addict|mood|depress|anxi"
    r"|BAM|PHQ|GAD|AUDIT|BARC|ASSIST|suicid",
    re.IGNORECASE,
)
_registered_ticks = set(TICKS)
# Answers to the BAM that skip nothing: every item's first option, but "1-3 days" of drinking
# and of drug use so that no skip logic applies.
BAM_ANSWERS = [0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 4, 0, 1, 0, 4, 2]


@pytest.fixture(autouse=True)
def _no_ticks() -> Iterator[None]:
    """The worker here runs jobs only: the tests call the tick themselves."""
    ticks = dict(TICKS)
    TICKS.clear()
    yield
    TICKS.update(ticks)


@dataclass
class Setup:
    program: Organization
    lead: Staff
    clinician: Staff
    person: User
    consent: Consent


def confirmed_person(username: str = "", language: str = "en", zone: str = "UTC") -> User:
    person = make_person(username or None)
    person.email = f"{person.username}@example.org"
    person.save(update_fields=["email"])
    Reminder.objects.create(
        owner=person,
        time="09:00",
        time_zone=zone,
        weekdays=list(range(7)),
        language=language,
        email_confirmed=person.email,
        enabled=False,  # reminders off: the confirmed address is what measures need
    )
    return person


def setup(language: str = "en", measures: dict[str, int] | None = None) -> Setup:
    program = make_program()
    lead = make_staff(Role.LEAD, program=program)
    clinician = make_staff(Role.CLINICIAN, program=program)
    person = confirmed_person(language=language)
    consent = make_consent(person, [clinician.membership, lead.membership])
    actions.do_set_program_schedule(program, measures or {"bam": 30, "phq-9": 14}, lead.user)
    return Setup(program, lead, clinician, person, consent)


def run_due(now: Any = None) -> int:
    """The tick, then every email job as if its time had come."""
    made = sending.make_due_requests(now)
    Job.objects.filter(kind=sending.KIND).update(run_at=timezone.now())
    return made + 0 * Worker("test").run_once()


def issue(request: MeasureRequest) -> str:
    """A working link for the request, as the email's (without sending one)."""
    token, digest = links.new_token(request)
    MeasureRequest.objects.filter(pk=request.pk).update(nonce_hash=digest)
    return token


def open_request(s: Setup, instrument: str = "bam") -> MeasureRequest:
    sending.make_due_requests()
    return MeasureRequest.objects.get(person=s.person, instrument=instrument)


def bam_post(token: str = "") -> dict[str, str]:
    data = {item: str(a) for item, a in zip(_bam_items(), BAM_ANSWERS, strict=True)}
    return {**data, "token": token} if token else data


def _bam_items() -> list[str]:
    from waymark.clinical.scoring import get_instrument

    return [item.id for item in get_instrument("bam").items]


def phq9_post(self_harm: int, token: str = "") -> dict[str, str]:
    from waymark.clinical.scoring import get_instrument

    data = {item.id: "0" for item in get_instrument("phq-9").items}
    data["self-harm"] = str(self_harm)
    return {**data, "token": token} if token else data


# The tick and the email -----------------------------------------------------------------------


def test_the_email_job_and_the_tick_are_registered() -> None:
    assert KINDS[sending.KIND].at_most_once
    assert sending.TICK in _registered_ticks


def test_the_tick_makes_each_due_measure_once_however_often_it_runs() -> None:
    s = setup()
    assert sending.make_due_requests() == 2
    assert sending.make_due_requests() == 0
    assert sorted(MeasureRequest.objects.values_list("instrument", flat=True)) == ["bam", "phq-9"]
    assert Job.objects.filter(kind=sending.KIND).count() == 2
    request = MeasureRequest.objects.get(instrument="bam")
    assert request.program == s.program and request.nonce_hash == "" and request.sent_at is None


def test_the_next_one_is_due_every_days_after_the_last() -> None:
    setup()
    now = timezone.now()
    sending.make_due_requests(now)
    assert sending.make_due_requests(now + timedelta(days=13)) == 0
    assert sending.make_due_requests(now + timedelta(days=14)) == 1  # the PHQ-9 again
    assert sending.make_due_requests(now + timedelta(days=30)) == 2  # both


def test_nothing_is_due_without_the_checkups_scope_or_after_revocation() -> None:
    s = setup()
    other = confirmed_person()
    make_consent(other, s.clinician.membership, scopes=["plan", "checkins"])
    do_revoke_consent(s.consent, actor=s.person)
    assert sending.make_due_requests() == 0


def test_a_personal_schedule_replaces_the_programs() -> None:
    s = setup()
    actions.do_set_personal_schedule(
        s.program, s.person, {"bam": actions.OFF, "gad-7": 14}, s.clinician.user
    )
    sending.make_due_requests()
    assert sorted(MeasureRequest.objects.values_list("instrument", flat=True)) == ["gad-7", "phq-9"]


def test_the_email_is_discreet_one_time_and_carries_a_way_out() -> None:
    s = setup(measures={"bam": 30})
    run_due()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [s.person.email]
    assert message.subject == "Waymark: a few questions for you"
    assert not CLINICAL_WORDS.search(str(message.subject))
    assert not CLINICAL_WORDS.search(str(message.body)), message.body
    stop = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert "/measures/unsubscribe/" in stop and stop in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = re.search(r"http://\S+/m/(\S+)/", str(message.body))
    assert link is not None
    request = MeasureRequest.objects.get()
    assert request.sent_at is not None and len(request.nonce_hash) == 64
    assert link.group(1) not in request.nonce_hash  # the secret itself is never stored
    job = Job.objects.get(kind=sending.KIND)
    assert job.outcome == "sent" and link.group(1) not in json.dumps(job.payload)
    # Sent once: the worker running again sends nothing more.
    assert Worker("again").run_once() == 0
    assert len(mail.outbox) == 1


def test_the_email_is_in_the_persons_language() -> None:
    setup(language="es", measures={"phq-9": 14})
    run_due()
    message = mail.outbox[0]
    assert message.extra_headers["Content-Language"] == "es"
    assert message.subject in {
        "Waymark: a few questions for you",
        "Waymark: unas preguntas para ti",
    }


def test_no_email_without_a_confirmed_address_or_once_turned_off() -> None:
    s = setup()
    Reminder.objects.filter(owner=s.person).update(email_confirmed="")
    run_due()
    assert mail.outbox == [] and not Job.objects.filter(kind=sending.KIND).exists()
    assert actions.open_requests(s.person).count() == 2  # waiting in the app

    t = setup()
    actions.do_turn_emails_off(t.person, by_link=False)
    run_due()
    assert mail.outbox == []


def test_a_measure_answered_before_its_email_is_not_sent() -> None:
    s = setup(measures={"bam": 30})
    request = open_request(s)
    actions.do_answer(request, BAM_ANSWERS, Via.APP)
    Job.objects.filter(kind=sending.KIND).update(run_at=timezone.now())
    Worker("w").run_once()
    assert mail.outbox == []
    assert Job.objects.get(kind=sending.KIND).outcome == "skipped: no longer open"


# The link ------------------------------------------------------------------------------------


def test_the_link_opens_that_measure_alone_with_no_sign_in(client: Client) -> None:
    s = setup()
    token = issue(open_request(s))
    response = client.get(f"/m/{token}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Brief Addiction Monitor" in page
    assert "Patient Health Questionnaire" not in page
    assert response["Referrer-Policy"] == "no-referrer"
    assert 'name="referrer" content="no-referrer"' in page
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    assert f'name="token" value="{token}"' in page
    assert s.person.username not in page


def test_answering_by_link_stores_encrypted_answers_and_works_once(client: Client) -> None:
    s = setup()
    request = open_request(s)
    token = issue(request)
    done = client.post("/m/", bam_post(token))
    assert done.status_code == 200, done.content.decode()[:2000]
    stored = MeasureResponse.objects.get()
    assert stored.via == Via.LINK and stored.request == request and stored.total is None
    assert set(stored.subscales) == {"use", "risk", "protective"}
    assert "any-use" in stored.flags
    assert stored.answers == BAM_ANSWERS
    with connection.cursor() as cursor:
        cursor.execute("SELECT answers FROM measures_measureresponse")
        raw = cursor.fetchone()[0]
    assert "[0, 0" not in raw and raw.startswith("gAAAA")  # a Fernet token
    # Replayed: the same link, opened or posted again, no longer works.
    again = client.post("/m/", bam_post(token))
    assert again.status_code == 410
    assert client.get(f"/m/{token}/").status_code == 410
    assert MeasureResponse.objects.count() == 1


def test_an_expired_link_no_longer_works(client: Client) -> None:
    s = setup()
    request = open_request(s)
    token = issue(request)
    MeasureRequest.objects.filter(pk=request.pk).update(expires_at=timezone.now())
    response = client.get(f"/m/{token}/")
    assert response.status_code == 410
    assert "This link no longer works" in response.content.decode()
    assert client.post("/m/", bam_post(token)).status_code == 410


def test_a_tampered_or_made_up_link_is_not_a_link(client: Client) -> None:
    s = setup()
    token = issue(open_request(s))
    value, _, rest = token.partition(":")
    tampered = value[:-1] + ("A" if value[-1] != "A" else "B") + ":" + rest
    for bad in (tampered, "nonsense", token + "x"):
        response = client.get(f"/m/{bad}/")
        assert response.status_code == 404
        page = response.content.decode()
        assert "This link no longer works" in page and s.person.username not in page
    # A link of an earlier email is replaced by the next one's.
    newer = issue(MeasureRequest.objects.get(instrument="bam"))
    assert client.get(f"/m/{token}/").status_code == 404
    assert client.get(f"/m/{newer}/").status_code == 200


def test_a_link_is_bound_to_its_measure_and_person() -> None:
    s = setup()
    bam = open_request(s, "bam")
    token = issue(bam)
    opened = links.open_link(token)
    assert opened.request is not None and opened.request.pk == bam.pk
    # The same signer under another salt (a reminder's, say) cannot open a measure.
    from django.core import signing

    forged = signing.TimestampSigner(salt="waymark.tracking.reminders.confirm-email").sign(
        f"{bam.public_id.hex}.x"
    )
    assert links.open_link(forged).problem is links.Problem.NOT_A_LINK


def test_another_account_signed_in_is_refused_politely(client: Client) -> None:
    s = setup()
    token = issue(open_request(s))
    client.force_login(make_person())
    response = client.get(f"/m/{token}/")
    assert response.status_code == 403
    assert "This link is for someone else" in response.content.decode()
    assert client.post("/m/", bam_post(token)).status_code == 403
    assert not MeasureResponse.objects.exists()
    # The person themself, signed in, may use it.
    own = Client()
    own.force_login(s.person)
    assert own.get(f"/m/{token}/").status_code == 200


def test_a_revoked_consent_stops_the_link(client: Client) -> None:
    s = setup()
    token = issue(open_request(s))
    do_revoke_consent(s.consent, actor=s.person)
    assert client.get(f"/m/{token}/").status_code == 410
    assert client.post("/m/", bam_post(token)).status_code == 410
    assert not MeasureResponse.objects.exists()


def test_an_unanswered_form_is_shown_again_with_the_token(client: Client) -> None:
    s = setup()
    token = issue(open_request(s))
    response = client.post("/m/", {"token": token})
    assert response.status_code == 400
    assert f'value="{token}"' in response.content.decode()
    assert not MeasureResponse.objects.exists()


def test_crisis_help_shows_at_once_for_item_nine(client: Client, settings: Any) -> None:
    s = setup()
    token = issue(open_request(s, "phq-9"))
    line = settings.HELP_LINES[0]["name"]
    # Other answers missing: the form comes back, with help at its top.
    incomplete = {"self-harm": "1", "token": token}
    response = client.post("/m/", incomplete)
    assert response.status_code == 400
    assert "Please reach out now" in response.content.decode()
    done = client.post("/m/", phq9_post(2, token))
    page = done.content.decode()
    assert done.status_code == 200 and "Please reach out now" in page and line in page
    assert MeasureResponse.objects.get().flags == ["suicidal-ideation"]


def test_no_crisis_section_without_it(client: Client) -> None:
    s = setup()
    token = issue(open_request(s, "phq-9"))
    page = client.post("/m/", phq9_post(0, token)).content.decode()
    assert "Please reach out now" not in page


def test_the_link_is_in_the_persons_language(client: Client) -> None:
    s = setup(language="es")
    token = issue(open_request(s))
    response = client.get(f"/m/{token}/")
    page = response.content.decode()
    assert '<html lang="es">' in page
    assert "Monitor Breve de la Adicción" in page
    assert response["Content-Language"] == "es"


def test_the_token_never_reaches_djangos_request_log(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    s = setup()
    request = open_request(s)
    token = issue(request)
    MeasureRequest.objects.filter(pk=request.pk).update(expires_at=timezone.now())
    with caplog.at_level(logging.DEBUG):
        client.get(f"/m/{token}/")
        client.get("/m/not-a-token/")
    assert token not in caplog.text and "not-a-token" not in caplog.text


def test_a_link_page_holding_its_secret_is_never_gzipped(client: Client) -> None:
    s = setup()
    token = issue(open_request(s))
    response = client.get(f"/m/{token}/", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200 and not response.has_header("Content-Encoding")
    assert "csrftoken" not in response.cookies  # the link's form needs no CSRF cookie
    done = client.post("/m/", bam_post(token), HTTP_ACCEPT_ENCODING="gzip")
    assert done.status_code == 200 and not done.has_header("Content-Encoding")


def test_answered_meanwhile_in_the_app_says_so_kindly(monkeypatch: pytest.MonkeyPatch) -> None:
    s = setup()
    bam = open_request(s)
    client = Client()
    client.force_login(s.person)
    assert client.get(f"/measures/{bam.public_id}/").status_code == 200
    # Answered by the link in another tab between the page's read and its write.
    MeasureRequest.objects.filter(pk=bam.pk).update(answered_at=timezone.now())
    still_listed = MeasureRequest.objects.filter(pk=bam.pk).select_related("program")
    monkeypatch.setattr(actions, "open_requests", lambda person, now=None: still_listed)
    response = client.post(f"/measures/{bam.public_id}/", bam_post())
    assert response.status_code == 302 and response["Location"] == "/measures/"
    assert not MeasureResponse.objects.exists()


def test_the_link_pages_are_throttled_per_address(client: Client) -> None:
    s = setup()
    token = issue(open_request(s))
    for _ in range(throttle.LIMIT):
        client.get("/m/nonsense/")
    response = client.get(f"/m/{token}/")
    assert response.status_code == 429
    assert response["Retry-After"] == str(throttle.WINDOW_SECONDS)


# Unsubscribing -------------------------------------------------------------------------------


def test_unsubscribing_asks_on_get_and_turns_emails_off_on_post(client: Client) -> None:
    s = setup()
    url = sending.UNSUBSCRIBE.url(s.person).removeprefix("http://localhost:8000")
    assert client.get(url).status_code == 200
    assert actions.emails_on(s.person)
    assert client.post(url).status_code == 200  # no session, no CSRF token (RFC 8058)
    assert EmailOptOut.objects.filter(person=s.person).exists()
    client.post(url)
    seal()
    entries = AuditEntry.objects.filter(action="measures.unsubscribe")
    assert entries.count() == 1 and entries.get().subject_ref == str(s.person.public_id)
    assert client.get("/measures/unsubscribe/altered/").status_code == 400


# In the app ----------------------------------------------------------------------------------


def test_a_person_sees_and_answers_their_measures_in_the_app() -> None:
    s = setup()
    sending.make_due_requests()
    client = Client()
    client.force_login(s.person)
    page = client.get("/measures/").content.decode()
    assert "Brief Addiction Monitor" in page and "Patient Health Questionnaire" in page
    assert "Your program sent you a few questions" in client.get("/track/").content.decode()
    bam = MeasureRequest.objects.get(instrument="bam")
    token = issue(bam)
    assert client.get(f"/measures/{bam.public_id}/").status_code == 200
    assert client.post(f"/measures/{bam.public_id}/", bam_post()).status_code == 200
    assert MeasureResponse.objects.get().via == Via.APP
    assert client.get(f"/measures/{bam.public_id}/").status_code == 404
    assert Client().get(f"/m/{token}/").status_code == 410  # the link stops too


def test_a_person_can_turn_the_emails_off_and_on() -> None:
    s = setup()
    client = Client()
    client.force_login(s.person)
    client.post("/measures/emails/", {"emails": "off"})
    assert not actions.emails_on(s.person)
    client.post("/measures/emails/", {"emails": "on"})
    assert actions.emails_on(s.person)


def test_nobody_else_answers_a_persons_measure_in_the_app() -> None:
    s = setup()
    bam = open_request(s)
    other = Client()
    other.force_login(make_person())
    assert other.get(f"/measures/{bam.public_id}/").status_code == 404
    assert other.post(f"/measures/{bam.public_id}/", bam_post()).status_code == 404
    assert not MeasureResponse.objects.exists()


# Staff: schedules and results ----------------------------------------------------------------


def test_a_lead_sets_the_programs_schedule_once_audited() -> None:
    program = make_program()
    lead = make_staff(Role.LEAD, program=program)
    url = f"/clinic/programs/{program.public_id}/measures/"
    page = lead.client.get(url).content.decode()
    assert 'value="30"' in page and "no schedule yet" in page  # the suggestion
    response = lead.client.post(url, {"every_bam": "30", "every_phq_9": "14", "every_barc_10": ""})
    assert response.status_code == 302
    rows = {r.instrument: r for r in Schedule.objects.filter(program=program)}
    assert {m: r.every_days for m, r in rows.items() if r.active} == {"bam": 30, "phq-9": 14}
    assert AuditEntry.objects.filter(action="measures.program-schedule").count() == 1
    assert lead.client.post(url, {"every_bam": "3"}).status_code == 400


def test_a_clinician_cannot_set_the_programs_schedule() -> None:
    program = make_program()
    clinician = make_staff(Role.CLINICIAN, program=program)
    assert (
        clinician.client.get(f"/clinic/programs/{program.public_id}/measures/").status_code == 404
    )


def test_a_clinician_sets_one_persons_schedule_from_the_chart() -> None:
    s = setup()
    chart = s.clinician.client.get(f"/clinic/people/{s.person.public_id}/").content.decode()
    assert 'id="measures"' in chart and "Change this person's measures" in chart
    url = f"/clinic/people/{s.person.public_id}/measures/"
    response = s.clinician.client.post(url, {"every_bam": "0", "every_gad_7": "21"})
    assert response.status_code == 302
    personal = Schedule.objects.filter(person=s.person)
    assert {(r.instrument, r.active) for r in personal} == {("bam", False), ("gad-7", True)}
    seal()
    entry = AuditEntry.objects.get(action="measures.personal-schedule")
    assert entry.subject_ref == str(s.person.public_id)


def test_the_chart_shows_the_bam_as_its_three_subscales() -> None:
    s = setup()
    actions.do_answer(open_request(s), BAM_ANSWERS, Via.LINK)
    page = s.clinician.client.get(f"/clinic/people/{s.person.public_id}/").content.decode()
    for subscale in ("use", "risk", "protective"):
        assert f'id="figure-measure-bam-{subscale}"' in page
    assert 'measure-bam"' not in page  # no single total


def test_the_chart_shows_no_measures_without_the_checkups_scope() -> None:
    s = setup()
    actions.do_answer(open_request(s), BAM_ANSWERS, Via.LINK)
    clinician = make_staff(Role.CLINICIAN, program=s.program)
    make_consent(s.person, clinician.membership, scopes=["plan", "checkins"])
    page = clinician.client.get(f"/clinic/people/{s.person.public_id}/").content.decode()
    assert 'id="measures"' not in page and "figure-measure" not in page
    assert clinician.client.get(f"/clinic/people/{s.person.public_id}/measures/").status_code == 404


# The JSON twins ------------------------------------------------------------------------------


def test_the_api_lists_and_answers_a_persons_measures() -> None:
    s = setup()
    sending.make_due_requests()
    client = Client()
    client.force_login(s.person)
    listed = client.get("/api/v1/measures").json()["items"]
    assert sorted(m["instrument"] for m in listed) == ["bam", "phq-9"]
    phq = next(m for m in listed if m["instrument"] == "phq-9")
    url = f"/api/v1/measures/{phq['id']}/answers"
    bad = client.post(url, json.dumps({"answers": [0] * 3}), content_type="application/json")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid-answers"
    answers = [0] * 8 + [1]
    done = client.post(url, json.dumps({"answers": answers}), content_type="application/json")
    assert done.status_code == 201
    assert done.json()["crisis"] is True and done.json()["total"] == 1
    again = client.post(url, json.dumps({"answers": answers}), content_type="application/json")
    assert again.status_code == 404 and again.json()["error"]["code"] == "not-found"


def test_the_api_schedule_and_results_for_staff() -> None:
    s = setup()
    actions.do_answer(open_request(s), BAM_ANSWERS, Via.LINK)
    program_url = f"/api/v1/clinic/programs/{s.program.public_id}/measures"
    got = s.lead.client.get(program_url).json()
    assert got["every_days"] == {"bam": 30, "phq-9": 14}
    put = s.lead.client.put(
        program_url, json.dumps({"every_days": {"gad-7": 14}}), content_type="application/json"
    )
    assert put.status_code == 200 and put.json()["every_days"] == {"gad-7": 14}
    wrong = s.lead.client.put(
        program_url, json.dumps({"every_days": {"gad-7": 2}}), content_type="application/json"
    )
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "invalid-request"
    assert s.clinician.client.get(program_url).status_code == 404

    person_url = f"/api/v1/clinic/people/{s.person.public_id}/measures"
    before = PendingRead.objects.filter(action="view.measures").count()
    result = s.clinician.client.get(person_url).json()
    assert PendingRead.objects.filter(action="view.measures").count() == before + 1
    assert result["results"][0]["instrument"] == "bam"
    assert result["results"][0]["total"] is None and "use" in result["results"][0]["subscales"]
    changed = s.clinician.client.put(
        f"{person_url}/schedule",
        json.dumps({"every_days": {"gad-7": 0}}),
        content_type="application/json",
    )
    assert changed.status_code == 200
    gad = next(r for r in changed.json()["schedule"] if r["instrument"] == "gad-7")
    assert gad == {**gad, "every_days": None, "personal": True}
