"""Daily check-in reminders by email or as a notification on the phone, sent by `waymark worker`.

A tick (every few minutes, in one worker at a time) queues each person's reminder for today
and tomorrow, in their own time zone, as a job whose dedupe key is the person and their local
date: the same day's reminder can never be queued twice, whatever the number of workers or
ticks. The job is *at most once*: it is marked done when a worker claims it, before the email
goes out, so a crash means a missed reminder and never a second one (docs/architecture.md).

Time zones: the reminder is at the chosen wall-clock time on each chosen local day. On the day
clocks go forward, a time inside the skipped hour is sent that many minutes after midnight as
if the clocks had not changed (02:30 becomes 03:30); on the day they go back, a time that
happens twice is sent the first time (PEP 495, fold=0).

Privacy: the email says only that it is a reminder from Waymark, with a link to the check-in
page. Nothing about alcohol, drugs or what a person records is in the subject or the body.

Channels: the person chooses email, a notification on their phone (Web Push, push.py), or both
(Reminder.channel); one job sends the day's reminder by each, so the dedupe key and the
at-most-once rule hold for both together. A push needs no email address: a push-only reminder
is queued while the person has a phone with notifications on and the site a VAPID key.

Confirmation: no reminder is queued or sent until the person has proved the address is theirs.
Saving reminders with an address not yet confirmed sends one confirmation email, directly in
the request (send_mail: the person is waiting for it, and a failure can be shown at once), with
a link carrying a signed token (TimestampSigner, its own salt, valid CONFIRM_MAX_AGE) bound to
the person's public id and the exact address; nothing secret is stored. Opening it, signed in
as that person while the address is still the account's, stores the address in
Reminder.email_confirmed. Sending the link again is limited to RESEND_LIMIT an hour.

Unsubscribing: every reminder carries List-Unsubscribe and List-Unsubscribe-Post (RFC 8058)
with a link signed for the person (`UNSUBSCRIBE`, its own salt: it can only turn reminders
off). A mail client's one-click POST to it turns that person's reminders off, with no session
and no CSRF token; a GET only shows a page with a button (`waymark.unsubscribe`). The same
link ends the email's body.
"""

from __future__ import annotations

import logging
import smtplib
import zoneinfo
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import cache

from django.conf import settings
from django.core import signing
from django.core.cache import caches
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from waymark import mail
from waymark.accounts.models import User
from waymark.audit.log import record
from waymark.jobs import Retry, enqueue, register, register_tick
from waymark.jobs.models import Job
from waymark.tracking import push
from waymark.tracking.models import Channel, CheckIn, PushSubscription, Reminder
from waymark.unsubscribe import EmailList

logger = logging.getLogger(__name__)

KIND = "tracking.reminder"
TICK = "tracking.queue-reminders"
TICK_SECONDS = 300
# A reminder that could only go out this late is dropped: an evening reminder arriving at
# night, after a worker was down, helps nobody.
LATE_LIMIT = timedelta(hours=2)
WEEKDAYS = tuple(range(7))  # 0 = Monday … 6 = Sunday, as date.weekday()
CONFIRM_SALT = "waymark.tracking.reminders.confirm-email"
CONFIRM_MAX_AGE = timedelta(days=3)
RESEND_LIMIT = 3  # confirmation emails a person can have sent in one hour
# Translated unless WAYMARK_REMINDER_SUBJECT names another subject (then sent as written).
DEFAULT_SUBJECT = gettext_noop("A reminder from Waymark")


@cache
def time_zones() -> tuple[str, ...]:
    """Every IANA time zone name this system knows, sorted."""
    return tuple(sorted(zoneinfo.available_timezones()))


def is_time_zone(name: str) -> bool:
    return name in time_zones()


def zone_of(person: User) -> str:
    """The person's time zone, for anything sent to them (a measure's email, a clinician's
    digest): their reminders' one when they set any (the same record that gives an email its
    language, `mail.language_of`), else the site's TIME_ZONE."""
    reminder: Reminder | None = getattr(person, "reminder", None)
    if reminder is not None and is_time_zone(reminder.time_zone):
        return reminder.time_zone
    return str(settings.TIME_ZONE)


def send_time(day: date, at: time, zone_name: str) -> datetime:
    """When (in UTC) a reminder for the local ``day`` at wall-clock ``at`` goes out."""
    local = datetime.combine(day, at.replace(tzinfo=None, fold=0), zoneinfo.ZoneInfo(zone_name))
    return local.astimezone(UTC)


def dedupe_key(person: User, day: date) -> str:
    return f"reminder:{person.public_id}:{day.isoformat()}"


