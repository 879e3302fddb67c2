"""Measures that go out by themselves, sent by `waymark worker`.

A tick (every 15 minutes, in one worker at a time) works out, for each person who shares
check-ups with a program that has a schedule, which measures are due on their local today
(`waymark.measures.schedule`), and makes one `MeasureRequest` each: the unique constraint on
(person, program, measure, day) means a tick run twice, or by two workers, makes it once.
Each request's email is one job whose dedupe key is the request: queued once, and *at most
once* (marked done as a worker claims it, before it is sent), so a crash means a missed email
— the measure still waits in the app — and never a second one.

The email goes only to an address the person confirmed (the reminders' confirmation:
`Reminder.email_confirmed` equal to the account's address) and only while they have not
turned measure emails off; otherwise the measure waits in the app. It is written in their
language, says nothing clinical (no measure's name, nothing about alcohol, drugs or mood,
starting with the subject), and carries List-Unsubscribe (RFC 8058) with a link signed for
the person (`UNSUBSCRIBE`, `waymark.unsubscribe`) that turns measure emails off. The one-time
link's token is made as the email goes out; only its digest is stored, and it is never logged
(the job's outcome says "sent").
"""

from __future__ import annotations

import logging
import zoneinfo
from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Max, Min
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from waymark import mail
from waymark.accounts.models import Consent, Scope, User
from waymark.jobs import enqueue, register, register_tick
from waymark.jobs.models import Job
from waymark.measures import links, schedule
from waymark.measures.actions import do_turn_emails_off, emails_on
from waymark.measures.models import MeasureRequest, MeasureResponse, Schedule
from waymark.tracking.models import Reminder
from waymark.tracking.reminders import is_confirmed, zone_of
from waymark.unsubscribe import EmailList

logger = logging.getLogger(__name__)

KIND = "measures.email"
TICK = "measures.make-due"
TICK_SECONDS = 15 * 60
# An email that could only go out this long after its time is dropped (the measure still
# waits in the app): an email about questions at night, after a worker was down, helps nobody.
LATE_LIMIT = timedelta(hours=2)
# A request made after the send time still goes out at once before this local time ❓.
QUIET_FROM = time(20, 0)


def send_at() -> time:
    return time(int(settings.WAYMARK_MEASURE_SEND_HOUR), 0)


def dedupe_key(request: MeasureRequest) -> str:
    return f"measure:{request.public_id}"


# The tick -------------------------------------------------------------------------------------


def _starts(now: datetime) -> dict[int, dict[int, datetime]]:
    """Per person, per program with an active schedule: when their sharing of check-ups with
    it began (the earliest consent in force now)."""
    scheduled = Schedule.objects.filter(person__isnull=True, active=True).values("program_id")
    consents = (
        Consent.objects.active(now)
        .sharing(Scope.CHECKUPS)
        .filter(person__is_active=True, organization_id__in=scheduled)
        .values("person_id", "organization_id")
        .annotate(start=Min("starts_at"))
        .order_by()
    )
    starts: dict[int, dict[int, datetime]] = defaultdict(dict)
    for row in consents:
        starts[row["person_id"]][row["organization_id"]] = row["start"]
    return starts


def _rules(
    program_ids: set[int], person_ids: list[int]
) -> tuple[dict[int, list[schedule.Rule]], dict[int, list[schedule.Rule]]]:
    by_program: dict[int, list[schedule.Rule]] = defaultdict(list)
    by_person: dict[int, list[schedule.Rule]] = defaultdict(list)
    rows = Schedule.objects.filter(program_id__in=program_ids, person__isnull=True)
    for row in rows:
        by_program[row.program_id].append(_rule(row))
    for row in Schedule.objects.filter(program_id__in=program_ids, person_id__in=person_ids):
        if row.person_id is not None:
            by_person[row.person_id].append(_rule(row))
    return by_program, by_person


def _rule(row: Schedule) -> schedule.Rule:
    return schedule.Rule(
        program=row.program_id,
        measure=row.instrument,
        every_days=row.every_days,
        active=row.active,
        personal=row.person_id is not None,
    )


def _last_asked(person_ids: list[int]) -> dict[int, dict[str, date]]:
    found: dict[int, dict[str, date]] = defaultdict(dict)
    rows = (
        MeasureRequest.objects.filter(person_id__in=person_ids)
        .values("person_id", "instrument")
        .annotate(last=Max("due_on"))
        .order_by()
    )
    for row in rows:
        found[row["person_id"]][row["instrument"]] = row["last"]
    return found


def _last_answered(person_ids: list[int]) -> dict[int, dict[str, datetime]]:
    found: dict[int, dict[str, datetime]] = defaultdict(dict)
    rows = (
        MeasureResponse.objects.filter(person_id__in=person_ids)
        .values("person_id", "instrument")
        .annotate(last=Max("completed_at"))
        .order_by()
    )
    for row in rows:
        found[row["person_id"]][row["instrument"]] = row["last"]
    return found


