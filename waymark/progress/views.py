"""The progress page (PRODUCT.md, journey step 5) and the record behind it as CSV.

Deny by default: both read only the signed-in person's own check-ins, check-ups and plans.
Every outcome number comes from the clinical core (`waymark.clinical.progress`, which calls
`waymark.clinical.outcomes`); this module loads the record in a fixed number of queries,
whatever its length, and turns the numbers into charts and tables.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from itertools import pairwise
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext, gettext_noop, ngettext, pgettext
from django.views.decorators.cache import never_cache

from waymark.checkup.actions import recommendation_for, stored_answers
from waymark.checkup.history import Reassessment, reassessment
from waymark.checkup.models import CheckUp
from waymark.clinical import labels, reassess
from waymark.clinical import progress as core
from waymark.clinical.checkup import IncompleteCheckUpError, build_profile
from waymark.clinical.drinks import (
    RISK_LEVEL_LABEL,
    RISK_LEVELS,
    RiskLevel,
    heavy_day_threshold,
)
from waymark.clinical.outcomes import Outcomes
from waymark.clinical.pathway import Recommendation
from waymark.clinical.profile import SUBSTANCES, Profile, ProfileError, parse_profile
from waymark.clinical.scoring import Sex
from waymark.plans.actions import draft_for
from waymark.plans.models import Plan, PlanVersion
from waymark.progress import charts
from waymark.tracking.models import CheckIn, Mood, SubstanceAmount

CSV_NAME = "drinking-record.csv"
CSV_HEADER = ("date", "amount")  # what `waymark outcomes --days` reads


# Loading the record: a fixed number of queries ----------------------------------------------


def own_days(user_id: Any) -> tuple[core.Day, ...]:
    """The person's check-ins as days, in two queries however many there are (the note,
    encrypted and not needed here, is never read)."""
    checkins = CheckIn.objects.filter(owner_id=user_id).order_by("day")
    rows = list(checkins.values_list("pk", "day", "used", "cravings", "mood"))
    amounts: dict[int, dict[str, Decimal]] = {}
    for check_in, substance, amount in SubstanceAmount.objects.filter(
        check_in__owner_id=user_id
    ).values_list("check_in_id", "substance", "amount"):
        amounts.setdefault(check_in, {})[substance] = amount
    return tuple(
        _day(day, used, cravings, mood, amounts.get(pk, {}))
        for pk, day, used, cravings, mood in rows
    )


def _day(
    day: date, used: bool, cravings: int | None, mood: int | None, amounts: dict[str, Decimal]
) -> core.Day:
    used_substances = frozenset(s for s, amount in amounts.items() if amount > 0)
    # The check-in form never saves an amount above 0 on a day without use; should a row say
    # so anyway, the amount is the more specific answer.
    used = used or bool(used_substances)
    if core.ALCOHOL in amounts:
        drinks: float | None = float(amounts[core.ALCOHOL])
    elif not used or used_substances:
        drinks = 0.0  # no use, or use of something else: no drinks that day
    else:
        drinks = None  # used, with no amount given: how much is not known
    return core.Day(day, drinks, used, cravings, mood, used_substances)


def _profile(checkup: CheckUp) -> Profile | None:
    try:
        return parse_profile(build_profile(stored_answers(checkup)))
    except (IncompleteCheckUpError, ProfileError):
        return None


def _recommendation(checkup: CheckUp) -> Recommendation | None:
    try:
        return recommendation_for(checkup)
    except (IncompleteCheckUpError, ProfileError):
        return None


def _local_date(moment: datetime) -> date:
    return timezone.localdate(moment)


def _completed_on(checkup: CheckUp) -> date:
    return _local_date(checkup.completed_at or checkup.created_at)


def _plan_start(versions: Sequence[PlanVersion]) -> date:
    """The day the current path began: the first of the latest versions that share the
    latest version's path (saving notes does not restart a taper; switching paths does)."""
    approach = versions[0].content.get("approach")
    start = versions[0]
    for version in versions[1:]:
        if version.content.get("approach") != approach:
            break
        start = version
    return _local_date(start.created_at)


