"""What changes measures: schedules (by a program lead, or a clinician for one person),
answers (by link or in the app) and the person's email choice. Each runs in one transaction;
every change staff make is audited (`waymark.audit.log.record`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from waymark import access
from waymark.accounts.models import Consent, Organization, Scope, User
from waymark.audit.log import record
from waymark.clinic.hooks import record_changed
from waymark.clinical import scoring
from waymark.measures import schedule
from waymark.measures.models import EmailOptOut, MeasureRequest, MeasureResponse, Schedule, Via


class NotOpenError(Exception):
    """The measure was answered already, expired, or sharing with its program ended."""


# Schedules -----------------------------------------------------------------------------------


def program_schedule(program: Organization) -> dict[str, Schedule]:
    """The program's own rows, by measure (stopped ones too)."""
    rows = Schedule.objects.filter(program=program, person__isnull=True)
    return {row.instrument: row for row in rows}


def personal_schedule(program_ids: list[int], person: User) -> dict[tuple[int, str], Schedule]:
    rows = Schedule.objects.filter(program_id__in=program_ids, person=person)
    return {(row.program_id, row.instrument): row for row in rows}


def _describe(changes: Mapping[str, int | None]) -> str:
    return "; ".join(
        f"{measure} {'off' if every is None else f'every {every} days'}"
        for measure, every in changes.items()
    )


@transaction.atomic
def do_set_program_schedule(
    program: Organization,
    every_days: Mapping[str, int | None],
    actor: User,
    request: HttpRequest | None = None,
) -> list[str]:
    """Set the program's interval for each measure named (None: not sent). Measures not named
    are left as they are. Returns the measures that changed (audited once, together)."""
    now = timezone.now()
    current = program_schedule(program)
    changed: dict[str, int | None] = {}
    for measure, every in every_days.items():
        if every is not None:
            schedule.check(measure, every)
        elif measure not in schedule.MEASURES:
            raise schedule.ScheduleError(f"{measure!r} cannot be scheduled")
        row = current.get(measure)
        if row is None and every is None:
            continue
        if (
            row is not None
            and row.active == (every is not None)
            and (every is None or row.every_days == every)
        ):
            continue
        if row is None:
            row = Schedule(program=program, instrument=measure)
        row.active = every is not None
        row.every_days = every if every is not None else row.every_days
        row.set_by, row.set_at = actor, now
        row.save()
        changed[measure] = every
    if changed:
        record(
            "measures.program-schedule",
            actor=actor,
            request=request,
            detail=f"program {program.public_id}: {_describe(changed)}",
        )
    return list(changed)


PROGRAM = "program"  # a personal choice that follows the program's schedule
OFF = 0  # a personal choice that stops a measure for the person


@transaction.atomic
def do_set_personal_schedule(
    program: Organization,
    person: User,
    choices: Mapping[str, int | None],
    actor: User,
    request: HttpRequest | None = None,
) -> list[str]:
    """For each measure named: None follows the program, OFF (0) stops it for this person,
    a number of days replaces the program's interval. Audited in the person's log."""
    now = timezone.now()
    current = personal_schedule([program.pk], person)
    changed: dict[str, str] = {}
    for measure, every in choices.items():
        if every:
            schedule.check(measure, every)
        elif measure not in schedule.MEASURES:
            raise schedule.ScheduleError(f"{measure!r} cannot be scheduled")
        row = current.get((program.pk, measure))
        if every is None:
            if row is not None:
                row.delete()
                changed[measure] = "as the program"
            continue
        active = every != OFF
        if row is not None and row.active == active and (not active or row.every_days == every):
            continue
        if row is None:
            row = Schedule(
                program=program, person=person, instrument=measure,
                every_days=schedule.MIN_EVERY_DAYS,
            )  # fmt: skip
        row.active = active
        if active:
            row.every_days = every
        row.set_by, row.set_at = actor, now
        row.save()
        changed[measure] = f"every {every} days" if active else "off"
    if changed:
        detail = "; ".join(f"{m} {what}" for m, what in changed.items())
        record(
            "measures.personal-schedule",
            actor=actor,
            subject=person,
            request=request,
            detail=f"program {program.public_id}: {detail}",
        )
    return list(changed)


