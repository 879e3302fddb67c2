"""The clinic's JSON twins: caseload, a person's chart and alerts (with acknowledging),
clinician scales, clinical notes, the program report. The same access rule as the pages
(`waymark.access`, through `waymark.clinic.chart`): staff only, with a session verified by a
second factor (otherwise 403; not signed in, 401); a person the viewer may not see is 404,
exactly like a person who does not exist. Every read and change is audited."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from ninja.params import functions as param
from ninja.security import django_auth

from waymark import access
from waymark.accounts.models import Organization, User
from waymark.accounts.staff import StaffProblem, staff_problem
from waymark.api.errors import ApiError, errors
from waymark.api.pagination import Page, resolved
from waymark.audit.log import record_read
from waymark.clinic import actions, episodes, snapshots
from waymark.clinic.chart import (
    ALERT_FILTERS,
    MAX_SEARCH,
    AlertRow,
    Caseload,
    CaseloadQuery,
    CaseRow,
    audit_caseload,
    chart,
    short_id,
)
from waymark.clinic.forms import CLINICIAN_SCALES, MAX_NOTE
from waymark.clinic.models import Alert, ClinicalNote, ClinicianScale, DischargeReason, Episode
from waymark.clinical import progress as core
from waymark.clinical import scoring
from waymark.clinical.report import MIN_CELL, Cell

router = Router(tags=["clinic"], auth=django_auth)
STAFF_ERRORS = errors(400, 401, 403, 404, 429)


def _staff(request: HttpRequest) -> User:
    problem = staff_problem(request)
    if problem is StaffProblem.SIGN_IN:
        raise ApiError(401, "not-signed-in", "Sign in first.")
    if problem is not None:
        raise ApiError(
            403,
            "forbidden",
            "Only program staff whose session is verified with their second factor may use "
            "the clinic.",
        )
    return request.user  # type: ignore[return-value]


def _person(viewer: User, public_id: uuid.UUID, scope: str | None = None) -> User:
    person = access.visible_person(viewer, public_id, scope)
    if person is None:
        raise ApiError(404, "not-found", "No such person in your caseload.")
    return person


# Shapes -------------------------------------------------------------------------------------


class AlertOut(Schema):
    id: uuid.UUID
    rule: str
    priority: str = Field(description="urgent, high or normal")
    title: str
    message: str
    evidence_on: date
    raised_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None = Field(description="set when the finding ended by itself")
    acknowledged_by: str | None
    ack_note: str | None = Field(description="only for staff of the acknowledging program")


def _alert(alert: Alert, message: str = "", note_visible: bool = False) -> dict[str, Any]:
    return {
        "id": alert.public_id,
        "rule": alert.rule,
        "priority": alert.priority,
        "title": alert.title,
        "message": message or actions.alert_message(alert),
        "evidence_on": alert.evidence_on,
        "raised_at": alert.raised_at,
        "acknowledged_at": alert.acknowledged_at,
        "resolved_at": alert.resolved_at,
        "acknowledged_by": (
            alert.acknowledged_by.display_name if alert.acknowledged_by is not None else None
        ),
        "ack_note": alert.ack_note if note_visible else None,
    }


def _alert_row(row: AlertRow) -> dict[str, Any]:
    return _alert(row.alert, row.message, row.note_visible)


class CaseRowOut(Schema):
    id: uuid.UUID = Field(description="the person's opaque id")
    alias: str = Field(description="the name the person chose")
    short_id: str
    scopes: list[str]
    alerts: list[AlertOut] = Field(description="open alerts, most urgent first")
    last_checkin: date | None = Field(description="null when none, or check-ins not shared")
    days_since_checkin: int | None


def _case_row(row: CaseRow) -> dict[str, Any]:
    return {
        "id": row.person.public_id,
        "alias": row.alias,
        "short_id": row.short_id,
        "scopes": sorted(row.scopes),
        "alerts": [_alert(a) for a in row.alerts],
        "last_checkin": row.last_checkin,
        "days_since_checkin": row.days_since_checkin,
    }


class ScreenerPointOut(Schema):
    completed_on: date
    total: int
    band: str


class ScreenerOut(Schema):
    instrument: str
    points: list[ScreenerPointOut]


class PlanVersionOut(Schema):
    number: int
    created_at: datetime
    approach: str | None
    goals: list[str]


class CheckInOut(Schema):
    day: date
    used: bool
    amounts: dict[str, float]
    cravings: int | None
    mood: int | None
    note: str | None = Field(description="the person's note, only when notes are shared")


class ScaleOut(Schema):
    id: uuid.UUID
    instrument: str
    version: str
    answers: list[int | None]
    total: int
    band: str
    entered_by: str | None
    at: datetime


def _scale(scale: ClinicianScale) -> dict[str, Any]:
    return {
        "id": scale.public_id,
        "instrument": scale.instrument,
        "version": scale.version,
        "answers": list(scale.answers),
        "total": scale.total,
        "band": scale.band,
        "entered_by": scale.entered_by.display_name if scale.entered_by else None,
        "at": scale.at,
    }


class NoteOut(Schema):
    id: uuid.UUID
    author: str
    text: str
    amends: uuid.UUID | None
    created_at: datetime


def _note(note: ClinicalNote) -> dict[str, Any]:
    return {
        "id": note.public_id,
        "author": note.author.display_name,
        "text": note.text,
        "amends": note.amends.public_id if note.amends is not None else None,
        "created_at": note.created_at,
    }


class ChartOut(Schema):
    id: uuid.UUID
    alias: str
    short_id: str
    scopes: list[str] = Field(description="what the person shares with you; nothing else is here")
    safety: list[str] | None = Field(
        description="the latest check-up's safety findings; null unless check-ups are shared"
    )
    open_alerts: list[AlertOut]
    acknowledged_alerts: list[AlertOut]
    screeners: list[ScreenerOut] | None = Field(description="null unless check-ups are shared")
    plan_versions: list[PlanVersionOut] | None = Field(description="null unless plan is shared")
    checkins: list[CheckInOut] | None = Field(description="last 28 days; null unless shared")
    outcomes: list[dict[str, Any]] | None = Field(
        description="as `waymark outcomes --json` over 7, 28, 90 days and all; null unless shared"
    )
    scales: list[ScaleOut]
    notes: list[NoteOut] | None = Field(description="null unless notes are shared")


# Endpoints ----------------------------------------------------------------------------------


class _ReadPage:
    """A page already read with LIMIT and OFFSET in SQL, as `@paginate(Page)` takes it: its
    slice is the page itself and its length the count of every match."""

    def __init__(self, items: list[dict[str, Any]], count: int) -> None:
        self.items, self._count = items, count

    def __getitem__(self, window: slice) -> list[dict[str, Any]]:
        return self.items

    def __len__(self) -> int:
        return self._count


@router.get(
    "/clinic/caseload",
    response={200: list[CaseRowOut], **STAFF_ERRORS},
    operation_id="clinic_caseload",
    summary="The people who share with you, most urgent first",
)
@paginate(Page, pass_parameter="window")  # noqa: S106 - the name of an argument
def get_caseload(
    request: HttpRequest,
    q: str = param.Query(
        "",
        max_length=MAX_SEARCH,
        pattern=r"^[^\x00]*$",  # no NUL: PostgreSQL refuses it in text
        description="part of the alias, or the start of the short id (or of the id)",
    ),
    alert: str = param.Query(
        "",
        description="only people with an open alert you may see, of this kind: "
        + ", ".join(ALERT_FILTERS),
    ),
    **kwargs: Any,
) -> _ReadPage:
    """Only the page asked for is read, and only its rows are audited."""
    viewer = _staff(request)
    if alert and alert not in ALERT_FILTERS:
        known = ", ".join(ALERT_FILTERS)
        raise ApiError(400, "invalid-request", "Unknown alert filter.", {"query.alert": known})
    window = kwargs["window"]
    found = Caseload(viewer, CaseloadQuery(q.strip(), alert))
    rows = found[window.offset : window.offset + window.limit]
    audit_caseload(request, rows)
    return _ReadPage([_case_row(row) for row in rows], found.count())


@router.get(
    "/clinic/people/{public_id}",
    response={200: ChartOut, **STAFF_ERRORS},
    operation_id="clinic_chart",
    summary="A person's chart: only what their consent shares with you",
)
def get_chart(request: HttpRequest, public_id: uuid.UUID) -> dict[str, Any]:
    viewer = _staff(request)
    person = _person(viewer, public_id)
    data = chart(viewer, person)
    record_read("view.chart", actor=viewer, subject=person, request=request, detail="chart")
    notes_shared = "notes" in data.scopes
    outcomes = None
    if data.record is not None:
        spans = core.windows(data.record.days, timezone.localdate(), data.record.sex)
        outcomes = [{"days": days, **result.as_dict()} for days, result in spans]
    return {
        "id": person.public_id,
        "alias": person.username,
        "short_id": short_id(person),
        "scopes": sorted(data.scopes),
        "safety": data.safety if "checkups" in data.scopes else None,
        "open_alerts": [_alert_row(r) for r in data.open_alerts],
        "acknowledged_alerts": [_alert_row(r) for r in data.acknowledged],
        "screeners": (
            [
                {
                    "instrument": s.instrument.id,
                    "points": [
                        {"completed_on": on, "total": total, "band": band}
                        for on, total, band in s.points
                    ],
                }
                for s in data.screeners
            ]
            if "checkups" in data.scopes
            else None
        ),
        "plan_versions": (
            [
                {
                    "number": v.number,
                    "created_at": v.created_at,
                    "approach": v.content.get("approach"),
                    "goals": [str(g) for g in v.content.get("goals") or []],
                }
                for v in data.versions
            ]
            if "plan" in data.scopes
            else None
        ),
        "checkins": (
            [
                {
                    "day": c.day,
                    "used": c.used,
                    "amounts": {a.substance: float(a.amount) for a in c.amounts.all()},
                    "cravings": c.cravings,
                    "mood": c.mood,
                    "note": c.note if notes_shared else None,
                }
                for c in data.checkins
            ]
            if "checkins" in data.scopes
            else None
        ),
        "outcomes": outcomes,
        "scales": [_scale(s) for s in data.scales],
        "notes": [_note(n) for n in data.notes] if notes_shared else None,
    }


@router.get(
    "/clinic/people/{public_id}/alerts",
    response={200: list[AlertOut], **STAFF_ERRORS},
    operation_id="clinic_alerts",
    summary="A person's alerts you may see: open first, then recently closed",
)
@paginate(Page)
@resolved
def get_alerts(request: HttpRequest, public_id: uuid.UUID) -> list[dict[str, Any]]:
    viewer = _staff(request)
    person = _person(viewer, public_id)
    data = chart(viewer, person)
    record_read("view.alerts", actor=viewer, subject=person, request=request, detail="alerts")
    return [_alert_row(r) for r in (*data.open_alerts, *data.acknowledged)]


class AcknowledgeIn(Schema):
    note: str = Field("", max_length=1000, description="what you did or decided (encrypted)")


@router.post(
    "/clinic/people/{public_id}/alerts/{alert_id}/acknowledge",
    response={200: AlertOut, **errors(400, 401, 403, 404, 429)},
    operation_id="clinic_acknowledge_alert",
    summary="Acknowledge an alert, with a note",
)
def acknowledge(
    request: HttpRequest, public_id: uuid.UUID, alert_id: uuid.UUID, body: AcknowledgeIn
) -> dict[str, Any]:
    viewer = _staff(request)
    person = _person(viewer, public_id)
    alert = Alert.objects.filter(person=person, public_id=alert_id).first()
    scopes = access.scopes_for(viewer, person)
    if alert is None or not actions.visible_alerts([alert], scopes):
        raise ApiError(404, "not-found", "No such alert.")
    done = actions.do_acknowledge(alert, viewer, body.note, request)
    return _alert(
        done, note_visible=done.acknowledged_in_id in actions.shared_organizations(viewer, person)
    )


class ScaleIn(Schema):
    instrument: str = Field(description="ciwa-ar or cows")
    answers: list[int | None] = Field(description="0-based option indices, one per item")


@router.post(
    "/clinic/people/{public_id}/scales",
    response={201: ScaleOut, **errors(400, 401, 403, 404, 429)},
    operation_id="clinic_record_scale",
    summary="Record a clinician-rated CIWA-Ar or COWS (never a self-test)",
)
def record_scale(
    request: HttpRequest, public_id: uuid.UUID, body: ScaleIn
) -> Status[dict[str, Any]]:
    viewer = _staff(request)
    person = _person(viewer, public_id)
    if body.instrument not in CLINICIAN_SCALES:
        raise ApiError(
            400,
            "invalid-request",
            "Only ciwa-ar and cows are clinician-rated scales.",
            {"body.instrument": "must be ciwa-ar or cows"},
        )
    try:
        scale = actions.do_record_scale(viewer, person, body.instrument, body.answers, request)
    except scoring.ScoringError as error:
        field = f"answers.{error.item_index}" if error.item_index is not None else "body.answers"
        raise ApiError(400, "invalid-answers", str(error), {field: str(error)}) from error
    return Status(201, _scale(scale))


class NoteIn(Schema):
    text: str = Field(min_length=1, max_length=MAX_NOTE)
    amends: uuid.UUID | None = Field(None, description="the note this one corrects")


@router.post(
    "/clinic/people/{public_id}/notes",
    response={201: NoteOut, **errors(400, 401, 403, 404, 429)},
    operation_id="clinic_add_note",
    summary="Add a clinical note (append-only; needs the notes scope)",
)
def add_note(request: HttpRequest, public_id: uuid.UUID, body: NoteIn) -> Status[dict[str, Any]]:
    viewer = _staff(request)
    person = _person(viewer, public_id, "notes")
    amends = None
    if body.amends is not None:
        amends = ClinicalNote.objects.filter(
            person=person,
            public_id=body.amends,
            organization_id__in=actions.shared_organizations(viewer, person),
        ).first()
        if amends is None:
            raise ApiError(
                400, "invalid-request", "The note to amend was not found.", {"body.amends": ""}
            )
    if not body.text.strip():
        raise ApiError(400, "invalid-request", "The note is empty.", {"body.text": "empty"})
    note = actions.do_add_note(viewer, person, body.text, amends, request)
    return Status(201, _note(note))


class CellOut(Schema):
    value: float | None = Field(description=f"null when fewer than {MIN_CELL} people")
    people: int | None = Field(description=f"null when fewer than {MIN_CELL} people")


def _cell(cell: Cell) -> dict[str, Any]:
    if cell.suppressed:
        return {"value": None, "people": None}
    return {"value": cell.value, "people": cell.people}


class ScreenerChangeOut(Schema):
    instrument: str
    change: CellOut
    better: CellOut


class EpisodeSummaryOut(Schema):
    target: int = Field(description="the program's follow-up target, percent")
    episodes: CellOut = Field(description="value: how many episodes; people: how many people")
    followup_rate: CellOut = Field(description="percent of episodes whose window has closed")
    response: CellOut = Field(description="PHQ-9 drop of 50% or more, percent")
    remission: CellOut = Field(description="PHQ-9 under 5 at follow-up (or discharge), percent")
    bam_use_change: CellOut = Field(description="mean BAM use change, follow-up minus baseline")
    bam_use_better: CellOut = Field(description="percent whose BAM use went down")


def _episode_summary(summary: Any) -> dict[str, Any] | None:
    if summary is None:
        return None
    names = EpisodeSummaryOut.model_fields.keys() - {"target"}
    return {"target": summary.target, **{n: _cell(getattr(summary, n)) for n in names}}


class ReportOut(Schema):
    program: str
    today: date
    min_cell: int
    people: int | None = Field(description=f"null when fewer than {MIN_CELL}")
    retention: CellOut
    percent_days_abstinent: CellOut
    heavy_days_first: CellOut
    heavy_days_latest: CellOut
    heavy_day_reduction: CellOut
    who_level_down: CellOut
    screeners: list[ScreenerChangeOut]
    episodes: EpisodeSummaryOut | None = Field(
        None, description="episodes and follow-up; null in a report kept before them"
    )
    computed_at: datetime = Field(
        description="when these numbers were computed: now, or for a large program when its "
        "kept report was (WAYMARK_REPORT_LIVE_LIMIT)"
    )
    live: bool = Field(description="computed for this request (false: a kept report)")
    refresh: str | None = Field(
        description="a new computation of a large program's report: queued, running or "
        "failed (the last one gave up); null when none"
    )


class ReportPendingOut(Schema):
    program: str
    live: bool = Field(description="always false: only a large program's report is prepared")
    computed_at: None = Field(description="null: no report has been kept yet")
    refresh: str | None = Field(description="queued or running")


class ReportRefreshOut(Schema):
    program: str
    live: bool = Field(description="true: computed on every read, so nothing was queued")
    refresh: str | None = Field(description="queued or running; null when live")


def _led_program(viewer: User, program_id: uuid.UUID) -> Organization:
    program = access.led_organizations(viewer).filter(public_id=program_id).first()
    if program is None:
        raise ApiError(404, "not-found", "No such program among those you lead.")
    return program


@router.get(
    "/clinic/programs/{program_id}/report",
    response={200: ReportOut, 202: ReportPendingOut, **STAFF_ERRORS},
    operation_id="clinic_program_report",
    summary="A program's de-identified outcomes (program leads; no cell under 11 people)",
    description="A program with more consenting people than WAYMARK_REPORT_LIVE_LIMIT gets "
    "its latest kept report, computed in the background (`computed_at`); 202 while its first "
    "one is prepared.",
)
def get_report(request: HttpRequest, program_id: uuid.UUID) -> Any:
    viewer = _staff(request)
    program = _led_program(viewer, program_id)
    shown = snapshots.report_for(program)
    detail = f"program report: {program.name}"
    record_read("view.report", actor=viewer, request=request, detail=detail)
    result = shown.report
    if result is None:
        return Status(
            202,
            {"program": program.name, "live": False, "computed_at": None, "refresh": shown.refresh},
        )
    return {
        "program": program.name,
        "today": result.today,
        "min_cell": MIN_CELL,
        "people": result.people if result.shown else None,
        "retention": _cell(result.retention),
        "percent_days_abstinent": _cell(result.percent_days_abstinent),
        "heavy_days_first": _cell(result.heavy_days_first),
        "heavy_days_latest": _cell(result.heavy_days_latest),
        "heavy_day_reduction": _cell(result.heavy_day_reduction),
        "who_level_down": _cell(result.who_level_down),
        "screeners": [
            {"instrument": s.instrument, "change": _cell(s.change), "better": _cell(s.better)}
            for s in result.screeners
        ],
        "episodes": _episode_summary(result.episodes),
        "computed_at": shown.computed_at,
        "live": shown.live,
        "refresh": shown.refresh,
    }


@router.post(
    "/clinic/programs/{program_id}/report",
    response={202: ReportRefreshOut, **STAFF_ERRORS},
    operation_id="clinic_program_report_compute",
    summary="Compute a large program's report again, in the background (program leads)",
)
def compute_report(request: HttpRequest, program_id: uuid.UUID) -> Status[dict[str, Any]]:
    viewer = _staff(request)
    program = _led_program(viewer, program_id)
    state = snapshots.compute_again(program)
    return Status(202, {"program": program.name, "live": state is None, "refresh": state})


# Episodes of care -----------------------------------------------------------------------------


class EpisodeOut(Schema):
    id: uuid.UUID
    program: uuid.UUID
    program_name: str
    admitted_on: date
    discharged_on: date | None = Field(description="null while the episode is open")
    discharge_reason: str | None = Field(description="completed, left, transferred or other")


def _episode(episode: Episode) -> dict[str, Any]:
    return {
        "id": episode.public_id,
        "program": episode.program.public_id,
        "program_name": episode.program.name,
        "admitted_on": episode.admitted_on,
        "discharged_on": episode.discharged_on,
        "discharge_reason": episode.discharge_reason or None,
    }


@router.get(
    "/clinic/people/{public_id}/episodes",
    response={200: list[EpisodeOut], **STAFF_ERRORS},
    operation_id="clinic_episodes",
    summary="A person's episodes of care in the programs you see them through",
)
@paginate(Page)
@resolved
def get_episodes(request: HttpRequest, public_id: uuid.UUID) -> list[dict[str, Any]]:
    viewer = _staff(request)
    person = _person(viewer, public_id)
    record_read("view.episodes", actor=viewer, subject=person, request=request, detail="episodes")
    return [_episode(e) for e in episodes.episodes_for(viewer, person)]


class AdmitIn(Schema):
    program: uuid.UUID = Field(description="a program you see the person through")
    admitted_on: date


def _episode_problem(error: episodes.EpisodeError, field: str) -> ApiError:
    return ApiError(400, "invalid-request", str(error), {field: str(error)})


@router.post(
    "/clinic/people/{public_id}/episodes",
    response={201: EpisodeOut, **errors(400, 401, 403, 404, 429)},
    operation_id="clinic_admit",
    summary="Record an admission (one open episode per person and program)",
)
def admit(request: HttpRequest, public_id: uuid.UUID, body: AdmitIn) -> Status[dict[str, Any]]:
    viewer = _staff(request)
    person = _person(viewer, public_id)
    program = next(
        (p for p in episodes.programs_for(viewer, person) if p.public_id == body.program), None
    )
    if program is None:
        raise ApiError(404, "not-found", "No such program for this person.")
    try:
        episode = episodes.do_admit(viewer, person, program, body.admitted_on, request)
    except episodes.EpisodeError as error:
        raise _episode_problem(error, "body.admitted_on") from error
    return Status(201, _episode(episode))


class DischargeIn(Schema):
    discharged_on: date
    reason: DischargeReason


@router.post(
    "/clinic/people/{public_id}/episodes/{episode_id}/discharge",
    response={200: EpisodeOut, **errors(400, 401, 403, 404, 429)},
    operation_id="clinic_discharge",
    summary="Record a discharge, with its reason",
)
def discharge(
    request: HttpRequest, public_id: uuid.UUID, episode_id: uuid.UUID, body: DischargeIn
) -> dict[str, Any]:
    viewer = _staff(request)
    person = _person(viewer, public_id)
    episode = (
        Episode.objects.filter(
            person=person,
            public_id=episode_id,
            program_id__in=actions.shared_organizations(viewer, person),
        )
        .select_related("program", "person")
        .first()
    )
    if episode is None:
        raise ApiError(404, "not-found", "No such episode.")
    try:
        done = episodes.do_discharge(viewer, episode, body.discharged_on, body.reason, request)
    except episodes.EpisodeError as error:
        raise _episode_problem(error, "body.discharged_on") from error
    return _episode(done)
