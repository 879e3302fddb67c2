"""Plans: the JSON twins of the plan pages. A plan is visible exactly when its check-up is
(`waymark.access.visible_plans`); anything else answers 404.

Switching path (POST /plans/{id}/switch) and taking the next step (POST /plans/{id}/next-step)
go through the pages' own actions, `waymark.plans.actions.do_switch_path` and
`do_take_next_step`, with the pages' checks: a new version each time, earlier ones kept. A
signed-in session sends its CSRF token, as every write; a personal API token needs none."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import datetime
from typing import Any, Literal

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from ninja.security import django_auth
from pydantic import ConfigDict

from waymark.access import visible_plans
from waymark.accounts.models import User
from waymark.api.checkups import BrowserSessionAuth
from waymark.api.errors import ApiError, errors
from waymark.api.pagination import Page, resolved
from waymark.plans import actions
from waymark.plans.document import plan_document
from waymark.plans.models import Plan, PlanVersion
from waymark.progress.record import load, next_step_for

router = Router(tags=["plans"], auth=[django_auth, BrowserSessionAuth()])


class PlanOut(Schema):
    id: uuid.UUID = Field(description="the plan's public id")
    checkup: uuid.UUID = Field(description="the check-up it was drafted from")
    created: datetime
    version: int = Field(description="the latest version's number")
    approach: str = Field(description="the path the plan follows")


class VersionOut(Schema):
    number: int
    created: datetime
    content: dict[str, Any] = Field(
        description="the person's own words: approach, lists, people, notes"
    )


class PlanDetailOut(PlanOut):
    content: dict[str, Any] = Field(description="the latest version's own words")
    document: dict[str, Any] = Field(
        description="the whole plan as shown: safety first, sections, stages, taper, lists"
    )


def _summary(plan: Plan, latest: PlanVersion) -> dict[str, Any]:
    return {
        "id": plan.public_id,
        "checkup": plan.checkup.public_id,
        "created": plan.created_at,
        "version": latest.number,
        "approach": latest.content.get("approach", ""),
    }


def _plan(request: HttpRequest, plan_id: uuid.UUID) -> Plan:
    plan = visible_plans(request).filter(public_id=plan_id).first()
    if plan is None:
        raise Http404("No such plan.")
    return plan


@router.get(
    "/plans",
    response={200: list[PlanOut], **errors(400, 401, 429)},
    operation_id="list_plans",
    summary="My plans, newest first",
)
@paginate(Page)
def list_plans(request: HttpRequest) -> list[dict[str, Any]]:
    plans = visible_plans(request).prefetch_related("versions").order_by("-created_at", "-pk")
    return [_summary(plan, max(plan.versions.all(), key=lambda v: v.number)) for plan in plans]


@router.get(
    "/plans/{uuid:plan_id}",
    response={200: PlanDetailOut, **errors(401, 404, 429)},
    operation_id="get_plan",
    summary="One of my plans as shown, with the latest version's own words",
)
def get_plan(request: HttpRequest, plan_id: uuid.UUID) -> dict[str, Any]:
    plan = _plan(request, plan_id)
    latest = plan.latest()
    document = dataclasses.asdict(plan_document(plan, latest))
    return _summary(plan, latest) | {"content": latest.content, "document": document}


@router.get(
    "/plans/{uuid:plan_id}/versions",
    response={200: list[VersionOut], **errors(400, 401, 404, 429)},
    operation_id="list_plan_versions",
    summary="Every version of one of my plans, newest first",
)
@paginate(Page)
@resolved
def list_versions(request: HttpRequest, plan_id: uuid.UUID) -> list[dict[str, Any]]:
    plan = _plan(request, plan_id)
    return [
        {"number": v.number, "created": v.created_at, "content": v.content}
        for v in plan.versions.order_by("-number")
    ]


# --- switching path and the next step --------------------------------------------------------

# The paths a plan can follow (waymark.clinical.plan.APPROACHES) and the next steps
# (waymark.clinical.reassess), as the request schemas name them.
Approach = Literal["abstinence", "harm-reduction", "staged"]
StepKind = Literal["lower-target", "abstinence-trial"]


class SwitchIn(Schema):
    model_config = ConfigDict(extra="forbid")

    approach: Approach = Field(
        description="the path to follow from now on: one other than the plan's current one"
    )


class NextStepIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: StepKind = Field(
        description="one of the offers GET /progress shows under `next_step.offers`: a limit "
        "one drink lower, or a trial of weeks without drinking (which moves the plan to the "
        "abstinence path)"
    )


def _detail(plan: Plan) -> dict[str, Any]:
    latest = plan.latest()
    document = dataclasses.asdict(plan_document(plan, latest))
    return _summary(plan, latest) | {"content": latest.content, "document": document}


@router.post(
    "/plans/{uuid:plan_id}/switch",
    response={200: PlanDetailOut, **errors(400, 401, 403, 404, 429)},
    operation_id="switch_plan_path",
    summary="Follow another path from now on: a new version, the person's own lists kept",
)
def switch_path(request: HttpRequest, plan_id: uuid.UUID, payload: SwitchIn) -> dict[str, Any]:
    plan = _plan(request, plan_id)
    current = plan.latest().content.get("approach")
    if payload.approach == current:
        raise ApiError(
            400,
            "invalid-request",
            "The plan already follows this path; choose one of the other paths.",
            {"body.approach": f"already the plan's path ({current})"},
        )
    user = request.user if isinstance(request.user, User) else None
    actions.do_switch_path(plan, payload.approach, user)
    return _detail(_plan(request, plan_id))


@router.post(
    "/plans/{uuid:plan_id}/next-step",
    response={200: PlanDetailOut, **errors(400, 401, 403, 404, 429)},
    operation_id="take_next_step",
    summary="Take the next step GET /progress offers: a new version with the chosen limit",
    auth=django_auth,
)
def take_next_step(request: HttpRequest, plan_id: uuid.UUID, payload: NextStepIn) -> dict[str, Any]:
    """The offer is worked out again from the person's own record, as on the page: only a
    step on offer now, for the plan the progress page follows, can be taken."""
    plan = _plan(request, plan_id)
    assert isinstance(request.user, User)  # django_auth lets only signed-in people through
    record = load(request.user.pk)
    step = next_step_for(record, timezone.localdate())
    offer = next((o for o in step.offers if o.kind == payload.kind), None) if step else None
    if record.plan is None or record.plan.pk != plan.pk or offer is None:
        why = (
            "no next step is on offer for this plan now"
            if step is None or record.plan is None or record.plan.pk != plan.pk
            else "not one of the steps on offer now: " + ", ".join(o.kind for o in step.offers)
        )
        raise ApiError(
            400,
            "invalid-request",
            "This step is not on offer now; nothing was changed. GET /progress shows what is.",
            {"body.kind": why},
        )
    actions.do_take_next_step(plan, offer, request.user)
    return _detail(_plan(request, plan_id))
