"""Every email Waymark sends, read as a real SMTP server received it: the recipient's language,
Auto-Submitted, Content-Language, a Message-ID on the site's domain, discreet words, and the
reminders' one-click unsubscribe (RFC 8058) working end to end."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from datetime import UTC, time
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.test import Client
from django.utils import timezone, translation

from tests.programs import make_consent, make_person, make_program, make_staff
from waymark.accounts.models import Role, User
from waymark.audit.models import AuditEntry
from waymark.checkup.models import Answer, CheckUp
from waymark.clinic import actions as clinic
from waymark.jobs.models import Job
from waymark.jobs.worker import claim_next, run_job
from waymark.tracking import reminders
from waymark.tracking.models import Reminder

pytestmark = pytest.mark.django_db

SITE = "https://waymark.example.org"
# Nothing in a reminder may say what it is about, in either language.
CLINICAL_WORDS = re.compile(
    r"alcohol|drink|drug|recovery|\buse|craving|sober|relapse|substance|addict"
    r"|beb|droga|recupera|consum|\bus[oa]r?\b|antojo|sobri|reca[ií]da|sustancia|adicci",
    re.IGNORECASE,
)
URL = re.compile(r"https?://\S+")


class Inbox:
    """What the SMTP server received: each message's raw bytes, as sent over the wire."""

    def __init__(self) -> None:
        self.raw: list[bytes] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.raw.append(bytes(envelope.original_content or b""))
        return "250 Message accepted for delivery"

    def messages(self) -> list[EmailMessage]:
        """Parsed as a mailbox stores them: SMTP's CRLF line ends become plain newlines."""
        parser = BytesParser(policy=policy.default)
        return [parser.parsebytes(raw.replace(b"\r\n", b"\n")) for raw in self.raw]


class LoopbackController(Controller):
    """aiosmtpd on a free loopback port: the port is read back once the server listens."""

    def _trigger_server(self) -> None:
        assert isinstance(self.server, asyncio.Server)
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()  # type: ignore[no-untyped-call]


@pytest.fixture
def inbox(settings: Any) -> Iterator[Inbox]:
    received = Inbox()
    server = LoopbackController(received, hostname="127.0.0.1", port=0, server_hostname="mx.test")
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "Waymark <no-reply@waymark.example.org>"
    settings.WAYMARK_SITE_URL = SITE
    try:
        yield received
    finally:
        server.stop()


def run_due_jobs() -> int:
    """What `waymark worker` does with the jobs that are due."""
    ran = 0
    while (job := claim_next("test-worker")) is not None:
        run_job(job, "test-worker")
        ran += 1
    return ran


def in_catalogue(msgid: str) -> bool:
    """The lead merges new Spanish at the end of a round; until then a new string is English."""
    with translation.override("es"):
        return translation.gettext(msgid) != msgid


def header(message: EmailMessage, name: str) -> str:
    """A header's value, decoded. A long one is folded onto the next line from its name (as
    Django writes them), which the parser keeps as leading white space."""
    return str(message[name] or "").strip()


def assert_standard_headers(message: EmailMessage, language: str) -> None:
    assert header(message, "Auto-Submitted") == "auto-generated"
    assert header(message, "Content-Language") == language
    assert re.fullmatch(r"<[^@<>\s]+@waymark\.example\.org>", header(message, "Message-ID"))
    assert header(message, "From") == "Waymark <no-reply@waymark.example.org>"


def spanish_reminder_set_now() -> User:
    """Rosa set her reminders in Spanish, for every day at this very minute (UTC)."""
    rosa = User.objects.create_user("rosa", email="rosa@example.org", password=None)
    at = timezone.now().astimezone(UTC).time().replace(second=0, microsecond=0)
    Reminder.objects.create(
        owner=rosa,
        time=at,
        time_zone="UTC",
        weekdays=list(reminders.WEEKDAYS),
        language="es",
        email_confirmed="rosa@example.org",
    )
    return rosa


