"""What the clinic pages and their JSON twins show: the caseload and a person's chart.

Everything here starts from `waymark.access` (the one rule): the caseload is
`people_visible_to(viewer)`, a chart shows only `scopes_for(viewer, person)`, and the clinic's
own rows (alerts' notes, scales, clinical notes) only those of the viewer's programs. Both the
pages and the API build from these functions, so they cannot disagree.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from waymark import access
from waymark.accounts.models import User
from waymark.audit.log import record, record_many
from waymark.checkup.history import TRACKED, scores
from waymark.checkup.models import CheckUp
from waymark.clinic.actions import alert_message, notes_for, scales_for, shared_organizations
from waymark.clinic.models import Alert, ClinicalNote, ClinicianScale
from waymark.clinical import alerts as rules
from waymark.clinical import labels, scoring
from waymark.plans.content import PERSONAL_LISTS
from waymark.plans.document import PERSONAL_TITLES
from waymark.plans.models import Plan, PlanVersion
from waymark.progress.record import Record, load
from waymark.tracking.models import CheckIn

RECENT_DAYS = 28  # check-ins listed on the chart
ACKNOWLEDGED_SHOWN = 10


def short_id(person: User) -> str:
    """The opaque id shown beside the alias: enough to tell two people apart."""
    return str(person.public_id)[:8]


# The caseload -------------------------------------------------------------------------------


@dataclass
class CaseRow:
    person: User
    scopes: frozenset[str]
    alerts: list[Alert] = field(default_factory=list)  # open, visible, most urgent first
    last_checkin: date | None = None  # None also when check-ins are not shared

    @property
    def alias(self) -> str:
        return self.person.username

    @property
    def short_id(self) -> str:
        return short_id(self.person)

    @property
    def urgent(self) -> int:
        return sum(1 for a in self.alerts if a.rank == 3)

    @property
    def high(self) -> int:
        return sum(1 for a in self.alerts if a.rank == 2)

    @property
    def days_since_checkin(self) -> int | None:
        if self.last_checkin is None:
            return None
        return (timezone.localdate() - self.last_checkin).days

    @property
    def top_priority(self) -> str | None:
        return self.alerts[0].priority if self.alerts else None

    def sort_key(self) -> tuple[int, int, int, str]:
        silent = self.days_since_checkin
        # Never checked in (or not shared) sorts with the longest silences.
        return (-self.urgent, -self.high, -(silent if silent is not None else 10_000), self.alias)


def caseload(viewer: Any) -> list[CaseRow]:
    """The viewer's consented people, most urgent first, in three queries however many."""
    people = list(
        access.people_visible_to(viewer).annotate(last_day=Max("checkins__day")).order_by("pk")
    )
    scopes: dict[int, set[str]] = defaultdict(set)
    flags = access.active_consents_for(viewer).values_list(
        "person_id", *(f"share_{scope}" for scope in access.SCOPES)
    )
    for person_id, *shared in flags:
        scopes[person_id] |= {s for s, on in zip(access.SCOPES, shared, strict=True) if on}
    open_alerts: dict[int, list[Alert]] = defaultdict(list)
    for alert in Alert.objects.filter(
        person__in=[p.pk for p in people], acknowledged_at__isnull=True, resolved_at__isnull=True
    ).order_by("-rank", "-evidence_on", "-pk"):
        open_alerts[alert.person_id].append(alert)
    rows = []
    for person in people:
        shared = frozenset(scopes[person.pk])
        rows.append(
            CaseRow(
                person=person,
                scopes=shared,
                alerts=visible(open_alerts[person.pk], shared),
                last_checkin=person.last_day if "checkins" in shared else None,
            )
        )
    return sorted(rows, key=CaseRow.sort_key)


def audit_caseload(request: Any, rows: list[CaseRow]) -> None:
    """The caseload shows each person's open alerts and last check-in: one entry per person,
    so each sees it in their access log (and one for an empty caseload), in fixed queries."""
    viewer = request.user
    if rows:
        detail = "caseload list: open alerts and last check-in"
        record_many("view.caseload", actor=viewer, subjects=[r.person for r in rows],
                    request=request, detail=detail)  # fmt: skip
    else:
        record("view.caseload", actor=viewer, request=request, detail="caseload list")


def visible(alerts: list[Alert], scopes: frozenset[str]) -> list[Alert]:
    """Alerts whose evidence is of a kind the consent shares."""
    return [
        a
        for a in alerts
        if (rule := rules.RULES_BY_ID.get(a.rule)) is not None and rule.scope in scopes
    ]


# The chart ----------------------------------------------------------------------------------


@dataclass
class AlertRow:
    alert: Alert
    title: str
    message: str
    note_visible: bool  # the acknowledgement note is shown only within its own program


def approach_label(version: PlanVersion) -> str:
    approach = version.content.get("approach")
    label = labels.APPROACH.get(approach) if isinstance(approach, str) else None
    return gettext(label) if label else "—"


