"""Daily check-ins and progress: the JSON twins of /track/ and /progress/. Signed-in people
only, and only their own records; the numbers come from the same code as the pages."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from ninja.security import django_auth

from waymark.api.checkups import Page
from waymark.api.errors import errors
from waymark.clinical import progress as core
from waymark.progress.views import load
from waymark.tracking.models import CheckIn

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
    def resolve_amounts(check_in: CheckIn) -> dict[str, float]:
        return {a.substance: float(a.amount) for a in check_in.amounts.all()}


class WindowOut(Schema):
    days: int | None = Field(description="7, 28 or 90; null for the whole record")
    outcomes: dict[str, Any] = Field(description="as `waymark outcomes --json` (CONTRACTS §5)")


class ProgressOut(Schema):
    summary: str
    milestones: dict[str, Any]
    windows: list[WindowOut]


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


@router.get(
    "/progress",
    response={200: ProgressOut, **errors(401, 429)},
    operation_id="get_progress",
    summary="My progress: the summary, milestones and outcomes the progress page shows",
)
def get_progress(request: HttpRequest) -> dict[str, Any]:
    today = timezone.localdate()
    record = load(request.user.pk)
    summary = core.summary(record.days, today, record.sex, record.baseline, record.drinking)
    milestones = core.milestones(record.days, record.targets, record.baseline, record.sex)
    return {
        "summary": str(summary),
        "milestones": dataclasses.asdict(milestones),
        "windows": [
            {"days": days, "outcomes": result.as_dict()}
            for days, result in core.windows(record.days, today, record.sex)
        ],
    }
