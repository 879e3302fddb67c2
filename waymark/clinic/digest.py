"""The weekly digest: one email to each clinician and program lead, with counts only.

When: Monday at 08:00 in the clinician's time zone — the one their check-in reminders use, if
they set any, else the site's TIME_ZONE (staff accounts have no time zone of their own). A tick
(every 15 minutes, in one worker at a time) queues each recipient's digest for their local
week as a job whose dedupe key is `digest:<their public id>:<ISO year-week>`: whatever the
number of workers or ticks, a week's digest is queued once. The job is *at most once* (marked
done as a worker claims it, before the email goes out): a crash means a missed digest, never a
second one. The numbers are counted when the job runs, not when it was queued.

Who: an active account with an email address, an active clinician or lead membership, the
digest not turned off (`User.weekly_digest`), and at least one person sharing with them now.
Someone nobody shares with gets nothing.

What: counts only — no name, alias or id of anyone, no program's name, and nothing clinical in
the subject. Each line of the email comes from one of `COUNT_PROVIDERS`; another area adds a
line by appending its own provider (see `CountProvider`). Only alerts whose evidence the
person shares with the clinician count, as on the caseload; the counts are this module's own
small queries (the caseload's live in chart.py and serve a page, not a total).

Opting out: on the staff page, or with the link in the List-Unsubscribe header (RFC 8058: a
mail client's one-click POST turns it off, with no session; a GET only shows a button). The
link carries the clinician's id, signed, so it is in the header only: the body, like the
subject, names no one and points to the staff page instead.

Audit: a digest reads no one person's data for a person to see — it counts people the
clinician may already see, and shows none of them — so no person's access log gets an entry
(a weekly "counted you" line for each would say nothing and drown what matters). Each digest
sent is recorded once, about no one (`digest.send`, the recipient's public id in the detail),
so an auditor can still tell what was emailed to whom and when.
"""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop, ngettext

from waymark import access, mail
from waymark.accounts.models import Consent, ConsentQuerySet, Scope, User
from waymark.audit.log import record
from waymark.clinic.actions import open_alerts_q
from waymark.clinic.models import PRIORITY_RANK, Alert, Priority
from waymark.clinical import alerts as rules
from waymark.jobs import enqueue, register, register_tick
from waymark.jobs.models import Job
from waymark.tracking.models import CheckIn
from waymark.tracking.reminders import send_time, zone_of
from waymark.unsubscribe import EmailList

KIND = "clinic.digest"
TICK = "clinic.queue-digests"
TICK_SECONDS = 15 * 60
SEND_WEEKDAY = 0  # Monday, as date.weekday() ❓
SEND_AT = time(8, 0)  # local wall-clock time ❓
# Queued this long before its time, so a worker sends it on the minute; and dropped when it
# could only go out this late (a worker down all Monday): Tuesday's digest of last week helps
# nobody, and next Monday's comes anyway.
QUEUE_AHEAD = timedelta(hours=1)
LATE_LIMIT = timedelta(hours=12)  # ❓
WEEK = timedelta(days=7)
SILENT_DAYS = 7  # "no check-in for 7 days or more" ❓
SUBJECT = gettext_noop("Waymark: your week")  # ❓


# Who gets one, and when ------------------------------------------------------------------------


def recipients() -> QuerySet[User]:
    """Staff who get a digest this week: see the module's docstring. The handler checks each
    again as it sends."""
    sharing = Consent.objects.active().filter(person__is_active=True)
    # One filter() call: every condition applies to the same membership (as in
    # `access.staff_who_can_see`).
    return (
        User.objects.filter(
            is_active=True,
            weekly_digest=True,
            memberships__active=True,
            memberships__role__in=access.PATIENT_ROLES,
            memberships__consents__in=sharing,
            memberships__organization=F("memberships__consents__organization"),
        )
        .exclude(email="")
        .distinct()
    )


def is_recipient(staff: User) -> bool:
    return recipients().filter(pk=staff.pk).exists()


def week_of(day: date) -> str:
    """The ISO year and week of a local day: "2027-W01" (Monday 4 January 2027)."""
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def dedupe_key(staff: User, day: date) -> str:
    return f"digest:{staff.public_id}:{week_of(day)}"


def sends_at(day: date, zone: str) -> datetime:
    """When (UTC) the digest of the local week holding ``day`` goes out: its Monday at
    08:00, local time (DST as reminders have it: `reminders.send_time`)."""
    monday = day - timedelta(days=day.weekday() - SEND_WEEKDAY)
    return send_time(monday, SEND_AT, zone)