@dataclass(frozen=True)
class Switch:
    """A day the plan's path changed, from ``before`` to ``after``."""

    on: date
    before: str
    after: str


def switches(versions: Sequence[PlanVersion]) -> tuple[Switch, ...]:
    """Every change of path between one version and the next, oldest first (``versions``
    newest first, as loaded)."""
    found = []
    for older, newer in pairwise(reversed(versions)):
        before, after = older.content.get("approach"), newer.content.get("approach")
        if before and after and before != after:
            found.append(Switch(_local_date(newer.created_at), str(before), str(after)))
    return tuple(found)


def path_segments(versions: Sequence[PlanVersion]) -> list[list[PlanVersion]]:
    """The versions (newest first, as loaded) grouped by path: oldest path first, each
    group newest first, so its last version is the day that path began."""
    groups: list[list[PlanVersion]] = []
    for version in reversed(versions):
        approach = version.content.get("approach")
        if groups and groups[-1][0].content.get("approach") == approach:
            groups[-1].insert(0, version)
        else:
            groups.append([version])
    return groups


def own_limits(versions: Sequence[PlanVersion]) -> list[tuple[date, float]]:
    """The daily limits the person chose on the current path (a next step), from the day
    they chose each; a path switch ends them."""
    approach = versions[0].content.get("approach")
    limits = []
    for version in versions:
        if version.content.get("approach") != approach:
            break
        limit = version.content.get("daily_limit")
        if isinstance(limit, int | float) and not isinstance(limit, bool):
            limits.append((_local_date(version.created_at), float(limit)))
    return limits


@dataclass(frozen=True)
class Record:
    """Everything the page knows about the person."""

    days: tuple[core.Day, ...]
    result: Recommendation | None = None  # of the latest completed check-up: safety first
    profile: Profile | None = None  # of the latest completed check-up
    baseline: float | None = None
    targets: core.Targets | None = None
    plan: Plan | None = None
    supervised: bool = False  # the plan sets no home target: withdrawal needs a clinician
    substances: tuple[str, ...] = field(default_factory=tuple)
    approach: str | None = None  # the plan's current path
    chart_targets: core.Targets | None = None  # every path's target, each until the next
    switches: tuple[Switch, ...] = ()
    safety: tuple[str, ...] = ()  # of the plan's check-up and the latest one
    again: Reassessment | None = None  # due again, change since baseline, worsening

    @property
    def sex(self) -> Sex | None:
        return self.profile.cut_off_sex if self.profile is not None else None

    @property
    def drinking(self) -> bool:
        """Drinking charts are shown when the check-up includes alcohol, when drinks were
        recorded, or when there is no check-up to say otherwise."""
        return (
            self.profile is None
            or self.profile.uses(core.ALCOHOL)
            or any(day.amount for day in self.days)
        )