def scheduling_program(viewer: Any, person: User) -> Organization | None:
    """The program a clinician sets `person`'s measures in: the first (by name) of those
    through which they see the person's check-ups now; None when there is none."""
    ids = (
        access.active_consents_for(viewer)
        .sharing(Scope.CHECKUPS)
        .filter(person=person)
        .values("organization_id")
    )
    return Organization.objects.filter(pk__in=ids).order_by("name").first()


# The person's measures -----------------------------------------------------------------------


def sharing_programs(person: User, at: datetime | None = None) -> QuerySet[Consent]:
    """The person's consents in force that share check-ups (what measures need)."""
    return Consent.objects.active(at).sharing(Scope.CHECKUPS).filter(person=person)


def open_requests(person: User, now: datetime | None = None) -> QuerySet[MeasureRequest]:
    """The measures waiting for the person: unanswered, unexpired, for a program they still
    share check-ups with. The oldest first."""
    now = now or timezone.now()
    programs = sharing_programs(person, now).values("organization_id")
    return (
        MeasureRequest.objects.filter(
            person=person,
            answered_at__isnull=True,
            expires_at__gt=now,
            program_id__in=programs,
        )
        .select_related("program")
        .order_by("due_on", "instrument")
    )


@transaction.atomic
def do_answer(
    request: MeasureRequest,
    answers: Sequence[int | None],
    via: Via,
    *,
    sex: Any = None,
    now: datetime | None = None,
) -> MeasureResponse:
    """Store the answers of an open request, once. Raises `scoring.ScoringError` for answers
    that cannot be scored and NotOpenError when it is no longer open (answered meanwhile,
    by the link or in the app; expired; sharing ended): nothing is stored then."""
    now = now or timezone.now()
    score = scoring.score(request.instrument, answers, sex=sex or None)
    if not sharing_programs(request.person, now).filter(organization=request.program).exists():
        raise NotOpenError("sharing with the program has ended")
    claimed = MeasureRequest.objects.filter(
        pk=request.pk, answered_at__isnull=True, expires_at__gt=now
    ).update(answered_at=now)
    if claimed != 1:
        raise NotOpenError("answered already, or expired")
    request.answered_at = now
    record_changed(request.person)  # the caseload alerts read answers (waymark.clinic.hooks)
    return MeasureResponse.objects.create(
        person=request.person,
        program=request.program,
        request=request,
        instrument=request.instrument,
        version=score.instrument.version,
        answers=list(answers),
        total=score.total_or_none,
        band=score.band_or_none.id if score.band_or_none else "",
        subscales=dict(score.subscales),
        flags=list(score.flags),
        completed_at=now,
        via=via,
    )


def crisis_flags(instrument: scoring.Instrument, flags: list[str]) -> list[str]:
    """The flags among ``flags`` that show crisis help at once (PHQ-9 item 9)."""
    crisis = {rule.id for rule in instrument.flag_rules if rule.crisis}
    return [flag for flag in flags if flag in crisis]


def crisis_in_answers(instrument: scoring.Instrument, data: Mapping[str, Any]) -> bool:
    """Whether answers as posted (option indices by item id, not yet checked) raise a crisis
    flag: so help shows at once even when other answers still need another look."""
    for rule in instrument.flag_rules:
        if not rule.crisis or not rule.item:
            continue
        item = instrument.items[instrument.item_index(rule.item)]
        try:
            option = int(data.get(rule.item, ""))
        except (TypeError, ValueError):
            continue
        if 0 <= option < len(item.options) and rule.raised_by(item.options[option].points):
            return True
    return False


# Email choice --------------------------------------------------------------------------------


def emails_on(person: User) -> bool:
    return not EmailOptOut.objects.filter(person=person).exists()


@transaction.atomic
def do_turn_emails_off(person: User, request: HttpRequest | None = None, *, by_link: bool) -> bool:
    """Stop measure emails for the person (they still wait in the app). Whether they were on;
    from the link in an email, the first time goes in their access log."""
    _row, created = EmailOptOut.objects.get_or_create(person=person)
    if created and by_link:
        record(
            "measures.unsubscribe",
            actor=person,
            subject=person,
            request=request,
            detail="measure emails turned off with the link in one of them",
        )
    return created


@transaction.atomic
def do_turn_emails_on(person: User) -> bool:
    deleted, _ = EmailOptOut.objects.filter(person=person).delete()
    return bool(deleted)
