"""What a person's export holds, one section per area (docs/data.md).

Each section says how to write its part of the JSON document (`dump`), how to read it back into
a new account (`load`), which CSV tables it makes (`tables`) and which models it covers
(`models`, checked by tests/interop/test_sections.py so a new person-owned model cannot be
forgotten). An area added later adds one `Section` to `SECTIONS`.

Each part is validated by its own pydantic model, which forbids unknown keys: a file that is
not Waymark's own export is refused with the place at fault, before anything is written.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Sequence
from datetime import date, datetime
from datetime import time as time_of_day
from decimal import Decimal
from typing import Any, Literal
from zoneinfo import available_timezones

from django.db.models import Model
from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field, field_validator

from waymark.accounts.models import User
from waymark.checkup.models import Answer, CheckUp
from waymark.clinical import progress as core
from waymark.clinical import scoring
from waymark.clinical.labels import APPROACH
from waymark.clinical.profile import SUBSTANCES
from waymark.measures.models import EmailOptOut, MeasureResponse, Schedule, Via
from waymark.measures.schedule import MEASURES
from waymark.plans.content import PERSONAL_LISTS
from waymark.plans.models import Plan, PlanVersion
from waymark.progress.models import MAX_SPEND, Currency, TypicalSpend
from waymark.tracking.models import CheckIn, Helper, Reminder, SubstanceAmount, Trigger

APPROACHES = tuple(APPROACH)


class Part(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- the parts of the document --------------------------------------------------------------


class AccountPart(Part):
    nickname: str = Field(max_length=150, description="the name the person signs in with")
    email: str = Field(max_length=254, description="empty when none was given")
    date_joined: datetime


class AnswerPart(Part):
    instrument: str = Field(max_length=20, description="an instrument id, or `profile`")
    version: str = Field(max_length=20)
    context: str = Field(max_length=20, description="the substance the answer is about, if any")
    item: str = Field(max_length=60)
    option: int | None = Field(ge=-32768, le=32767, description="the 0-based option chosen")
    value: Any = Field(description="the value of a plain question")
    answered_at: datetime


class CheckUpPart(Part):
    id: uuid.UUID
    status: Literal["in-progress", "complete"]
    step: str = Field(max_length=40)
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None
    engine_version: str = Field(max_length=20)
    result: dict[str, Any] | None = Field(description="the recommendation as shown then")
    answers: list[AnswerPart]


class PlanVersionPart(Part):
    number: int = Field(ge=1)
    created_at: datetime
    by_owner: bool = Field(description="written by the person (false: by someone else)")
    content: dict[str, Any] = Field(description="the person's own words in this version")

    @field_validator("content")
    @classmethod
    def _content_shape(cls, content: dict[str, Any]) -> dict[str, Any]:
        """The keys the plan pages read must have the types they expect."""
        if content.get("approach") not in APPROACHES:
            raise ValueError(f"the path must be one of {', '.join(APPROACHES)}")
        for key in PERSONAL_LISTS:
            value = content.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValueError(f"{key} must be a list of texts")
        people = content.get("people", [])
        if not isinstance(people, list) or not all(
            isinstance(p, dict) and all(isinstance(v, str) for v in p.values()) for p in people
        ):
            raise ValueError("people must be a list of names and phone numbers")
        if not isinstance(content.get("notes", ""), str):
            raise ValueError("notes must be text")
        return content


class PlanPart(Part):
    id: uuid.UUID
    checkup: uuid.UUID = Field(description="the check-up it was drafted from")
    created_at: datetime
    versions: list[PlanVersionPart] = Field(min_length=1)


class AmountPart(Part):
    substance: Literal[SUBSTANCES]  # type: ignore[valid-type]
    amount: Decimal = Field(ge=0, max_digits=5, decimal_places=2)


class CheckInPart(Part):
    id: uuid.UUID
    day: date
    used: bool
    cravings: int | None = Field(ge=0, le=10)
    mood: int | None = Field(ge=1, le=5)
    triggers: list[Literal[tuple(Trigger.values)]]  # type: ignore[valid-type]
    helped: list[Literal[tuple(Helper.values)]]  # type: ignore[valid-type]
    note: str
    amounts: list[AmountPart]
    created_at: datetime
    updated_at: datetime


class ReminderPart(Part):
    enabled: bool
    time: time_of_day = Field(description="the time of day, in the person's own time zone")
    time_zone: str = Field(max_length=64)
    weekdays: list[int] = Field(description="0 = Monday … 6 = Sunday")
    updated_at: datetime


class TypicalSpendPart(Part):
    amount: Decimal = Field(gt=0, le=MAX_SPEND, max_digits=12, decimal_places=2)
    currency: Literal[tuple(Currency.values)]  # type: ignore[valid-type]
    updated_at: datetime


class OutcomesPart(Part):
    """Computed on export, the same numbers as the progress page; not read back on import."""

    as_of: date
    summary: str
    milestones: dict[str, Any]
    windows: list[dict[str, Any]]


# --- CSV tables ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Table:
    """One CSV file: its columns, each with what it means (for README.txt), and its rows."""

    about: str
    columns: Sequence[tuple[str, str]]
    rows: list[list[Any]]


class Loading:
    """What one import has made so far, for the sections after it to refer to."""

    def __init__(self, user: User, keep_ids: bool, new_account: bool) -> None:
        self.user = user
        self.keep_ids = keep_ids
        self.new_account = new_account
        self.checkups: dict[uuid.UUID, CheckUp] = {}

    def public_id(self, old: uuid.UUID) -> uuid.UUID:
        return old if self.keep_ids else uuid.uuid4()


@dataclasses.dataclass(frozen=True)
class Section:
    name: str
    part: type[BaseModel] | None  # the model of one entry (of a list, when `many`)
    many: bool
    dump: Callable[[User], Any]
    load: Callable[[Loading, Any], None] | None  # None: computed, not read back
    tables: Callable[[Any], dict[str, Table]]
    models: tuple[type[Model], ...]
    ids: Callable[[Any], list[uuid.UUID]] = lambda part: []
    # Added after exports were already being made: a file without it is read as having none.
    optional: bool = False


def _when(value: datetime | None) -> str:
    return value.isoformat() if value is not None else ""


def _restamp(model: type[Model], pk: Any, **stamps: Any) -> None:
    """Put back the times Django sets itself on save (auto_now, auto_now_add)."""
    model._default_manager.filter(pk=pk).update(**stamps)


# --- account ---------------------------------------------------------------------------------


# Exports build their parts without validating them (model_construct): whatever is stored
# goes out, always. Import validates.


def dump_account(user: User) -> dict[str, Any]:
    return AccountPart.model_construct(
        nickname=user.username, email=user.email or "", date_joined=user.date_joined
    ).model_dump(mode="json")


def load_account(loading: Loading, part: AccountPart) -> None:
    user = loading.user
    user.email = user.email or part.email
    if loading.new_account:  # made for the import: it began when the old one did
        user.date_joined = part.date_joined
    user.save(update_fields=["email", "date_joined"])


def account_tables(part: dict[str, Any]) -> dict[str, Table]:
    columns = (
        ("nickname", "the name you sign in with"),
        ("email", "your email address, if you gave one"),
        ("date_joined", "when the account was made (ISO 8601, UTC)"),
    )
    return {
        "account.csv": Table(
            "Your account.", columns, [[part["nickname"], part["email"], part["date_joined"]]]
        )
    }


# --- check-ups -------------------------------------------------------------------------------


def dump_checkups(user: User) -> list[dict[str, Any]]:
    checkups = CheckUp.objects.filter(owner=user).prefetch_related("answers")
    return [
        CheckUpPart.model_construct(
            id=c.public_id,
            status=c.status,
            step=c.step,
            created_at=c.created_at,
            updated_at=c.updated_at,
            completed_at=c.completed_at,
            engine_version=c.engine_version,
            result=c.result,
            answers=[
                AnswerPart.model_construct(
                    instrument=a.instrument,
                    version=a.version,
                    context=a.context,
                    item=a.item,
                    option=a.option,
                    value=a.value,
                    answered_at=a.answered_at,
                )
                for a in sorted(c.answers.all(), key=lambda a: (a.instrument, a.context, a.item))
            ],
        ).model_dump(mode="json")
        for c in sorted(checkups, key=lambda c: (c.created_at, str(c.public_id)))
    ]


def _check_answer(answer: AnswerPart) -> None:
    """An instrument's answer must be one of its items and options: the pages score them."""
    if answer.instrument == Answer.PROFILE:
        return
    try:
        instrument = scoring.get_instrument(answer.instrument)
    except scoring.UnknownInstrumentError:
        raise ValueError(f"unknown questionnaire {answer.instrument!r}") from None
    try:
        item = instrument.items[instrument.item_index(answer.item)]
    except KeyError:
        raise ValueError(f"{answer.instrument} has no question {answer.item!r}") from None
    if answer.option is None or not 0 <= answer.option < len(item.options):
        raise ValueError(f"{answer.instrument} {answer.item}: no option {answer.option}")