def load(user_id: Any) -> Record:
    days = own_days(user_id)
    completed = list(
        CheckUp.objects.filter(
            owner_id=user_id, status=CheckUp.Status.COMPLETE, completed_at__isnull=False
        ).order_by("completed_at", "pk")
    )
    plan = (
        Plan.objects.filter(checkup__owner_id=user_id, checkup__status=CheckUp.Status.COMPLETE)
        .select_related("checkup")
        .order_by("-created_at", "-pk")
        .first()
    )
    versions = list(plan.versions.order_by("-number")) if plan is not None else []
    latest = completed[-1] if completed else None
    # The baseline: the latest check-up completed on or before the first check-in, else the
    # first one (a check-up taken after starting still says how things were).
    before = [c for c in completed if days and _completed_on(c) <= days[0].date]
    base = before[-1] if before else (completed[0] if completed else None)
    needed = [*completed, *([plan.checkup] if plan is not None else [])]
    prefetch_related_objects(needed, "answers")  # one query for all of them

    result = _recommendation(latest) if latest is not None else None
    profile = _profile(latest) if latest is not None else None
    base_profile = _profile(base) if base is not None else None
    baseline = core.baseline_drinks_per_day(base_profile) if base_profile is not None else None
    targets: core.Targets | None = None
    chart_targets: core.Targets | None = None
    supervised = False
    approach, safety = None, tuple(result.safety) if result is not None else ()
    if plan is not None and versions:
        approach = versions[0].content.get("approach")
        plan_profile = _profile(plan.checkup)
        plan_result = _recommendation(plan.checkup)
        if plan_profile is not None and plan_result is not None:
            later = result.safety if result is not None else ()
            safety = tuple(dict.fromkeys((*plan_result.safety, *later)))
            supervised = plan_profile.uses(core.ALCOHOL) and any(
                s in core.SUPERVISED for s in safety
            )
            drafts: dict[str, Any] = {}  # one draft a path, however often it was chosen
            paths: list[tuple[date, core.Targets | None]] = []
            for path in path_segments(versions):
                path_approach = str(path[0].content.get("approach"))
                if path_approach not in drafts:
                    drafts[path_approach] = draft_for(plan.checkup, path_approach)
                draft = drafts[path_approach]
                start = _local_date(path[-1].created_at)
                path_target = core.plan_targets(
                    plan_profile, plan_result, draft.chosen, draft.taper, start, later
                )
                paths.append((start, reassess.with_own_limits(path_target, own_limits(path))))
            targets = paths[-1][1]  # the current path's: the next step and milestones
            chart_targets = reassess.path_targets(paths)
    tracked = {use.substance for use in profile.substances} if profile is not None else set()
    tracked |= {s for day in days for s in day.substances}
    return Record(
        days=days,
        result=result,
        profile=profile,
        baseline=baseline,
        targets=targets,
        chart_targets=chart_targets,
        plan=plan,
        supervised=supervised,
        substances=tuple(s for s in SUBSTANCES if s in tracked),
        approach=str(approach) if approach else None,
        switches=switches(versions),
        safety=safety,
        again=reassessment(completed),
    )


def next_step_for(record: Record, today: date) -> reassess.NextStep | None:
    """The next step on offer, if any: never beside a worsening, when the first thing to
    say is to seek care."""
    if record.approach is None or (record.again is not None and record.again.worsening):
        return None
    return reassess.next_step(record.approach, record.days, record.targets, today, record.safety)


# Numbers in words ---------------------------------------------------------------------------


def _one(value: float) -> str:
    return number_format(round(value, 1), 1)


def _percent(value: float | None) -> str:
    return "—" if value is None else gettext("%(value)s%%") % {"value": _one(value)}


def _of(part: int, whole: int) -> str:
    return gettext("%(part)d of %(whole)d") % {"part": part, "whole": whole}


def short_date(day: date) -> str:
    # A chart label's date, in the order the page's language writes it ("Nov 23", "23 nov").
    return date_format(day, pgettext("a short date on a chart: Django date format", "M j"))


def _long(day: date) -> str:
    return f"{date_format(day, 'D')}, {date_format(day, 'MONTH_DAY_FORMAT')}"


def _week_name(week: core.Week) -> str:
    return f"{short_date(week.start)} – {short_date(week.end)}"


def _level(level: RiskLevel | None) -> str:
    return "—" if level is None else gettext(RISK_LEVEL_LABEL[level])


# Figures: a chart with its data table ------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    id: str
    heading: str
    svg: SafeString
    caption: str
    columns: tuple[str, ...]  # the first heads the rows
    rows: tuple[tuple[str, tuple[str, ...]], ...]
    note: str = ""


SHORT_APPROACH = {
    "abstinence": gettext_noop("Abstinence"),
    "harm-reduction": gettext_noop("Harm reduction"),
    "staged": gettext_noop("Staged"),
}


def path_name(approach: str) -> str:
    return gettext(SHORT_APPROACH[approach]) if approach in SHORT_APPROACH else approach


def switch_sentence(switch: Switch) -> str:
    return gettext("Path changed to %(path)s on %(date)s.") % {
        "path": path_name(switch.after),
        "date": _long(switch.on),
    }


@dataclass(frozen=True)
class Marks:
    """The path switches that fall inside one chart: drawn as markers, said in the caption
    and in the chart's description."""

    markers: tuple[charts.Marker, ...] = ()
    sentences: tuple[str, ...] = ()

    def legend(self, legend: charts.Legend) -> charts.Legend:
        return replace(legend, marker=gettext("Path changed")) if self.markers else legend

    def caption(self, caption: str) -> str:
        return f"{caption}. {' '.join(self.sentences)}" if self.sentences else caption


