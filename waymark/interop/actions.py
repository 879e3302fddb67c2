"""Deleting an account and everything in it (docs/data.md "Deleting your account").

What the person owns goes with the user row, by the database's cascades: check-ups and their
answers, plans and every version, check-ins and amounts, reminders, API tokens, alerts,
clinician-rated scales, and measures (requests, answers, schedules set for them, the email
choice). Three kinds of rows are kept on purpose by their own apps (PROTECT,
append-only) and are removed here explicitly, because the person's right to leave comes first:
their consents with the consent history, and the notes programs wrote about them in Waymark
(programs keep their own records in their own systems; the FHIR export is how they take them).
django-axes' records of their sign-ins, which name them only by their nickname, go too, and so
do queued jobs keyed by their public id (reminder emails) or by their measures' requests.

A staff account (with a program membership) is not deleted here: the program's records name
who did what, so its admin ends the membership first.

The audit trail is append-only and keeps its entries; it never had a link to the user row, and
the entry for the deletion names the account only by its opaque public id.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import transaction
from django.http import HttpRequest

from waymark.accounts.models import Consent, ConsentEvent, Membership, User
from waymark.accounts.throttle import forget_account
from waymark.interop.audit import audit
from waymark.jobs.models import Job
from waymark.measures.models import MeasureRequest
from waymark.measures.sending import dedupe_key as measure_email_key


class CannotDeleteError(ValueError):
    """The account cannot be deleted here; the message says why, in one sentence."""


def _raw_delete(queryset: Any) -> None:
    """Delete rows whose manager refuses to (append-only history): no signals, no cascade."""
    queryset._raw_delete(queryset.db)


def _erase_protected(user: User) -> None:
    _raw_delete(ConsentEvent.objects.filter(consent__person=user))
    Consent.objects.filter(person=user).delete()
    try:
        note = apps.get_model("clinic", "ClinicalNote")
    except LookupError:  # the clinic app is not installed
        return
    _raw_delete(note._base_manager.filter(person=user))


def measure_email_keys(user: User) -> list[str]:
    requests = MeasureRequest.objects.filter(person=user)
    return [measure_email_key(request) for request in requests]


@transaction.atomic
def do_delete_account(user: User, request: HttpRequest | None = None) -> str:
    """Delete the account and all its data; returns the opaque id the audit trail keeps."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    if Membership.objects.filter(user=user).exists():
        raise CannotDeleteError(
            "This is a program staff account: ask the program's admin to close it."
        )
    reference = str(user.public_id)
    # No actor: the trail would keep the actor's name, and nothing in it may name them now.
    # The subject is their opaque public id only.
    audit(
        "account.delete",
        actor=None,
        subject=user,
        request=request,
        detail="the person deleted their own account and all its data",
    )
    _erase_protected(user)
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        model.objects.filter(username=user.get_username()).delete()
    forget_account(user.get_username())  # the sign-in throttle's count for the nickname
    # Queued work keyed by the person (reminder emails) names them by their public id.
    Job.objects.filter(dedupe_key__contains=reference).delete()
    # A measure's email is keyed by its request, which goes with the account.
    Job.objects.filter(dedupe_key__in=measure_email_keys(user)).delete()
    user.delete()
    return reference