def test_a_reminder_arrives_in_spanish_with_headers_and_a_one_click_way_out(inbox: Inbox) -> None:
    rosa = spanish_reminder_set_now()
    assert reminders.queue_due_reminders() >= 1  # the tick: today's, and tomorrow's
    assert run_due_jobs() == 1
    [message] = inbox.messages()
    assert header(message, "To") == "rosa@example.org"
    assert header(message, "Subject") == "Un recordatorio de Waymark"
    assert_standard_headers(message, "es")
    assert header(message, "List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
    unsubscribe = re.fullmatch(r"<(https://\S+)>", header(message, "List-Unsubscribe"))
    assert unsubscribe and unsubscribe.group(1).startswith(f"{SITE}/track/reminders/unsubscribe/")
    body = message.get_content()
    assert "Este es el recordatorio diario que pediste" in body
    assert f"{SITE}/track/" in body and unsubscribe.group(1) in body  # the way out, in words too
    for text in (header(message, "Subject"), URL.sub("", body)):
        assert not CLINICAL_WORDS.search(text), text
    assert "rosa" not in body.replace("rosa@", "")

    # A link scanner opening the link changes nothing; the mail client's POST turns them off.
    path = urlsplit(unsubscribe.group(1)).path
    page = Client().get(path, HTTP_ACCEPT_LANGUAGE="es")
    assert page.status_code == 200 and Reminder.objects.get(owner=rosa).enabled
    assert 'method="post"' in page.content.decode()
    mail_client = Client(enforce_csrf_checks=True)  # no session, no CSRF token
    for _ in range(2):  # a second POST (a retry, a second click) is harmless
        response = mail_client.post(
            path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code == 200
    assert not Reminder.objects.get(owner=rosa).enabled
    assert not Job.objects.filter(kind=reminders.KIND, done_at=None).exists()  # tomorrow's too
    [entry] = AuditEntry.objects.filter(action="reminder.unsubscribe")
    assert entry.subject_ref == str(rosa.public_id)
    # Reminders turned off send nothing more, and the settings are kept for next time.
    assert reminders.queue_due_reminders() == 0
    assert Reminder.objects.get(owner=rosa).language == "es"


def test_the_unsubscribe_link_is_signed_for_one_person(client: Client) -> None:
    rosa = spanish_reminder_set_now()
    other = User.objects.create_user("ana", password=None)
    Reminder.objects.create(owner=other, time=rosa.reminder.time, time_zone="UTC", weekdays=[0])
    token = reminders.UNSUBSCRIBE.token(rosa)
    public_id, signature = token.split(":", 1)
    for bad in (f"{other.public_id}:{signature}", f"{public_id}:x", "x"):
        response = client.post(f"/track/reminders/unsubscribe/{bad}/")
        assert response.status_code == 400
        assert "not valid" in response.content.decode()
    assert Reminder.objects.filter(enabled=True).count() == 2
    page = client.get(f"/track/reminders/unsubscribe/{token}/").content.decode()
    assert "Stop reminder emails" in page
    client.post(f"/track/reminders/unsubscribe/{token}/")
    assert list(Reminder.objects.filter(enabled=True)) == [other.reminder]
    assert (
        "Reminder emails are off"
        in client.get(f"/track/reminders/unsubscribe/{token}/").content.decode()
    )


def test_the_confirmation_email_carries_the_same_headers(inbox: Inbox, client: Client) -> None:
    sam = User.objects.create_user("sam", password=None)
    client.force_login(sam)
    client.post(
        "/track/reminders/",
        {"time": "20:30", "time_zone": "UTC", "weekdays": ["0"], "email": "sam@example.org",
         "action": "save"},
        HTTP_ACCEPT_LANGUAGE="es",
    )  # fmt: skip
    [message] = inbox.messages()
    assert header(message, "Subject") == "Confirma tu correo para Waymark"
    assert_standard_headers(message, "es")
    assert "List-Unsubscribe" not in message  # nothing to unsubscribe from yet
    assert not CLINICAL_WORDS.search(URL.sub("", message.get_content()))


def crisis_alert_for_a_clinician(email: str, language: str | None) -> User:
    program = make_program()
    clinician = make_staff(Role.CLINICIAN, program=program)
    clinician.user.email = email
    clinician.user.save()
    if language:
        Reminder.objects.create(
            owner=clinician.user, time=time(0, 0), time_zone="UTC", weekdays=[0],
            language=language, enabled=False,
        )  # fmt: skip
    person = make_person()
    make_consent(person, clinician.membership)
    checkup = CheckUp.objects.create(
        owner=person, status=CheckUp.Status.COMPLETE, completed_at=timezone.now(), result={}
    )
    Answer.objects.create(
        checkup=checkup, instrument="profile", version="1", item="suicidal_thoughts", value=True
    )
    clinic.evaluate(person)
    return person


@pytest.mark.parametrize("language", [None, "es"])
def test_the_urgent_alert_email_is_in_the_clinicians_language(
    inbox: Inbox, language: str | None
) -> None:
    crisis_alert_for_a_clinician("clinician@example.org", language)
    assert run_due_jobs() == 2  # the consent's alert evaluation (nothing new), the email
    [message] = inbox.messages()
    assert header(message, "To") == "clinician@example.org"
    assert_standard_headers(message, language or "en")  # no saved language: the site's
    assert "List-Unsubscribe" not in message
    with translation.override(language or "en"):
        subject, body = (
            translation.gettext(clinic.NOTIFY_SUBJECT),
            translation.gettext(clinic.NOTIFY_BODY),
        )
    assert header(message, "Subject") == subject
    assert message.get_content().strip() == body.strip()
    if language == "es" and in_catalogue(clinic.NOTIFY_SUBJECT):
        assert (
            header(message, "Subject")
            == "Waymark: una persona de tu lista de casos necesita atención"
        )
    if language is None:
        assert header(message, "Subject") == "Waymark: a person in your caseload needs attention"