def load_checkup(loading: Loading, part: CheckUpPart) -> None:
    keys = [(a.instrument, a.context, a.item) for a in part.answers]
    if len(keys) != len(set(keys)):
        raise ValueError("an item is answered twice")
    for given in part.answers:
        _check_answer(given)
    checkup = CheckUp.objects.create(
        public_id=loading.public_id(part.id),
        owner=loading.user,
        status=part.status,
        step=part.step,
        completed_at=part.completed_at,
        engine_version=part.engine_version,
        result=part.result,
    )
    _restamp(CheckUp, checkup.pk, created_at=part.created_at, updated_at=part.updated_at)
    answers = Answer.objects.bulk_create(
        Answer(
            checkup=checkup,
            instrument=a.instrument,
            version=a.version,
            context=a.context,
            item=a.item,
            option=a.option,
            value=a.value,
        )
        for a in part.answers
    )
    for made, given in zip(answers, part.answers, strict=True):
        made.answered_at = given.answered_at
    # bulk_update writes the values as given: auto_now applies only on save().
    Answer.objects.bulk_update(answers, ["answered_at"], batch_size=500)
    loading.checkups[part.id] = checkup


def checkup_tables(parts: list[dict[str, Any]]) -> dict[str, Table]:
    checkups = Table(
        "One row per check-up.",
        (
            ("id", "the check-up's id"),
            ("status", "in-progress or complete"),
            ("step", "the last step saved"),
            ("created_at", "when it was started (ISO 8601, UTC)"),
            ("updated_at", "when it was last changed"),
            ("completed_at", "when it was completed; empty if not"),
            ("engine_version", "the version of Waymark's rules that made the result"),
            ("result", "the result as shown then, as JSON (safety findings, path, reasons)"),
        ),
        [
            [
                p["id"],
                p["status"],
                p["step"],
                p["created_at"],
                p["updated_at"],
                p["completed_at"] or "",
                p["engine_version"],
                "" if p["result"] is None else _json(p["result"]),
            ]
            for p in parts
        ],
    )
    answers = Table(
        "One row per answer, exactly as stored; an item left out was not asked.",
        (
            ("checkup", "the check-up's id (checkups.csv)"),
            ("instrument", "the questionnaire's id, or `profile` for a plain question"),
            ("version", "the questionnaire's version"),
            ("context", "the substance the answer is about, if any"),
            ("item", "the question's id"),
            ("option", "the option chosen, counting from 0 in the published order"),
            ("value", "the answer to a plain question, as JSON"),
            ("answered_at", "when it was answered (ISO 8601, UTC)"),
        ),
        [
            [
                p["id"],
                a["instrument"],
                a["version"],
                a["context"],
                a["item"],
                "" if a["option"] is None else a["option"],
                "" if a["value"] is None else _json(a["value"]),
                a["answered_at"],
            ]
            for p in parts
            for a in p["answers"]
        ],
    )
    return {"checkups.csv": checkups, "answers.csv": answers}