def _marks(switches: Sequence[Switch], first: date, last: date, per_slot: int) -> Marks:
    """Switches from ``first`` to ``last`` on a chart of one slot per ``per_slot`` days."""
    inside = [s for s in switches if first <= s.on <= last]
    markers = tuple(
        charts.Marker(
            (s.on - first).days / per_slot,
            gettext("Path: %(path)s") % {"path": path_name(s.after)},
            switch_sentence(s),
        )
        for s in inside
    )
    return Marks(markers, tuple(switch_sentence(s) for s in inside))


def daily_marks(points: Sequence[core.DailyPoint], switches: Sequence[Switch]) -> Marks:
    return _marks(switches, points[0].date, points[-1].date, 1) if points else Marks()


def weekly_marks(weeks: Sequence[core.Week], switches: Sequence[Switch]) -> Marks:
    return _marks(switches, weeks[0].start, weeks[-1].end, 7) if weeks else Marks()


def _missing_legend() -> str:
    return gettext("Not recorded")


def amounts_figure(
    points: Sequence[core.DailyPoint], has_targets: bool, marks: Marks | None = None
) -> Figure:
    marks = marks or Marks()
    rows = []
    for point in points:
        if not point.recorded:
            drinks = gettext("Not recorded")
        elif point.drinks is None:
            drinks = gettext("Used; no amount given")
        else:
            drinks = _one(point.drinks)
        if point.target is None:
            target = "—"
        elif point.within_plan is None:
            target = _one(point.target)
        else:
            words = gettext("within") if point.within_plan else gettext("above")
            target = gettext("%(target)s (%(within)s)") % {
                "target": _one(point.target),
                "within": words,
            }
        rows.append((_long(point.date), (drinks, target)))
    first, last = points[0].date, points[-1].date
    desc = gettext(
        "Bars: US standard drinks on each day from %(first)s to %(last)s. Hatched columns are "
        "days with no amount recorded, never counted as zero."
    ) % {"first": _long(first), "last": _long(last)}
    if has_targets:
        desc += " " + gettext("The dashed line is the most a day your plan sets.")
    svg = charts.bar_chart(
        chart_id="chart-drinks",
        title=gettext("Drinks a day, last %(days)d days") % {"days": len(points)},
        desc=desc,
        labels=[short_date(p.date) for p in points],
        values=[p.drinks if p.recorded else None for p in points],
        line=[p.target for p in points] if has_targets else None,
        legend=marks.legend(
            charts.Legend(
                gettext("Drinks"),
                gettext("No amount recorded"),
                gettext("Plan's target") if has_targets else None,
            )
        ),
        markers=marks.markers,
    )
    return Figure(
        id="drinks",
        heading=gettext("Drinks a day against your plan"),
        svg=svg,
        caption=marks.caption(
            gettext("Drinks each day, and the plan's target: within it, or above it")
        ),
        columns=(
            gettext("Day"),
            gettext("Drinks"),
            gettext("Plan's target"),
        ),
        rows=tuple(rows),
    )


def _week_labels(weeks: Sequence[core.Week]) -> list[str]:
    return [short_date(week.start) for week in weeks]


def abstinent_figure(weeks: Sequence[core.Week], marks: Marks | None = None) -> Figure:
    marks = marks or Marks()
    values = [w.drinking.percent_days_abstinent for w in weeks]
    svg = charts.bar_chart(
        chart_id="chart-abstinent",
        title=gettext("Days without drinking, by week"),
        desc=gettext(
            "Bars: the percent of recorded days without drinking in each week, from 0 to 100. "
            "Hatched columns are weeks with nothing recorded."
        ),
        labels=_week_labels(weeks),
        values=values,
        y_max=100.0,
        y_ticks=[(value, f"{value}%") for value in range(0, 101, 20)],
        legend=marks.legend(charts.Legend(gettext("Percent of recorded days"), _missing_legend())),
        markers=marks.markers,
    )
    rows = tuple(
        (_week_name(w), (_of(w.drinking.days_recorded, w.days), _percent(values[i])))
        for i, w in enumerate(weeks)
    )
    return Figure(
        id="abstinent",
        heading=gettext("Days without drinking"),
        svg=svg,
        caption=marks.caption(gettext("Percent of recorded days without drinking, by week")),
        columns=(gettext("Week"), gettext("Days recorded"), gettext("Without drinking")),
        rows=rows,
    )


