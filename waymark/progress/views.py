"""The progress page (PRODUCT.md, journey step 5) and the record behind it as CSV.

Deny by default: both read only the signed-in person's own check-ins, check-ups and plans.
The record comes from `waymark.progress.record`; the figures from `waymark.progress.figures`.
"""

from __future__ import annotations

import csv
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from waymark.clinical import progress as core
from waymark.clinical.scoring import Sex
from waymark.progress.figures import (
    Figure,
    abstinent_figure,
    amounts_figure,
    cravings_figure,
    daily_marks,
    heavy_figure,
    mood_figure,
    switch_sentence,
    use_figure,
    use_table,
    weekly_marks,
    who_figure,
    window_tables,
)
from waymark.progress.record import days_of, load, next_step_for

CSV_NAME = "drinking-record.csv"
CSV_HEADER = ("date", "amount")  # what `waymark outcomes --days` reads


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


def amount_text(amount: float) -> str:
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
    for row in core.drinking_record(days_of(request.user.pk)):
        writer.writerow((row.date.isoformat(), amount_text(row.amount)))
    return response
