"""Daily check-ins and progress: the JSON twins of /track/ and /progress/. Signed-in people
only, and only their own records; the numbers come from the same code as the pages.

Writing a check-in (POST /checkins, PUT /checkins/{day}) goes through the page's own action,
`waymark.tracking.actions.do_record_checkin`, with the page's checks. Session cookie and CSRF
token, as every write. A retried request with the same Idempotency-Key is answered with the
same check-in and changes nothing; the same key with another day or other answers is a 409."""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet, prefetch_related_objects
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext
from ninja import Field, Header, Router, Schema, Status
from ninja.pagination import paginate
from ninja.security import django_auth
from pydantic import ConfigDict

from waymark.accounts.models import User
from waymark.api.errors import ApiError, errors
from waymark.api.pagination import Page
from waymark.checkup.history import ChangeRow, Reassessment
from waymark.clinical import progress as core
from waymark.clinical import reassess
from waymark.clinical.profile import SUBSTANCES
from waymark.clinical.scoring import get_instrument
from waymark.plans.document import text
from waymark.progress.models import Currency
from waymark.progress.record import Record, load, next_step_for
from waymark.progress.spend import as_json, money_for
from waymark.tracking import actions
from waymark.tracking.models import CheckIn, Helper, SubmissionKey, Trigger

router = Router(tags=["tracking"], auth=django_auth)


class CheckInOut(Schema):
    day: date
    used: bool
    amounts: dict[str, float] = Field(
        description="per substance: US standard drinks for alcohol, times used otherwise"
    )
    cravings: int | None = Field(description="0 (none) to 10")
    mood: int | None = Field(description="1 (very low) to 5 (very good)")
    triggers: list[str]
    helped: list[str]
    note: str = Field(description="the person's own note (stored encrypted)")

    @staticmethod
    def resolve_amounts(check_in: CheckIn | Mapping[str, Any]) -> dict[str, float]:
        if isinstance(check_in, CheckIn):
            return {a.substance: float(a.amount) for a in check_in.amounts.all()}
        return dict(check_in["amounts"])  # a write's answer (`_answer`): what was written


class WindowOut(Schema):
    days: int | None = Field(description="7, 28 or 90; null for the whole record")
    outcomes: dict[str, Any] = Field(description="as `waymark outcomes --json` (CONTRACTS §5)")


class DueOut(Schema):
    last: date = Field(description="the day of the latest completed check-up")
    on: date = Field(description="the day the check-up is due again")
    status: reassess.Due = Field(
        description=f"not yet; due from `on`; overdue {reassess.OVERDUE_AFTER_DAYS} days later"
    )


class MeasureOut(Schema):
    total: int
    band: str = Field(description="the instrument's band id")
    band_label: str = Field(description="the band in words")


class ReadingOut(MeasureOut):
    on: date = Field(description="the day of the check-up that gave it")


class ChangeOut(Schema):
    instrument: str = Field(description="an instrument id")
    name: str
    baseline: ReadingOut = Field(description="at the first check-up that gave the instrument")
    latest: ReadingOut = Field(description="at the latest check-up that gave it")
    difference: int = Field(description="latest total minus baseline total")
    direction: reassess.Direction = Field(
        description="by the instrument's own direction (a higher BARC-10 total is better)"
    )


class WorseningOut(Schema):
    instrument: str
    name: str
    before: MeasureOut = Field(
        description="the earlier check-up it is compared with: the first to give the "
        "instrument, or the one before the latest"
    )
    after: MeasureOut = Field(description="the latest check-up")
    reasons: list[str] = Field(
        description=f"`{reassess.BAND_UP}`: into a more serious band; `{reassess.POINTS_UP}`: "
        f"PHQ-9 up by {reassess.PHQ9_WORSE_BY} points or more"
    )
    message: str = Field(description="the suggestion to seek care, as the page shows it")


class ReassessmentOut(Schema):
    due: DueOut | None = Field(description="null without a completed check-up")
    changes: list[ChangeOut] = Field(
        description="per instrument given more than once: the change since the first time"
    )
    worsening: list[WorseningOut] = Field(
        description="shown first on the page; while there is any, no next step is offered"
    )