# --- plans -----------------------------------------------------------------------------------


def dump_plans(user: User) -> list[dict[str, Any]]:
    plans = Plan.objects.filter(checkup__owner=user).select_related("checkup")
    plans = plans.prefetch_related("versions")
    return [
        PlanPart.model_construct(
            id=plan.public_id,
            checkup=plan.checkup.public_id,
            created_at=plan.created_at,
            versions=[
                PlanVersionPart.model_construct(
                    number=v.number,
                    created_at=v.created_at,
                    by_owner=v.created_by_id == user.pk,
                    content=v.content,
                )
                for v in sorted(plan.versions.all(), key=lambda v: v.number)
            ],
        ).model_dump(mode="json")
        for plan in sorted(plans, key=lambda p: (p.created_at, str(p.public_id)))
    ]


def load_plan(loading: Loading, part: PlanPart) -> None:
    checkup = loading.checkups.get(part.checkup)
    if checkup is None:
        raise ValueError(f"the check-up {part.checkup} is not in the file")
    numbers = [v.number for v in part.versions]
    if len(numbers) != len(set(numbers)):
        raise ValueError("two versions have the same number")
    plan = Plan.objects.create(public_id=loading.public_id(part.id), checkup=checkup)
    _restamp(Plan, plan.pk, created_at=part.created_at)
    for given in part.versions:
        version = PlanVersion.objects.create(
            plan=plan,
            number=given.number,
            created_by=loading.user if given.by_owner else None,
            content=given.content,
        )
        _restamp(PlanVersion, version.pk, created_at=given.created_at)