@dataclass
class ScreenerSeries:
    instrument: scoring.Instrument
    points: list[tuple[date, int, str]]  # (completed on, total, band label)


@dataclass
class Chart:
    person: User
    scopes: frozenset[str]
    open_alerts: list[AlertRow]
    acknowledged: list[AlertRow]
    screeners: list[ScreenerSeries] = field(default_factory=list)
    plan: Plan | None = None
    versions: list[PlanVersion] = field(default_factory=list)
    approaches: list[str] = field(default_factory=list)  # each version's approach, in words
    record: Record | None = None  # when check-ins are shared
    checkins: list[CheckIn] = field(default_factory=list)
    scales: list[ClinicianScale] = field(default_factory=list)
    notes: list[ClinicalNote] = field(default_factory=list)
    # The latest check-up's safety findings, in words (when check-ups are shared), and its date.
    safety: list[str] = field(default_factory=list)
    safety_on: date | None = None

    @property
    def short_id(self) -> str:
        return short_id(self.person)

    @property
    def version_rows(self) -> list[tuple[PlanVersion, str]]:
        return list(zip(self.versions, self.approaches, strict=True))

    @property
    def checkin_notes(self) -> list[tuple[date, str]]:
        """The person's own notes in the listed check-ins (shown only with the notes scope)."""
        if "notes" not in self.scopes:
            return []
        return [(c.day, c.note) for c in self.checkins if c.note]

    @property
    def plan_lists(self) -> list[tuple[str, list[str]]]:
        """The latest version's own lists, titled as the person's plan titles them. The
        people in the plan (names, phone numbers of others) and free-text notes are left out."""
        if not self.versions:
            return []
        content = self.versions[0].content
        return [
            (gettext(PERSONAL_TITLES[key]), [str(item) for item in content.get(key) or []])
            for key in PERSONAL_LISTS
            if content.get(key)
        ]


def _alert_rows(viewer: Any, person: User, scopes: frozenset[str]) -> tuple[list[AlertRow], ...]:
    organizations = set(shared_organizations(viewer, person))
    every = visible(
        list(Alert.objects.filter(person=person).order_by("-rank", "-evidence_on")), scopes
    )

    def row(alert: Alert) -> AlertRow:
        rule = rules.RULES_BY_ID[alert.rule]
        return AlertRow(
            alert,
            gettext(rule.title),
            alert_message(alert),
            alert.acknowledged_in_id in organizations,
        )

    open_rows = [row(a) for a in every if a.open]
    done = sorted(
        (a for a in every if not a.open),
        key=lambda a: a.acknowledged_at or a.resolved_at or timezone.now(),
        reverse=True,
    )[:ACKNOWLEDGED_SHOWN]
    return open_rows, [row(a) for a in done]


def screener_series(viewer: Any, person: User) -> list[ScreenerSeries]:
    completed = list(
        access.checkups_of(viewer, person)
        .filter(status=CheckUp.Status.COMPLETE, completed_at__isnull=False)
        .prefetch_related("answers")
        .order_by("completed_at", "pk")
    )
    series: dict[str, list[tuple[date, int, str]]] = defaultdict(list)
    for checkup in completed:
        on = timezone.localdate(checkup.completed_at)
        for instrument_id, result in scores(checkup).items():
            series[instrument_id].append((on, result.total, result.band.label))
    return [ScreenerSeries(scoring.get_instrument(i), series[i]) for i in TRACKED if series.get(i)]


def chart(viewer: Any, person: User) -> Chart:
    scopes = access.scopes_for(viewer, person)
    open_rows, acknowledged = _alert_rows(viewer, person, scopes)
    result = Chart(person, scopes, open_rows, acknowledged)
    if "checkups" in scopes:
        result.screeners = screener_series(viewer, person)
        latest = (
            access.checkups_of(viewer, person)
            .filter(status=CheckUp.Status.COMPLETE, completed_at__isnull=False)
            .order_by("-completed_at", "-pk")
            .first()
        )
        if latest is not None and latest.completed_at is not None:
            found = (latest.result or {}).get("safety") or []
            result.safety = [
                gettext(labels.SAFETY_TITLE[s]) for s in found if s in labels.SAFETY_TITLE
            ]
            result.safety_on = timezone.localdate(latest.completed_at)
    if "plan" in scopes:
        result.plan = access.plans_of(viewer, person).order_by("-created_at", "-pk").first()
        if result.plan is not None:
            result.versions = list(result.plan.versions.order_by("-number"))
            result.approaches = [approach_label(v) for v in result.versions]
    if "checkins" in scopes:
        result.record = load(person.pk)
        since = timezone.localdate() - timedelta(days=RECENT_DAYS - 1)
        result.checkins = list(
            access.checkins_of(viewer, person)
            .filter(day__gte=since)
            .prefetch_related("amounts")
            .order_by("-day")
        )
    result.scales = scales_for(viewer, person)
    result.notes = notes_for(viewer, person)
    return result
