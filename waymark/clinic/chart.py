"""What the clinic pages and their JSON twins show: the caseload and a person's chart.

Everything here starts from `waymark.access` (the one rule): the caseload is the people of
`active_consents_for(viewer)` (prepared once from `consents_naming` and run for a viewer who
`may_see_others`), a chart shows only `scopes_for(viewer, person)`, and the clinic's own rows
(alerts' notes, scales, clinical notes) only those of the viewer's programs. Both the
pages and the API build from these functions, so they cannot disagree.
"""

from __future__ import annotations

import string
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property, partial
from typing import Any, TypedDict
from uuid import UUID

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    DateTimeField,
    Exists,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Collate
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext

from waymark import access
from waymark.accounts.models import ConsentQuerySet, Scope, User, shares
from waymark.among import AmongIds, IdsSlot
from waymark.audit.log import record_read, record_reads
from waymark.checkup.history import TRACKED, scores
from waymark.checkup.models import CheckUp
from waymark.clinic.actions import alert_message, notes_for, scales_for, shared_organizations
from waymark.clinic.models import PRIORITY_RANK, Alert, ClinicalNote, ClinicianScale, Priority
from waymark.clinical import alerts as rules
from waymark.clinical import labels, scoring
from waymark.plans.content import PERSONAL_LISTS
from waymark.plans.document import PERSONAL_TITLES
from waymark.plans.models import Plan, PlanVersion
from waymark.progress.record import Record, load
from waymark.rows import Slot, database, prepared
from waymark.tracking.models import CheckIn

RECENT_DAYS = 28  # check-ins listed on the chart
ACKNOWLEDGED_SHOWN = 10


def short_id(person: User) -> str:
    """The opaque id shown beside the alias: enough to tell two people apart."""
    return str(person.public_id)[:8]


# The caseload -------------------------------------------------------------------------------

PAGE_SIZE = 50  # people on a page of the caseload ❓
MAX_SEARCH = 100
# The alert filter: any open alert, an urgent or a high one, or one rule's (by its id).
ALERT_KINDS = ("any", "urgent", "high")
ALERT_FILTERS = (*ALERT_KINDS, *(rule.id for rule in rules.RULES))


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

    @cached_property
    def days_since_checkin(self) -> int | None:
        if self.last_checkin is None:
            return None
        return (timezone.localdate() - self.last_checkin).days

    @property
    def top_priority(self) -> str | None:
        return self.alerts[0].priority if self.alerts else None

    def sort_key(self) -> tuple[int, int, bool, int, str]:
        """The caseload's order (what `Caseload` sorts by in SQL): urgent alerts, then high,
        then the longest silence, never checked in (or check-ins not shared) the longest of
        all, then the alias."""
        silent = self.days_since_checkin
        return (-self.urgent, -self.high, silent is not None, -(silent or 0), self.alias)


@dataclass(frozen=True)
class CaseloadQuery:
    """Who to list: everyone (the defaults), or those whose alias contains `search` or whose
    short id starts with it, and those with an open alert of `alert` (one of ALERT_FILTERS)."""

    search: str = ""
    alert: str = ""

    def __post_init__(self) -> None:
        if self.alert and self.alert not in ALERT_FILTERS:
            raise ValueError(f"unknown alert filter {self.alert!r}")


# Each alert rule reads one kind of data: an alert is visible only where that scope is shared.
_RULES_BY_SCOPE: dict[str, list[str]] = defaultdict(list)
for _rule in rules.RULES:
    _RULES_BY_SCOPE[_rule.scope].append(_rule.id)


def _open_visible_alerts(consents: ConsentQuerySet) -> QuerySet[Alert]:
    """The open alerts of the outer row's person (a subquery on `consents`' rows) that
    `consents` (the viewer's active ones) let the viewer see: those of a rule whose scope one
    of them shares."""
    shown = Q()
    for scope, ids in _RULES_BY_SCOPE.items():
        sharing = consents.sharing(scope).filter(person=OuterRef("person"))
        shown |= Q(Exists(sharing), rule__in=ids)
    return Alert.objects.filter(
        shown, person=OuterRef("person"), acknowledged_at__isnull=True, resolved_at__isnull=True
    )


# Urgent alerts weigh more than any number of high ones could (2**32 of them): one sum that
# sorts as (urgent, high) does, computed in one subquery a scope rather than a count of each.
_URGENT_WEIGHT = 1 << 32