def plan_tables(parts: list[dict[str, Any]]) -> dict[str, Table]:
    plans = Table(
        "One row per plan.",
        (
            ("id", "the plan's id"),
            ("checkup", "the check-up it was drafted from (checkups.csv)"),
            ("created_at", "when it was made (ISO 8601, UTC)"),
        ),
        [[p["id"], p["checkup"], p["created_at"]] for p in parts],
    )
    versions = Table(
        "One row per saved version of a plan; the highest number is the plan as it is now.",
        (
            ("plan", "the plan's id (plans.csv)"),
            ("number", "the version's number, from 1"),
            ("created_at", "when it was saved (ISO 8601, UTC)"),
            ("by_owner", "true if you saved it, false if someone else did"),
            ("content", "your own words in this version, as JSON: path, goals, people, notes"),
        ),
        [
            [p["id"], v["number"], v["created_at"], _flag(v["by_owner"]), _json(v["content"])]
            for p in parts
            for v in p["versions"]
        ],
    )
    return {"plans.csv": plans, "plan_versions.csv": versions}


# --- daily check-ins -------------------------------------------------------------------------


def dump_checkins(user: User) -> list[dict[str, Any]]:
    checkins = CheckIn.objects.filter(owner=user).prefetch_related("amounts").order_by("day")
    return [
        CheckInPart.model_construct(
            id=c.public_id,
            day=c.day,
            used=c.used,
            cravings=c.cravings,
            mood=c.mood,
            triggers=list(c.triggers),
            helped=list(c.helped),
            note=c.note,
            amounts=[
                AmountPart.model_construct(substance=a.substance, amount=a.amount)
                for a in sorted(c.amounts.all(), key=lambda a: a.substance)
            ],
            created_at=c.created_at,
            updated_at=c.updated_at,
        ).model_dump(mode="json")
        for c in checkins
    ]


def load_checkins(loading: Loading, parts: list[CheckInPart]) -> None:
    days = [p.day for p in parts]
    if len(days) != len(set(days)):
        raise ValueError("two check-ins are for the same day")
    checkins = CheckIn.objects.bulk_create(
        CheckIn(
            public_id=loading.public_id(p.id),
            owner=loading.user,
            day=p.day,
            used=p.used,
            cravings=p.cravings,
            mood=p.mood,
            triggers=list(p.triggers),
            helped=list(p.helped),
            note=p.note,
        )
        for p in parts
    )
    amounts = []
    for check_in, part in zip(checkins, parts, strict=True):
        substances = [a.substance for a in part.amounts]
        if len(substances) != len(set(substances)):
            raise ValueError(f"the check-in of {part.day} gives one substance twice")
        amounts += [
            SubstanceAmount(check_in=check_in, substance=a.substance, amount=a.amount)
            for a in part.amounts
        ]
        check_in.created_at, check_in.updated_at = part.created_at, part.updated_at
    CheckIn.objects.bulk_update(checkins, ["created_at", "updated_at"], batch_size=500)
    SubstanceAmount.objects.bulk_create(amounts)


