"""A person's check-ups: those of the signed-in account and those this browser took without
one. Which check-ups anyone may see is decided by `waymark.access.visible_checkups`,
the one access rule; anything else answers 404, never 403, so no id's existence leaks."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from ninja.security import APIKeyCookie, django_auth

from waymark.access import visible_checkups
from waymark.api.errors import errors
from waymark.api.pagination import Page
from waymark.checkup.models import SESSION_KEY, Answer, CheckUp


class BrowserSessionAuth(APIKeyCookie):
    """Someone not signed in whose browser session holds check-ups it took."""

    param_name = settings.SESSION_COOKIE_NAME

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return "browser-session" if request.session.get(SESSION_KEY) else None


router = Router(tags=["checkups"], auth=[django_auth, BrowserSessionAuth()])


class CheckUpOut(Schema):
    id: uuid.UUID = Field(description="the check-up's public id")
    status: CheckUp.Status
    created: datetime
    completed: datetime | None
    step: str = Field(description="the last step saved")
    result: dict[str, Any] | None = Field(
        description="the recommendation as shown when completed (CONTRACTS.md §3)"
    )

    # The public UUID, never the integer key.
    @staticmethod
    def resolve_id(checkup: CheckUp) -> uuid.UUID:
        return checkup.public_id

    @staticmethod
    def resolve_created(checkup: CheckUp) -> datetime:
        return checkup.created_at

    @staticmethod
    def resolve_completed(checkup: CheckUp) -> datetime | None:
        return checkup.completed_at


class AnswerOut(Schema):
    instrument: str = Field(description="an instrument id, or `profile` for a plain question")
    version: str
    context: str = Field(description="the substance the answer is about, if any")
    item: str
    option: int | None = Field(description="the 0-based option chosen")
    value: Any = Field(description="the value of a plain question")


class CheckUpDetailOut(CheckUpOut):
    answers: list[AnswerOut]

    @staticmethod
    def resolve_answers(checkup: CheckUp) -> QuerySet[Answer]:
        return checkup.answers.order_by("pk")


@router.get(
    "/checkups",
    response={200: list[CheckUpOut], **errors(400, 401, 429)},
    operation_id="list_checkups",
    summary="My check-ups, newest first",
)
@paginate(Page)
def list_checkups(request: HttpRequest) -> QuerySet[CheckUp]:
    return visible_checkups(request).order_by("-created_at", "-pk")


@router.get(
    "/checkups/{uuid:checkup_id}",
    response={200: CheckUpDetailOut, **errors(401, 404, 429)},
    operation_id="get_checkup",
    summary="One of my check-ups, with every stored answer",
)
def get_checkup(request: HttpRequest, checkup_id: uuid.UUID) -> CheckUp:
    checkup = visible_checkups(request).filter(public_id=checkup_id).first()
    if checkup is None:
        raise Http404("No such check-up.")
    return checkup
