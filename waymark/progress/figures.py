"""The progress page's figures and tables: each chart with its data table, in words.

Used by the person's progress page and by the clinic chart (which shows some of the same
figures for a consenting person).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from django.utils.formats import date_format, number_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext, gettext_noop, ngettext, pgettext

from waymark.clinical import labels
from waymark.clinical import progress as core
from waymark.clinical.drinks import (
    RISK_LEVEL_LABEL,
    RISK_LEVELS,
    RiskLevel,
    heavy_day_threshold,
)
from waymark.clinical.outcomes import Outcomes
from waymark.clinical.scoring import Sex
from waymark.progress import charts
from waymark.progress.record import Record, Switch
from waymark.tracking.models import Mood

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
    spans: Sequence[tuple[int | None, Outcomes]], sex: Sex | None, *, adult: bool = True
) -> list[WindowTable]:
    """One small table a window (measure, value): four of them fit a phone, where one table
    of four windows side by side would not. Not `adult`: without the adult measures (heavy
    days, the WHO risk level), which would call some drinking low risk under 18."""
    threshold = heavy_day_threshold(sex)
    tables = []
    for days, r in spans:
        per_day = r.drinks_per_drinking_day
        grams = r.grams_per_day
        heavy = gettext("Heavy drinking days (%(drinks)d or more drinks)") % {"drinks": threshold}
        alcohol = "—" if grams is None else gettext("%(grams)s g") % {"grams": _one(grams)}
        rows = (
            (gettext("Days recorded"), _of(r.days_recorded, r.days_in_span)),
            (gettext("Days without drinking"), _percent(r.percent_days_abstinent)),
            (gettext("Drinks per drinking day"), "—" if per_day is None else _one(per_day)),
            *([(heavy, _percent(r.percent_heavy_drinking_days))] if adult else []),
            (gettext("Alcohol a day"), alcohol),
            *([(gettext("WHO risk level"), _level(r.who_risk_level))] if adult else []),
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
