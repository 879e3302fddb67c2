"""The progress page (PRODUCT.md, journey step 5), the record behind it as CSV, and the usual
spend behind its optional "money not spent" figure.

Deny by default: each reads or changes only the signed-in person's own check-ins, check-ups,
plans and usual spend. The record comes from `waymark.progress.record`; the figures from
`waymark.progress.figures`; the money figure from `waymark.progress.spend`.
"""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from waymark.accounts.models import User
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
from waymark.progress.forms import TypicalSpendForm, initial_spend
from waymark.progress.record import days_of, load, next_step_for
from waymark.progress.spend import (
    do_remove_typical_spend,
    do_set_typical_spend,
    money_for,
    money_text,
    spend_of,
)

CSV_NAME = "drinking-record.csv"
CSV_HEADER = ("date", "amount")  # what `waymark outcomes --days` reads


# The pages ----------------------------------------------------------------------------------


def command(sex: Sex | None) -> str:
    """The command that gives the page's "all recorded days" numbers from the CSV."""
    return f"waymark outcomes --days {CSV_NAME}" + (f" --sex {sex}" if sex else "")


@never_cache
@login_required
def page(request: HttpRequest) -> HttpResponse:
    return render_page(request)


def render_page(
    request: HttpRequest, spend_form: TypicalSpendForm | None = None, status: int = 200
) -> HttpResponse:
    """The page, with the usual-spend form as posted (its errors shown) when given."""
    today = timezone.localdate()
    record = load(request.user.pk)
    again = record.again
    spend = spend_of(request.user.pk)
    if spend_form is None:
        spend_form = TypicalSpendForm(initial=initial_spend(spend))
    context: dict[str, Any] = {
        "result": record.result,
        "summary": core.summary(record.days, today, record.sex, record.baseline, record.drinking),
        "record": record,
        "due": again.due if again is not None else None,
        "worsening": again.worsening if again is not None else (),
        "switch_sentences": [switch_sentence(s) for s in record.switches],
        "money": money_for(request.user.pk, record.days, today, spend) if spend else None,
        "spend_form": spend_form,
    }
    if not record.days:
        return render(request, "waymark/progress/empty.html", context, status=status)
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
        ]
        if record.adult:
            figures += [heavy_figure(weeks, record.sex, by_week), who_figure(weeks, by_week)]
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
        "windows": window_tables(spans, record.sex, adult=record.adult)
        if record.drinking
        else None,
        "use_rows": use_table(record, today),
        "unknown_amounts": sum(1 for day in record.days if day.drinks is None),
        "command": command(record.sex),
        "csv_name": CSV_NAME,
    }
    return render(request, "waymark/progress/page.html", context, status=status)


def _person(request: HttpRequest) -> User:
    """The signed-in person (`login_required`)."""
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


@never_cache
@login_required
@require_POST
def spend(request: HttpRequest) -> HttpResponse:
    """Save the usual spend on a day of use ("save"), or remove it and the figure ("remove")."""
    person = _person(request)
    back = reverse("progress:page") + "#money"
    if request.POST.get("action") == "remove":
        if do_remove_typical_spend(person):
            messages.success(
                request,
                gettext("The money figure is removed. You can add it again at any time."),
            )
        return redirect(back)
    form = TypicalSpendForm(request.POST)
    if not form.is_valid():
        return render_page(request, form, status=400)
    saved = do_set_typical_spend(person, form.cleaned_data["amount"], form.cleaned_data["currency"])
    messages.success(
        request,
        gettext("Saved: %(amount)s on a day of use.")
        % {"amount": money_text(saved.amount, saved.currency)},
    )
    return redirect(back)


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