def _pending(person: User) -> QuerySet[Job]:
    return Job.objects.filter(
        kind=KIND,
        dedupe_key__startswith=f"reminder:{person.public_id}:",
        done_at=None,
        claimed_by=None,
    )


def queue_for(reminder: Reminder, now: datetime | None = None) -> int:
    """Queue the reminder's jobs for its local today and tomorrow; how many were new."""
    now = now or timezone.now()
    if not reminder.enabled or not reminder.owner.is_active or not is_reachable(reminder):
        return 0
    if not is_time_zone(reminder.time_zone):
        logger.warning("reminder %s has an unknown time zone; not queued", reminder.pk)
        return 0
    local_today = now.astimezone(zoneinfo.ZoneInfo(reminder.time_zone)).date()
    queued = 0
    for day in (local_today, local_today + timedelta(days=1)):
        if day.weekday() not in reminder.weekdays:
            continue
        at = send_time(day, reminder.time, reminder.time_zone)
        if at < now - LATE_LIMIT:
            continue
        payload = {"person": str(reminder.owner.public_id), "day": day.isoformat()}
        queued += enqueue(KIND, dedupe_key(reminder.owner, day), run_at=at, payload=payload)
    return queued


def queue_due_reminders(now: datetime | None = None) -> int:
    """The tick: queue every enabled reminder's next jobs. Safe to run again and again."""
    by_email = Q(channel__in=(Channel.EMAIL, Channel.BOTH), email_confirmed=F("owner__email")) & ~Q(
        owner__email=""
    )
    reachable = by_email
    if push.is_configured():
        phones = PushSubscription.objects.filter(owner=OuterRef("owner"))
        reachable |= Q(Exists(phones), channel__in=(Channel.PUSH, Channel.BOTH))
    reminders = Reminder.objects.filter(
        reachable, enabled=True, owner__is_active=True
    ).select_related("owner")
    return sum(queue_for(reminder, now) for reminder in reminders.iterator())


def _language(reminder: Reminder | None) -> str:
    """The person's language: the one their reminders were set in, else the site's."""
    return mail.language_or_default(reminder.language if reminder else None)


def reminder_message(person: User, reminder: Reminder | None = None) -> EmailMessage:
    """The email itself: discreet, in the person's language, with a link to the check-in and a
    one-click way out (RFC 8058)."""
    language = _language(reminder)
    stop = UNSUBSCRIBE.url(person)
    with translation.override(language):
        subject = gettext(settings.WAYMARK_REMINDER_SUBJECT or DEFAULT_SUBJECT)
        check_in = settings.WAYMARK_SITE_URL + reverse("tracking:today")
        change = settings.WAYMARK_SITE_URL + reverse("tracking:reminders")
        body = gettext(
            "Hello,\n\n"
            "This is the daily reminder you asked for. It takes about a minute:\n"
            "%(check_in)s\n\n"
            "To change the time or stop these emails:\n"
            "%(change)s\n\n"
            "Waymark\n"
        ) % {"check_in": check_in, "change": change}
        body += "\n" + gettext("To stop these emails at once, without signing in:\n%(stop)s\n") % {
            "stop": stop
        }
    return mail.message(subject, body, [person.email], language=language, unsubscribe=stop)


def send_reminder(job: Job) -> str:
    """The job's handler. Reminders turned off, a day no longer chosen, a day already checked
    in, or a send time long past: nothing is sent. Otherwise the reminder goes by each channel
    the person chose that can reach them."""
    day = date.fromisoformat(job.payload["day"])
    person = (
        User.objects.filter(public_id=job.payload["person"], is_active=True)
        .select_related("reminder")
        .first()
    )
    reminder: Reminder | None = getattr(person, "reminder", None) if person else None
    if person is None or reminder is None or not reminder.enabled:
        return "skipped: reminders are off"
    by_email = reminder.by_email and bool(person.email)
    by_push = reminder.by_push and push.is_configured()
    if not by_email and not by_push:
        return "skipped: reminders are off"
    if by_email and not is_confirmed(reminder):
        by_email = False
        if not by_push:
            return "skipped: email address not confirmed"
    if day.weekday() not in reminder.weekdays:
        return "skipped: day no longer chosen"
    if timezone.now() > job.run_at + LATE_LIMIT:
        return "skipped: too late"
    if CheckIn.objects.filter(owner=person, day=day).exists():
        return "skipped: already checked in"
    if not by_email and not push.has_phones(person):
        return "skipped: no phone has notifications on"
    return _deliver(person, reminder, by_email=by_email, by_push=by_push)


