"""Plan pages: draft from a check-up, view, edit (a new version each save), history, PDFs."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_http_methods, require_POST

from waymark.access import visible_checkups, visible_plans
from waymark.checkup.models import CheckUp
from waymark.clinical.reassess import ABSTINENCE_TRIAL, TRIAL_WEEKS
from waymark.plans import actions, document
from waymark.plans.forms import PlanForm
from waymark.plans.models import Plan, PlanVersion
from waymark.progress.record import load, next_step_for


def _plan(request: HttpRequest, public_id: Any) -> Plan:
    plan = visible_plans(request).filter(public_id=public_id).first()
    if plan is None:
        raise Http404("No such plan.")
    return plan


def _user(request: HttpRequest) -> Any:
    return request.user if request.user.is_authenticated else None


def mine(request: HttpRequest) -> HttpResponse:
    """The "My plan" page: the newest plan this person may see (their own, or one made in
    this browser without an account, as for every plan page). With none yet, how to make one;
    a visitor with no check-up here signs in, since their plan may be in their account."""
    plan = visible_plans(request).order_by("-created_at", "-pk").first()
    if plan is not None:
        return redirect("plans:detail", plan.public_id)
    latest = (
        visible_checkups(request)
        .filter(status=CheckUp.Status.COMPLETE)
        .order_by("-completed_at", "-pk")
        .first()
    )
    if latest is None and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return render(request, "waymark/plans/none.html", {"latest": latest})


@require_POST
def create(request: HttpRequest, checkup_id: Any) -> HttpResponse:
    checkup = (
        visible_checkups(request)
        .filter(public_id=checkup_id, status=CheckUp.Status.COMPLETE)
        .first()
    )
    if checkup is None:
        raise Http404("No such check-up.")
    approach = request.POST.get("approach") or None
    if approach is not None and approach not in actions.paths_for(checkup):
        return redirect("checkup:result", checkup.public_id)
    plan = actions.do_create_plan(checkup, approach or checkup.result["approach"], _user(request))
    return redirect("plans:detail", plan.public_id)


def _version(plan: Plan, number: int | None) -> PlanVersion:
    versions = plan.versions.all()
    version = versions.filter(number=number).first() if number else versions.first()
    if version is None:
        raise Http404("No such version.")
    return version


def _detail(
    request: HttpRequest,
    plan: Plan,
    number: int | None = None,
    status: int = 200,
    switch_error: str = "",
) -> HttpResponse:
    version = _version(plan, number)
    current = str(version.content.get("approach", ""))
    context = {
        "plan": plan,
        "version": version,
        "doc": document.plan_document(plan, version),
        "is_latest": number is None or number == plan.latest().number,
        "other_paths": [a for a in actions.paths_for(plan.checkup) if a != current],
        "switched_from": version.content.get("switched_from") or "",
        "switch_error": switch_error,
        "own_limit": _own_limit(version),
    }
    return render(request, "waymark/plans/detail.html", context, status=status)


def _own_limit(version: PlanVersion) -> dict[str, Any] | None:
    """The daily limit the person chose as a next step, if this version carries one."""
    limit = version.content.get("daily_limit")
    if not isinstance(limit, int | float) or isinstance(limit, bool):
        return None
    step = version.content.get("next_step") or {}
    return {
        "limit": float(limit),
        "trial": step.get("kind") == ABSTINENCE_TRIAL,
        "with_clinician": bool(step.get("with_clinician")),
        "weeks": TRIAL_WEEKS,
    }


def detail(request: HttpRequest, public_id: Any, number: int | None = None) -> HttpResponse:
    return _detail(request, _plan(request, public_id), number)


@require_POST
def switch(request: HttpRequest, public_id: Any) -> HttpResponse:
    """Change path at any time: a new version, the person's own lists kept."""
    plan = _plan(request, public_id)
    approach = request.POST.get("approach", "")
    current = plan.latest().content.get("approach")
    if approach not in actions.paths_for(plan.checkup) or approach == current:
        message = gettext("Please choose one of the other paths.")
        return _detail(request, plan, status=400, switch_error=message)
    actions.do_switch_path(plan, approach, _user(request))
    return redirect(reverse("plans:detail", args=[plan.public_id]) + "#switch-path")


@login_required
@require_POST
def take_next_step(request: HttpRequest, public_id: Any) -> HttpResponse:
    """Take the next step the progress page offers. The offer is worked out again here from
    the person's own record, so only a step that is on offer now can be taken."""
    plan = _plan(request, public_id)
    record = load(request.user.pk)
    step = next_step_for(record, timezone.localdate())
    kind = request.POST.get("kind", "")
    offer = next((o for o in step.offers if o.kind == kind), None) if step else None
    if record.plan is None or record.plan.pk != plan.pk or offer is None:
        context = {"plan": plan, "on_offer": step is not None and record.plan == plan}
        return render(request, "waymark/plans/next_step.html", context, status=400)
    actions.do_take_next_step(plan, offer, _user(request))
    return redirect("plans:detail", plan.public_id)


@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, public_id: Any) -> HttpResponse:
    plan = _plan(request, public_id)
    latest = plan.latest()
    form = PlanForm(request.POST or None, initial=PlanForm.initial_from(latest.content))
    if request.method == "POST" and form.is_valid():
        # A limit chosen as a next step belongs to the path, not to the form: it stays.
        kept = {k: latest.content[k] for k in actions.PATH_KEYS if k in latest.content}
        content = kept | form.content(latest.content["approach"])
        actions.do_save_version(plan, content, _user(request))
        return redirect("plans:detail", plan.public_id)
    status = 400 if request.method == "POST" else 200
    context = {"plan": plan, "form": form, "doc": document.plan_document(plan, latest)}
    return render(request, "waymark/plans/edit.html", context, status=status)


def versions(request: HttpRequest, public_id: Any) -> HttpResponse:
    plan = _plan(request, public_id)
    rows = plan.versions.select_related("created_by").all()
    return render(request, "waymark/plans/versions.html", {"plan": plan, "versions": rows})


# waymark.plans.pdf (fpdf2, HarfBuzz, the fonts) is imported by the two views below on their
# first use, not with the URLconf: the system checks of every management command load the
# URLconf, and `waymark worker` or `waymark audit verify` never make a PDF
# (tests/test_cli.py::test_the_urlconf_does_not_load_the_pdf_stack).


def _pdf(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def plan_pdf(request: HttpRequest, public_id: Any) -> HttpResponse:
    plan = _plan(request, public_id)
    doc = document.plan_document(plan, plan.latest())
    from waymark.plans import pdf

    return _pdf(pdf.plan_pdf(doc, language=get_language() or "en"), "recovery-plan.pdf")


def wallet_pdf(request: HttpRequest, public_id: Any) -> HttpResponse:
    plan = _plan(request, public_id)
    doc = document.plan_document(plan, plan.latest())
    from waymark.plans import pdf

    return _pdf(pdf.wallet_card_pdf(doc, language=get_language() or "en"), "wallet-card.pdf")