def queue_for(staff: User, now: datetime) -> int:
    """Queue the staff member's digest for this local week, or next week's when it is almost
    time; 0 outside those hours, or when it is queued already."""
    zone = zone_of(staff)
    today = now.astimezone(zoneinfo.ZoneInfo(zone)).date()
    queued = 0
    for day in (today, today + WEEK):
        at = sends_at(day, zone)
        if now - LATE_LIMIT <= at <= now + QUEUE_AHEAD:
            payload = {"staff": str(staff.public_id), "week": week_of(day)}
            queued += enqueue(KIND, dedupe_key(staff, day), run_at=at, payload=payload)
    return queued


def queue_digests(now: datetime | None = None) -> int:
    """The tick: queue the digests whose time has come. Safe to run again and again, in
    any number of workers: each week's is queued once. How many were new."""
    now = now or timezone.now()
    staff = recipients().select_related("reminder")
    return sum(queue_for(member, now) for member in staff.iterator())


# What is counted -------------------------------------------------------------------------------

# Each alert rule reads one kind of data: an alert counts only where that scope is shared.
_RULES_BY_SCOPE: dict[str, list[str]] = defaultdict(list)
for _rule in rules.RULES:
    _RULES_BY_SCOPE[_rule.scope].append(_rule.id)


class DigestWeek:
    """What one clinician's digest counts from: the consents naming them now, the people
    sharing through them, and the week up to ``now`` (the 7 days before it)."""

    def __init__(self, staff: User, now: datetime | None = None) -> None:
        self.staff = staff
        self.now = now or timezone.now()
        self.since = self.now - WEEK
        self.today = self.now.astimezone(zoneinfo.ZoneInfo(zone_of(staff))).date()
        self.consents: ConsentQuerySet = access.consents_naming(staff).filter(
            person__is_active=True
        )
        self.people: QuerySet[User] = User.objects.filter(
            pk__in=self.consents.values("person"), is_active=True
        )

    @cached_property
    def sharing(self) -> int:
        return self.people.count()

    def alerts(self) -> QuerySet[Alert]:
        """Every alert (open or not) of the people sharing with the clinician whose evidence
        one of their consents with the clinician shares."""
        shown = Q()
        for scope, ids in _RULES_BY_SCOPE.items():
            consents = self.consents.sharing(scope).filter(person=OuterRef("person"))
            shown |= Q(Exists(consents), rule__in=ids)
        return Alert.objects.filter(shown)

    def people_with_open(self, priority: Priority) -> int:
        alerts = self.alerts().filter(open_alerts_q(), rank=PRIORITY_RANK[priority])
        return alerts.order_by().values("person").distinct().count()

    def silent(self) -> int:
        """People who share check-ins with the clinician and have none in the last
        SILENT_DAYS days: their last is that long ago, or they never checked in and have
        shared check-ins for that long."""
        cutoff = self.today - timedelta(days=SILENT_DAYS)
        shared = self.consents.sharing(Scope.CHECKINS).filter(person=OuterRef("pk"))
        checkins = CheckIn.objects.filter(owner=OuterRef("pk"))
        long_shared = shared.filter(starts_at__lte=self.now - timedelta(days=SILENT_DAYS))
        return (
            self.people.filter(Exists(shared), ~Exists(checkins.filter(day__gt=cutoff)))
            .filter(Exists(checkins) | Exists(long_shared))
            .count()
        )


@dataclass(frozen=True)
class Count:
    """One line of the digest."""

    key: str  # a stable name, for tests and other code: "sharing", "urgent" …
    value: int
    text: str  # the line, in the clinician's language: "3 people share with you now"


# A provider is called inside `translation.override(<the clinician's language>)` and returns
# its line, or None to leave it out. To add a line (say, measures missed), write one and append
# it to COUNT_PROVIDERS from your app's ready(): counts only, never a name or an id.
CountProvider = Callable[[DigestWeek], Count | None]


def people_sharing(week: DigestWeek) -> Count:
    n = week.sharing
    text = ngettext(
        "%(count)d person shares with you now", "%(count)d people share with you now", n
    )
    return Count("sharing", n, text % {"count": n})


def people_with_urgent(week: DigestWeek) -> Count:
    n = week.people_with_open(Priority.URGENT)
    text = ngettext(
        "%(count)d person has an open urgent alert",
        "%(count)d people have an open urgent alert",
        n,
    )
    return Count("urgent", n, text % {"count": n})


def people_with_high(week: DigestWeek) -> Count:
    n = week.people_with_open(Priority.HIGH)
    text = ngettext(
        "%(count)d person has an open high-priority alert",
        "%(count)d people have an open high-priority alert",
        n,
    )
    return Count("high", n, text % {"count": n})


