"""The measures' line in the clinicians' weekly digest (`waymark.clinic.digest`): how many
scheduled measures expired unanswered in the last 7 days. Counts only, like every line.

Counted: requests of the people who share check-ups (what measures need) with the clinician,
made for a program through which they share them, whose time to answer ended in the week
without an answer. No line for a clinician none of whose sharing programs sends measures.
Registered from `MeasuresConfig.ready`, so the clinic never imports this app's digest.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.utils.translation import ngettext

from waymark.accounts.models import Scope
from waymark.clinic import digest
from waymark.measures.models import MeasureRequest, Schedule

KEY = "measures-missed"


def measures_missed(week: digest.DigestWeek) -> digest.Count | None:
    sharing = week.consents.sharing(Scope.CHECKUPS)
    programs = sharing.values("organization")
    if not Schedule.objects.filter(program__in=programs).exists():
        return None  # no program of theirs has ever scheduled a measure
    through = sharing.filter(person=OuterRef("person"), organization=OuterRef("program"))
    n = MeasureRequest.objects.filter(
        Exists(through),
        answered_at__isnull=True,
        expires_at__gte=week.since,
        expires_at__lt=week.now,
    ).count()
    text = ngettext(
        "%(count)d measure expired unanswered in the last 7 days",
        "%(count)d measures expired unanswered in the last 7 days",
        n,
    )
    return digest.Count(KEY, n, text % {"count": n})


def register() -> None:
    """Add the line once (ready() may run more than once in tests)."""
    if measures_missed not in digest.COUNT_PROVIDERS:
        digest.COUNT_PROVIDERS.append(measures_missed)