class WeekKeptOut(Schema):
    start: date = Field(description="the Monday")
    days_counted: int
    kept: bool


class OfferOut(Schema):
    kind: str = Field(
        description=f"`{reassess.LOWER_TARGET}` or `{reassess.ABSTINENCE_TRIAL}`: send it to "
        "POST /plans/{plan_id}/next-step to take it"
    )
    limit: float = Field(description="the new most drinks a day (0 for the trial)")
    with_clinician: bool = Field(description="plan it with a doctor: withdrawal needs care")
    message: str


class NextStepOut(Schema):
    plan: uuid.UUID = Field(description="the plan the step would change")
    limit: float = Field(description="the daily limit that was kept")
    message: str
    weeks: list[WeekKeptOut] = Field(description="the last full weeks, oldest first")
    offers: list[OfferOut]


class SwitchOut(Schema):
    model_config = ConfigDict(populate_by_name=True)

    date: date
    from_path: str = Field(alias="from", description="the path before")
    to_path: str = Field(alias="to", description="the path after")


class NotSpentOut(Schema):
    days: int | None = Field(description="the last this many days; null: every recorded day")
    days_without_use: int = Field(description="recorded days without any use in the window")
    amount: int = Field(description="the usual spend times those days, in whole units")


class MoneyNotSpentOut(Schema):
    typical_spend: Decimal = Field(description="what the person usually spent on a day of use")
    currency: str = Field(
        description="an ISO 4217 code, or empty: the number alone",
        json_schema_extra={"enum": list(Currency.values)},
    )
    windows: list[NotSpentOut] = Field(
        description=f"the last {core.SUMMARY_DAYS} days, then every recorded day; a day not "
        "recorded never counts, and there is no figure for days of use"
    )


class ProgressOut(Schema):
    summary: str
    milestones: dict[str, Any]
    windows: list[WindowOut]
    plan: uuid.UUID | None = Field(description="the plan the page follows, if any")
    approach: str | None = Field(description="its current path")
    reassessment: ReassessmentOut
    next_step: NextStepOut | None = Field(
        description="offered when a harm-reduction or staged limit was kept for "
        f"{reassess.WEEKS_MET} full weeks; an offer, never a push"
    )
    switches: list[SwitchOut] = Field(description="every change of path, oldest first")
    money_not_spent: MoneyNotSpentOut | None = Field(
        description="what the person's usual spend comes to over their recorded days without "
        "use; null until they give a usual spend on the progress page"
    )


@router.get(
    "/checkins",
    response={200: list[CheckInOut], **errors(400, 401, 429)},
    operation_id="list_checkins",
    summary="My daily check-ins, newest first",
)
@paginate(Page)
def list_checkins(request: HttpRequest) -> QuerySet[CheckIn]:
    return (
        CheckIn.objects.filter(owner_id=request.user.pk)
        .prefetch_related("amounts")
        .order_by("-day", "-pk")
    )


def _measure(measure: reassess.Measure) -> dict[str, Any]:
    return {"total": measure.total, "band": measure.band.id,
            "band_label": gettext(measure.band.label)}  # fmt: skip


def _change(row: ChangeRow) -> dict[str, Any]:
    change = row.change
    return {
        "instrument": change.instrument,
        "name": row.name,
        "baseline": _measure(change.baseline) | {"on": row.baseline_on},
        "latest": _measure(change.latest) | {"on": row.latest_on},
        "difference": change.difference,
        "direction": change.direction,
    }


def _reassessment(again: Reassessment | None) -> dict[str, Any]:
    if again is None:
        return {"due": None, "changes": [], "worsening": []}
    due = again.due
    return {
        "due": None if due is None else {"last": due.last, "on": due.on, "status": due.status},
        "changes": [_change(row) for row in again.changes],
        "worsening": [
            {
                "instrument": worse.instrument,
                "name": get_instrument(worse.instrument).short_name,
                "before": _measure(worse.before),
                "after": _measure(worse.after),
                "reasons": list(worse.reasons),
                "message": text(worse.message),
            }
            for worse in again.worsening
        ],
    }


