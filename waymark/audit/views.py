"""A person sees who looked at or changed their data, and every export of it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waymark.audit import log

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


# Whole actions a person reads in plain words. Their stored detail is for auditors (ids, scope
# names, in English) and is shown only where it says something a person can use.
ACTIONS = {
    "view.chart": gettext_lazy("Opened your chart"),
    "view.alerts": gettext_lazy("Looked at your alerts"),
    "view.caseload": gettext_lazy("Saw you on their caseload: your name, alerts and last check-in"),
    "alert.raise": gettext_lazy("Raised an alert for the clinicians you share with"),
    "alert.notify": gettext_lazy(
        "Emailed the clinicians you share with to sign in, with no details in the email"
    ),
    "alert.acknowledge": gettext_lazy("Acknowledged an alert"),
    "scale.record": gettext_lazy("Recorded a clinician's withdrawal scale"),
    "change.note": gettext_lazy("Wrote or changed a note in your chart"),
    "consent.grant": gettext_lazy("Started sharing with a program"),
    "consent.change": gettext_lazy("Changed what is shared with a program, or until when"),
    "consent.revoke": gettext_lazy("Stopped sharing with a program"),
    "consent.expire": gettext_lazy("Sharing with a program ended on the date chosen"),
    "export.json": gettext_lazy("Downloaded your data (JSON)"),
    "export.csv": gettext_lazy("Downloaded your data (CSV)"),
    "export.fhir": gettext_lazy("Downloaded your data (FHIR)"),
    "import.json": gettext_lazy("Imported records into your account"),
    "token.create": gettext_lazy("Made an API token"),
    "token.revoke": gettext_lazy("Revoked an API token"),
    "reminder.unsubscribe": gettext_lazy("Turned reminder emails off with the link in one of them"),
    "view.measures": gettext_lazy("Looked at your answers to your program's questions"),
    "measures.personal-schedule": gettext_lazy("Changed which questions your program sends you"),
    "view.episodes": gettext_lazy("Looked at your admissions and discharges"),
    "episode.admit": gettext_lazy("Recorded your admission to a program"),
    "episode.discharge": gettext_lazy("Recorded your discharge from a program"),
    "measures.unsubscribe": gettext_lazy(
        "Turned emails about questions off with the link in one of them"
    ),
    "account.sign-in-paused": gettext_lazy(
        "Paused signing in to your account after many wrong passwords"
    ),
    "account.sign-in-resumed": gettext_lazy("Lifted the pause on signing in"),
    "account.recovery-sign-in": gettext_lazy("Signed in with a recovery code"),
    "account.recovery-codes": gettext_lazy("Made new recovery codes"),
    "account.password-recovered": gettext_lazy(
        "Chose a new password after signing in with a recovery code"
    ),
}
# Actions whose stored detail a person can read (a program's name, what was imported).
SHOW_DETAIL = {"export.json", "export.csv", "export.fhir", "import.json"}


@dataclass(frozen=True)
class Row:
    at: datetime
    who: str
    what: str
    detail: str
    via: str


def _row(entry: Mapping[str, Any], own_ref: str) -> Row:
    """One line of the log, from one of `log.entries_about` (sealed or waiting alike)."""
    action = entry["action"]
    if entry["actor_ref"] == own_ref:
        who = _("You")
    elif entry["actor_label"]:
        who = entry["actor_label"]
    elif entry["actor_ref"]:
        who = _("Another Waymark account")
    else:
        who = _("Waymark itself")
    kind = action.split(".", 1)[0]
    return Row(
        at=entry["at"],
        who=who,
        what=str(ACTIONS[action]) if action in ACTIONS else str(KINDS.get(kind, action)),
        detail=entry["detail"] if action in SHOW_DETAIL or action not in ACTIONS else "",
        via={"api": _("API"), "web": _("website")}.get(entry["via"], _("system")),
    )


@login_required
def access_log(request: HttpRequest) -> HttpResponse:
    own_ref = str(request.user.public_id)  # type: ignore[union-attr]
    entries = log.entries_about(request.user)  # type: ignore[arg-type]
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    others = log.entries_about(request.user, not_by=request.user).count()  # type: ignore[arg-type]
    rows = [_row(entry, own_ref) for entry in page.object_list]
    return render(
        request, "waymark/audit/access_log.html", {"page": page, "rows": rows, "others": others}
    )
