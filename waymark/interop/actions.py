"""Deleting an account and everything in it (docs/data.md "Deleting your account").

Everything the person owns is removed with the user row, by the database's cascades: check-ups
and their answers, plans and every version, check-ins and amounts, reminders, consents,
memberships and API tokens. What refers to them only by name is removed here too: django-axes'
records of their sign-ins. The audit trail is append-only and keeps its entries; it never had a
link to the user row, and the entry for the deletion itself names the account only by its
opaque public id.
"""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest

from waymark.accounts.models import User
from waymark.audit.log import record


class _Deleted:
    """The account as the audit trail may name it once it is gone: its opaque id only."""

    def __init__(self, user: User) -> None:
        self.public_id = user.public_id

    def get_full_name(self) -> str:
        return ""

    def get_username(self) -> str:
        return ""


@transaction.atomic
def do_delete_account(user: User, request: HttpRequest | None = None) -> str:
    """Delete the account and all its data; returns the opaque id the audit trail keeps."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    reference = str(user.public_id)
    gone = _Deleted(user)
    record(
        "account.delete",
        actor=gone,  # type: ignore[arg-type]
        subject=gone,  # type: ignore[arg-type]
        request=request,
        detail="the person deleted their account and all its data",
    )
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        model.objects.filter(username=user.get_username()).delete()
    user.delete()
    return reference