def _weight() -> Any:
    """The open urgent and high alerts of the outer row's person that its scope flags
    (`ConsentQuerySet.scopes_by_person`) let the viewer see, weighed for the caseload's
    order: the urgent ones counted in the high bits, the high ones in the low bits (a plain
    SUM a scope, no GROUP BY)."""
    urgent, high = PRIORITY_RANK[Priority.URGENT], PRIORITY_RANK[Priority.HIGH]
    each = Case(When(rank=urgent, then=Value(_URGENT_WEIGHT)), default=Value(1))
    total: Any = Value(0, output_field=BigIntegerField())
    for scope, ids in _RULES_BY_SCOPE.items():
        summed = (
            Alert.objects.filter(
                person=OuterRef("person"),
                rule__in=ids,
                rank__in=(urgent, high),
                acknowledged_at__isnull=True,
                resolved_at__isnull=True,
            )
            .order_by()
            .annotate(weight=Func(each, function="SUM", output_field=BigIntegerField()))
            .values("weight")
        )
        # The subquery straight inside the CASE (COALESCE around it, not inside): Django
        # would group by a COALESCE of it and so run it twice a person.
        seen = Case(When(**{shares(scope): 1}, then=Subquery(summed)), default=Value(0))
        total = total + Coalesce(seen, 0, output_field=BigIntegerField())
    return total


def _alias_order() -> Any:
    """The alias in code-point order, as Python's sort has it (PostgreSQL's own collation may
    put "b" before "C"; SQLite's default is already byte order)."""
    if connection.vendor == "postgresql":
        return Collate(F("person__username"), "C")
    return F("person__username")


def _matching(consents: ConsentQuerySet, query: CaseloadQuery) -> ConsentQuerySet:
    """`consents` (the viewer's active ones) of the people `query` asks for."""
    found = consents.filter(person__is_active=True)
    if query.search:
        found = found.filter(_search(query.search))
    if query.alert:
        alerts = _open_visible_alerts(consents)
        ranks = {"urgent": Priority.URGENT, "high": Priority.HIGH}
        if query.alert in ranks:
            alerts = alerts.filter(rank=PRIORITY_RANK[ranks[query.alert]])
        elif query.alert != "any":
            alerts = alerts.filter(rule=query.alert)
        found = found.filter(Exists(alerts))
    return found


def _search(text: str) -> Q:
    """An alias containing the text, or a short id (or a longer part of the id) starting
    with it."""
    text = text.strip()
    found = Q(person__username__icontains=text)
    digits = text.replace("-", "")
    if digits and all(c in string.hexdigits for c in digits):
        found |= Q(person__public_id__istartswith=text)
    return found


# What a caseload row shows of a person; `_person` makes them a User from these.
_PERSON_FIELDS = {"person": "id", "person__username": "username", "person__public_id": "public_id"}


def _people(consents: ConsentQuerySet) -> QuerySet[Any]:
    """One row per person of `consents`: what the row shows of them and their scope flags."""
    return consents.scopes_by_person(*list(_PERSON_FIELDS)[1:])


def _ranked(people: QuerySet[Any]) -> QuerySet[Any]:
    """`people` (`_people`), each with their open visible urgent and high alerts weighed and
    their last check-in day (only where check-ins are shared), in the caseload's order
    (`CaseRow.sort_key`): one query, to be sliced, reading everyone's consents once."""
    # The (owner, day) unique index answers this at once: no scan of anyone's check-ins.
    latest = CheckIn.objects.filter(owner=OuterRef("person")).order_by("-day").values("day")[:1]
    ranked = people.annotate(
        alert_weight=_weight(),
        last_day=Case(When(**{shares(Scope.CHECKINS): 1}, then=Subquery(latest)), default=None),
    )
    silence = F("last_day").asc(nulls_first=True)  # the oldest day first, never before it
    ordered: QuerySet[Any] = ranked.order_by("-alert_weight", silence, _alias_order().asc())
    return ordered


# The User fields a row has, in the model's order (as `Model.from_db` takes them), and the
# row's key for each; the scope flags' keys.
_PERSON_LOADED = [
    (f.attname, key)
    for f in User._meta.concrete_fields
    for key, name in _PERSON_FIELDS.items()
    if f.attname == name
]
_PERSON_NAMES = [name for name, _key in _PERSON_LOADED]
_FLAGS = [(scope, shares(scope)) for scope in access.SCOPES]


