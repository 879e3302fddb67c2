"""Clinic actions: evaluating a person's alerts, acknowledging them, clinician scales, notes.

The rules are `waymark.clinical.alerts` (pure); this module loads the days they read (a bounded
window, whatever the length of the history), stores each new finding once, and emails the
consented clinicians about urgent ones with no clinical detail. Evaluation runs in `waymark
worker`, never in the person's request: each write that can change a finding (a check-in, a
completed check-up, an answered measure, a consent) queues one job per person
(`hooks.record_changed`), and the hourly `clinic.alerts` tick queues everyone's for findings
that come from time passing (missed check-ins, measures that expired unanswered). Who may see
or change anything is `waymark.access`'s decision; every staff change is audited.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from typing import Any

from django.db import transaction
from django.db.models import F, Min, Q, Window
from django.db.models.functions import RowNumber
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from waymark import access, mail
from waymark.accounts.models import Consent, Organization, User
from waymark.audit.log import record
from waymark.checkup.actions import stored_answers
from waymark.checkup.history import TRACKED
from waymark.checkup.models import CheckUp
from waymark.clinic.hooks import EVALUATE, evaluation_key
from waymark.clinic.models import PRIORITY_RANK, Alert, ClinicalNote, ClinicianScale, Priority
from waymark.clinical import alerts as rules
from waymark.clinical import scoring
from waymark.clinical.checkup import IncompleteCheckUpError, build_profile, crisis_reported
from waymark.clinical.profile import ProfileError, parse_profile
from waymark.clinical.risk import DIMENSIONS, assess
from waymark.jobs import enqueue, register, register_tick, requeue
from waymark.jobs.models import Job
from waymark.measures.models import MeasureRequest, MeasureResponse
from waymark.measures.schedule import MEASURES
from waymark.progress.record import load_recent, plan_start

TICK = "clinic.alerts"
NOTIFY_JOB = "clinic.notify"
TICK_SECONDS = 3600  # missed check-ins are counted in days: hourly is plenty
TICK_CHUNK = 500  # people queued per UPDATE by the tick


# Loading the record -------------------------------------------------------------------------


def _checkup(checkup: CheckUp) -> rules.CheckUp:
    answers = stored_answers(checkup)
    results: dict[str, scoring.Score] = {}
    opioid_gap: int | None = None
    risks: dict[str, str] = {}
    pregnant_and_using = False
    try:
        profile = parse_profile(build_profile(answers))
    except (IncompleteCheckUpError, ProfileError):
        profile = None
    if profile is not None:
        for instrument_id in TRACKED:
            found = profile.score(instrument_id)
            if found is not None:
                results[instrument_id] = found
        opioids = profile.use_of(rules.OPIOIDS)
        opioid_gap = opioids.last_use_days_ago if opioids is not None else None
        model = assess(profile)
        risks = {name: getattr(model, name).level for name in DIMENSIONS}
        pregnant_and_using = model.pregnant_and_using
    return rules.CheckUp(
        completed_on=timezone.localdate(checkup.completed_at or checkup.created_at),
        crisis_reported=crisis_reported(answers),
        results=results,
        opioid_last_use_days_ago=opioid_gap,
        risks=risks,
        pregnant_and_using=pregnant_and_using,
    )


def _crisis_q() -> Q:
    """Responses whose flags may hold a crisis flag of their measure (PHQ-9 item 9): a text
    match on the JSON list narrows the rows on any database; `rules.Measure.crisis` decides."""
    found = Q(pk__in=[])
    for measure in MEASURES:
        for flag in rules.crisis_flags(measure):
            found |= Q(instrument=measure, flags__icontains=f'"{flag}"')
    return found


def measures_of(person: User, since: date) -> tuple[rules.Measure, ...]:
    """The measures the person answered from ``since`` (local date) on, and those with a crisis
    flag from any time (few: each one is an urgent alert), in one query."""
    start = timezone.make_aware(datetime.combine(since, time.min))
    rows = MeasureResponse.objects.filter(
        Q(completed_at__gte=start) | _crisis_q(), person=person
    ).values_list("instrument", "completed_at", "flags", "subscales")
    return tuple(
        rules.Measure(
            instrument,
            timezone.localdate(completed_at),
            frozenset(str(flag) for flag in flags or ()),
            {k: v for k, v in (subscales or {}).items() if isinstance(v, int)},
        )
        for instrument, completed_at, flags, subscales in rows
    )


def asked_of(person: User, now: datetime) -> tuple[rules.Asked, ...]:
    """Each measure's latest `rules.MISSED_IN_A_ROW` requests that are over (answered, or
    expired unanswered by ``now``), in one query however many there were."""
    over = Q(answered_at__isnull=False) | Q(expires_at__lte=now)
    latest = (
        MeasureRequest.objects.filter(over, person=person)
        .annotate(
            place=Window(
                RowNumber(),
                partition_by=F("instrument"),
                order_by=(F("due_on").desc(), F("answered_at").desc(nulls_last=True)),
            )
        )
        .filter(place__lte=rules.MISSED_IN_A_ROW)
        .values_list("instrument", "due_on", "answered_at")
    )
    return tuple(
        rules.Asked(instrument, due_on, answered_at is not None)
        for instrument, due_on, answered_at in latest
    )


def _watching_since(**person: Any) -> date | None:
    started = Consent.objects.active().filter(**person).aggregate(first=Min("starts_at"))["first"]
    return timezone.localdate(started) if started is not None else None


def watching_since(person: User) -> date | None:
    """When the first consent that is active now began (a person who never checked in counts
    missed days from then); None when nobody is watching."""
    return _watching_since(person=person)


def person_record(
    person: User, today: date | None = None, watching: date | None = None
) -> rules.Record:
    """What the alert rules read about ``person``: the days of the rules' window
    (`rules.WINDOW_DAYS`) and what they need from before it, in the same number of queries
    and with the same number of days after a month of check-ins or after years of them; the
    same for measures (`measures_of`, `asked_of`). ``watching``: `watching_since`, when the
    caller has it already."""
    today = today or timezone.localdate()
    since = rules.window_start(today)
    recent = load_recent(person.pk, since)
    approach, started = None, None
    if recent.versions:
        approach = recent.versions[0].content.get("approach")
        started = plan_start(recent.versions)
    return rules.Record(
        today=today,
        days=recent.days,
        checkups=tuple(_checkup(c) for c in recent.completed),
        approach=approach,
        plan_start=started,
        targets=recent.targets,
        watching_since=watching if watching is not None else watching_since(person),
        since=recent.since,
        last_checkin_before=recent.last_checkin_before,
        last_opioid_before=recent.last_opioid_before,
        measures=measures_of(person, since),
        asked=asked_of(person, timezone.now()),
    )


# Evaluating ---------------------------------------------------------------------------------


def evaluate(person: User, today: date | None = None) -> list[Alert]:
    """Raise the person's new findings (each once) and email urgent ones; returns the alerts
    raised now. Nobody is watching a person with no active consent, so nothing is raised.
    Safe to run twice, or at the same time as itself: an alert is unique per person and key."""
    watching = watching_since(person)
    if watching is None:
        return []
    return _raise(person, person_record(person, today, watching))


def _raise(person: User, record_: rules.Record) -> list[Alert]:
    found = rules.evaluate(record_)
    _resolve_ended(person, record_, found)
    if not found:
        return []
    known = set(
        Alert.objects.filter(person=person, dedupe_key__in=[a.key for a in found]).values_list(
            "dedupe_key", flat=True
        )
    )
    raised: list[Alert] = []
    with transaction.atomic():
        for finding in found:
            if finding.key in known:
                continue
            priority = Priority(finding.priority.id)
            alert, created = Alert.objects.get_or_create(
                person=person,
                dedupe_key=finding.key,
                defaults={
                    "rule": finding.id,
                    "priority": priority,
                    "rank": PRIORITY_RANK[priority],
                    "evidence_on": finding.evidence,
                    "params": dict(finding.message.params),
                },
            )
            if created:
                raised.append(alert)
                record(
                    "alert.raise",
                    actor=None,
                    subject=person,
                    detail="an alert for the clinicians you share with",
                )
    for alert in raised:
        if alert.priority == Priority.URGENT:
            # Sent by the worker, not in the person's request: a slow mail server never
            # holds up their check-in. The dedupe key makes one email job per alert.
            enqueue(
                NOTIFY_JOB,
                f"{NOTIFY_JOB}:{alert.public_id}",
                payload={"alert": str(alert.public_id)},
            )
    return raised


def _resolve_ended(person: User, record_: rules.Record, found: list[rules.Alert]) -> int:
    """Open alerts whose cause has ended end by themselves, in one UPDATE: a missed check-in
    with the next check-in after its evidence, and a state that evaluation no longer finds
    (`rules.ended`: measures missed, then one answered). One acknowledged already is left."""
    ended = Q(rule__in=rules.ended(found))
    last = record_.last_checkin
    if last is not None:
        ended |= Q(rule=rules.NO_CHECKIN.id, evidence_on__lt=last)
    return (
        Alert.objects.filter(person=person, acknowledged_at__isnull=True, resolved_at__isnull=True)
        .filter(ended)
        .update(resolved_at=timezone.now())
    )


def _evaluate_job(job: Job) -> str:
    """The worker's job for one person (`hooks.record_changed`). At least once: a failure is
    retried, and a run that overlaps a write runs again (`jobs.requeue`). A person nobody
    watches costs one query."""
    reference = job.payload.get("person")
    watching = _watching_since(person__public_id=reference)
    if watching is None:
        return "skipped: nobody watching"
    person = User.objects.filter(public_id=reference).first()
    if person is None:
        return "skipped: no such person"
    _raise(person, person_record(person, watching=watching))
    return "evaluated"


def evaluate_everyone() -> int:
    """The hourly tick, for what time alone changes (missed check-ins and measures): queue the
    evaluation of everyone with an active consent, a chunk of people per UPDATE, rather than
    evaluate them here one after another. Each is then its own at-least-once job — retried
    alone if it fails, shared among all the workers, and merged with any queued by a write —
    and the tick stays short. How many people were queued."""
    people = list(
        Consent.objects.active()
        .order_by("person__public_id")
        .values_list("person__public_id", flat=True)
        .distinct()
    )
    for first in range(0, len(people), TICK_CHUNK):
        chunk = [str(reference) for reference in people[first : first + TICK_CHUNK]]
        requeue(EVALUATE, {evaluation_key(r): {"person": r} for r in chunk})
    return len(people)


def register_jobs() -> None:
    register(EVALUATE, _evaluate_job)
    register_tick(TICK, TICK_SECONDS, evaluate_everyone)
    register(NOTIFY_JOB, _notify_job, at_most_once=True)


def _notify_job(job: Job) -> str:
    alert = (
        Alert.objects.filter(public_id=job.payload.get("alert")).select_related("person").first()
    )
    if alert is None:
        return "skipped: no such alert"
    return f"sent {notify(alert)}"


# Emails -------------------------------------------------------------------------------------

NOTIFY_SUBJECT = gettext_noop("Waymark: a person in your caseload needs attention")
NOTIFY_BODY = gettext_noop(
    "A person in your caseload needs attention. Sign in to Waymark to see who and why.\n\n"
    "This email holds no clinical detail on purpose."
)


def notify(alert: Alert) -> int:
    """Email the clinicians who may see this alert, once per alert (the conditional update
    claims it, so two workers never both send). No clinical detail, no name, no id."""
    claimed = Alert.objects.filter(pk=alert.pk, notified_at__isnull=True).update(
        notified_at=timezone.now()
    )
    if not claimed:
        return 0
    rule = rules.RULES_BY_ID.get(alert.rule)
    scope = rule.scope if rule is not None else None
    sent = 0
    for clinician in access.staff_who_can_see(alert.person, scope):
        if not clinician.email:
            continue
        language = mail.language_of(clinician)
        with translation.override(language):
            subject, body = gettext(NOTIFY_SUBJECT), gettext(NOTIFY_BODY)
        message = mail.message(subject, body, [clinician.email], language=language)
        sent += message.send(fail_silently=True)
    record(
        "alert.notify",
        actor=None,
        subject=alert.person,
        detail="an email to your clinicians, with no details, asking them to sign in",
    )
    return sent


# What a viewer may see of the clinic's own rows ---------------------------------------------


def shared_organizations(viewer: Any, person: User) -> list[int]:
    """The programs through which ``viewer`` sees ``person`` now (ids)."""
    return list(
        access.active_consents_for(viewer)
        .filter(person=person)
        .order_by()
        .values_list("organization_id", flat=True)
        .distinct()
    )


def visible_alerts(alerts: Iterable[Alert], scopes: Iterable[str]) -> list[Alert]:
    """Alerts whose evidence is of a kind the consent shares."""
    shared = set(scopes)
    return [
        alert
        for alert in alerts
        if (rule := rules.RULES_BY_ID.get(alert.rule)) is not None and rule.scope in shared
    ]


def alert_message(alert: Alert) -> str:
    """The rule's sentence for the clinician, translated, with the alert's numbers."""
    rule = rules.RULES_BY_ID.get(alert.rule)
    if rule is None:
        return ""
    try:
        return gettext(rule.message) % alert.params if alert.params else gettext(rule.message)
    except (KeyError, TypeError, ValueError):
        return gettext(rule.title)


# Staff changes ------------------------------------------------------------------------------


class NotAllowedError(PermissionError):
    pass


def _organization_for(viewer: Any, person: User) -> Organization:
    organizations = shared_organizations(viewer, person)
    if not organizations:
        raise NotAllowedError("no active consent")
    return Organization.objects.get(pk=organizations[0])


@transaction.atomic
def do_acknowledge(
    alert: Alert, viewer: User, note: str, request: HttpRequest | None = None
) -> Alert:
    """Mark the alert seen, with the clinician's note (encrypted). Acknowledging twice keeps
    the first acknowledgement."""
    locked = Alert.objects.select_for_update().get(pk=alert.pk)
    if locked.acknowledged_at is not None:
        return locked
    locked.acknowledged_at = timezone.now()
    locked.acknowledged_by = viewer
    locked.acknowledged_in = _organization_for(viewer, alert.person)
    locked.ack_note = note
    locked.save(update_fields=("acknowledged_at", "acknowledged_by", "acknowledged_in", "ack_note"))
    record(
        "alert.acknowledge",
        actor=viewer,
        subject=alert.person,
        request=request,
        detail=str(alert.public_id),
    )
    return locked


@transaction.atomic
def do_record_scale(
    viewer: User,
    person: User,
    instrument_id: str,
    answers: Sequence[int | None],
    request: HttpRequest | None = None,
) -> ClinicianScale:
    """Score and store a clinician-rated scale (raises scoring.ScoringError on bad answers)."""
    instrument = scoring.get_instrument(instrument_id)
    if not instrument.clinician_only:
        raise scoring.ScoringError(f"{instrument_id} is not a clinician-rated scale")
    result = scoring.score(instrument_id, answers)
    scale = ClinicianScale.objects.create(
        person=person,
        organization=_organization_for(viewer, person),
        instrument=instrument_id,
        version=instrument.version,
        answers=list(answers),
        total=result.total,
        band=result.band.id,
        entered_by=viewer,
    )
    record("scale.record", actor=viewer, subject=person, request=request, detail=instrument_id)
    return scale


@transaction.atomic
def do_add_note(
    viewer: User,
    person: User,
    text: str,
    amends: ClinicalNote | None = None,
    request: HttpRequest | None = None,
) -> ClinicalNote:
    note = ClinicalNote.objects.create(
        person=person,
        organization=_organization_for(viewer, person),
        author=viewer,
        text=text,
        amends=amends,
    )
    record("change.note", actor=viewer, subject=person, request=request, detail=str(note.public_id))
    return note


def notes_for(viewer: Any, person: User) -> list[ClinicalNote]:
    """The clinical notes of the programs through which ``viewer`` sees ``person``, only when
    the consent shares notes (counselling notes need their own consent, FACTS.md §10)."""
    if not access.can_see(viewer, person, "notes") or viewer.pk == person.pk:
        return []
    organizations = shared_organizations(viewer, person)
    return list(
        ClinicalNote.objects.filter(person=person, organization_id__in=organizations)
        .select_related("author", "amends")
        .order_by("-created_at", "-pk")
    )


def scales_for(viewer: Any, person: User) -> list[ClinicianScale]:
    organizations = shared_organizations(viewer, person)
    return list(
        ClinicianScale.objects.filter(person=person, organization_id__in=organizations)
        .select_related("entered_by")
        .order_by("-at", "-pk")
    )


def open_alerts_q() -> Q:
    return Q(acknowledged_at__isnull=True, resolved_at__isnull=True)
