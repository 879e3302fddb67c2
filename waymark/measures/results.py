"""A person's measures as the clinic sees them: each measure's results over time (the BAM as
its three subscales: it has no single total), and the schedule that applies to them.

The same rule as the rest of the chart: results show only to a viewer who may see the
person's `checkups` (`waymark.access`); the person sees their own. Callers audit the read
(the chart page records its own `view.chart`; the API its `view.measures`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from waymark import access
from waymark.accounts.models import Organization, Scope, User
from waymark.clinical import scoring
from waymark.measures import schedule
from waymark.measures.actions import personal_schedule, scheduling_program, sharing_programs
from waymark.measures.forms import PersonalScheduleForm
from waymark.measures.models import MeasureRequest, MeasureResponse, Schedule
from waymark.progress import figures
from waymark.progress.charts import Legend, line_chart


@dataclass(frozen=True)
class Point:
    on: date
    value: int
    band: str  # the band's words; "" for a subscale


@dataclass(frozen=True)
class Series:
    """One line: a measure's total, or one subscale of a measure with none (the BAM)."""

    instrument: scoring.Instrument
    subscale: scoring.Subscale | None
    points: list[Point]

    @property
    def id(self) -> str:
        return f"{self.instrument.id}-{self.subscale.id}" if self.subscale else self.instrument.id

    @property
    def heading(self) -> str:
        if self.subscale is None:
            return self.instrument.short_name
        return f"{self.instrument.short_name}: {gettext(self.subscale.label)}"

    @property
    def range(self) -> tuple[int, int]:
        if self.subscale is not None:
            return self.instrument.subscale_range(self.subscale)
        return self.instrument.min_total, self.instrument.max_total


def responses_of(viewer: Any, person: User) -> list[MeasureResponse]:
    """Every measure the person answered, oldest first, when `viewer` may see them."""
    if not access.can_see(viewer, person, Scope.CHECKUPS):
        return []
    return list(MeasureResponse.objects.filter(person=person).order_by("completed_at", "pk"))


def series_of(responses: list[MeasureResponse]) -> list[Series]:
    by_measure: dict[str, list[MeasureResponse]] = defaultdict(list)
    for response in responses:
        by_measure[response.instrument].append(response)
    found = []
    for measure in schedule.MEASURES:
        answered = by_measure.get(measure)
        if not answered:
            continue
        instrument = scoring.get_instrument(measure)
        if instrument.has_total:
            found.append(Series(instrument, None, [_point(instrument, r) for r in answered]))
            continue
        for subscale in instrument.subscales:
            points = [
                Point(timezone.localdate(r.completed_at), int(r.subscales[subscale.id]), "")
                for r in answered
                if subscale.id in r.subscales
            ]
            found.append(Series(instrument, subscale, points))
    return found


def _point(instrument: scoring.Instrument, response: MeasureResponse) -> Point:
    total = response.total or 0
    bands = {band.id: band for sex in instrument.bands.values() for band in sex}
    band = bands.get(response.band)
    return Point(timezone.localdate(response.completed_at), total, band.label if band else "")


def figure(series: Series) -> figures.Figure:
    low, high = series.range
    step = max(1, (high - low) // 5)
    heading = series.heading
    svg = line_chart(
        chart_id=f"chart-measure-{series.id}",
        title=gettext("%(name)s, by answer") % {"name": heading},
        desc=gettext("Points: the score each time the measure was answered, oldest on the left."),
        labels=[figures.short_date(point.on) for point in series.points],
        values=[float(point.value) for point in series.points],
        legend=Legend(gettext("Score"), gettext("Not given")),
        y_min=float(low),
        y_max=float(high),
        y_ticks=[(float(v), str(v)) for v in range(low, high + 1, step)],
    )
    return figures.Figure(
        id=f"measure-{series.id}",
        heading=heading,
        svg=svg,
        caption=gettext("%(name)s each time it was answered") % {"name": heading},
        columns=(gettext("Answered"), gettext("Score"), gettext("Range")),
        rows=tuple(
            (
                date_format(point.on, "DATE_FORMAT"),
                (str(point.value), point.band or f"{low}–{high}"),
            )
            for point in series.points
        ),
    )


@dataclass(frozen=True)
class PlanRow:
    """One measure in the schedule that applies to a person, for the chart."""

    measure: str
    name: str
    every_days: int | None  # None: not sent
    personal: bool  # set for this person, not the program's
    last: date | None
    next_on: date | None


def schedule_rows(program: Organization, person: User) -> list[PlanRow]:
    """The schedule for ``person`` in ``program``: the program's, with this person's own."""
    rules = [
        schedule.Rule(program.pk, row.instrument, row.every_days, row.active)
        for row in Schedule.objects.filter(program=program, person__isnull=True)
    ]
    personal = personal_schedule([program.pk], person)
    rules += [
        schedule.Rule(program.pk, m, row.every_days, row.active, personal=True)
        for (_p, m), row in personal.items()
    ]
    chosen = schedule.effective(rules)
    asked = dict(
        MeasureRequest.objects.filter(person=person)
        .values("instrument")
        .annotate(last=Max("due_on"))
        .order_by()
        .values_list("instrument", "last")
    )
    answered: dict[str, date] = {}
    for measure, at in (
        MeasureResponse.objects.filter(person=person).order_by("completed_at")
        .values_list("instrument", "completed_at")
    ):  # fmt: skip
        answered[measure] = timezone.localdate(at)
    start = _start(program, person)
    rows = []
    for measure in schedule.MEASURES:
        rule = chosen.get(measure)
        mine = (program.pk, measure) in personal
        if rule is None and not mine:
            continue
        last = schedule.latest(asked.get(measure), answered.get(measure))
        next_on = None
        if rule is not None and start is not None:
            next_on = schedule.next_due(rule.every_days, last, start)
        rows.append(
            PlanRow(
                measure,
                scoring.get_instrument(measure).short_name,
                rule.every_days if rule else None,
                mine,
                answered.get(measure),
                next_on,
            )
        )
    return rows


def _start(program: Organization, person: User) -> date | None:
    first = sharing_programs(person).filter(organization=program).order_by("starts_at").first()
    return timezone.localdate(first.starts_at) if first is not None else None


def chart_section(viewer: Any, person: User) -> dict[str, Any]:
    """What the chart's Measures section shows `viewer` (call only when they may see the
    person's check-ups): the schedule and its form for their program, and the results."""
    program = scheduling_program(viewer, person)
    section: dict[str, Any] = {
        "figures": [figure(s) for s in series_of(responses_of(viewer, person))],
        "program": program,
    }
    if program is not None:
        current = personal_schedule([program.pk], person)
        section["rows"] = schedule_rows(program, person)
        section["form"] = PersonalScheduleForm(initial=PersonalScheduleForm.initial_for(current))
    return section