def checkin_tables(parts: list[dict[str, Any]]) -> dict[str, Table]:
    checkins = Table(
        "One row per daily check-in. A day with no row was not recorded (never 'did not use').",
        (
            ("id", "the check-in's id"),
            ("day", "the day it is about (YYYY-MM-DD)"),
            ("used", "true if you used that day"),
            ("cravings", "cravings from 0 (none) to 10; empty if not given"),
            ("mood", "mood from 1 (very low) to 5 (very good); empty if not given"),
            ("triggers", "what made you want to use, separated by ';'"),
            ("helped", "what helped, separated by ';'"),
            ("note", "your own note"),
            ("created_at", "when it was first saved (ISO 8601, UTC)"),
            ("updated_at", "when it was last changed"),
        ),
        [
            [
                p["id"],
                p["day"],
                _flag(p["used"]),
                _blank(p["cravings"]),
                _blank(p["mood"]),
                ";".join(p["triggers"]),
                ";".join(p["helped"]),
                p["note"],
                p["created_at"],
                p["updated_at"],
            ]
            for p in parts
        ],
    )
    amounts = Table(
        "How much, per check-in and substance.",
        (
            ("checkin", "the check-in's id (checkins.csv)"),
            ("day", "the day (YYYY-MM-DD)"),
            ("substance", "the substance"),
            ("amount", "US standard drinks for alcohol; times used for anything else"),
        ),
        [[p["id"], p["day"], a["substance"], a["amount"]] for p in parts for a in p["amounts"]],
    )
    return {"checkins.csv": checkins, "amounts.csv": amounts}


# --- reminders -------------------------------------------------------------------------------


def dump_reminders(user: User) -> list[dict[str, Any]]:
    return [
        ReminderPart.model_construct(
            enabled=r.enabled,
            time=r.time,
            time_zone=r.time_zone,
            weekdays=list(r.weekdays),
            updated_at=r.updated_at,
        ).model_dump(mode="json")
        for r in Reminder.objects.filter(owner=user)
    ]


def load_reminders(loading: Loading, parts: list[ReminderPart]) -> None:
    if len(parts) > 1:
        raise ValueError("a person has at most one reminder")
    for part in parts:
        if part.time_zone not in available_timezones():
            raise ValueError(f"{part.time_zone!r} is not a time zone")
        if any(day not in range(7) for day in part.weekdays) or len(set(part.weekdays)) != len(
            part.weekdays
        ):
            raise ValueError("weekdays are 0 (Monday) to 6 (Sunday), each once")
        # The email confirmation is neither exported nor imported: an imported address has to
        # be confirmed by its owner before any reminder is sent (Reminder.email_confirmed).
        reminder = Reminder.objects.create(
            owner=loading.user,
            enabled=part.enabled,
            time=part.time,
            time_zone=part.time_zone,
            weekdays=list(part.weekdays),
        )
        _restamp(Reminder, reminder.pk, updated_at=part.updated_at)


def reminder_tables(parts: list[dict[str, Any]]) -> dict[str, Table]:
    columns = (
        ("enabled", "true if reminders are on"),
        ("time", "the time of day of the email, in your time zone (HH:MM:SS)"),
        ("time_zone", "your time zone"),
        ("weekdays", "the days, 0 = Monday to 6 = Sunday, separated by ';'"),
        ("updated_at", "when the reminder was last changed (ISO 8601, UTC)"),
    )
    rows = [
        [
            _flag(p["enabled"]),
            p["time"],
            p["time_zone"],
            ";".join(map(str, p["weekdays"])),
            p["updated_at"],
        ]
        for p in parts
    ]
    return {
        "reminders.csv": Table("Your check-in reminder by email, if you set one.", columns, rows)
    }


# --- the usual spend on a day of use (progress page) ----------------------------------------


