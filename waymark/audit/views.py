"""A person sees who looked at or changed their data, and every export of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waymark.audit import log
from waymark.audit.models import AuditEntry

PER_PAGE = 50

# The first part of an action id, in plain words; the detail says the rest.
KINDS = {
    "view": gettext_lazy("Looked at"),
    "change": gettext_lazy("Changed"),
    "scale": gettext_lazy("Recorded a clinician's scale"),
    "note": gettext_lazy("Wrote a clinical note"),
    "alert": gettext_lazy("Handled an alert"),
    "consent": gettext_lazy("Sharing changed"),
    "export": gettext_lazy("Exported"),
    "import": gettext_lazy("Imported"),
    "token": gettext_lazy("API token"),
    "account": gettext_lazy("Account"),
    "staff": gettext_lazy("Staff account"),
}


@dataclass(frozen=True)
class Row:
    at: datetime
    who: str
    what: str
    detail: str
    via: str


def _row(entry: AuditEntry, own_ref: str) -> Row:
    kind = entry.action.split(".", 1)[0]
    if entry.actor_ref == own_ref:
        who = _("You")
    elif entry.actor_label:
        who = entry.actor_label
    elif entry.actor_ref:
        who = _("Another Waymark account")
    else:
        who = _("Waymark itself")
    return Row(
        at=entry.at,
        who=who,
        what=str(KINDS.get(kind, entry.action)),
        detail=entry.detail or entry.action,
        via={"api": _("API"), "web": _("website")}.get(entry.via, _("system")),
    )


@login_required
def access_log(request: HttpRequest) -> HttpResponse:
    own_ref = str(request.user.public_id)  # type: ignore[union-attr]
    entries = log.entries_about(request.user)  # type: ignore[arg-type]
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    others = entries.exclude(actor_ref=own_ref).count()
    rows = [_row(entry, own_ref) for entry in page.object_list]
    return render(
        request, "waymark/audit/access_log.html", {"page": page, "rows": rows, "others": others}
    )
