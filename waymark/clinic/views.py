"""The clinic pages: caseload, a person's chart (alerts, scales, notes), the program report.

Thin: `staff_required` (signed in, staff, second factor), then `waymark.access` decides whose
data appears (404 for a person the viewer may not see: the same answer as "no such person"),
an action changes data, and every read of patient data is audited.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from waymark import access
from waymark.accounts.models import User
from waymark.accounts.staff import staff_required
from waymark.audit.log import record_read
from waymark.clinic import actions, episodes, snapshots
from waymark.clinic.chart import PAGE_SIZE, Caseload, audit_caseload, chart, shown_rows
from waymark.clinic.forms import (
    CLINICIAN_SCALES,
    AcknowledgeForm,
    CaseloadSearchForm,
    NoteForm,
    scale_answers,
    scale_form,
)
from waymark.clinic.models import Alert, ClinicalNote
from waymark.clinical import scoring
from waymark.clinical.progress import weekly, windows
from waymark.measures import results as measures
from waymark.progress import figures
from waymark.progress.charts import Legend, line_chart


def _person(request: HttpRequest, public_id: Any, scope: str | None = None) -> User:
    person = access.visible_person(request.user, public_id, scope)
    if person is None:
        raise Http404("No such person in your caseload.")
    return person


@staff_required
def caseload_page(request: HttpRequest) -> HttpResponse:
    form = CaseloadSearchForm(request.GET if {"q", "alert"} & set(request.GET) else None)
    # Counted and sliced, never iterated; its alerts loaded only as far as the page shows them.
    found = Caseload(request.user, form.query(), brief=True)
    page = found.page(request.GET.get("page"), PAGE_SIZE)
    pages = page.paginator
    rows = list(page.object_list)
    audit_caseload(request, rows)
    leads = access.led_programs(request)
    context = {
        "rows": shown_rows(rows),
        "page": page,
        "pages": pages.get_elided_page_range(page.number, on_each_side=1, on_ends=1),
        "form": form,
        "leads": leads,
    }
    return render(request, "waymark/clinic/caseload.html", context)


def screener_figure(series: Any) -> figures.Figure:
    instrument = series.instrument
    top = float(instrument.max_total)
    step = max(1, int(top) // 5)
    svg = line_chart(
        chart_id=f"chart-{instrument.id}",
        title=gettext("%(name)s total, by check-up") % {"name": instrument.short_name},
        desc=gettext("Points: the total at each completed check-up, oldest on the left."),
        labels=[figures.short_date(point[0]) for point in series.points],
        values=[float(point[1]) for point in series.points],
        legend=Legend(gettext("Total"), gettext("Not given")),
        y_min=float(instrument.min_total),
        y_max=top,
        y_ticks=[(float(v), str(v)) for v in range(instrument.min_total, int(top) + 1, step)],
    )
    return figures.Figure(
        id=f"screener-{instrument.id}",
        heading=instrument.short_name,
        svg=svg,
        caption=gettext("%(name)s at each check-up") % {"name": instrument.short_name},
        columns=(gettext("Check-up"), gettext("Total"), gettext("Range")),
        rows=tuple(
            (
                date_format(on, "DATE_FORMAT"),
                (str(total), band),
            )
            for on, total, band in series.points
        ),
    )


def _scale_forms(bound_id: str = "", bound: Any = None) -> list[tuple[Any, Any, Any]]:
    """(instrument, form, bands) for each clinician-rated scale; ``bound`` re-shown with its
    errors in place of the blank form of ``bound_id``."""
    found = []
    for instrument_id in CLINICIAN_SCALES:
        instrument = scoring.get_instrument(instrument_id)
        form = bound if instrument_id == bound_id else scale_form(instrument_id)
        found.append((instrument, form, instrument.bands_for(None)))
    return found


def _chart_context(request: HttpRequest, person: User, **extra: Any) -> dict[str, Any]:
    data = chart(request.user, person)
    context: dict[str, Any] = {
        "chart": data,
        "person": person,
        "figures": [screener_figure(s) for s in data.screeners],
        "ack_form": AcknowledgeForm(),
        "note_form": NoteForm(),
        "scale_forms": _scale_forms(),
        "instruments": {i: scoring.get_instrument(i) for i in CLINICIAN_SCALES},
    }
    if data.record is not None and data.record.days:
        today = timezone.localdate()
        spans = windows(data.record.days, today, data.record.sex)
        weeks = weekly(data.record.days, today, sex=data.record.sex)
        context["windows"] = figures.window_tables(spans, data.record.sex)
        context["checkin_figures"] = [
            figures.use_figure(weeks),
            figures.cravings_figure(weeks),
        ]
    if "checkups" in data.scopes:  # measures are screener results: the same scope
        context["measures"] = measures.chart_section(request.user, person)
    context["episodes"] = episodes.chart_section(request.user, person)
    context.update(extra)
    return context


@staff_required
def chart_page(request: HttpRequest, public_id: Any) -> HttpResponse:
    person = _person(request, public_id)
    record_read("view.chart", actor=request.user, subject=person, request=request, detail="chart")  # type: ignore[arg-type]
    return render(request, "waymark/clinic/chart.html", _chart_context(request, person))


def _chart_again(request: HttpRequest, person: User, **extra: Any) -> HttpResponse:
    """The chart shown again with a form's errors (400): a view of the chart, audited too."""
    record_read("view.chart", actor=request.user, subject=person, request=request, detail="chart")  # type: ignore[arg-type]
    context = _chart_context(request, person, **extra)
    return render(request, "waymark/clinic/chart.html", context, status=400)


