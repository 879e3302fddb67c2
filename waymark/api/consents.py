"""Sharing with a program: the JSON twins of /account/sharing/ (docs/programs.md).

Only the signed-in person's own consents are ever read or changed here; another person's
consent, or a consent id that does not exist, answers 404 alike. Changes go through
`waymark.accounts.actions`, which writes the consent history and the audit entry.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from ninja.security import django_auth

from waymark.access import PATIENT_ROLES
from waymark.accounts import actions
from waymark.accounts.forms import end_date_problem, end_of_day
from waymark.accounts.models import Consent, ConsentEvent, Invitation, Membership, User
from waymark.accounts.sharing import count_wrong_code, offered_clinicians, too_many_tries
from waymark.api.errors import ApiError, errors
from waymark.api.pagination import Page

router = Router(tags=["sharing"], auth=django_auth)
Scope = Literal["checkups", "plan", "checkins", "notes"]


class ProgramOut(Schema):
    id: uuid.UUID = Field(description="the program's public id")
    name: str


class ClinicianOut(Schema):
    id: uuid.UUID = Field(description="the clinician's membership id in this program")
    name: str
    role: str = Field(description="clinician or lead")


class InvitationOut(Schema):
    code: str = Field(description="the code, as ABCD-2345")
    program: ProgramOut
    clinicians: list[ClinicianOut] = Field(description="the people the person may choose")
    named: bool = Field(description="true for a clinician's own code: they are preselected")
    expires_at: datetime


class EventOut(Schema):
    kind: str = Field(description="granted, changed, revoked or expired")
    at: datetime
    scopes: list[str] = Field(description="what the consent shared after this change")
    clinicians: list[str] = Field(description="who it named after this change")
    ends_at: datetime


class ConsentOut(Schema):
    id: uuid.UUID = Field(description="the consent's public id")
    program: ProgramOut
    clinicians: list[ClinicianOut]
    scopes: list[str]
    starts_at: datetime
    ends_at: datetime = Field(description="sharing stops at this moment")
    last_day: date = Field(description="the last day shared (local time)")
    revoked_at: datetime | None
    status: str = Field(description="active, scheduled, revoked or expired")
    history: list[EventOut]


class ChangeIn(Schema):
    clinicians: list[uuid.UUID] = Field(min_length=1, description="membership ids to name")
    scopes: list[Scope] = Field(min_length=1, description="what to share")
    ends_on: date = Field(description="the last day to share (within five years)")


class GrantIn(ChangeIn):
    code: str = Field(max_length=20, description="the invitation code, in any case or spacing")


def _member(member: Membership) -> dict[str, Any]:
    return {"id": member.public_id, "name": member.user.display_name, "role": member.role}


def _program(consent_or_invitation: Consent | Invitation) -> dict[str, Any]:
    organization = consent_or_invitation.organization
    return {"id": organization.public_id, "name": organization.name}


def _consent(consent: Consent) -> dict[str, Any]:
    return {
        "id": consent.public_id,
        "program": _program(consent),
        "clinicians": [_member(m) for m in consent.clinicians.all()],
        "scopes": consent.scopes,
        "starts_at": consent.starts_at,
        "ends_at": consent.ends_at,
        "last_day": consent.last_day,
        "revoked_at": consent.revoked_at,
        "status": consent.status,
        "history": [
            {
                "kind": event.kind,
                "at": event.at,
                "scopes": event.scopes,
                "clinicians": [c["name"] for c in event.clinicians],
                "ends_at": event.ends_at,
            }
            for event in consent.events.all()
        ],
    }


def _person(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # django_auth let only signed-in accounts through
    return user


def _own(request: HttpRequest) -> QuerySet[Consent]:
    return (
        Consent.objects.filter(person=_person(request))
        .select_related("organization")
        .prefetch_related(
            Prefetch("clinicians", Membership.objects.select_related("user").order_by("pk")),
            Prefetch("events", ConsentEvent.objects.order_by("at", "pk")),
        )
        .order_by("-created_at", "-pk")
    )


def _own_consent(request: HttpRequest, consent_id: uuid.UUID) -> Consent:
    consent = _own(request).filter(public_id=consent_id).first()
    if consent is None:
        raise ApiError(404, "not-found", "No such consent.")
    return consent


def _invitation(request: HttpRequest, code: str, field: str) -> Invitation:
    if too_many_tries(request):
        raise ApiError(429, "rate-limited", "Too many codes were tried; wait an hour.")
    invitation = actions.find_invitation(code)
    if invitation is None:
        count_wrong_code(request)
        raise ApiError(
            404,
            "not-found",
            "This code was not found, or it has expired.",
            {field: "unknown or expired code"},
        )
    return invitation


def _chosen(payload: ChangeIn, offered: QuerySet[Membership]) -> list[Membership]:
    problems: dict[str, str] = {}
    members = list(offered.filter(public_id__in=payload.clinicians).select_related("user"))
    if len(members) != len(set(payload.clinicians)):
        problems["body.clinicians"] = "only the clinicians offered for this program can be named"
    problem = end_date_problem(payload.ends_on)
    if problem:
        problems["body.ends_on"] = problem
    if problems:
        raise ApiError(400, "invalid-request", "The consent cannot be given as asked.", problems)
    return members


@router.get(
    "/consents",
    response={200: list[ConsentOut], **errors(400, 401, 429)},
    operation_id="list_consents",
    summary="What I share with programs, now and before (newest first), with each history",
)
@paginate(Page)
def list_consents(request: HttpRequest) -> list[dict[str, Any]]:
    return [_consent(consent) for consent in _own(request)]


@router.get(
    "/consents/{consent_id}",
    response={200: ConsentOut, **errors(400, 401, 404, 429)},
    operation_id="get_consent",
    summary="One of my consents, with its history",
)
def get_consent(request: HttpRequest, consent_id: uuid.UUID) -> dict[str, Any]:
    return _consent(_own_consent(request, consent_id))


@router.get(
    "/invitations/{code}",
    response={200: InvitationOut, **errors(400, 401, 404, 429)},
    operation_id="get_invitation",
    summary="What a program's invitation code offers: the program and whom one may name",
)
def get_invitation(request: HttpRequest, code: str) -> dict[str, Any]:
    invitation = _invitation(request, code, "path.code")
    return {
        "code": invitation.display_code,
        "program": _program(invitation),
        "clinicians": [
            _member(m)
            for m in offered_clinicians(invitation.organization_id, invitation).select_related(
                "user"
            )
        ],
        "named": invitation.clinicians.exists(),
        "expires_at": invitation.expires_at,
    }


@router.post(
    "/consents",
    response={201: ConsentOut, **errors(400, 401, 403, 404, 429)},
    operation_id="grant_consent",
    summary="Share with a program, by its invitation code",
)
def grant_consent(request: HttpRequest, payload: GrantIn) -> Status[dict[str, Any]]:
    invitation = _invitation(request, payload.code, "body.code")
    members = _chosen(payload, offered_clinicians(invitation.organization_id, invitation))
    try:
        consent = actions.do_grant_consent(
            _person(request),
            organization=invitation.organization,
            clinicians=members,
            scopes=list(dict.fromkeys(payload.scopes)),
            ends_at=end_of_day(payload.ends_on),
            invitation=invitation,
            request=request,
        )
    except actions.ConsentError as error:
        raise ApiError(400, "invalid-request", str(error)) from error
    return Status(201, _consent(_own_consent(request, consent.public_id)))


@router.put(
    "/consents/{consent_id}",
    response={200: ConsentOut, **errors(400, 401, 403, 404, 429)},
    operation_id="change_consent",
    summary="Change whom a consent names, what it shares or until when (at once)",
)
def change_consent(
    request: HttpRequest, consent_id: uuid.UUID, payload: ChangeIn
) -> dict[str, Any]:
    consent = _own_consent(request, consent_id)
    if consent.status not in ("active", "scheduled"):
        raise ApiError(400, "invalid-request", "This consent has ended; share again with a code.")
    offered = (
        offered_clinicians(consent.organization_id, consent.invitation)
        | consent.clinicians.filter(active=True, role__in=PATIENT_ROLES)
    ).distinct()
    members = _chosen(payload, offered)
    actions.do_change_consent(
        consent,
        actor=_person(request),
        clinicians=members,
        scopes=list(dict.fromkeys(payload.scopes)),
        ends_at=end_of_day(payload.ends_on),
        request=request,
    )
    return _consent(_own_consent(request, consent_id))


@router.post(
    "/consents/{consent_id}/revoke",
    response={200: ConsentOut, **errors(400, 401, 403, 404, 429)},
    operation_id="revoke_consent",
    summary="Stop sharing, at once (revoking twice changes nothing)",
)
def revoke_consent(request: HttpRequest, consent_id: uuid.UUID) -> dict[str, Any]:
    consent = _own_consent(request, consent_id)
    actions.do_revoke_consent(consent, actor=_person(request), request=request)
    return _consent(_own_consent(request, consent_id))
