"""The weekly digest: Monday 08:00 in each clinician's time zone, counts only (alerts only where
their evidence is shared, revoked sharing left out), one email a week whatever the number of
ticks or workers, in the clinician's language, and a way out on the staff page and in one click."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.test import Client
from django.utils import timezone, translation

from tests.programs import as_verified, make_consent, make_person, make_program, make_staff
from tests.test_email import in_catalogue
from waymark import access
from waymark.accounts.models import Membership, Role, Scope, User
from waymark.audit.models import AuditEntry
from waymark.clinic import digest
from waymark.clinic.models import PRIORITY_RANK, Alert, Priority
from waymark.clinical import alerts as rules
from waymark.jobs.models import Job
from waymark.jobs.registry import KINDS, TICKS
from waymark.jobs.worker import Worker, claim_next, run_job
from waymark.tracking.models import CheckIn, Reminder

pytestmark = pytest.mark.django_db

_registered_ticks = set(TICKS)  # before the fixture below clears them
SITE = "https://waymark.example.org"
CLINICAL_WORDS = re.compile(
    r"alcohol|drink|drug|recovery|\buse|craving|sober|relapse|substance|addict|suicid|opioid|"
    r"overdose|withdrawal",
    re.IGNORECASE,
)
UUID = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}", re.I)


@pytest.fixture(autouse=True)
def _only_jobs(settings: Any) -> Iterator[None]:
    """The worker here runs jobs only: the tests call the digest tick themselves."""
    settings.WAYMARK_SITE_URL = SITE
    ticks = dict(TICKS)
    TICKS.clear()
    yield
    TICKS.update(ticks)


def clinician(program: Any = None, email: str = "sam.lee@example.org") -> Any:
    staff = make_staff(Role.CLINICIAN, program=program or make_program())
    staff.user.email = email
    staff.user.save()
    return staff


def alert(person: User, rule: rules.Rule, **fields: Any) -> Alert:
    priority = Priority(rule.priority.id)
    return Alert.objects.create(
        person=person,
        rule=rule.id,
        priority=priority,
        rank=PRIORITY_RANK[priority],
        evidence_on=timezone.localdate(),
        dedupe_key=f"{rule.id}:{Alert.objects.count()}",
        **fields,
    )


def it_is_monday_morning() -> int:
    """Run the tick as on this week's Monday at 08:00 (site time), then make what it queued
    due now, as the worker would find it then; the consents' own alert evaluations are
    dropped so that they raise nothing the test did not make. How many were queued."""
    monday = digest.sends_at(timezone.localdate(), settings.TIME_ZONE)
    queued = digest.queue_digests(monday)
    Job.objects.exclude(kind=digest.KIND).delete()
    Job.objects.filter(kind=digest.KIND).update(run_at=timezone.now())
    return queued


def test_the_digest_job_and_tick_are_registered() -> None:
    assert KINDS[digest.KIND].at_most_once
    assert digest.TICK in _registered_ticks


# --- when it goes out ----------------------------------------------------------------------


def test_it_is_queued_for_monday_at_8_in_the_clinicians_own_time_zone_through_dst() -> None:
    sam = clinician()
    make_consent(make_person(), sam.membership)
    Reminder.objects.create(owner=sam.user, time=time(9), time_zone="America/New_York",
                            weekdays=[0], enabled=False)  # fmt: skip
    # Sunday evening in New York: nothing yet. Monday 07:30: queued for 08:00 that day.
    assert digest.queue_digests(datetime(2027, 3, 7, 23, 0, tzinfo=UTC)) == 0  # Sun 18:00
    assert digest.queue_digests(datetime(2027, 3, 8, 12, 30, tzinfo=UTC)) == 1  # Mon 07:30
    job = Job.objects.get(kind=digest.KIND)
    assert job.run_at == datetime(2027, 3, 8, 13, 0, tzinfo=UTC)  # 08:00 EST
    assert job.dedupe_key == f"digest:{sam.user.public_id}:2027-W10"
    assert job.payload == {"staff": str(sam.user.public_id), "week": "2027-W10"}
    # The clocks went forward on Sunday 14 March: 08:00 is an hour earlier in UTC.
    assert digest.queue_digests(datetime(2027, 3, 15, 11, 30, tzinfo=UTC)) == 1
    assert Job.objects.get(dedupe_key__endswith="2027-W11").run_at == datetime(
        2027, 3, 15, 12, 0, tzinfo=UTC
    )


def test_without_reminders_a_clinician_gets_it_at_8_site_time(settings: Any) -> None:
    settings.TIME_ZONE = "Europe/Madrid"
    sam = clinician()
    make_consent(make_person(), sam.membership)
    assert digest.queue_digests(datetime(2027, 1, 4, 6, 30, tzinfo=UTC)) == 1  # Mon 07:30 CET
    assert Job.objects.get(kind=digest.KIND).run_at == datetime(2027, 1, 4, 7, 0, tzinfo=UTC)
    # ISO weeks: Sunday 2 January 2028 still ends 2027's last week.
    assert digest.week_of(datetime(2028, 1, 2).date()) == "2027-W52"
    assert digest.week_of(datetime(2028, 1, 3).date()) == "2028-W01"


def test_a_week_is_queued_once_however_often_the_tick_runs_and_again_next_week() -> None:
    sam = clinician()
    make_consent(make_person(), sam.membership)
    monday = digest.sends_at(datetime(2027, 1, 4).date(), "UTC")
    assert digest.queue_digests(monday - timedelta(minutes=30)) == 1
    for later in (monday, monday + timedelta(hours=2), monday + timedelta(hours=11)):
        assert digest.queue_digests(later) == 0
    assert digest.queue_digests(monday + timedelta(days=3)) == 0  # Thursday: nothing to queue
    assert digest.queue_digests(monday + timedelta(days=7)) == 1
    assert Job.objects.filter(kind=digest.KIND).count() == 2


def test_two_workers_and_two_ticks_send_one_email() -> None:
    sam = clinician()
    make_consent(make_person(), sam.membership)
    assert it_is_monday_morning() == 1
    assert it_is_monday_morning() == 0  # the tick again, in another worker
    job = claim_next("worker-a")
    assert job is not None and claim_next("worker-b") is None  # claimed once, done at once
    run_job(job, "worker-a")
    assert Worker("worker-b").run_once() == 0
    assert Worker("worker-a").run_once() == 0
    assert len(mail.outbox) == 1
    assert Job.objects.get(kind=digest.KIND).outcome == "sent"


def test_a_digest_hours_late_is_dropped() -> None:
    sam = clinician()
    make_consent(make_person(), sam.membership)
    it_is_monday_morning()
    Job.objects.filter(kind=digest.KIND).update(run_at=timezone.now() - timedelta(hours=13))
    Worker("w").run_once()
    assert mail.outbox == []
    assert Job.objects.get(kind=digest.KIND).outcome == "skipped: too late"


class Unreachable(EmailBackend):
    def open(self) -> bool:
        raise ConnectionRefusedError("connection refused")


def test_an_unreachable_mail_server_means_try_again_later(settings: Any) -> None:
    settings.EMAIL_BACKEND = f"{__name__}.Unreachable"
    sam = clinician()
    make_consent(make_person(), sam.membership)
    it_is_monday_morning()
    Worker("w").run_once()
    job = Job.objects.get(kind=digest.KIND)
    assert job.done_at is None and "refused" in job.last_error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Worker("w").run_once(job.run_at)
    assert len(mail.outbox) == 1
    assert AuditEntry.objects.filter(action="digest.send").count() == 1


# --- who gets one ----------------------------------------------------------------------------


def test_nobody_sharing_means_no_email() -> None:
    alone = clinician()
    revoked = clinician(email="ana@example.org")
    make_consent(make_person(), revoked.membership, revoked=True)
    assert it_is_monday_morning() == 0
    # Sharing that stops after the digest was queued: the job sends nothing.
    sam = clinician(email="sam@example.org")
    consent = make_consent(make_person(), sam.membership)
    assert it_is_monday_morning() == 1
    consent.revoked_at = timezone.now()
    consent.save()
    Worker("w").run_once()
    assert mail.outbox == []
    assert Job.objects.get(kind=digest.KIND).outcome == "skipped: not a recipient now"
    assert alone.user.weekly_digest and alone.user.email  # nothing missing but someone sharing


def test_only_active_clinicians_and_leads_with_an_address_get_one() -> None:
    program = make_program()
    lead = make_staff(Role.LEAD, program=program)
    admin = make_staff(Role.ADMIN, program=program)
    former = make_staff(Role.CLINICIAN, program=program, active=False)
    no_address = make_staff(Role.CLINICIAN, program=program)
    for staff in (lead, admin, former):
        staff.user.email = f"{staff.user.username}@example.org"
        staff.user.save()
    consent = make_consent(make_person(), [lead.membership, no_address.membership])
    consent.clinicians.add(admin.membership, former.membership)  # as no consent form allows
    assert list(digest.recipients()) == [lead.user]


# --- what it counts ----------------------------------------------------------------------------


def test_it_counts_only_what_each_consent_shares_across_two_programs() -> None:
    riverside, northside = make_program("Riverside"), make_program("Northside")
    sam = clinician(riverside)
    Membership.objects.create(user=sam.user, organization=northside, role=Role.CLINICIAN)
    other = clinician(riverside, email="ana@example.org")
    now = timezone.now()
    today = timezone.localdate()

    everything = make_person("everything")  # Riverside, every scope, never checked in (new)
    make_consent(everything, sam.membership)
    alert(everything, rules.SUICIDAL)  # urgent, check-ups: shared
    alert(everything, rules.RETURN_TO_USE)  # high, check-ins: shared
    alert(everything, rules.WORSENING, acknowledged_at=now - timedelta(days=2))
    alert(everything, rules.NO_CHECKIN, acknowledged_at=now - timedelta(days=10),
          raised_at=now - timedelta(days=12))  # fmt: skip

    checkins_only = make_person("checkins-only")  # Northside, check-ins only, silent 8 days
    northside_sam = sam.user.memberships.get(organization=northside)
    make_consent(checkins_only, northside_sam, scopes=[Scope.CHECKINS])
    alert(checkins_only, rules.SUICIDAL)  # its evidence (check-ups) is not shared: not counted
    alert(checkins_only, rules.TAPER_NOT_FOLLOWED)  # high, check-ins: counted
    CheckIn.objects.create(owner=checkins_only, day=today - timedelta(days=8), used=False)

    both = make_person("both")  # both programs: one person, counted once
    make_consent(both, sam.membership)
    make_consent(both, northside_sam)
    CheckIn.objects.create(owner=both, day=today - timedelta(days=1), used=False)
    alert(both, rules.OPIOID_AFTER_GAP, resolved_at=now)  # closed: counted as raised only

    quiet = make_person("quiet")  # never checked in, sharing for 10 days: silent
    make_consent(quiet, sam.membership, starts_at=now - timedelta(days=10))

    revoked = make_person("revoked")
    make_consent(revoked, sam.membership, revoked=True)
    alert(revoked, rules.SUICIDAL)
    elsewhere = make_person("elsewhere")
    make_consent(elsewhere, other.membership)
    alert(elsewhere, rules.SUICIDAL)
    no_checkins = make_person("no-checkins")  # not sharing check-ins: never "silent"
    make_consent(no_checkins, sam.membership, scopes=[Scope.CHECKUPS],
                 starts_at=now - timedelta(days=30))  # fmt: skip

    week = digest.DigestWeek(sam.user)
    # The people counted are the caseload's, as the one access rule decides it once signed in.
    assert set(week.people) == set(access.people_visible_to(as_verified(sam.user)))
    with translation.override("en"):
        lines = {line.key: line for line in digest.counts(week)}
    assert {key: line.value for key, line in lines.items()} == {
        "sharing": 5,  # everything, checkins-only, both, quiet, no-checkins
        "urgent": 1,  # everything's; not checkins-only's (check-ups not shared), not revoked's
        "high": 2,  # everything, checkins-only
        "silent": 2,  # checkins-only (8 days), quiet (never, sharing 10 days)
        "raised": 5,  # everything's 3 of the last 7 days, checkins-only's taper, both's
        "acknowledged": 1,  # 2 days ago; not 10 days ago
    }
    assert lines["sharing"].text == "5 people share with you now"
    assert lines["urgent"].text == "1 person has an open urgent alert"
    assert lines["silent"].text == "2 people have not checked in for 7 days or more"


def test_another_area_adds_a_line_through_the_count_providers(monkeypatch: Any) -> None:
    sam = clinician()
    make_consent(make_person(), sam.membership)

    def measures_missed(week: digest.DigestWeek) -> digest.Count:
        return digest.Count("measures-missed", 3, "3 sets of questions went unanswered")

    monkeypatch.setattr(digest, "COUNT_PROVIDERS", [*digest.COUNT_PROVIDERS, measures_missed])
    it_is_monday_morning()
    Worker("w").run_once()
    assert "- 3 sets of questions went unanswered\n" in mail.outbox[0].body


# --- the email ---------------------------------------------------------------------------------


@pytest.mark.parametrize("language", [None, "es"])
def test_the_email_holds_counts_only_in_the_clinicians_language(language: str | None) -> None:
    program = make_program("Riverside Outpatient")
    sam = clinician(program)
    if language:
        Reminder.objects.create(owner=sam.user, time=time(9), time_zone="UTC", weekdays=[0],
                                language=language, enabled=False)  # fmt: skip
    rosa = make_person("rosa-m")
    make_consent(rosa, sam.membership)
    alert(rosa, rules.SUICIDAL)
    it_is_monday_morning()
    assert Worker("w").run_once() == 1
    [message] = mail.outbox
    assert message.to == ["sam.lee@example.org"]
    assert message.extra_headers["Content-Language"] == (language or "en")
    with translation.override(language or "en"):
        assert message.subject == translation.gettext(digest.SUBJECT)
        expected = [f"- {line.text}" for line in digest.counts(digest.DigestWeek(sam.user))]
    subject, body = str(message.subject), str(message.body)
    assert all(line in body.splitlines() for line in expected), body
    assert f"{SITE}/clinic/\n" in body  # the caseload, to see who
    assert f"{SITE}/account/staff/\n" in body  # the way out, signed in
    if language is None:
        assert message.subject == "Waymark: your week"
        assert "- 1 person shares with you now" in body
        assert "- 1 person has an open urgent alert" in body
    if language == "es" and in_catalogue(digest.SUBJECT):
        assert message.subject == "Waymark: tu semana"
        assert "- 1 persona comparte contigo ahora" in body
    # Nobody's name, alias or id, no program's name, nothing clinical in the subject.
    for text in (subject, body):
        for secret in ("rosa", str(rosa.public_id), str(rosa.public_id)[:8], "Riverside",
                       "Alex", "Rivera", str(sam.user.public_id), sam.user.username):  # fmt: skip
            assert secret.lower() not in text.lower(), (secret, text)
        assert not UUID.search(text)
    assert not CLINICAL_WORDS.search(subject)
    assert not CLINICAL_WORDS.search(body), body
    # The one-click way out is in the header only (it carries the clinician's signed id).
    stop = message.extra_headers["List-Unsubscribe"]
    assert re.fullmatch(rf"<{SITE}/clinic/digest/unsubscribe/\S+/>", stop)
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"


def test_a_digest_sent_is_audited_once_about_no_one() -> None:
    sam = clinician()
    person = make_person()
    make_consent(person, sam.membership)
    it_is_monday_morning()
    before = AuditEntry.objects.filter(subject_ref=str(person.public_id)).count()
    Worker("w").run_once()
    [entry] = AuditEntry.objects.filter(action="digest.send")
    assert entry.subject_ref == "" and entry.actor_ref == ""
    assert str(sam.user.public_id) in entry.detail and "counts only" in entry.detail
    assert AuditEntry.objects.filter(subject_ref=str(person.public_id)).count() == before


# --- turning it off ----------------------------------------------------------------------------


def test_the_staff_page_turns_it_off_and_on() -> None:
    sam = clinician()
    make_consent(make_person(), sam.membership)
    page = sam.client.get("/account/staff/").content.decode()
    assert "Stop the weekly email" in page
    response = sam.client.post("/account/staff/weekly-email/", {"weekly_digest": "off"})
    assert response.status_code == 302
    sam.user.refresh_from_db()
    assert not sam.user.weekly_digest
    assert "Turn the weekly email on" in sam.client.get("/account/staff/").content.decode()
    assert it_is_monday_morning() == 0
    [entry] = AuditEntry.objects.filter(action="staff.digest-off")
    assert entry.actor_ref == str(sam.user.public_id) and entry.subject_ref == ""
    sam.client.post("/account/staff/weekly-email/", {"weekly_digest": "on"})
    sam.user.refresh_from_db()
    assert sam.user.weekly_digest
    assert it_is_monday_morning() == 1


def test_a_digest_queued_before_it_was_turned_off_is_not_sent() -> None:
    sam = clinician()
    make_consent(make_person(), sam.membership)
    it_is_monday_morning()
    digest.do_set_weekly_digest(sam.user, False)
    Worker("w").run_once()
    assert mail.outbox == []


def test_the_staff_page_needs_a_verified_staff_session() -> None:
    unverified = make_staff(Role.CLINICIAN, verified=False)
    response = unverified.client.post("/account/staff/weekly-email/", {"weekly_digest": "off"})
    assert response.status_code == 302 and "/verify/" in response["Location"]
    unverified.user.refresh_from_db()
    assert unverified.user.weekly_digest
    person = Client()
    person.force_login(make_person())
    assert person.post("/account/staff/weekly-email/", {"weekly_digest": "off"}).status_code == 403


def test_the_one_click_link_turns_it_off_with_no_session() -> None:
    sam = clinician()
    make_consent(make_person(), sam.membership)
    it_is_monday_morning()
    Worker("w").run_once()
    path = urlsplit(mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>")).path
    # A link scanner opening it changes nothing; the mail client's POST turns it off.
    page = Client().get(path)
    assert page.status_code == 200 and 'method="post"' in page.content.decode()
    sam.user.refresh_from_db()
    assert sam.user.weekly_digest
    mail_client = Client(enforce_csrf_checks=True)  # no session, no CSRF token
    for _ in range(2):  # a retry, a second click: harmless
        response = mail_client.post(
            path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code == 200
    sam.user.refresh_from_db()
    assert not sam.user.weekly_digest
    assert "The weekly email is off" in Client().get(path).content.decode()
    assert AuditEntry.objects.filter(action="staff.digest-off").count() == 1
    assert digest.queue_digests(digest.sends_at(timezone.localdate() + timedelta(7), "UTC")) == 0


def test_an_altered_link_turns_nothing_off() -> None:
    sam, ana = clinician(), clinician(email="ana@example.org")
    token = digest.UNSUBSCRIBE.token(sam.user)
    public_id, signature = token.split(":", 1)
    for bad in (f"{ana.user.public_id}:{signature}", f"{public_id}:x", "x"):
        response = Client().post(f"/clinic/digest/unsubscribe/{bad}/")
        assert response.status_code == 400
        assert "not valid" in response.content.decode()
    assert User.objects.filter(weekly_digest=False).count() == 0