def dump_typical_spend(user: User) -> list[dict[str, Any]]:
    return [
        TypicalSpendPart.model_construct(
            amount=s.amount, currency=s.currency, updated_at=s.updated_at
        ).model_dump(mode="json")
        for s in TypicalSpend.objects.filter(owner=user)
    ]


def load_typical_spend(loading: Loading, parts: list[TypicalSpendPart]) -> None:
    if len(parts) > 1:
        raise ValueError("a person has at most one usual spend")
    for part in parts:
        spend = TypicalSpend.objects.create(
            owner=loading.user, amount=part.amount, currency=part.currency
        )
        _restamp(TypicalSpend, spend.pk, updated_at=part.updated_at)


def typical_spend_tables(parts: list[dict[str, Any]]) -> dict[str, Table]:
    columns = (
        ("amount", "what you usually spent on a day of use, as you entered it"),
        ("currency", "its currency (ISO 4217 code); empty if you chose none"),
        ("updated_at", "when you last changed it (ISO 8601, UTC)"),
    )
    rows = [[p["amount"], p["currency"], p["updated_at"]] for p in parts]
    return {
        "typical_spend.csv": Table(
            "Your usual spend on a day of use, if you entered one (the progress page's "
            "'money not spent').",
            columns,
            rows,
        )
    }


# --- measures a program asked for (waymark/measures) -----------------------------------------


class MeasureResponsePart(Part):
    id: uuid.UUID
    instrument: Literal[MEASURES]  # type: ignore[valid-type]
    version: str = Field(max_length=20)
    program: str = Field(max_length=200, description="the program that asked; empty if none")
    answers: list[int | None] = Field(
        description="the 0-based option chosen for each item, in order; null: not asked"
    )
    total: int | None = Field(ge=0, le=32767, description="null for the BAM (no single total)")
    band: str = Field(max_length=40, description="the band's id; empty for the BAM")
    subscales: dict[str, int] = Field(description="subscale id: score (the BAM's three)")
    flags: list[str] = Field(description="the ids of the flags the answers raised")
    completed_at: datetime
    via: Literal[tuple(Via.values)]  # type: ignore[valid-type]


class MeasureSchedulePart(Part):
    """Export only: a schedule belongs to its program, on the server it is on."""

    program: str
    instrument: str
    every_days: int | None = Field(description="null: not sent to you")
    personal: bool = Field(description="set for you by a clinician, not the program's own")


class MeasureEmailsOffPart(Part):
    since: datetime = Field(description="when measure emails were turned off")


def dump_measures(user: User) -> list[dict[str, Any]]:
    responses = MeasureResponse.objects.filter(person=user).select_related("program")
    return [
        MeasureResponsePart.model_construct(
            id=r.public_id,
            instrument=r.instrument,
            version=r.version,
            program=r.program.name if r.program else "",
            answers=list(r.answers),
            total=r.total,
            band=r.band,
            subscales=dict(r.subscales),
            flags=list(r.flags),
            completed_at=r.completed_at,
            via=r.via,
        ).model_dump(mode="json")
        for r in responses.order_by("completed_at", "public_id")
    ]


def _check_measure(part: MeasureResponsePart) -> None:
    """The scores must be the ones the answers give (alert rules read them): a file cannot
    raise, or hide, a flag its answers do not."""
    try:
        scored = scoring.score(part.instrument, part.answers)
    except scoring.ScoringError as error:
        raise ValueError(f"{part.instrument}: {error}") from None
    instrument = scored.instrument
    if part.total != scored.total_or_none or part.subscales != dict(scored.subscales):
        raise ValueError(f"{part.instrument}: the scores are not the ones its answers give")
    if sorted(part.flags) != sorted(scored.flags):
        raise ValueError(f"{part.instrument}: the flags are not the ones its answers raise")
    # A band may depend on the sex given when answering: any of the instrument's holding it.
    total = scored.total_or_none
    if total is None:
        bands = {""}
    else:
        bands = {b.id for by_sex in instrument.bands.values() for b in by_sex if b.holds(total)}
    if part.band not in bands:
        raise ValueError(f"{part.instrument}: no band {part.band!r} for a total of {total}")