def _next_step(record: Record, today: date) -> dict[str, Any] | None:
    step = next_step_for(record, today)
    if step is None or record.plan is None:
        return None
    return {
        "plan": record.plan.public_id,
        "limit": step.limit,
        "message": text(step.message),
        "weeks": [dataclasses.asdict(week) for week in step.weeks],
        "offers": [
            {
                "kind": o.kind,
                "limit": o.limit,
                "with_clinician": o.with_clinician,
                "message": text(o.message),
            }
            for o in step.offers
        ],
    }


@router.get(
    "/progress",
    response={200: ProgressOut, **errors(401, 429)},
    operation_id="get_progress",
    summary="My progress: the summary, milestones, outcomes, re-assessment, next step and "
    "path changes the progress page shows",
    by_alias=True,
)
def get_progress(request: HttpRequest) -> dict[str, Any]:
    today = timezone.localdate()
    record = load(request.user.pk)
    summary = core.summary(record.days, today, record.sex, record.baseline, record.drinking)
    milestones = core.milestones(record.days, record.targets, record.baseline, record.sex)
    return {
        "summary": text(summary),
        "milestones": dataclasses.asdict(milestones),
        "windows": [
            {"days": days, "outcomes": result.as_dict()}
            for days, result in core.windows(record.days, today, record.sex)
        ],
        "plan": record.plan.public_id if record.plan is not None else None,
        "approach": record.approach,
        "reassessment": _reassessment(record.again),
        "next_step": _next_step(record, today),
        "switches": [{"date": s.on, "from": s.before, "to": s.after} for s in record.switches],
        "money_not_spent": as_json(money_for(request.user.pk, record.days, today)),
    }


# --- writing a check-in ----------------------------------------------------------------------

Amount = Annotated[Decimal, Field(ge=0, le=actions.MAX_AMOUNT, max_digits=5, decimal_places=2)]
# Declared as a string with a UUID pattern, not as `format: uuid`: a client generated from the
# OpenAPI document then sends it as the text it is, in a header (a generated client turns a
# `format: uuid` header into a UUID object it cannot send).
UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        pattern=UUID_PATTERN,
        description="a new UUID for each check-in you send, as text "
        "(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx); send the same one again on a retry",
    ),
]
OptionalIdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        pattern=UUID_PATTERN,
        description="optional: a UUID as text, as for POST /checkins",
    ),
]


class CheckInIn(Schema):
    """One day's answers; anything left out is not recorded (a blank on the page)."""

    model_config = ConfigDict(extra="forbid")

    used: bool = Field(description="any alcohol or other drugs that day")
    amounts: dict[str, Amount] = Field(
        default_factory=dict,
        description="per substance ("
        + ", ".join(SUBSTANCES)
        + "): US standard drinks for alcohol, times used otherwise; 0 to "
        + f"{actions.MAX_AMOUNT}; above 0 only when `used` is true",
    )
    cravings: int | None = Field(
        default=None, ge=0, le=actions.MAX_CRAVINGS, description="0 (none) to 10"
    )
    mood: int | None = Field(default=None, ge=1, le=5, description="1 (very low) to 5 (very good)")
    triggers: list[Trigger] = Field(default_factory=list)
    helped: list[Helper] = Field(default_factory=list)
    note: str = Field(
        default="", max_length=actions.MAX_NOTE, description="a private note (stored encrypted)"
    )


class NewCheckInIn(CheckInIn):
    day: date = Field(
        description=f"the day: today or up to {actions.BACKFILL_DAYS} days back, in the site's "
        "time zone"
    )


def _person(request: HttpRequest) -> User:
    if not isinstance(request.user, User):  # django_auth lets only signed-in people through
        raise ApiError(401, "not-signed-in", "Sign in first.")
    return request.user


