"""Measures: the JSON twins of /measures/ (the person's waiting measures, answered in the app)
and of the staff schedules and results (a program lead's schedule for the program; a
clinician's for one person, and that person's results over time).

The same rules as the pages: a person sees and answers only their own waiting measures (a
measure that is not theirs, answered, expired or no longer shared is 404); staff need a
session verified by a second factor (403 without; 401 not signed in), a program's schedule is
for its leads, and a person's measures need their consent to share check-ups (404 otherwise,
exactly like a person who does not exist). Every staff change and read is audited."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from ninja.security import django_auth
from pydantic import WithJsonSchema

from waymark import access
from waymark.accounts.models import Organization, Scope, User
from waymark.api.clinic import _staff as staff_only
from waymark.api.errors import ApiError, errors
from waymark.api.pagination import Page, resolved
from waymark.audit.log import record_read
from waymark.clinical import scoring
from waymark.measures import actions, schedule
from waymark.measures.models import MeasureRequest, MeasureResponse, Via
from waymark.measures.results import responses_of, schedule_rows

router = Router(tags=["measures"], auth=django_auth)
STAFF_ERRORS = errors(400, 401, 403, 404, 429)


# The person's own ---------------------------------------------------------------------------


class WaitingOut(Schema):
    id: uuid.UUID
    instrument: str = Field(description="read its items at /api/v1/instruments/{instrument}")
    program: str
    due_on: date
    expires_at: datetime


def _waiting(measure: MeasureRequest) -> dict[str, Any]:
    return {
        "id": measure.public_id,
        "instrument": measure.instrument,
        "program": measure.program.name,
        "due_on": measure.due_on,
        "expires_at": measure.expires_at,
    }


@router.get(
    "/measures",
    response={200: list[WaitingOut], **errors(400, 401, 429)},
    operation_id="list_waiting_measures",
    summary="The measures waiting for you to answer, oldest first",
)
@paginate(Page)
@resolved
def list_waiting(request: HttpRequest) -> list[dict[str, Any]]:
    return [_waiting(m) for m in actions.open_requests(request.user)]  # type: ignore[arg-type]


ANSWERS = WithJsonSchema({"type": "array", "items": {"type": ["integer", "null"], "minimum": 0}})


class AnswerIn(Schema):
    answers: Annotated[list[Any], ANSWERS] = Field(
        description="0-based option numbers in published order; null = not asked"
    )
    sex: Literal["female", "male"] | None = Field(None, description="for sex-specific cut-offs")


class ResultOut(Schema):
    id: uuid.UUID
    instrument: str
    version: str
    total: int | None = Field(description="null for a measure with no single total (the BAM)")
    band: str | None
    subscales: dict[str, int]
    flags: list[str]
    crisis: bool = Field(description="true: show crisis help lines now (PHQ-9 item 9)")
    completed_at: datetime
    via: str = Field(description="link or app")


def _result(response: MeasureResponse) -> dict[str, Any]:
    instrument = scoring.get_instrument(response.instrument)
    return {
        "id": response.public_id,
        "instrument": response.instrument,
        "version": response.version,
        "total": response.total,
        "band": response.band or None,
        "subscales": dict(response.subscales),
        "flags": list(response.flags),
        "crisis": bool(actions.crisis_flags(instrument, list(response.flags))),
        "completed_at": response.completed_at,
        "via": response.via,
    }


@router.post(
    "/measures/{measure_id}/answers",
    response={201: ResultOut, **errors(400, 401, 403, 404, 429)},
    operation_id="answer_measure",
    summary="Answer one of your waiting measures (once)",
)
def answer(request: HttpRequest, measure_id: uuid.UUID, body: AnswerIn) -> Status[dict[str, Any]]:
    person: User = request.user  # type: ignore[assignment]
    measure = actions.open_requests(person).filter(public_id=measure_id).first()
    if measure is None:
        raise ApiError(404, "not-found", "No such measure waiting for you.")
    try:
        stored = actions.do_answer(measure, list(body.answers), Via.APP, sex=body.sex)
    except scoring.ScoringError as error:
        field = f"answers.{error.item_index}" if error.item_index is not None else "body.answers"
        raise ApiError(400, "invalid-answers", str(error), {field: str(error)}) from error
    except actions.NotOpenError as error:
        raise ApiError(404, "not-found", "No such measure waiting for you.") from error
    return Status(201, _result(stored))


# Staff: a program's schedule ----------------------------------------------------------------

MEASURE_IDS = WithJsonSchema({"type": "string", "enum": list(schedule.MEASURES)})


class ProgramScheduleOut(Schema):
    program: str
    every_days: dict[str, int] = Field(description="days between two of each measure sent")
    measures: list[str] = Field(description="every measure a program may send")
    suggested: dict[str, int] = Field(description="the intervals offered to a new program")


class ProgramScheduleIn(Schema):
    every_days: dict[Annotated[str, MEASURE_IDS], int] = Field(
        description=f"the whole schedule: days ({schedule.MIN_EVERY_DAYS} to "
        f"{schedule.MAX_EVERY_DAYS}) per measure; a measure left out is not sent"
    )


def _led(viewer: User, program_id: uuid.UUID) -> Organization:
    program = access.led_organizations(viewer).filter(public_id=program_id).first()
    if program is None:
        raise ApiError(404, "not-found", "No such program among those you lead.")
    return program


def _program_schedule(program: Organization) -> dict[str, Any]:
    rows = actions.program_schedule(program)
    return {
        "program": program.name,
        "every_days": {
            m: rows[m].every_days for m in schedule.MEASURES if m in rows and rows[m].active
        },
        "measures": list(schedule.MEASURES),
        "suggested": dict(schedule.DEFAULT_EVERY_DAYS),
    }


@router.get(
    "/clinic/programs/{program_id}/measures",
    response={200: ProgramScheduleOut, **STAFF_ERRORS},
    operation_id="clinic_program_measures",
    summary="The measures a program sends, and how often (program leads)",
)
def get_program_schedule(request: HttpRequest, program_id: uuid.UUID) -> dict[str, Any]:
    return _program_schedule(_led(staff_only(request), program_id))


def _schedule_error(error: schedule.ScheduleError) -> ApiError:
    return ApiError(400, "invalid-request", str(error), {"body.every_days": str(error)})


@router.put(
    "/clinic/programs/{program_id}/measures",
    response={200: ProgramScheduleOut, **STAFF_ERRORS},
    operation_id="clinic_set_program_measures",
    summary="Set the measures a program sends, and how often (program leads)",
)
def put_program_schedule(
    request: HttpRequest, program_id: uuid.UUID, body: ProgramScheduleIn
) -> dict[str, Any]:
    viewer = staff_only(request)
    program = _led(viewer, program_id)
    chosen: dict[str, int | None] = dict.fromkeys(schedule.MEASURES)
    chosen.update(body.every_days)
    try:
        actions.do_set_program_schedule(program, chosen, viewer, request)
    except schedule.ScheduleError as error:
        raise _schedule_error(error) from error
    return _program_schedule(program)


# Staff: one person's schedule and results ----------------------------------------------------


class ScheduleRowOut(Schema):
    instrument: str
    every_days: int | None = Field(description="null: not sent to this person")
    personal: bool = Field(description="set for this person, not the program's")
    last_answered: date | None
    next_due: date | None


class PersonMeasuresOut(Schema):
    program: str | None = Field(description="the program whose schedule applies; null: none")
    schedule: list[ScheduleRowOut]
    results: list[ResultOut] = Field(description="every measure answered, oldest first")


def _person(viewer: User, public_id: uuid.UUID) -> User:
    person = access.visible_person(viewer, public_id, Scope.CHECKUPS)
    if person is None:
        raise ApiError(404, "not-found", "No such person in your caseload.")
    return person


def _person_measures(viewer: User, person: User) -> dict[str, Any]:
    program = actions.scheduling_program(viewer, person)
    rows = schedule_rows(program, person) if program is not None else []
    return {
        "program": program.name if program is not None else None,
        "schedule": [
            {
                "instrument": row.measure,
                "every_days": row.every_days,
                "personal": row.personal,
                "last_answered": row.last,
                "next_due": row.next_on,
            }
            for row in rows
        ],
        "results": [_result(r) for r in responses_of(viewer, person)],
    }


@router.get(
    "/clinic/people/{public_id}/measures",
    response={200: PersonMeasuresOut, **STAFF_ERRORS},
    operation_id="clinic_person_measures",
    summary="A person's measures: their schedule and every result (needs check-ups shared)",
)
def get_person_measures(request: HttpRequest, public_id: uuid.UUID) -> dict[str, Any]:
    viewer = staff_only(request)
    person = _person(viewer, public_id)
    record_read("view.measures", actor=viewer, subject=person, request=request, detail="measures")
    return _person_measures(viewer, person)


class PersonScheduleIn(Schema):
    every_days: dict[Annotated[str, MEASURE_IDS], int | None] = Field(
        description="per measure named: days for this person, 0 not sent to them, null as "
        "the program; measures left out are unchanged"
    )


@router.put(
    "/clinic/people/{public_id}/measures/schedule",
    response={200: PersonMeasuresOut, **STAFF_ERRORS},
    operation_id="clinic_set_person_measures",
    summary="Set one person's measures over their program's (needs check-ups shared)",
)
def put_person_schedule(
    request: HttpRequest, public_id: uuid.UUID, body: PersonScheduleIn
) -> dict[str, Any]:
    viewer = staff_only(request)
    person = _person(viewer, public_id)
    program = actions.scheduling_program(viewer, person)
    if program is None:
        raise ApiError(404, "not-found", "No such person in your caseload.")
    try:
        actions.do_set_personal_schedule(program, person, body.every_days, viewer, request)
    except schedule.ScheduleError as error:
        raise _schedule_error(error) from error
    record_read("view.measures", actor=viewer, subject=person, request=request, detail="measures")
    return _person_measures(viewer, person)
