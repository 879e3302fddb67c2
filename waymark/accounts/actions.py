"""Changes to programs and consents: each in one transaction, each writing its history.

Every consent change appends a `ConsentEvent` (what the consent said after it) and an audit
entry (who, when, from where). Audit details name ids and scopes, never clinical data.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from waymark.access import PATIENT_ROLES, SCOPES
from waymark.accounts.models import (
    Consent,
    ConsentEvent,
    Invitation,
    Membership,
    Organization,
    User,
    normalize_code,
)
from waymark.audit.log import record
from waymark.clinic.hooks import record_changed


class ConsentError(ValueError):
    """A consent that cannot be given as asked (forms check first; this is the last line)."""


def _check(
    organization: Organization,
    clinicians: Sequence[Membership],
    scopes: Sequence[str],
    starts_at: datetime,
    ends_at: datetime,
) -> None:
    if not clinicians:
        raise ConsentError("a consent names at least one clinician")
    for member in clinicians:
        if member.organization_id != organization.pk or not member.active:
            raise ConsentError("every clinician must be an active member of the program")
        if member.role not in PATIENT_ROLES:
            raise ConsentError("only clinicians and program leads can be named")
    if not scopes or set(scopes) - set(SCOPES):
        raise ConsentError(f"scopes must be some of {', '.join(SCOPES)}")
    if ends_at <= starts_at:
        raise ConsentError("the end date must come after the start")


def _snapshot(consent: Consent) -> dict[str, Any]:
    members = consent.clinicians.select_related("user").order_by("pk")
    return {
        "scopes": consent.scopes,
        "clinicians": [
            {"public_id": str(m.public_id), "name": m.user.display_name, "role": m.role}
            for m in members
        ],
        "ends_at": consent.ends_at,
    }


def _event(consent: Consent, kind: str, actor: User | None) -> ConsentEvent:
    return ConsentEvent.objects.create(
        consent=consent, kind=kind, actor=actor, **_snapshot(consent)
    )


def _detail(consent: Consent) -> str:
    """Ids, scopes and the end date: never clinical data."""
    return (
        f"consent {consent.public_id}; program {consent.organization.public_id}; "
        f"scopes {','.join(consent.scopes) or '-'}; clinicians {consent.clinicians.count()}; "
        f"ends {consent.ends_at:%Y-%m-%d}"
    )


def _set_scopes(consent: Consent, scopes: Iterable[str]) -> None:
    chosen = set(scopes)
    for scope in SCOPES:
        setattr(consent, f"share_{scope}", scope in chosen)


def find_invitation(text: str) -> Invitation | None:
    """The usable invitation with this code (as typed), or None."""
    code = normalize_code(text)
    if not code:
        return None
    invitation = Invitation.objects.select_related("organization").filter(code=code).first()
    return invitation if invitation is not None and invitation.usable() else None


def do_grant_consent(
    person: User,
    *,
    organization: Organization,
    clinicians: Sequence[Membership],
    scopes: Sequence[str],
    ends_at: datetime,
    starts_at: datetime | None = None,
    invitation: Invitation | None = None,
    request: HttpRequest | None = None,
) -> Consent:
    starts_at = starts_at or timezone.now()
    _check(organization, clinicians, scopes, starts_at, ends_at)
    with transaction.atomic():
        if invitation is not None:
            # Counted in the same statement that checks it, so two people cannot both take
            # the last use of a limited code.
            taken = (
                Invitation.objects.filter(pk=invitation.pk, withdrawn_at__isnull=True)
                .filter(expires_at__gt=timezone.now())
                .exclude(max_uses__isnull=False, uses__gte=F("max_uses"))
                .update(uses=F("uses") + 1)
            )
            if not taken:
                raise ConsentError("this invitation code can no longer be used")
        consent = Consent(
            person=person,
            organization=organization,
            starts_at=starts_at,
            ends_at=ends_at,
            invitation=invitation,
        )
        _set_scopes(consent, scopes)
        consent.save()
        consent.clinicians.set(clinicians)
        _event(consent, ConsentEvent.Kind.GRANTED, person)
        detail = _detail(consent)
        if invitation is not None:
            detail += f"; invitation {invitation.public_id}"
        record("consent.grant", actor=person, subject=person, request=request, detail=detail)
        # What the program may now see can already call for attention (a crisis in a check-up
        # taken before sharing began): evaluated as soon as the consent is saved.
        record_changed(person)
    return consent


def do_change_consent(
    consent: Consent,
    *,
    actor: User,
    clinicians: Sequence[Membership],
    scopes: Sequence[str],
    ends_at: datetime,
    request: HttpRequest | None = None,
) -> Consent:
    """Change what an active consent shares, with whom, or until when (effective at once)."""
    with transaction.atomic():
        consent = Consent.objects.select_for_update().get(pk=consent.pk)
        if not consent.is_active() and consent.status != "scheduled":
            raise ConsentError("only a consent still in force can be changed")
        _check(consent.organization, clinicians, scopes, consent.starts_at, ends_at)
        _set_scopes(consent, scopes)
        consent.ends_at = ends_at
        consent.save()
        consent.clinicians.set(clinicians)
        _event(consent, ConsentEvent.Kind.CHANGED, actor)
        record(
            "consent.change",
            actor=actor,
            subject=consent.person,
            request=request,
            detail=_detail(consent),
        )
    return consent


def do_revoke_consent(consent: Consent, *, actor: User, request: HttpRequest | None = None) -> bool:
    """Stop sharing at once. False when it was already revoked (nothing changes)."""
    with transaction.atomic():
        locked = Consent.objects.select_for_update().get(pk=consent.pk)
        if locked.revoked_at is not None:
            return False
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        _event(locked, ConsentEvent.Kind.REVOKED, actor)
        record(
            "consent.revoke",
            actor=actor,
            subject=locked.person,
            request=request,
            detail=_detail(locked),
        )
    consent.revoked_at = locked.revoked_at
    return True


def do_record_expired_consents(now: datetime | None = None) -> int:
    """Write "expired" into the history of consents whose end date has passed. Access never
    waits for this (the rule reads ends_at); it keeps the history complete. Safe to repeat."""
    now = now or timezone.now()
    done = 0
    due = Consent.objects.filter(
        revoked_at__isnull=True, ends_at__lte=now, expiry_recorded_at__isnull=True
    ).values_list("pk", flat=True)
    for pk in list(due[:500]):
        with transaction.atomic():
            consent = (
                Consent.objects.select_for_update()
                .select_related("person", "organization")
                .get(pk=pk)
            )
            if consent.expiry_recorded_at is not None or consent.revoked_at is not None:
                continue
            consent.expiry_recorded_at = now
            consent.save(update_fields=["expiry_recorded_at"])
            _event(consent, ConsentEvent.Kind.EXPIRED, None)
            record("consent.expire", actor=None, subject=consent.person, detail=_detail(consent))
            done += 1
    return done