def _send_email(person: User, reminder: Reminder) -> None:
    """Raises Retry when the mail server cannot be reached: then nothing went out."""
    message = reminder_message(person, reminder)
    with mail.connection_for_job() as connection:
        connection.send_messages([message])


def _deliver(person: User, reminder: Reminder, *, by_email: bool, by_push: bool) -> str:
    """Email first, then each phone. The job is tried again (Retry) only when nothing went out
    by any channel, a server could not be reached, and no push may have arrived after all."""
    sent: list[str] = []
    unreachable: list[str] = []  # nothing went out: safe to try again
    ended: list[str] = []  # nothing went out, and trying again would change nothing
    refused: list[str] = []  # a push service refused it, or may have taken it: not again
    if by_email:
        try:
            _send_email(person, reminder)
            sent.append("email")
        except Retry as error:
            if not by_push:
                raise
            unreachable.append(str(error))
    if by_push:
        deliveries = push.notify(person, _language(reminder))
        if push.Delivery.SENT in deliveries:
            sent.append("push")
        elif not deliveries:
            ended.append("no phone has notifications on")
        elif all(d is push.Delivery.UNREACHABLE for d in deliveries):
            unreachable.append("cannot reach the push service")
        elif all(d is push.Delivery.GONE for d in deliveries):
            ended.append("every phone's subscription has ended")
        else:
            refused.append("the push service did not take it")
    if not sent:
        if unreachable and not refused:
            raise Retry("; ".join(unreachable + ended))
        return "not sent: " + "; ".join(refused + ended + unreachable)
    wanted = (["email"] if by_email else []) + (["push"] if by_push else [])
    return "sent" if sent == wanted else f"sent by {sent[0]} only"


# --- confirming the address -------------------------------------------------------------------


def is_confirmed(reminder: Reminder) -> bool:
    """True when the account's current address is the one the person confirmed."""
    email = reminder.owner.email
    return bool(email) and reminder.email_confirmed == email


def is_reachable(reminder: Reminder) -> bool:
    """True when a reminder could go out by a channel the person chose: a confirmed address
    for email, a phone with notifications on (and the site's VAPID key) for push."""
    if reminder.by_email and is_confirmed(reminder):
        return True
    return reminder.by_push and push.is_configured() and push.has_phones(reminder.owner)


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=CONFIRM_SALT)


def confirmation_token(person: User, email: str) -> str:
    return _signer().sign_object({"person": str(person.public_id), "email": email})


class ConfirmationError(Exception):
    """Why a confirmation link was refused, said to the person (translated)."""


def confirmation_message(person: User, reminder: Reminder) -> EmailMessage:
    """The confirmation email: as discreet as the reminders, with the link."""
    language = _language(reminder)
    with translation.override(language):
        subject = gettext("Confirm your email for Waymark")
        link = settings.WAYMARK_SITE_URL + reverse(
            "tracking:confirm-reminder-email",
            kwargs={"token": confirmation_token(person, person.email)},
        )
        body = gettext(
            "Hello,\n\n"
            "Someone asked Waymark to send daily reminders to this address. If it was you,\n"
            "open this link within 3 days to confirm it:\n"
            "%(link)s\n\n"
            "If it was not you, ignore this email: nothing more will be sent.\n\n"
            "Waymark\n"
        ) % {"link": link}
    return mail.message(subject, body, [person.email], language=language)


def _sent_key(person: User) -> str:
    hour = int(timezone.now().timestamp()) // 3600
    return f"reminder-confirm:{person.public_id}:{hour}"


def can_send_confirmation(person: User) -> bool:
    return int(caches["default"].get(_sent_key(person), 0)) < RESEND_LIMIT


def send_confirmation(person: User, reminder: Reminder) -> bool:
    """Email the confirmation link, at most RESEND_LIMIT an hour; whether it went out."""
    if not person.email or is_confirmed(reminder) or not can_send_confirmation(person):
        return False
    key = _sent_key(person)
    caches["default"].add(key, 0, timeout=3600)
    caches["default"].incr(key)
    message = confirmation_message(person, reminder)
    try:
        message.send()
    except (OSError, smtplib.SMTPException):
        logger.warning("confirmation email for reminder %s could not be sent", reminder.pk)
        return False
    return True


