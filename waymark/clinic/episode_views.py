"""Episode pages: admit and discharge from a person's chart, and the program's funder CSV.

Thin, like `waymark.clinic.views`: staff only; a person the viewer may not see, an episode of
a program they do not see the person through, and a program they do not lead all answer 404.
"""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from waymark import access
from waymark.accounts.staff import staff_required
from waymark.audit.log import record_read
from waymark.clinic import episodes
from waymark.clinic.actions import shared_organizations
from waymark.clinic.models import Episode
from waymark.clinic.report import consenting
from waymark.clinic.views import _chart_again, _person
from waymark.clinical.report import MIN_CELL


def _again(request: HttpRequest, person: Any, **forms: Any) -> HttpResponse:
    return _chart_again(
        request, person, episodes=episodes.chart_section(request.user, person, **forms)
    )


@staff_required
@require_POST
def admit(request: HttpRequest, public_id: Any) -> HttpResponse:
    person = _person(request, public_id)
    programs = episodes.programs_for(request.user, person)
    form = episodes.AdmitForm(request.POST, programs=programs)
    if form.is_valid():
        try:
            episodes.do_admit(
                request.user,  # type: ignore[arg-type]
                person,
                form.cleaned_data["program"],
                form.cleaned_data["admitted_on"],
                request,
            )
        except episodes.EpisodeError as error:
            form.add_error("admitted_on", str(error))
    if not form.is_valid():
        return _again(request, person, admit_form=form)
    messages.success(request, gettext("Admission recorded."))
    return redirect("clinic:chart", public_id=person.public_id)


@staff_required
@require_POST
def discharge(request: HttpRequest, public_id: Any, episode_id: Any) -> HttpResponse:
    person = _person(request, public_id)
    programs = shared_organizations(request.user, person)
    episode = Episode.objects.filter(
        person=person, public_id=episode_id, program_id__in=programs
    ).first()
    if episode is None:
        raise Http404("No such episode.")
    form = episodes.DischargeForm(request.POST)
    if form.is_valid():
        try:
            episodes.do_discharge(
                request.user,  # type: ignore[arg-type]
                episode,
                form.cleaned_data["discharged_on"],
                form.cleaned_data["reason"],
                request,
            )
        except episodes.EpisodeError as error:
            form.add_error("discharged_on", str(error))
    if not form.is_valid():
        return _again(request, person, discharge_form=form, discharge_error=episode.public_id)
    messages.success(request, gettext("Discharge recorded."))
    return redirect("clinic:chart", public_id=person.public_id)


# The funder CSV ---------------------------------------------------------------------------

COLUMNS = (
    "episode",
    "admitted_on",
    "discharged_on",
    "discharge_reason",
    "followup_window_start",
    "followup_window_end",
    "followup_window_closed",
    "followup_achieved",
    "baseline_phq9",
    "followup_phq9",
    "discharge_phq9",
    "response",
    "remission",
    "baseline_bam_use",
    "followup_bam_use",
)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value.isoformat() if hasattr(value, "isoformat") else value)


def csv_rows(rows: list[episodes.Row]) -> list[list[str]]:
    found = []
    for row in rows:
        out, episode = row.outcome, row.outcome.episode
        values = (
            row.number,
            episode.admitted_on,
            episode.discharged_on,
            episode.discharge_reason or None,
            out.window_start,
            out.window_end,
            out.window_closed,
            out.followup_achieved if out.window_closed else None,
            out.baseline_phq9,
            out.followup_phq9,
            out.discharge_phq9,
            out.response,
            out.remission,
            out.baseline_bam_use,
            out.followup_bam_use,
        )
        found.append([_text(v) for v in values])
    return found


@staff_required
@require_GET
def program_csv(request: HttpRequest, program_id: Any) -> HttpResponse:
    """One row per episode, de-identified; refused (409) under MIN_CELL different people."""
    program = access.led_organizations(request.user).filter(public_id=program_id).first()
    if program is None:
        raise Http404("No such program among those you lead.")
    people = [p for p, sharing in consenting(program).items() if sharing.checkups]
    rows = episodes.program_rows(program, people, timezone.localdate())
    record_read(
        "export.episodes",
        actor=request.user,  # type: ignore[arg-type]
        request=request,
        detail=f"episodes CSV: {program.name} ({len(rows)} rows)",
    )
    if len({row.person_id for row in rows}) < MIN_CELL:
        message = gettext(
            "Fewer than 11 people have episodes here, so the file is not made: "
            "nobody could be picked out of it."
        )
        return HttpResponse(message, status=409, content_type="text/plain; charset=utf-8")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="episodes.csv"'
    response["Cache-Control"] = "no-store"
    writer = csv.writer(response)
    writer.writerow(COLUMNS)
    writer.writerows(csv_rows(rows))
    return response