def heavy_figure(weeks: Sequence[core.Week], sex: Sex | None, marks: Marks | None = None) -> Figure:
    marks = marks or Marks()
    threshold = heavy_day_threshold(sex)
    values = [float(w.heavy_days) if w.drinking.days_recorded else None for w in weeks]
    svg = charts.bar_chart(
        chart_id="chart-heavy",
        title=gettext("Heavy drinking days, by week"),
        desc=gettext(
            "Bars: the number of days with %(drinks)d or more drinks in each week. Hatched "
            "columns are weeks with nothing recorded."
        )
        % {"drinks": threshold},
        labels=_week_labels(weeks),
        values=values,
        y_max=7.0,
        y_ticks=[(float(value), str(value)) for value in range(8)],
        legend=marks.legend(charts.Legend(gettext("Heavy drinking days"), _missing_legend())),
        markers=marks.markers,
    )
    rows = []
    for w in weeks:
        per_day = w.drinking.drinks_per_drinking_day
        rows.append(
            (
                _week_name(w),
                (
                    str(w.heavy_days) if w.drinking.days_recorded else "—",
                    "—" if per_day is None else _one(per_day),
                ),
            )
        )
    return Figure(
        id="heavy",
        heading=gettext("Heavy drinking days"),
        svg=svg,
        caption=marks.caption(
            gettext("Heavy drinking days (%(drinks)d or more drinks) by week")
            % {"drinks": threshold}
        ),
        columns=(
            gettext("Week"),
            gettext("Heavy drinking days"),
            gettext("Drinks per drinking day"),
        ),
        rows=tuple(rows),
    )


def who_figure(weeks: Sequence[core.Week], marks: Marks | None = None) -> Figure:
    marks = marks or Marks()
    levels = [w.drinking.who_risk_level for w in weeks]
    svg = charts.bar_chart(
        chart_id="chart-who",
        title=gettext("WHO drinking-risk level, by week"),
        desc=gettext(
            "Bars: the World Health Organization's risk level for each week's average alcohol "
            "a day, from abstinent to very high risk. Hatched columns are weeks with nothing "
            "recorded."
        ),
        labels=_week_labels(weeks),
        values=[None if level is None else float(RISK_LEVELS.index(level)) for level in levels],
        y_max=float(len(RISK_LEVELS) - 1),
        y_ticks=[
            (float(i), gettext(RISK_LEVEL_LABEL[level])) for i, level in enumerate(RISK_LEVELS)
        ],
        legend=marks.legend(charts.Legend(gettext("Risk level"), _missing_legend())),
        markers=marks.markers,
    )
    rows = tuple(
        (
            _week_name(w),
            (
                "—"
                if w.drinking.grams_per_day is None
                else gettext("%(grams)s g") % {"grams": _one(w.drinking.grams_per_day)},
                _level(w.drinking.who_risk_level),
            ),
        )
        for w in weeks
    )
    return Figure(
        id="who",
        heading=gettext("WHO drinking-risk level"),
        svg=svg,
        caption=marks.caption(gettext("Average alcohol a day and the WHO risk level, by week")),
        columns=(gettext("Week"), gettext("Alcohol a day"), gettext("Risk level")),
        rows=rows,
        note=gettext(
            "Moving down one or two levels goes with better day-to-day health, even without "
            "stopping."
        ),
    )