@transaction.atomic
def do_confirm_email(person: User, token: str) -> Reminder:
    """Confirm the address the token names. Raises ConfirmationError, confirming nothing, for
    an expired or altered link, one for another person, or one for an address since changed."""
    try:
        data = _signer().unsign_object(token, max_age=CONFIRM_MAX_AGE)
    except signing.SignatureExpired as error:
        raise ConfirmationError(
            gettext("This link has expired. Send yourself a new one from the reminders page.")
        ) from error
    except signing.BadSignature as error:
        raise ConfirmationError(
            gettext("This link is not valid. Please use the latest link we emailed you.")
        ) from error
    if not isinstance(data, dict) or data.get("person") != str(person.public_id):
        raise ConfirmationError(
            gettext("This link was sent to another account. Sign in as that account to use it.")
        )
    reminder = Reminder.objects.select_for_update().filter(owner=person).first()
    if reminder is None or not person.email or data.get("email") != person.email:
        raise ConfirmationError(
            gettext(
                "This link is for an email address that is no longer the one on your account. "
                "Use the link sent to your current address."
            )
        )
    reminder.email_confirmed = person.email
    reminder.save(update_fields=["email_confirmed", "updated_at"])
    reminder.owner = person
    _pending(person).delete()
    queue_for(reminder)
    return reminder


# --- the reminder page's actions ---------------------------------------------------------------


@transaction.atomic
def do_save_reminder(
    person: User,
    at: time,
    time_zone: str,
    weekdays: Sequence[int],
    email: str,
    channel: str = Channel.EMAIL,
) -> Reminder:
    """Turn reminders on (or change them). Jobs queued under the old settings are dropped and
    the new ones queued at once. A push-only reminder may come without an address: the
    account's stays as it was."""
    if not is_time_zone(time_zone):
        raise ValueError(f"unknown time zone {time_zone!r}")
    if not weekdays or set(weekdays) - set(WEEKDAYS):
        raise ValueError("weekdays must be 0 (Monday) to 6 (Sunday), at least one")
    channel = Channel(channel)
    if channel != Channel.PUSH and not email:
        raise ValueError("reminders by email need an email address")
    if email and email != person.email:
        person.email = email
        person.save(update_fields=["email"])
    reminder, _created = Reminder.objects.update_or_create(
        owner=person,
        defaults={
            "enabled": True,
            "time": at.replace(second=0, microsecond=0, tzinfo=None),
            "time_zone": time_zone,
            "weekdays": sorted(set(weekdays)),
            "language": translation.get_language() or "",
            "channel": channel,
        },
    )
    _pending(person).delete()
    queue_for(reminder)
    return reminder


@transaction.atomic
def do_add_phone(person: User, subscription: push.Subscription, user_agent: str = "") -> bool:
    """Notifications on for a phone (push.save_subscription); a push reminder that had no phone
    to go to is queued at once. Whether the phone is new."""
    new = push.save_subscription(person, subscription, user_agent)
    reminder = Reminder.objects.filter(owner=person).select_related("owner").first()
    if reminder is not None:
        queue_for(reminder)
    return new


@transaction.atomic
def do_remove_phone(person: User, endpoint: str) -> bool:
    """Notifications off for a phone. A push-only reminder left with no phone stays on: it is
    sent again once a phone is turned on, and the page says so meanwhile."""
    return push.forget_subscription(person, endpoint)


@transaction.atomic
def do_turn_off_reminders(person: User) -> bool:
    """Stop reminders at once: the settings are kept for next time, queued emails dropped.
    Whether they were on."""
    was_on = Reminder.objects.filter(owner=person, enabled=True).update(enabled=False)
    _pending(person).delete()
    return bool(was_on)


# --- unsubscribing from the email (RFC 8058) ---------------------------------------------------


def reminders_on(person: User) -> bool:
    return Reminder.objects.filter(owner=person, enabled=True).exists()


@transaction.atomic
def do_unsubscribe(person: User, request: HttpRequest | None = None) -> bool:
    """Turn the person's reminders off from the link in a reminder: nothing else changes, and
    doing it again changes nothing (one entry in their access log, the first time)."""
    was_on = do_turn_off_reminders(person)
    if was_on:
        record(
            "reminder.unsubscribe",
            actor=person,
            subject=person,
            request=request,
            detail="reminder emails turned off with the link in a reminder email",
        )
    return was_on


UNSUBSCRIBE = EmailList(
    salt="waymark.tracking.reminders.unsubscribe",
    url_name="tracking:unsubscribe-reminders",
    is_on=reminders_on,
    turn_off=do_unsubscribe,
)


def register_jobs() -> None:
    register(KIND, send_reminder, at_most_once=True, max_attempts=3)
    register_tick(TICK, TICK_SECONDS, queue_due_reminders)