def _data(payload: CheckInIn) -> actions.CheckInData:
    fields: dict[str, str] = {}
    for substance in payload.amounts:
        if substance not in SUBSTANCES:
            fields[f"body.amounts.{substance}"] = "not a substance: use one of " + ", ".join(
                SUBSTANCES
            )
    if not payload.used and any(amount > 0 for amount in payload.amounts.values()):
        fields["body.used"] = "false, but an amount above 0 was sent"
    if fields:
        raise ApiError(400, "invalid-request", "The check-in is not valid.", fields)
    try:
        return actions.CheckInData(
            used=payload.used,
            amounts=dict(payload.amounts),
            cravings=payload.cravings,
            mood=payload.mood,
            triggers=[str(t.value) for t in payload.triggers],
            helped=[str(h.value) for h in payload.helped],
            note=payload.note,
        )
    except ValueError as error:  # the action's own checks: kept in step with the schema
        raise ApiError(400, "invalid-request", f"The check-in is not valid ({error}).") from error


def fingerprint(day: date, data: actions.CheckInData) -> str:
    """A keyed hash of one request's answers: equal for the same answers in any order."""
    canonical = json.dumps(
        {
            "day": day.isoformat(),
            "used": data.used,
            "amounts": {k: format(v.normalize(), "f") for k, v in data.amounts.items()},
            "cravings": data.cravings,
            "mood": data.mood,
            "triggers": sorted(data.triggers),
            "helped": sorted(data.helped),
            "note": data.note,
        },
        sort_keys=True,
    )
    return salted_hmac("waymark.api.tracking.submission", canonical, algorithm="sha256").hexdigest()


def _conflict() -> ApiError:
    return ApiError(
        409,
        "idempotency-conflict",
        "This Idempotency-Key was already used for a different check-in; use a new key for "
        "new answers.",
        {"header.Idempotency-Key": "already used with other answers"},
    )


def _closed(error: actions.DayNotOpenError, where: str) -> ApiError:
    why = (
        "has not happened yet"
        if error.why == "future"
        else f"is more than {actions.BACKFILL_DAYS} days back"
    )
    return ApiError(
        400,
        "invalid-request",
        f"{error.day.isoformat()} cannot be recorded: it {why}.",
        {where: why},
    )


def _answer(check_in: CheckIn, amounts: Mapping[str, Decimal] | None = None) -> dict[str, Any]:
    """A CheckInOut of ``check_in``: with the ``amounts`` that were just written, or else the
    stored ones (prefetched here when they are not yet)."""
    if amounts is None:
        prefetch_related_objects([check_in], "amounts")
        amounts = {a.substance: a.amount for a in check_in.amounts.all()}
    return {
        "day": check_in.day,
        "used": check_in.used,
        "amounts": {substance: float(amounts[substance]) for substance in sorted(amounts)},
        "cravings": check_in.cravings,
        "mood": check_in.mood,
        "triggers": check_in.triggers,
        "helped": check_in.helped,
        "note": check_in.note,
    }


def _record(
    person: User, day: date, data: actions.CheckInData, key: uuid.UUID | None, where: str
) -> Status[dict[str, Any]]:
    # Worked out before the transaction, which holds SQLite's one write lock.
    fingerprinted = "" if key is None else fingerprint(day, data)
    try:
        return _record_once(person, _prepared(person, day, data, key), key, fingerprinted, where)
    except IntegrityError:
        # Left only for PostgreSQL's one race: the same key sent for two different days at the
        # same moment (the day's key or the SubmissionKey collides with the other request's,
        # committed meanwhile). This request was rolled back whole; tried again, it finds the
        # other one's key and is answered as now (a 409 for other answers).
        return _record_once(person, _prepared(person, day, data, key), key, fingerprinted, where)


def _prepared(
    person: User, day: date, data: actions.CheckInData, key: uuid.UUID | None
) -> actions.CheckInWrite | actions.DayNotOpenError:
    """The write made ready, or why its day is closed: answered only after the key's lookup,
    so that a retry of a request already applied is answered as that request was."""
    try:
        return actions.prepare_checkin(person, day, data, key)
    except actions.DayNotOpenError as error:
        return error