def load_measures(loading: Loading, parts: list[MeasureResponsePart]) -> None:
    """The answers come back without their program and request: both are the old server's."""
    for index, part in enumerate(parts):
        try:
            _check_measure(part)
        except ValueError as error:
            raise ValueError(f"[{index}]: {error}") from error
    MeasureResponse.objects.bulk_create(
        MeasureResponse(
            public_id=loading.public_id(p.id),
            person=loading.user,
            instrument=p.instrument,
            version=p.version,
            answers=list(p.answers),
            total=p.total,
            band=p.band,
            subscales=dict(p.subscales),
            flags=list(p.flags),
            completed_at=p.completed_at,
            via=p.via,
        )
        for p in parts
    )


def measure_tables(parts: list[dict[str, Any]]) -> dict[str, Table]:
    columns = (
        ("id", "the answer's id"),
        ("instrument", "the measure's id (bam, phq-9, gad-7, audit-c, assist-…, barc-10)"),
        ("version", "the measure's version"),
        ("program", "the program that asked for it; empty if it is no longer on the server"),
        ("answers", "the option chosen for each question, from 0, separated by ';' (empty: "
                    "not asked)"),
        ("total", "the total score; empty for the BAM, which has none"),
        ("band", "the score's band; empty for the BAM"),
        ("subscales", "the BAM's subscale scores, as JSON"),
        ("flags", "answers that raised a flag for your program, separated by ';'"),
        ("completed_at", "when you answered (ISO 8601, UTC)"),
        ("via", "link (the emailed link) or app"),
    )  # fmt: skip
    rows = [
        [
            p["id"],
            p["instrument"],
            p["version"],
            p["program"],
            ";".join("" if a is None else str(a) for a in p["answers"]),
            _blank(p["total"]),
            p["band"],
            _json(p["subscales"]) if p["subscales"] else "",
            ";".join(p["flags"]),
            p["completed_at"],
            p["via"],
        ]
        for p in parts
    ]
    return {"measures.csv": Table("One row per measure you answered.", columns, rows)}


def dump_measure_schedules(user: User) -> list[dict[str, Any]]:
    """How often each program you share check-ups with asks each measure of you now."""
    from waymark.measures.actions import sharing_programs
    from waymark.measures.results import schedule_rows

    consents = sharing_programs(user).select_related("organization")
    programs = {c.organization_id: c.organization for c in consents}
    return [
        MeasureSchedulePart.model_construct(
            program=program.name,
            instrument=row.measure,
            every_days=row.every_days,
            personal=row.personal,
        ).model_dump(mode="json")
        for program in sorted(programs.values(), key=lambda p: (p.name, str(p.public_id)))
        for row in schedule_rows(program, user)
    ]


def measure_schedule_tables(parts: list[dict[str, Any]]) -> dict[str, Table]:
    columns = (
        ("program", "the program"),
        ("instrument", "the measure's id"),
        ("every_days", "how often it is asked, in days; empty: not sent to you"),
        ("personal", "true if a clinician set it for you, false if it is the program's"),
    )
    rows = [
        [p["program"], p["instrument"], _blank(p["every_days"]), _flag(p["personal"])]
        for p in parts
    ]
    about = "How often the programs you share check-ups with ask you each measure, today."
    return {"measure_schedules.csv": Table(about, columns, rows)}


def dump_measure_emails_off(user: User) -> list[dict[str, Any]]:
    return [
        MeasureEmailsOffPart.model_construct(since=o.at).model_dump(mode="json")
        for o in EmailOptOut.objects.filter(person=user)
    ]


def load_measure_emails_off(loading: Loading, parts: list[MeasureEmailsOffPart]) -> None:
    if len(parts) > 1:
        raise ValueError("measure emails are turned off once")
    for part in parts:
        off, _ = EmailOptOut.objects.get_or_create(person=loading.user)
        _restamp(EmailOptOut, off.pk, at=part.since)


def measure_emails_off_tables(parts: list[dict[str, Any]]) -> dict[str, Table]:
    columns = (("since", "when you turned measure emails off (ISO 8601, UTC)"),)
    about = "A row if you turned measure emails off (the measures still wait in Waymark)."
    return {"measure_emails_off.csv": Table(about, columns, [[p["since"]] for p in parts])}