def use_figure(weeks: Sequence[core.Week], marks: Marks | None = None) -> Figure:
    marks = marks or Marks()
    values = [float(w.use.days_used) if w.use.days_recorded else None for w in weeks]
    svg = charts.bar_chart(
        chart_id="chart-use",
        title=gettext("Days of use, by week"),
        desc=gettext(
            "Bars: the number of recorded days with any use in each week. Hatched columns are "
            "weeks with nothing recorded."
        ),
        labels=_week_labels(weeks),
        values=values,
        y_max=7.0,
        y_ticks=[(float(value), str(value)) for value in range(8)],
        legend=marks.legend(charts.Legend(gettext("Days of use"), _missing_legend())),
        markers=marks.markers,
    )
    rows = tuple(
        (
            _week_name(w),
            (
                _of(w.use.days_recorded, w.days),
                str(w.use.days_used) if w.use.days_recorded else "—",
            ),
        )
        for w in weeks
    )
    return Figure(
        id="use",
        heading=gettext("Days of use"),
        svg=svg,
        caption=marks.caption(gettext("Recorded days with any use, by week")),
        columns=(gettext("Week"), gettext("Days recorded"), gettext("Days of use")),
        rows=rows,
    )


def cravings_figure(weeks: Sequence[core.Week], marks: Marks | None = None) -> Figure:
    marks = marks or Marks()
    svg = charts.line_chart(
        chart_id="chart-cravings",
        title=gettext("Cravings, by week"),
        desc=gettext(
            "Points: the average craving each week, from 0 (none) to 10 (the strongest). "
            "Hatched columns are weeks with no craving recorded."
        ),
        labels=_week_labels(weeks),
        values=[w.cravings for w in weeks],
        y_min=0.0,
        y_max=10.0,
        y_ticks=[(float(value), str(value)) for value in range(0, 11, 2)],
        legend=marks.legend(charts.Legend(gettext("Average craving"), _missing_legend())),
        markers=marks.markers,
    )
    rows = tuple((_week_name(w), ("—" if w.cravings is None else _one(w.cravings),)) for w in weeks)
    return Figure(
        id="cravings",
        heading=gettext("Cravings"),
        svg=svg,
        caption=marks.caption(gettext("Average craving by week, from 0 to 10")),
        columns=(gettext("Week"), gettext("Average craving")),
        rows=rows,
    )


def mood_figure(weeks: Sequence[core.Week], marks: Marks | None = None) -> Figure:
    marks = marks or Marks()
    moods = {int(value): str(label) for value, label in Mood.choices}
    svg = charts.line_chart(
        chart_id="chart-mood",
        title=gettext("Mood, by week"),
        desc=gettext(
            "Points: the average mood each week, from very low to very good. Hatched columns "
            "are weeks with no mood recorded."
        ),
        labels=_week_labels(weeks),
        values=[w.mood for w in weeks],
        y_min=1.0,
        y_max=5.0,
        y_ticks=[(float(value), label) for value, label in moods.items()],
        legend=marks.legend(charts.Legend(gettext("Average mood"), _missing_legend())),
        markers=marks.markers,
    )
    rows = []
    for w in weeks:
        if w.mood is None:
            rows.append((_week_name(w), ("—",)))
        else:
            words = moods[min(max(round(w.mood), 1), 5)]
            rows.append((_week_name(w), (f"{_one(w.mood)} ({words})",)))
    return Figure(
        id="mood",
        heading=gettext("Mood"),
        svg=svg,
        caption=marks.caption(gettext("Average mood by week, from 1 (very low) to 5 (very good)")),
        columns=(gettext("Week"), gettext("Average mood")),
        rows=tuple(rows),
    )


# Tables -------------------------------------------------------------------------------------


def _window_caption(days: int | None, result: Outcomes) -> str:
    if days is None or result.first is None or result.last is None:
        if result.first is None or result.last is None:
            return gettext("All recorded days")
        return gettext("All recorded days, %(first)s to %(last)s") % {
            "first": date_format(result.first, "DATE_FORMAT"),
            "last": date_format(result.last, "DATE_FORMAT"),
        }
    return ngettext("The last %(days)d day", "The last %(days)d days", days) % {"days": days}


@dataclass(frozen=True)
class WindowTable:
    id: str
    caption: str
    rows: tuple[tuple[str, str], ...]  # (measure, value)


