"""The program report's data: each consenting person's record, de-identified, for
`waymark.clinical.report` (which suppresses every cell under 11 people).

Who counts: people with a consent to the program that is active now. Check-in outcomes use
only the people who share check-ins; screener change only those who share check-ups. The lead
sees counts and means, never a person.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from waymark.accounts.models import Consent, Organization
from waymark.checkup.history import scores
from waymark.checkup.models import CheckUp
from waymark.clinical import progress as core
from waymark.clinical.report import PersonRecord, Report, program_report
from waymark.progress.views import _day
from waymark.tracking.models import CheckIn, SubstanceAmount


def _active(program: Organization) -> Q:
    now = timezone.now()
    return Q(organization=program, revoked_at__isnull=True, starts_at__lte=now, ends_at__gt=now)


def program_report_for(program: Organization, today: date | None = None) -> Report:
    today = today or timezone.localdate()
    consents = Consent.objects.filter(_active(program)).values_list(
        "person_id", "share_checkins", "share_checkups", "starts_at"
    )
    people: dict[int, dict[str, object]] = {}
    for person_id, checkins, checkups, starts_at in consents:
        entry = people.setdefault(
            person_id, {"checkins": False, "checkups": False, "since": starts_at}
        )
        entry["checkins"] = bool(entry["checkins"]) or checkins
        entry["checkups"] = bool(entry["checkups"]) or checkups
    with_checkins = [p for p, e in people.items() if e["checkins"]]
    with_checkups = [p for p, e in people.items() if e["checkups"]]

    amounts: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for check_in, substance, amount in SubstanceAmount.objects.filter(
        check_in__owner_id__in=with_checkins
    ).values_list("check_in_id", "substance", "amount"):
        amounts[check_in][substance] = amount
    days: dict[int, list[core.Day]] = defaultdict(list)
    for pk, owner, day, used, cravings, mood in (
        CheckIn.objects.filter(owner_id__in=with_checkins)
        .order_by("day")
        .values_list("pk", "owner_id", "day", "used", "cravings", "mood")
    ):
        days[owner].append(_day(day, used, cravings, mood, amounts.get(pk, {})))

    screeners: dict[int, dict[str, list[tuple[date, int]]]] = defaultdict(lambda: defaultdict(list))
    for checkup in (
        CheckUp.objects.filter(
            owner_id__in=with_checkups,
            status=CheckUp.Status.COMPLETE,
            completed_at__isnull=False,
        )
        .prefetch_related("answers")
        .order_by("completed_at", "pk")
    ):
        on = timezone.localdate(checkup.completed_at)
        for instrument_id, result in scores(checkup).items():
            screeners[checkup.owner_id or 0][instrument_id].append((on, result.total))

    records = [
        PersonRecord(
            enrolled_on=timezone.localdate(entry["since"]),  # type: ignore[arg-type]
            days=tuple(days.get(person_id, ())),
            screeners={k: tuple(v) for k, v in screeners.get(person_id, {}).items()},
            checkins=bool(entry["checkins"]),
        )
        for person_id, entry in people.items()
        if entry["checkins"] or entry["checkups"]
    ]
    return program_report(records, today)
