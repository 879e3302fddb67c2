"""Episodes of care: admitting and discharging a person (actions, audited), and each episode's
outcome for the program report and the funder CSV (the maths in `waymark.clinical.episodes`).

Who may admit or discharge: a clinician or lead who sees the person now through a consent to
that program (`waymark.access`); the episode belongs to that program. Which episodes count in
the report and the CSV: those of people who share check-ups with the program now ❓, the
report's own rule (`waymark.clinic.report`), since their results are check-up data.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from waymark.accounts.models import Organization, User
from waymark.among import AmongIds
from waymark.audit.log import record
from waymark.checkup.history import scores
from waymark.checkup.models import CheckUp
from waymark.clinic.actions import shared_organizations
from waymark.clinic.models import DischargeReason, Episode
from waymark.clinical import episodes as core
from waymark.measures.models import MeasureResponse


class EpisodeError(ValueError):
    """An admission or discharge that cannot be: the message says why, for the person."""


def settings_of(program: Organization) -> core.FollowUp:
    return core.FollowUp(
        months=program.followup_months,
        days=program.followup_days,
        target=program.followup_target,
    )


def programs_for(viewer: Any, person: User) -> list[Organization]:
    """The programs through which ``viewer`` sees ``person`` now: where they may admit."""
    ids = shared_organizations(viewer, person)
    return list(Organization.objects.filter(pk__in=ids).order_by("name"))


def episodes_for(viewer: Any, person: User) -> list[Episode]:
    ids = shared_organizations(viewer, person)
    return list(
        Episode.objects.filter(person=person, program_id__in=ids)
        .select_related("program")
        .order_by("-admitted_on", "-pk")
    )


def _check_day(day: date) -> None:
    if day > timezone.localdate():
        raise EpisodeError(gettext("The date cannot be in the future."))


def do_admit(
    viewer: User,
    person: User,
    program: Organization,
    admitted_on: date,
    request: HttpRequest | None = None,
) -> Episode:
    _check_day(admitted_on)
    try:
        with transaction.atomic():
            episode = Episode.objects.create(
                person=person,
                program=program,
                admitted_on=admitted_on,
                created_by=viewer,
                updated_by=viewer,
            )
            record(
                "episode.admit",
                actor=viewer,
                subject=person,
                request=request,
                detail=f"{episode.public_id} admitted {admitted_on.isoformat()}",
            )
    except IntegrityError as error:
        raise EpisodeError(gettext("This person already has an open episode here.")) from error
    return episode


def do_discharge(
    viewer: User,
    episode: Episode,
    discharged_on: date,
    reason: str,
    request: HttpRequest | None = None,
) -> Episode:
    _check_day(discharged_on)
    if discharged_on < episode.admitted_on:
        raise EpisodeError(gettext("Discharge cannot come before admission."))
    if episode.discharged_on is not None:
        raise EpisodeError(gettext("This episode is already closed."))
    reason = DischargeReason(reason)
    with transaction.atomic():
        episode.discharged_on, episode.discharge_reason = discharged_on, reason
        episode.updated_by = viewer
        episode.save(
            update_fields=["discharged_on", "discharge_reason", "updated_by", "updated_at"]
        )
        record(
            "episode.discharge",
            actor=viewer,
            subject=episode.person,
            request=request,
            detail=f"{episode.public_id} discharged {discharged_on.isoformat()} ({reason})",
        )
    return episode


# Forms ------------------------------------------------------------------------------------


class AdmitForm(forms.Form):
    program = forms.ModelChoiceField(
        label=_("Program"), queryset=Organization.objects.none(), empty_label=None
    )
    admitted_on = forms.DateField(
        label=_("Admitted on"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, programs: list[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["program"]
        field.queryset = Organization.objects.filter(pk__in=[p.pk for p in programs])
        field.to_field_name = "public_id"


class DischargeForm(forms.Form):
    discharged_on = forms.DateField(
        label=_("Discharged on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.ChoiceField(label=_("Reason"), choices=DischargeReason.choices)


def chart_section(viewer: Any, person: Any, **forms: Any) -> dict[str, Any]:
    """The chart's "Episodes of care" section: episodes, and the two forms."""
    programs = programs_for(viewer, person)
    return {
        "list": episodes_for(viewer, person),
        "admit_form": forms.get("admit_form") or AdmitForm(programs=programs),
        "discharge_form": forms.get("discharge_form") or DischargeForm(),
        "discharge_error": forms.get("discharge_error"),
    }


# Outcomes ---------------------------------------------------------------------------------


# Each person's check-up PHQ-9 totals by date, as `waymark.clinic.report` has already read them.
CheckupTotals = dict[int, list[tuple[date, int]]]


def results_of(
    people: list[int], checkups: CheckupTotals | None = None
) -> dict[int, list[core.Result]]:
    """Each person's PHQ-9 totals and BAM use scores, from measures and completed check-ups
    (read here in two queries, unless ``checkups`` gives them)."""
    found: dict[int, list[core.Result]] = defaultdict(list)
    if checkups is not None:
        for person_id in people:
            for on, total in checkups.get(person_id, ()):
                found[person_id].append(core.Result(on, core.PHQ9, total))
        return _with_measures(people, found)
    found = _with_measures(people, found)
    return _with_checkups(people, found)


def _with_measures(
    people: list[int], found: dict[int, list[core.Result]]
) -> dict[int, list[core.Result]]:
    responses = MeasureResponse.objects.filter(
        AmongIds("person_id", people), instrument__in=(core.PHQ9, core.BAM)
    ).values_list("person_id", "instrument", "total", "subscales", "completed_at")
    for person_id, instrument, total, subscales, at in responses:
        score = total if instrument == core.PHQ9 else (subscales or {}).get("use")
        if score is not None:
            found[person_id].append(core.Result(timezone.localdate(at), instrument, int(score)))
    return found


def _with_checkups(
    people: list[int], found: dict[int, list[core.Result]]
) -> dict[int, list[core.Result]]:
    checkups = CheckUp.objects.filter(
        AmongIds("owner_id", people), status=CheckUp.Status.COMPLETE, completed_at__isnull=False
    ).prefetch_related("answers")
    for checkup in checkups:
        phq9 = scores(checkup).get(core.PHQ9)
        if phq9 is not None and checkup.owner_id is not None:
            on = timezone.localdate(checkup.completed_at)
            found[checkup.owner_id].append(core.Result(on, core.PHQ9, phq9.total))
    return found


@dataclass(frozen=True)
class Row:
    number: int  # opaque, per program: the episode's place by admission date
    person_id: int  # never leaves the server
    outcome: core.Outcome


def program_rows(
    program: Organization, people: list[int], today: date, checkups: CheckupTotals | None = None
) -> list[Row]:
    """Each episode of ``people`` in ``program``, numbered 1… by admission (then creation).
    (In the report, chunk by chunk, the numbers restart each chunk: it uses no numbers.)"""
    settings = settings_of(program)
    episodes = list(
        Episode.objects.filter(
            AmongIds("person_id", people), program=program, admitted_on__lte=today
        )
        .order_by("admitted_on", "pk")
        .values_list("person_id", "admitted_on", "discharged_on", "discharge_reason")
    )
    results = results_of(sorted({e[0] for e in episodes}), checkups)
    rows = []
    for number, (person_id, admitted, discharged, reason) in enumerate(episodes, start=1):
        episode = core.Episode(admitted, discharged, reason)
        found = core.outcome(episode, results.get(person_id, []), today, settings)
        rows.append(Row(number, person_id, found))
    return rows