def _person(row: dict[str, Any]) -> User:
    """A User (its other fields deferred) from a `_people` row."""
    values = [row[key] for _name, key in _PERSON_LOADED]
    return User.from_db(connection.alias, _PERSON_NAMES, values)


# What the caseload page shows of an alert (and sorts them by); the API sends the rest too,
# but the acknowledgement note: an open alert has none, so no need to decrypt it.
_BRIEF_ALERT = ("id", "person_id", "rule", "priority", "rank", "evidence_on")
_FULL_ALERT = tuple(f.attname for f in Alert._meta.concrete_fields if f.name != "ack_note")
_SHOWN = IdsSlot("people")


def _open_alerts(brief: bool) -> QuerySet[Alert, dict[str, Any]]:
    """The open alerts of the people in `_SHOWN`, most urgent first, as `_rows` reads them."""
    query: QuerySet[Alert, dict[str, Any]] = (
        Alert.objects.filter(
            AmongIds("person_id", _SHOWN), acknowledged_at__isnull=True, resolved_at__isnull=True
        )
        .order_by("-rank", "-evidence_on", "-pk")
        .values(*(_BRIEF_ALERT if brief else _FULL_ALERT))
    )
    return query


def _rows(found: list[dict[str, Any]], brief: bool = False) -> list[CaseRow]:
    """The rows of one page of `_ranked` people (in their order), with their open alerts in
    one query written once a connection (`brief`: only what the page shows of each)."""
    if not found:
        return []
    people = [_person(row) for row in found]
    open_alerts: dict[int, list[Alert]] = defaultdict(list)
    query = prepared(("caseload alerts", brief), partial(_open_alerts, brief))
    names = _BRIEF_ALERT if brief else _FULL_ALERT
    for each in query.run(database(), people=[p.pk for p in people]):
        alert = Alert.from_db(connection.alias, names, [each[name] for name in names])
        open_alerts[alert.person_id].append(alert)
    rows = []
    for person, row in zip(people, found, strict=True):
        shared = frozenset(scope for scope, flag in _FLAGS if row[flag])
        rows.append(
            CaseRow(
                person=person,
                scopes=shared,
                alerts=visible(open_alerts[person.pk], shared),
                last_checkin=row["last_day"],  # None unless check-ins are shared
            )
        )
    return rows


# The caseload's ranking is prepared once per connection (for each search and page) and run
# with the viewer and the time: composing it with the ORM cost more Python than its SQL took.
_VIEWER = Slot("viewer", BigIntegerField())  # a user's id (BigAutoField)
_NOW = Slot("now", DateTimeField())


def _ranking(query: CaseloadQuery, window: slice) -> QuerySet[Any]:
    """The ranked page `window` of the caseload for any viewer (`_VIEWER`, at `_NOW`): run
    only for a viewer who `access.may_see_others`, it is `access.active_consents_for`'s."""
    consents = access.consents_naming(_VIEWER, at=_NOW)
    counted = _ranked(_people(_matching(consents, query)))
    page: QuerySet[Any] = counted.annotate(everyone=Window(Count("person")))[window]
    return page