def _record_once(
    person: User,
    prepared: actions.CheckInWrite | actions.DayNotOpenError,
    key: uuid.UUID | None,
    fingerprinted: str,
    where: str,
) -> Status[dict[str, Any]]:
    """One check-in write, in as few statements as it takes: the key's lookup, the day's upsert
    (`actions.do_record_prepared`), its amounts, the key kept; the answer is built from what was
    written, not read back. ``fingerprinted``: the answers' `fingerprint`, when a key is sent.

    Without a key the write is the upsert alone, a transaction of its own (on PostgreSQL one
    message: no BEGIN or COMMIT sent apart); with one, the key's lookup and keeping join it."""
    if key is None:
        return _record_unkeyed(prepared, where)
    with transaction.atomic():
        return _record_keyed(person, prepared, key, fingerprinted, where)


def _record_unkeyed(
    prepared: actions.CheckInWrite | actions.DayNotOpenError, where: str
) -> Status[dict[str, Any]]:
    if isinstance(prepared, actions.DayNotOpenError):
        raise _closed(prepared, where) from prepared
    recorded = actions.do_record_prepared(prepared)
    answer = _answer(recorded.check_in, prepared.amounts if recorded.applied else None)
    return Status(201 if recorded.created else 200, answer)


def _record_keyed(
    person: User,
    prepared: actions.CheckInWrite | actions.DayNotOpenError,
    key: uuid.UUID,
    fingerprinted: str,
    where: str,
) -> Status[dict[str, Any]]:
    earlier = _earlier(person, key)
    if earlier is not None:
        if earlier.fingerprint != fingerprinted:
            raise _conflict()
        # A retry: its check-in as it is now; nothing changed, even if the day was changed
        # since by another request.
        return Status(200, _answer(earlier.check_in))
    if isinstance(prepared, actions.DayNotOpenError):
        raise _closed(prepared, where) from prepared
    recorded = actions.do_record_prepared(prepared)
    check_in = recorded.check_in
    if not recorded.applied:
        # The day holds this key already: the same request, sent twice at once (the other
        # committed while this one waited for the day's row), or retried after its
        # SubmissionKey was purged (or the key was the page's).
        earlier = _earlier(person, key)
        if earlier is not None:
            if earlier.fingerprint != fingerprinted:
                raise _conflict()
            return Status(200, _answer(earlier.check_in))
    SubmissionKey.objects.create(
        owner=person, key=key, check_in=check_in, fingerprint=fingerprinted
    )
    answer = _answer(check_in, prepared.amounts if recorded.applied else None)
    return Status(201 if recorded.created else 200, answer)


def _earlier(person: User, key: uuid.UUID) -> SubmissionKey | None:
    """The request that used ``key`` before, with its check-in (one query)."""
    return SubmissionKey.objects.filter(owner=person, key=key).select_related("check_in").first()


@router.post(
    "/checkins",
    response={200: CheckInOut, 201: CheckInOut, **errors(400, 401, 403, 409, 413, 429)},
    operation_id="record_checkin",
    summary="Record a day's check-in, or replace it (201 when new, 200 when replaced)",
)
def record_checkin(
    request: HttpRequest, payload: NewCheckInIn, idempotency_key: IdempotencyKey
) -> Status[dict[str, Any]]:
    key = uuid.UUID(idempotency_key)
    return _record(_person(request), payload.day, _data(payload), key, "body.day")


@router.put(
    "/checkins/{day}",
    response={200: CheckInOut, 201: CheckInOut, **errors(400, 401, 403, 409, 413, 429)},
    operation_id="put_checkin",
    summary="Record or replace the check-in of one day (201 when new, 200 when replaced)",
)
def put_checkin(
    request: HttpRequest,
    day: date,
    payload: CheckInIn,
    idempotency_key: OptionalIdempotencyKey = None,
) -> Status[dict[str, Any]]:
    key = uuid.UUID(idempotency_key) if idempotency_key else None
    return _record(_person(request), day, _data(payload), key, "path.day")
