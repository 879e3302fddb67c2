"""A person's data in and out, and their API tokens: the JSON twins of /account/data/ and
/account/tokens/, and a program's FHIR export for staff (docs/data.md)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from ninja.security import django_auth
from pydantic import BaseModel, create_model

from waymark import access
from waymark.accounts.models import Organization, User
from waymark.accounts.staff import StaffProblem, staff_problem
from waymark.api import tokens
from waymark.api.errors import ApiError, errors
from waymark.api.pagination import Page
from waymark.compression import keep_uncompressed
from waymark.interop import export as exporting
from waymark.interop import fhir
from waymark.interop.audit import audit
from waymark.interop.export import document
from waymark.interop.importer import ImportFileError, do_import
from waymark.interop.models import ApiToken
from waymark.interop.people import program_bundles
from waymark.interop.sections import SECTIONS

router = Router(tags=["data"], auth=django_auth)


def _section_shape(section: Any) -> Any:
    return list[section.part] if section.many else section.part


ExportDocument: type[BaseModel] = create_model(  # type: ignore[call-overload]
    "ExportDocument",
    format=(Literal["waymark-export"], ...),
    version=(Literal[1], ...),
    exported_at=(datetime, ...),
    # A part added after exports were already being made may be missing from an older file.
    **{
        section.name: (_section_shape(section), [] if section.optional else ...)
        for section in SECTIONS
    },
)
ExportDocument.__doc__ = "Everything the person has (docs/data.md); import reads it back."


class FhirBundle(Schema):
    """A FHIR R4 Bundle (type collection), validated with fhir.resources and fhirclient."""

    resourceType: Literal["Bundle"]  # noqa: N815 - FHIR's own name
    id: str
    type: Literal["collection"]
    timestamp: str
    meta: dict[str, Any] | None = Field(
        None,
        description="in a program's export, the security labels 42CFRPart2 and NORDSCLCD",
    )
    entry: list[dict[str, Any]] = Field(
        description="Patient, Questionnaire, QuestionnaireResponse, Observation, CarePlan"
    )


class ProgramBundles(Schema):
    program: uuid.UUID
    bundles: list[FhirBundle] = Field(description="one per patient sharing check-ups with you")


class Imported(Schema):
    imported: dict[str, int] = Field(description="how many of each were imported")


class TokenOut(Schema):
    id: uuid.UUID
    name: str
    prefix: str = Field(description="the token's first characters, to tell it apart")
    scope: ApiToken.Scope
    created: datetime
    expires: datetime | None
    last_used: datetime | None
    revoked: datetime | None

    @staticmethod
    def resolve_id(token: ApiToken) -> uuid.UUID:
        return token.public_id

    @staticmethod
    def resolve_created(token: ApiToken) -> datetime:
        return token.created_at

    @staticmethod
    def resolve_expires(token: ApiToken) -> datetime | None:
        return token.expires_at

    @staticmethod
    def resolve_last_used(token: ApiToken) -> datetime | None:
        return token.last_used_at

    @staticmethod
    def resolve_revoked(token: ApiToken) -> datetime | None:
        return token.revoked_at


class TokenIn(Schema):
    name: str = Field(min_length=1, max_length=60)
    scope: ApiToken.Scope = ApiToken.Scope.READ
    expires: datetime | None = Field(
        None,
        description="when it stops working; null: never. Staff tokens need one, at most "
        f"{tokens.STAFF_TOKEN_DAYS} days away",
    )


class NewToken(TokenOut):
    token: str = Field(description="the secret, shown only in this answer: keep it now")


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@router.get(
    "/export",
    response={200: ExportDocument, **errors(401, 429)},
    operation_id="export_json",
    summary="Everything I have, as Waymark's JSON export (what /account/data/ downloads)",
)
def export_json(request: HttpRequest) -> dict[str, Any]:
    user = _user(request)
    data = document(user)
    audit("export.json", actor=user, subject=user, request=request)
    return data


@router.get(
    "/export/fhir",
    response={200: FhirBundle, **errors(401, 429)},
    operation_id="export_fhir",
    summary="Everything I have that FHIR can hold, as one FHIR R4 Bundle",
    exclude_none=True,  # FHIR JSON has no nulls
)
def export_fhir(request: HttpRequest) -> dict[str, Any]:
    user = _user(request)
    bundle = fhir.bundle(user, document(user))
    audit("export.fhir", actor=user, subject=user, request=request)
    return bundle


@router.post(
    "/import",
    response={200: Imported, **errors(400, 401, 403, 409, 413, 429)},
    operation_id="import_json",
    summary="Import a Waymark JSON export into my account, which must have no records yet",
)
def import_json(request: HttpRequest, payload: ExportDocument) -> dict[str, Any]:  # type: ignore[valid-type]
    user = _user(request)
    try:
        text = exporting.to_json(payload.model_dump(mode="json"))  # type: ignore[attr-defined]
        counts = do_import(user, text, actor=user, request=request)
    except ImportFileError as error:
        status = 409 if "already has records" in str(error) else 400
        raise ApiError(
            status,
            "account-not-empty" if status == 409 else "invalid-request",
            f"The export cannot be imported: {error}.",
        ) from error
    return {"imported": counts}


@router.get(
    "/tokens",
    response={200: list[TokenOut], **errors(400, 401, 429)},
    operation_id="list_tokens",
    summary="My API tokens (never their secrets), newest first",
)
@paginate(Page)
def list_tokens(request: HttpRequest) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(owner=_user(request))


@router.post(
    "/tokens",
    response={201: NewToken, **errors(400, 401, 403, 429)},
    operation_id="create_token",
    summary="Make an API token; its secret is in this answer only",
)
def create_token(request: HttpRequest, payload: TokenIn) -> Status[Any]:
    keep_uncompressed(request)  # the new token's secret is in this answer
    if getattr(request, "api_token", None) is not None:
        raise ApiError(403, "forbidden", "A token cannot make tokens: sign in to make one.")
    if payload.expires is not None and payload.expires <= timezone.now():
        raise ApiError(
            400, "invalid-request", "The expiry is in the past.", {"body.expires": "in the past"}
        )
    try:
        token, secret = tokens.do_create_token(
            request, payload.name, payload.scope, payload.expires
        )
    except tokens.TokenRefusedError as error:
        raise ApiError(403, "forbidden", str(error)) from error
    except tokens.StaffExpiryError as error:
        days = f"at most {tokens.STAFF_TOKEN_DAYS} days away"
        raise ApiError(400, "invalid-request", str(error), {"body.expires": days}) from error
    token.token = secret  # type: ignore[attr-defined]
    return Status(201, token)


@router.delete(
    "/tokens/{uuid:token_id}",
    response={204: None, **errors(401, 403, 404, 429)},
    operation_id="revoke_token",
    summary="Revoke one of my API tokens; it stops working at once",
)
def revoke_token(request: HttpRequest, token_id: uuid.UUID) -> Status[Any]:
    token = ApiToken.objects.filter(owner=_user(request), public_id=token_id).first()
    if token is None:
        raise ApiError(404, "not-found", "No such token.")
    tokens.do_revoke_token(request, token)
    return Status(204, None)


@router.get(
    "/programs/{uuid:program_id}/fhir",
    response={200: ProgramBundles, **errors(401, 403, 404, 429)},
    operation_id="export_program_fhir",
    summary="Staff: a FHIR Bundle for each patient of this program who shares check-ups with me",
    exclude_none=True,  # FHIR JSON has no nulls
)
def export_program(request: HttpRequest, program_id: uuid.UUID) -> dict[str, Any]:
    problem = staff_problem(request)
    if problem is not None and getattr(request, "api_token", None) is None:
        if problem is StaffProblem.SIGN_IN:
            raise ApiError(401, "not-signed-in", "Sign in first.")
        raise ApiError(403, "forbidden", "Staff only, with a session verified by a code.")
    viewer = _user(request)
    program = Organization.objects.filter(
        public_id=program_id, memberships__user=viewer, memberships__active=True
    ).first()
    if program is None or not access.is_staff_member(viewer):
        raise ApiError(404, "not-found", "No such program of yours.")
    return {"program": program.public_id, "bundles": program_bundles(viewer, program, request)}