@staff_required
@require_POST
def acknowledge(request: HttpRequest, public_id: Any, alert_id: Any) -> HttpResponse:
    person = _person(request, public_id)
    scopes = access.scopes_for(request.user, person)
    alert = Alert.objects.filter(person=person, public_id=alert_id).first()
    if alert is None or not actions.visible_alerts([alert], scopes):
        raise Http404("No such alert.")
    form = AcknowledgeForm(request.POST)
    if not form.is_valid():
        return _chart_again(request, person, ack_form=form, ack_error=alert.public_id)
    actions.do_acknowledge(alert, request.user, form.cleaned_data["note"], request)  # type: ignore[arg-type]
    messages.success(request, gettext("Alert acknowledged."))
    return redirect("clinic:chart", public_id=person.public_id)


@staff_required
@require_POST
def record_scale(request: HttpRequest, public_id: Any, instrument_id: str) -> HttpResponse:
    person = _person(request, public_id)
    if instrument_id not in CLINICIAN_SCALES:
        raise Http404("No such scale.")
    form = scale_form(instrument_id, request.POST)
    if not form.is_valid():
        return _chart_again(request, person, scale_forms=_scale_forms(instrument_id, form))
    scale = actions.do_record_scale(
        request.user,  # type: ignore[arg-type]
        person,
        instrument_id,
        scale_answers(form),
        request,
    )
    instrument = scoring.get_instrument(instrument_id)
    band = instrument.band_for(scale.total)
    messages.success(
        request,
        gettext("%(scale)s recorded: %(total)d, %(band)s.")
        % {"scale": instrument.short_name, "total": scale.total, "band": band.label},
    )
    return redirect("clinic:chart", public_id=person.public_id)


@staff_required
@require_POST
def add_note(request: HttpRequest, public_id: Any) -> HttpResponse:
    person = _person(request, public_id, "notes")
    form = NoteForm(request.POST)
    amends = None
    if form.is_valid() and form.cleaned_data.get("amends"):
        organizations = actions.shared_organizations(request.user, person)
        amends = ClinicalNote.objects.filter(
            person=person,
            public_id=form.cleaned_data["amends"],
            organization_id__in=organizations,
        ).first()
        if amends is None:
            form.add_error("text", gettext("The note to amend was not found."))
    if not form.is_valid():
        return _chart_again(request, person, note_form=form)
    actions.do_add_note(request.user, person, form.cleaned_data["text"], amends, request)  # type: ignore[arg-type]
    messages.success(request, gettext("Note saved."))
    return redirect("clinic:chart", public_id=person.public_id)


@staff_required
@require_http_methods(["GET", "POST"])
def report_page(request: HttpRequest, program_id: Any) -> HttpResponse:
    """GET shows the report (live, or the latest kept one for a large program); POST asks for
    a large program's report to be computed again (`waymark.clinic.snapshots`)."""
    program = access.led_organizations(request.user).filter(public_id=program_id).first()
    if program is None:
        raise Http404("No such program among those you lead.")
    if request.method == "POST":
        snapshots.compute_again(program)
        return redirect("clinic:report", program_id=program.public_id)
    shown = snapshots.report_for(program)
    record_read(
        "view.report",
        actor=request.user,  # type: ignore[arg-type]
        request=request,
        detail=f"program report: {program.name}",
    )
    context = {"program": program, "report": shown.report, "shown": shown}
    return render(request, "waymark/clinic/report.html", context)