def last_days(zone: str, asked: dict[str, date], answered: dict[str, datetime]) -> dict[str, date]:
    """Per measure, the later of the last day asked and the last local day answered."""
    days: dict[str, date] = {}
    for measure in set(asked) | set(answered):
        when = answered.get(measure)
        answered_on = schedule.local_date(when, zone) if when is not None else None
        last = schedule.latest(asked.get(measure), answered_on)
        if last is not None:
            days[measure] = last
    return days


def make_due_requests(now: datetime | None = None) -> int:
    """The tick: make every measure due today (local) and queue its email. Safe to run again
    and again, in any number of workers. How many requests were new."""
    now = now or timezone.now()
    starts = _starts(now)
    if not starts:
        return 0
    person_ids = list(starts)
    program_ids = {program for programs in starts.values() for program in programs}
    by_program, by_person = _rules(program_ids, person_ids)
    asked, answered = _last_asked(person_ids), _last_answered(person_ids)
    made = 0
    people = User.objects.filter(pk__in=person_ids).select_related("reminder")
    for person in people.iterator(chunk_size=500):
        zone = zone_of(person)
        today = schedule.local_date(now, zone)
        programs = starts[person.pk]
        rules = [r for p in programs for r in by_program[p]] + by_person[person.pk]
        due = schedule.due_on(
            today,
            rules,
            last_days(zone, asked[person.pk], answered[person.pk]),
            {p: schedule.local_date(start, zone) for p, start in programs.items()},
        )
        for item in due:
            made += _make(person, item, zone, now)
    return made


def _make(person: User, due: schedule.Due, zone: str, now: datetime) -> int:
    """One request and its email job; 0 when a tick made it already."""
    run_at = schedule.first_send(due.on, send_at(), zone, now, QUIET_FROM)
    try:
        with transaction.atomic():
            request, created = MeasureRequest.objects.get_or_create(
                person=person,
                program_id=due.program,
                instrument=due.measure,
                due_on=due.on,
                defaults={"expires_at": run_at + timedelta(days=links.link_days())},
            )
            if created and may_email(person):
                enqueue(KIND, dedupe_key(request), run_at=run_at,
                        payload={"request": str(request.public_id)})  # fmt: skip
    except IntegrityError:  # another worker made it between our read and our write
        return 0
    return int(created)


def may_email(person: User) -> bool:
    reminder: Reminder | None = getattr(person, "reminder", None)
    return (
        person.is_active and reminder is not None and is_confirmed(reminder) and emails_on(person)
    )


# The email -------------------------------------------------------------------------------------


def measure_message(person: User, link: str, expires_at: datetime) -> EmailMessage:
    """The email: discreet (nothing clinical, no measure's name), in the person's language,
    with the one-time link, the app as another way, and a one-click way out."""
    language = mail.language_of(person)
    stop = UNSUBSCRIBE.url(person)
    until = timezone.localtime(expires_at, zoneinfo.ZoneInfo(zone_of(person))).date()
    with translation.override(language):
        subject = gettext("Waymark: a few questions for you")
        app = settings.WAYMARK_SITE_URL + reverse("measures:mine")
        body = gettext(
            "Hello,\n\n"
            "Your program asked Waymark to send you a few questions. They take a few\n"
            "minutes. Your answers go to your own record and to the program you share with.\n\n"
            "Open this link to answer (no need to sign in). It works once, until %(until)s:\n"
            "%(link)s\n\n"
            "You can also answer after signing in to Waymark:\n"
            "%(app)s\n\n"
            "To stop these emails (the questions still wait for you in Waymark):\n"
            "%(stop)s\n\n"
            "Waymark\n"
        ) % {"until": date_format(until, "DATE_FORMAT"), "link": link, "app": app, "stop": stop}
    return mail.message(subject, body, [person.email], language=language, unsubscribe=stop)


def send_measure(job: Job) -> str:
    """The job's handler. A measure answered, expired or no longer shared, an address no
    longer confirmed, emails turned off, or a time long past: nothing is sent."""
    request = (
        MeasureRequest.objects.filter(public_id=job.payload["request"])
        .select_related("person", "person__reminder", "program")
        .first()
    )
    if request is None or not links.is_open(request):
        return "skipped: no longer open"
    person = request.person
    if not person.email or not may_email(person):
        return "skipped: no confirmed address, or emails off"
    if timezone.now() > job.run_at + LATE_LIMIT:
        return "skipped: too late"
    # The link is made only once the mail server answers: a Retry leaves none behind.
    with mail.connection_for_job() as connection:
        token, nonce_hash = links.new_token(request)
        made = MeasureRequest.objects.filter(pk=request.pk, sent_at__isnull=True).update(
            nonce_hash=nonce_hash, sent_at=timezone.now()
        )
        if not made:
            return "skipped: sent already"
        message = measure_message(person, links.link_url(token), request.expires_at)
        connection.send_messages([message])
    return "sent"


UNSUBSCRIBE = EmailList(
    salt="waymark.measures.unsubscribe",
    url_name="measures:unsubscribe",
    is_on=emails_on,
    turn_off=lambda person, request: do_turn_emails_off(person, request, by_link=True),
)


def register_jobs() -> None:
    register(KIND, send_measure, at_most_once=True, max_attempts=3)
    register_tick(TICK, TICK_SECONDS, make_due_requests)
