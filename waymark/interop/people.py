"""Exports and imports by name, for the command line (and programs): who, and in what form."""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from waymark import access
from waymark.accounts.models import Consent, Organization, User
from waymark.interop import fhir
from waymark.interop.audit import audit, audit_reads
from waymark.interop.export import document, export
from waymark.interop.importer import ImportFileError, do_import


class NotFoundError(ValueError):
    pass


def find_person(person: str) -> User:
    """By nickname, or by public id."""
    found = User.objects.filter(username=person).first()
    if found is None:
        try:
            found = User.objects.filter(public_id=uuid.UUID(person)).first()
        except ValueError:
            found = None
    if found is None:
        raise NotFoundError(f"no account {person!r}")
    return found


def person_export(person: str, kind: str) -> tuple[bytes, str, str]:
    return export(find_person(person), kind, actor=None)


def patient_bundle(
    viewer: Any, person: User, organization: Organization | None = None
) -> dict[str, Any] | None:
    """A consenting patient's bundle as `viewer` may see it: check-ups (scope "checkups"),
    the plan only with "plan", its notes only with "notes"; None without "checkups". With
    `organization`, only what the person shares with that program counts, and the bundle
    carries no email: no consent shares contact details (the program has its own records)."""
    if organization is None:
        scopes = access.scopes_for(viewer, person)
    else:
        scopes = _program_scopes(viewer, person, organization)
    if "checkups" not in scopes:
        return None
    data = document(person)
    if "plan" not in scopes:
        data["plans"] = []
    if organization is None:
        return fhir.bundle(person, data, notes="notes" in scopes)
    data["account"]["email"] = ""
    return fhir.for_a_program(fhir.bundle(person, data, notes="notes" in scopes))


def _program_scopes(viewer: Any, person: User, organization: Organization) -> frozenset[str]:
    """What `person` shares with `viewer` through consents to `organization` active now."""
    rows = (
        access.active_consents_for(viewer)
        .filter(person=person, organization=organization)
        .values_list(*(f"share_{scope}" for scope in access.SCOPES))
    )
    return frozenset(
        scope for row in rows for scope, on in zip(access.SCOPES, row, strict=True) if on
    )


def program_bundles(
    viewer: Any, organization: Organization, request: HttpRequest | None = None
) -> list[dict[str, Any]]:
    """One bundle per patient who shares check-ups with `viewer` in this program right now
    (through waymark.access only; an ended or revoked consent to the program does not count,
    nor a consent to another program), audited per patient as an export.fhir read."""
    people = access.people_visible_to(viewer, "checkups").filter(
        pk__in=access.active_consents_for(viewer)
        .filter(organization=organization, share_checkups=True)
        .values("person")
    )
    bundles, exported = [], []
    for person in people.order_by("public_id"):
        bundle = patient_bundle(viewer, person, organization)
        if bundle is not None:
            bundles.append(bundle)
            exported.append(person)
    audit_reads("export.fhir", actor=viewer, subjects=exported, request=request,
                detail=f"program {organization}")  # fmt: skip
    return bundles


def program_export(program: str) -> tuple[bytes, str, str]:
    """For the server's operator: one bundle per line (NDJSON), for each person with an
    active consent sharing check-ups with the program right now."""
    try:
        organization = Organization.objects.filter(public_id=uuid.UUID(program)).first()
    except ValueError:
        organization = None
    if organization is None:
        raise NotFoundError(f"no program {program!r} (give its public id)")
    lines = []
    consents = Consent.objects.filter(organization=organization, share_checkups=True)
    people = {c.person for c in consents.select_related("person") if c.is_active()}
    for person in sorted(people, key=lambda p: str(p.public_id)):
        data = document(person)
        consent_scopes = {
            s for c in consents if c.person_id == person.pk and c.is_active() for s in c.scopes
        }
        if "plan" not in consent_scopes:
            data["plans"] = []
        data["account"]["email"] = ""  # no consent shares contact details
        bundle = fhir.for_a_program(fhir.bundle(person, data, notes="notes" in consent_scopes))
        audit("export.fhir", actor=None, subject=person, detail=f"program {organization}")
        lines.append(json.dumps(bundle, ensure_ascii=False))
    content = "".join(line + "\n" for line in lines).encode()
    return content, "application/fhir+ndjson", "waymark-program.ndjson"


def import_new_account(
    text: str, username: str, request: HttpRequest | None = None
) -> dict[str, int]:
    """Make the account `username` and import the file into it, all or nothing."""
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError as error:
        raise ImportFileError(f"{username!r} is not a valid nickname") from error
    with transaction.atomic():
        if User.objects.filter(username=username).exists():
            raise ImportFileError(f"the nickname {username!r} is taken")
        user = User.objects.create_user(username)  # no password until its owner sets one
        return do_import(user, text, actor=None, request=request, new_account=True)