def people_silent(week: DigestWeek) -> Count:
    n = week.silent()
    text = ngettext(
        "%(count)d person has not checked in for %(days)d days or more",
        "%(count)d people have not checked in for %(days)d days or more",
        n,
    )
    return Count("silent", n, text % {"count": n, "days": SILENT_DAYS})


def alerts_raised(week: DigestWeek) -> Count:
    n = week.alerts().filter(raised_at__gte=week.since, raised_at__lt=week.now).count()
    text = ngettext(
        "%(count)d new alert in the last 7 days", "%(count)d new alerts in the last 7 days", n
    )
    return Count("raised", n, text % {"count": n})


def alerts_acknowledged(week: DigestWeek) -> Count:
    n = week.alerts().filter(acknowledged_at__gte=week.since, acknowledged_at__lt=week.now).count()
    text = ngettext(
        "%(count)d alert acknowledged in the last 7 days",
        "%(count)d alerts acknowledged in the last 7 days",
        n,
    )
    return Count("acknowledged", n, text % {"count": n})


# The extension point: each line of the digest, in order.
COUNT_PROVIDERS: list[CountProvider] = [
    people_sharing,
    people_with_urgent,
    people_with_high,
    people_silent,
    alerts_raised,
    alerts_acknowledged,
]


def counts(week: DigestWeek) -> list[Count]:
    """Every provider's line, in the active language."""
    return [line for provider in COUNT_PROVIDERS if (line := provider(week)) is not None]


# The email -------------------------------------------------------------------------------------


def digest_message(staff: User, week: DigestWeek) -> EmailMessage:
    """The email, in the clinician's language: the counts, a link to the caseload and one
    to the staff page (to turn it off), and a one-click way out in the header."""
    language = mail.language_of(staff)
    stop = UNSUBSCRIBE.url(staff)
    with translation.override(language):
        subject = gettext(SUBJECT)
        lines = "\n".join(f"- {line.text}" for line in counts(week))
        body = (
            gettext("Hello,\n\nYour week in Waymark, in numbers:\n\n")
            + lines
            + "\n\n"
            + gettext(
                "See who, on your caseload:\n"
                "%(caseload)s\n\n"
                "This email holds no names and no clinical detail on purpose.\n\n"
                "To stop this weekly email, turn it off on your staff page:\n"
                "%(staff_page)s\n\n"
                "Waymark\n"
            )
            % {
                "caseload": settings.WAYMARK_SITE_URL + reverse("clinic:caseload"),
                "staff_page": settings.WAYMARK_SITE_URL + reverse("accounts:staff_home"),
            }
        )
    return mail.message(subject, body, [staff.email], language=language, unsubscribe=stop)


def send_digest(job: Job) -> str:
    """The job's handler: counts made now, sent once. Staff who no longer get digests
    (turned off, no address, no membership, nobody sharing), or a time long past: nothing."""
    staff = (
        User.objects.filter(public_id=job.payload.get("staff")).select_related("reminder").first()
    )
    if staff is None or not is_recipient(staff):
        return "skipped: not a recipient now"
    if timezone.now() > job.run_at + LATE_LIMIT:
        return "skipped: too late"
    week = DigestWeek(staff)
    if not week.sharing:
        return "skipped: nobody shares"
    message = digest_message(staff, week)
    with mail.connection_for_job() as connection:
        connection.send_messages([message])
    record(
        "digest.send",
        actor=None,
        detail=f"weekly digest, counts only, emailed to staff {staff.public_id}",
    )
    return "sent"


# Turning it off and on -------------------------------------------------------------------------


@transaction.atomic
def do_set_weekly_digest(
    staff: User, on: bool, request: HttpRequest | None = None, *, by_link: bool = False
) -> bool:
    """Turn the staff member's digest on or off; whether that changed anything. A change is
    audited as their own account's (about no person); doing it again changes nothing."""
    changed = User.objects.filter(pk=staff.pk).exclude(weekly_digest=on).update(weekly_digest=on)
    staff.weekly_digest = on
    if changed:
        how = "with the link in one" if by_link else "on the staff page"
        record(
            "staff.digest-on" if on else "staff.digest-off",
            actor=staff,
            request=request,
            detail=f"weekly digest email turned {'on' if on else 'off'} {how}",
        )
    return bool(changed)


UNSUBSCRIBE = EmailList(
    salt="waymark.clinic.digest.unsubscribe",
    url_name="clinic:digest-unsubscribe",
    is_on=lambda staff: staff.weekly_digest,
    turn_off=lambda staff, request: do_set_weekly_digest(staff, False, request, by_link=True),
)


def register_jobs() -> None:
    register(KIND, send_digest, at_most_once=True, max_attempts=3)
    register_tick(TICK, TICK_SECONDS, queue_digests)
