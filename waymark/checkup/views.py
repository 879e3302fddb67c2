"""The check-up pages. Views check access and pick the step; actions change data."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from waymark.access import visible_checkups
from waymark.checkup import actions
from waymark.checkup.history import change_words, history_rows, reassessment
from waymark.checkup.models import CheckUp
from waymark.checkup.steps import Step, step_for
from waymark.clinical.checkup import applicable_steps, crisis_reported
from waymark.clinical.plan import paths_open

MOOD_STEPS = ("mood", "phq-9")


def _checkup(request: HttpRequest, public_id: Any) -> CheckUp:
    checkup = visible_checkups(request).filter(public_id=public_id).first()
    if checkup is None:
        raise Http404("No such check-up.")
    return checkup


@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        checkup = actions.do_start_checkup(request)
        return redirect("checkup:step", checkup.public_id, "about")
    in_progress = visible_checkups(request).filter(status=CheckUp.Status.IN_PROGRESS)
    return render(request, "waymark/checkup/start.html", {"in_progress": in_progress[:5]})


def _progress(steps: list[str], current: str) -> list[dict[str, Any]]:
    index = steps.index(current)
    return [
        {"id": step_id, "title": step_for(step_id).title, "done": i < index,
         "current": i == index}
        for i, step_id in enumerate(steps)
    ]  # fmt: skip


def _render_step(
    request: HttpRequest, checkup: CheckUp, step: Step, form: Any, steps: list[str], status: int
) -> HttpResponse:
    answers = form.answers
    index = steps.index(step.id)
    context = {
        "checkup": checkup,
        "step": step,
        "form": form,
        "progress": _progress(steps, step.id),
        "number": index + 1,
        # Until the person says what they use, the steps to come are not known: no total
        # that would jump from "2 of 9" to "3 of 16".
        "total": len(steps) if answers.substances else None,
        "previous": steps[index - 1] if index else None,
        "last": index == len(steps) - 1,
        "crisis": crisis_reported(answers),
        "crisis_new": crisis_reported(answers) and checkup.step in MOOD_STEPS,
        "adult_notice": isinstance(answers.plain("age"), int) and answers.plain("age") < 18,
    }
    return render(request, "waymark/checkup/step.html", context, status=status)


def _next_step(steps: list[str], current: str) -> str | None:
    index = steps.index(current) if current in steps else -1
    return steps[index + 1] if index + 1 < len(steps) else None


@require_http_methods(["GET", "POST"])
def step(request: HttpRequest, public_id: Any, step_id: str) -> HttpResponse:
    checkup = _checkup(request, public_id)
    if checkup.status == CheckUp.Status.COMPLETE:
        return redirect("checkup:result", checkup.public_id)
    answers = actions.stored_answers(checkup)
    steps = applicable_steps(answers)
    if step_id not in steps:
        return redirect("checkup:step", checkup.public_id, steps[0])
    current = step_for(step_id)
    if request.method == "GET":
        return _render_step(request, checkup, current, current.form(answers), steps, 200)

    form = current.form(answers, request.POST)
    action = request.POST.get("action", "next")
    valid = form.is_valid()
    if action in ("back", "pause"):
        # Keep whatever was answered well; nothing typed is thrown away for going back.
        actions.do_save_step(checkup, current, form.stored(form.cleaned_data))
        if action == "pause":
            return redirect("checkup:paused", checkup.public_id)
        index = steps.index(step_id)
        return redirect("checkup:step", checkup.public_id, steps[max(index - 1, 0)])
    if not valid:
        return _render_step(request, checkup, current, form, steps, 400)
    actions.do_save_step(checkup, current, form.stored(form.cleaned_data))
    steps = applicable_steps(actions.stored_answers(checkup))
    following = _next_step(steps, step_id)
    if following is not None:
        return redirect("checkup:step", checkup.public_id, following)
    actions.do_complete_checkup(checkup)
    return redirect("checkup:result", checkup.public_id)


def paused(request: HttpRequest, public_id: Any) -> HttpResponse:
    checkup = _checkup(request, public_id)
    steps = applicable_steps(actions.stored_answers(checkup))
    resume = checkup.step if checkup.step in steps else steps[0]
    return render(request, "waymark/checkup/paused.html", {"checkup": checkup, "resume": resume})


def result(request: HttpRequest, public_id: Any) -> HttpResponse:
    checkup = _checkup(request, public_id)
    if checkup.status != CheckUp.Status.COMPLETE:
        return redirect("checkup:step", checkup.public_id, checkup.step or "about")
    recommendation = actions.recommendation_for(checkup)
    return render(
        request,
        "waymark/checkup/result.html",
        {
            "checkup": checkup,
            "result": recommendation,
            "approaches": paths_open(recommendation.approach, recommendation.safety),
        },
    )


def history(request: HttpRequest) -> HttpResponse:
    completed = list(
        visible_checkups(request)
        .filter(status=CheckUp.Status.COMPLETE)
        .order_by("-completed_at", "-pk")
        .prefetch_related("answers")
    )
    again = reassessment(completed[::-1])
    context = {
        "rows": history_rows(completed),
        "due": again.due,
        "worsening": again.worsening,
        "change_rows": [change_words(row) for row in again.changes],
    }
    return render(request, "waymark/checkup/history.html", context)