def window_tables(
    spans: Sequence[tuple[int | None, Outcomes]], sex: Sex | None
) -> list[WindowTable]:
    """One small table a window (measure, value): four of them fit a phone, where one table
    of four windows side by side would not."""
    threshold = heavy_day_threshold(sex)
    tables = []
    for days, r in spans:
        per_day = r.drinks_per_drinking_day
        grams = r.grams_per_day
        rows = (
            (gettext("Days recorded"), _of(r.days_recorded, r.days_in_span)),
            (gettext("Days without drinking"), _percent(r.percent_days_abstinent)),
            (gettext("Drinks per drinking day"), "—" if per_day is None else _one(per_day)),
            (
                gettext("Heavy drinking days (%(drinks)d or more drinks)") % {"drinks": threshold},
                _percent(r.percent_heavy_drinking_days),
            ),
            (
                gettext("Alcohol a day"),
                "—" if grams is None else gettext("%(grams)s g") % {"grams": _one(grams)},
            ),
            (gettext("WHO risk level"), _level(r.who_risk_level)),
        )
        window_id = f"outcomes-{days}" if days is not None else "outcomes-all"
        tables.append(WindowTable(window_id, _window_caption(days, r), rows))
    return tables


def use_table(record: Record, today: date) -> list[tuple[str, str, str]]:
    counts = core.days_of_use(record.days, record.substances, today)
    return [
        (
            gettext(labels.SUBSTANCE[substance]),
            _of(recent.days_used, recent.days_recorded),
            _of(whole.days_used, whole.days_recorded),
        )
        for substance, (recent, whole) in counts.items()
    ]


# The pages ----------------------------------------------------------------------------------


def command(sex: Sex | None) -> str:
    """The command that gives the page's "all recorded days" numbers from the CSV."""
    return f"waymark outcomes --days {CSV_NAME}" + (f" --sex {sex}" if sex else "")


@never_cache
@login_required
def page(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    record = load(request.user.pk)
    again = record.again
    context: dict[str, Any] = {
        "result": record.result,
        "summary": core.summary(record.days, today, record.sex, record.baseline, record.drinking),
        "record": record,
        "due": again.due if again is not None else None,
        "worsening": again.worsening if again is not None else (),
        "switch_sentences": [switch_sentence(s) for s in record.switches],
    }
    if not record.days:
        return render(request, "waymark/progress/empty.html", context)
    weeks = core.weekly(record.days, today, sex=record.sex)
    by_week = weekly_marks(weeks, record.switches)
    figures: list[Figure] = []
    if record.drinking:
        points = core.daily(record.days, today, record.chart_targets)
        figures += [
            amounts_figure(
                points, record.chart_targets is not None, daily_marks(points, record.switches)
            ),
            abstinent_figure(weeks, by_week),
            heavy_figure(weeks, record.sex, by_week),
            who_figure(weeks, by_week),
        ]
    figures += [use_figure(weeks, by_week), cravings_figure(weeks, by_week),
                mood_figure(weeks, by_week)]  # fmt: skip
    context["next_step"] = next_step_for(record, today)
    spans = core.windows(record.days, today, record.sex)
    milestones = core.milestones(record.days, record.targets, record.baseline, record.sex)
    context |= {
        "milestones": milestones,
        "figures": figures,
        "spans": spans,
        "whole": spans[-1][1],
        "windows": window_tables(spans, record.sex) if record.drinking else None,
        "use_rows": use_table(record, today),
        "unknown_amounts": sum(1 for day in record.days if day.drinks is None),
        "command": command(record.sex),
        "csv_name": CSV_NAME,
    }
    return render(request, "waymark/progress/page.html", context)


def _amount_text(amount: float) -> str:
    """The amount exactly as the page counted it (a float's shortest exact form)."""
    return repr(float(amount))


@never_cache
@login_required
def record_csv(request: HttpRequest) -> HttpResponse:
    """`date,amount`: one row per recorded day whose drinks are known — the very record the
    page counts, so `waymark outcomes --days` on it gives the page's numbers."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{CSV_NAME}"'
    writer = csv.writer(response, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for row in core.drinking_record(own_days(request.user.pk)):
        writer.writerow((row.date.isoformat(), _amount_text(row.amount)))
    return response
