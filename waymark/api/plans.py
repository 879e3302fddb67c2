"""Plans: the JSON twins of the plan pages. A plan is visible exactly when its check-up is
(`waymark.plans.views.visible_plans`); anything else answers 404."""

from __future__ import annotations

import dataclasses
import typing
import uuid
from datetime import datetime
from typing import Any, TypeVar

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from ninja.security import django_auth

from waymark.api.checkups import BrowserSessionAuth, Page
from waymark.api.errors import errors
from waymark.plans.models import Plan, PlanVersion
from waymark.plans.views import plan_document, visible_plans

F = TypeVar("F", bound=typing.Callable[..., Any])
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


def resolved(view: F) -> F:
    """The view with its annotations evaluated here: ninja reads a paginated view's
    annotations in its own module, where `uuid` means nothing."""
    view.__annotations__ = typing.get_type_hints(view)
    return view


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