class Caseload:
    """The viewer's consented people (matching `query`), most urgent first, read a page at a
    time: a slice (what Django's Paginator and the API's pagination take) is two queries —
    the sorted page itself with each person's scopes, which counts everyone too, and its
    people's open alerts — however many people there are, and `count()` after it none (one
    before it, or after an empty slice past the first person). `brief` (the page) loads of
    each alert only what the page shows; the API, which sends each alert's message, loads
    them whole."""

    def __init__(
        self, viewer: Any, query: CaseloadQuery | None = None, *, brief: bool = False
    ) -> None:
        self.viewer = viewer
        self.query = query or CaseloadQuery()
        self.brief = brief
        self._total: int | None = None
        self._read: tuple[int, int, list[CaseRow]] | None = None  # the last slice read

    def count(self) -> int:
        if self._total is None:
            consents = access.active_consents_for(self.viewer)
            self._total = _people(_matching(consents, self.query)).count()
        return self._total

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[CaseRow]:
        if not isinstance(window, slice):
            raise TypeError("a caseload is read a page at a time: slice it")
        start, stop = window.start or 0, window.stop
        if stop is not None and stop <= start:
            return []  # an empty slice (the paginator's, for a page of nobody)
        if self._read is not None and stop is not None:
            # What was read ahead (the page before Django's Paginator counts, which then asks
            # for it, cut at the last person).
            read_start, read_stop, rows = self._read
            if start == read_start and stop <= read_stop:
                return rows[: stop - start]
        found: list[dict[str, Any]] = []
        if access.may_see_others(self.viewer):
            key = ("caseload", self.query, start, stop)
            ranking = prepared(key, partial(_ranking, self.query, slice(start, stop)))
            found = ranking.run(database(), viewer=self.viewer.pk, now=timezone.now())
        if found:
            self._total = found[0]["everyone"]
        elif start == 0:
            self._total = 0  # no one from the first on: no one at all
        rows = _rows(found, self.brief)
        if stop is not None:
            self._read = (start, stop, rows)
        return rows

    def page(self, asked: Any, size: int) -> Page[CaseRow]:
        """Django's page `asked` for (as `Paginator.get_page` reads it: the first for no
        number, the last past the end), the rows read before the paginator counts them."""
        try:
            number = int(asked or 1)
        except (TypeError, ValueError):
            number = 1
        if number >= 1:
            self[(number - 1) * size : number * size]
        counted_and_sliced: Any = self  # never iterated: what Paginator needs of a sequence
        return Paginator(counted_and_sliced, size).get_page(asked)


def audit_caseload(request: Any, rows: Sequence[CaseRow]) -> None:
    """The caseload shows each person's open alerts and last check-in: one entry per person
    shown (the rows of the page, no one else), so each sees it in their access log (and one
    entry for an empty page), in a fixed number of queries."""
    viewer = request.user
    if rows:
        subjects, detail = [r.person for r in rows], "caseload list: open alerts and last check-in"
        record_reads("view.caseload", actor=viewer, subjects=subjects, request=request,
                     detail=detail)  # fmt: skip
    else:
        record_read("view.caseload", actor=viewer, request=request, detail="caseload list")


class ShownAlert(TypedDict):
    label: str  # its priority, in words
    title: str
    evidence_on: str  # formatted for the language


class ShownRow(TypedDict):
    """A row of the caseload page in words (dicts: the template reads them fastest)."""

    url: str  # the person's chart
    alias: str
    short_id: str
    priority: str  # the most urgent open alert's ("" with none): the row's class
    alerts: list[ShownAlert]
    checkins_shared: bool
    last_checkin: str  # formatted ("" with none)
    since: str  # "today", "3 days ago"


def shown_rows(rows: Sequence[CaseRow]) -> list[ShownRow]:
    """The caseload page's rows, worked out here rather than by tags in the template's loop:
    a `{% url %}`, date filters and a plural in each of 50 rows were most of the page's time.
    The same words and links, each date, priority and rule put into words once a page."""
    placeholder = str(UUID(int=0))
    chart_url = reverse("clinic:chart", kwargs={"public_id": placeholder})
    words: dict[tuple[str, Any], str] = {}

    def said(kind: str, key: Any, say: Any) -> str:
        if (kind, key) not in words:
            words[kind, key] = say()
        return words[kind, key]

    def day(on: date) -> str:
        return said("day", on, lambda: date_format(on, "DATE_FORMAT"))

    def alert(a: Alert) -> ShownAlert:
        return {
            "label": said("priority", a.priority, a.get_priority_display),
            "title": said("title", a.rule, lambda: a.title),
            "evidence_on": day(a.evidence_on),
        }

    shown: list[ShownRow] = []
    for row in rows:
        silent, last = row.days_since_checkin, row.last_checkin
        since = said("since", silent, partial(_since, silent)) if silent is not None else ""
        shown.append(
            {
                "url": chart_url.replace(placeholder, str(row.person.public_id)),
                "alias": row.alias,
                "short_id": row.short_id,
                "priority": row.top_priority or "",
                "alerts": [alert(a) for a in row.alerts],
                "checkins_shared": "checkins" in row.scopes,
                "last_checkin": day(last) if last is not None else "",
                "since": since,
            }
        )
    return shown


def _since(days: int) -> str:
    if days == 0:
        return gettext("today")
    return ngettext("%(days)s day ago", "%(days)s days ago", days) % {"days": days}


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