# --- outcomes (computed) ---------------------------------------------------------------------


def dump_outcomes(user: User) -> dict[str, Any]:
    """The same numbers as the progress page and GET /api/v1/progress."""
    from waymark.progress.record import load

    today = timezone.localdate()
    record = load(user.pk)
    summary = core.summary(record.days, today, record.sex, record.baseline, record.drinking)
    milestones = core.milestones(record.days, record.targets, record.baseline, record.sex)
    return OutcomesPart.model_construct(
        as_of=today,
        summary=str(summary),
        milestones=dataclasses.asdict(milestones),
        windows=[
            {"days": days, "outcomes": result.as_dict()}
            for days, result in core.windows(record.days, today, record.sex)
        ],
    ).model_dump(mode="json")


def outcome_tables(part: dict[str, Any]) -> dict[str, Table]:
    keys = sorted({key for w in part["windows"] for key in w["outcomes"]})
    return {
        "outcomes.csv": Table(
            "Outcomes worked out from your check-ins on the day of the export, as the progress "
            "page shows them: one row per window (the last 7, 28 and 90 days, then all).",
            (
                ("as_of", "the day the numbers were worked out"),
                ("days", "the window in days; empty for your whole record"),
                *((key, "see docs/data.md, 'Outcomes'") for key in keys),
            ),
            [
                [part["as_of"], _blank(w["days"]), *(_cell(w["outcomes"].get(k)) for k in keys)]
                for w in part["windows"]
            ],
        )
    }


# --- helpers ---------------------------------------------------------------------------------


def _json(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _blank(value: Any) -> Any:
    return "" if value is None else value


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _flag(value)
    if isinstance(value, dict | list):
        return _json(value)
    return value


def _each(load: Callable[[Loading, Any], None]) -> Callable[[Loading, list[Any]], None]:
    def load_each(loading: Loading, parts: list[Any]) -> None:
        for index, part in enumerate(parts):
            try:
                load(loading, part)
            except ValueError as error:
                raise ValueError(f"[{index}]: {error}") from error

    return load_each


SECTIONS: tuple[Section, ...] = (
    Section("account", AccountPart, False, dump_account, load_account, account_tables, (User,)),
    Section(
        "checkups",
        CheckUpPart,
        True,
        dump_checkups,
        _each(load_checkup),
        checkup_tables,
        (CheckUp, Answer),
        ids=lambda parts: [p.id for p in parts],
    ),
    Section(
        "plans",
        PlanPart,
        True,
        dump_plans,
        _each(load_plan),
        plan_tables,
        (Plan, PlanVersion),
        ids=lambda parts: [p.id for p in parts],
    ),
    Section(
        "checkins",
        CheckInPart,
        True,
        dump_checkins,
        load_checkins,
        checkin_tables,
        (CheckIn, SubstanceAmount),
        ids=lambda parts: [p.id for p in parts],
    ),
    Section(
        "reminders",
        ReminderPart,
        True,
        dump_reminders,
        load_reminders,
        reminder_tables,
        (Reminder,),
    ),
    Section(
        "typical_spend",
        TypicalSpendPart,
        True,
        dump_typical_spend,
        load_typical_spend,
        typical_spend_tables,
        (TypicalSpend,),
        optional=True,
    ),
    Section(
        "measures",
        MeasureResponsePart,
        True,
        dump_measures,
        load_measures,
        measure_tables,
        (MeasureResponse,),
        ids=lambda parts: [p.id for p in parts],
        optional=True,
    ),
    # The schedules belong to the programs of this server: exported, never read back.
    Section(
        "measure_schedules",
        MeasureSchedulePart,
        True,
        dump_measure_schedules,
        None,
        measure_schedule_tables,
        (Schedule,),
        optional=True,
    ),
    Section(
        "measure_emails_off",
        MeasureEmailsOffPart,
        True,
        dump_measure_emails_off,
        load_measure_emails_off,
        measure_emails_off_tables,
        (EmailOptOut,),
        optional=True,
    ),
    Section("outcomes", OutcomesPart, False, dump_outcomes, None, outcome_tables, ()),
)
