"""Actions that change check-ups: each runs in one transaction (views stay thin)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from waymark.checkup.models import SESSION_KEY, Answer, CheckUp
from waymark.checkup.steps import Step, steps_for
from waymark.clinic.hooks import record_changed
from waymark.clinical.checkup import Answers, StoredAnswer, applicable_steps, build_profile
from waymark.clinical.pathway import Recommendation, recommend
from waymark.clinical.profile import parse_profile

ENGINE_VERSION = "1"


def stored_answers(checkup: CheckUp) -> Answers:
    rows = checkup.answers.all()
    return Answers(
        StoredAnswer(row.instrument, row.item, row.option, row.value, row.context) for row in rows
    )


def _version(step: Step, answer: StoredAnswer) -> str:
    return step.version() if answer.instrument != "profile" else "1"


@transaction.atomic
def do_start_checkup(request: HttpRequest) -> CheckUp:
    owner = request.user if request.user.is_authenticated else None
    checkup = CheckUp.objects.create(owner=owner)
    if owner is None:
        ids = request.session.get(SESSION_KEY, [])
        request.session[SESSION_KEY] = [*ids, str(checkup.public_id)]
    return checkup


@transaction.atomic
def do_save_step(checkup: CheckUp, step: Step, new: Iterable[StoredAnswer]) -> None:
    """Replace the step's answers with ``new``, then drop answers of steps that no longer
    apply (say, the AUDIT after alcohol was unticked), so they cannot reach the profile."""
    answers = stored_answers(checkup)
    form = step.form(answers)
    owned = [row for row in checkup.answers.all() if form.owns(_as_stored(row))]
    Answer.objects.filter(pk__in=[row.pk for row in owned]).delete()
    Answer.objects.bulk_create(
        Answer(
            checkup=checkup,
            instrument=answer.instrument,
            version=_version(step, answer),
            context=answer.context,
            item=answer.item,
            option=answer.option,
            value=answer.value,
        )
        for answer in new
    )
    _prune(checkup)
    checkup.step = step.id
    checkup.save(update_fields=["step", "updated_at"])


def _as_stored(row: Answer) -> StoredAnswer:
    return StoredAnswer(row.instrument, row.item, row.option, row.value, row.context)


def _prune(checkup: CheckUp) -> None:
    answers = stored_answers(checkup)
    forms = [step.form(answers) for step in steps_for(applicable_steps(answers))]
    orphans = [
        row.pk
        for row in checkup.answers.all()
        if not any(form.owns(_as_stored(row)) for form in forms)
    ]
    Answer.objects.filter(pk__in=orphans).delete()


def recommendation_for(checkup: CheckUp) -> Recommendation:
    """The recommendation from the stored answers, through the same path as the CLI."""
    return recommend(parse_profile(build_profile(stored_answers(checkup))))


@transaction.atomic
def do_complete_checkup(checkup: CheckUp) -> Recommendation:
    result = recommendation_for(checkup)
    checkup.status = CheckUp.Status.COMPLETE
    checkup.completed_at = checkup.completed_at or timezone.now()
    checkup.result = result.as_dict()
    checkup.engine_version = ENGINE_VERSION
    checkup.save()
    record_changed(checkup.owner)
    return result


@transaction.atomic
def do_claim_session_checkups(request: HttpRequest) -> int:
    """Save the check-ups this browser took without an account to the signed-in person."""
    ids = request.session.get(SESSION_KEY, [])
    if not ids or not request.user.is_authenticated:
        return 0
    claimed = CheckUp.objects.filter(public_id__in=ids, owner__isnull=True).update(
        owner=request.user
    )
    request.session[SESSION_KEY] = []
    return claimed
