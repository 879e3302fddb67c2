"""Measures pages: the one-time link (no sign-in), the person's own measures, and the staff
schedules (a program lead's for the program, a clinician's for one person).

Link pages are never cached, send no Referer anywhere (the path holds the token), are kept
out of Django's request log (a 404 or 410 there would write the path), and are throttled per
address. The answers are posted to ``/m/`` with the token in the body, so the request that
uses a link does not carry it in its path.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from waymark import access, mail
from waymark import wording as localized
from waymark.accounts.models import Scope, User
from waymark.accounts.staff import staff_required
from waymark.audit.log import record_read
from waymark.clinical import scoring
from waymark.compression import never_compress
from waymark.measures import actions, links, sending, throttle
from waymark.measures.forms import PersonalScheduleForm, ProgramScheduleForm
from waymark.measures.models import MeasureRequest, Via
from waymark.measures.results import schedule_rows
from waymark.screeners.forms import InstrumentForm
from waymark.unsubscribe import one_click, unsubscribe_page

ANSWER = "waymark/measures/answer.html"


# The one-time link ------------------------------------------------------------------------


def _private(response: HttpResponse) -> HttpResponse:
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response._has_been_logged = True  # type: ignore[attr-defined] # never the path in a log
    return response


def _language(request: HttpRequest, person: User) -> str:
    """The language the person chose on this browser, else the one their emails use."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen and chosen in {code for code, _name in settings.LANGUAGES}:
        return chosen
    return mail.language_of(person)


def _refused(request: HttpRequest, status: int, template: str) -> HttpResponse:
    return _private(render(request, template, {"link_page": True}, status=status))


def _answer_page(
    request: HttpRequest,
    measure: MeasureRequest,
    form: InstrumentForm,
    *,
    token: str = "",
    status: int = 200,
) -> HttpResponse:
    instrument = form.instrument
    context = {
        "measure": measure,
        "instrument": instrument,
        "words": localized.wording(instrument),
        "form": form,
        "token": token,
        "crisis": bool(form.data) and actions.crisis_in_answers(instrument, form.data),
        "link_page": bool(token),
    }
    response = render(request, ANSWER, context, status=status)
    response["Content-Language"] = translation.get_language() or ""
    return response


def _done(request: HttpRequest, measure: MeasureRequest, flags: list[str]) -> HttpResponse:
    instrument = scoring.get_instrument(measure.instrument)
    context = {
        "crisis": actions.crisis_flags(instrument, flags),
        "link_page": True,
        "signed_in": request.user.is_authenticated,
    }
    return render(request, "waymark/measures/done.html", context)


def _open(request: HttpRequest, token: str) -> tuple[MeasureRequest | None, HttpResponse | None]:
    """The request a link opens, or the page that says why not."""
    if throttle.too_many(request):
        response = _refused(request, 429, "waymark/measures/link_busy.html")
        response["Retry-After"] = str(throttle.WINDOW_SECONDS)
        return None, response
    opened = links.open_link(token)
    if opened.problem is not None or opened.request is None:
        status = opened.problem.value if opened.problem else 404
        return None, _refused(request, status, "waymark/measures/link_gone.html")
    if request.user.is_authenticated and request.user.pk != opened.request.person_id:
        return None, _refused(request, 403, "waymark/measures/link_other.html")
    return opened.request, None


@never_compress  # the page holds the link's secret (BREACH)
@never_cache
@require_http_methods(["GET"])
def link(request: HttpRequest, token: str) -> HttpResponse:
    """The measure a link is for, alone, in the person's language; no sign-in needed."""
    measure, refused = _open(request, token)
    if refused is not None or measure is None:
        return refused or Http404()  # type: ignore[return-value]
    with translation.override(_language(request, measure.person)):
        form = InstrumentForm(scoring.get_instrument(measure.instrument))
        return _private(_answer_page(request, measure, form, token=token))


# No CSRF check: the signed token in the body is this request's only authority (it signs
# nobody in, and a page elsewhere could post only a token it already holds, which it could
# post itself). The link pages send no Referer at all, and browsers then send "Origin: null",
# which Django's CSRF check would refuse.
@csrf_exempt
@never_compress
@never_cache
@require_POST
def link_answer(request: HttpRequest) -> HttpResponse:
    """The answers of a link's measure, the token in the body (not in the logged path)."""
    token = request.POST.get("token", "")
    measure, refused = _open(request, token)
    if refused is not None or measure is None:
        return refused or Http404()  # type: ignore[return-value]
    with translation.override(_language(request, measure.person)):
        return _private(_answer(request, measure, Via.LINK, token=token))


def _answer(
    request: HttpRequest, measure: MeasureRequest, via: Via, *, token: str = ""
) -> HttpResponse:
    form = InstrumentForm(scoring.get_instrument(measure.instrument), request.POST)
    if not form.is_valid():
        return _answer_page(request, measure, form, token=token, status=400)
    answers = [form.cleaned_data.get(item.id) for item in form.instrument.items]
    try:
        response = actions.do_answer(measure, answers, via, sex=form.cleaned_data.get("sex"))
    except actions.NotOpenError:
        if via == Via.APP:  # answered meanwhile (by the link, or another tab)
            messages.info(request, gettext("These questions were answered already."))
            return redirect("measures:mine")
        return _refused(request, 410, "waymark/measures/link_gone.html")
    return _done(request, measure, list(response.flags))


@never_compress
@one_click  # mail clients POST here with no session (RFC 8058): it can only turn emails off
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    template = "waymark/measures/unsubscribe.html"
    return _private(unsubscribe_page(request, sending.UNSUBSCRIBE, token, template))


# The person's own measures -------------------------------------------------------------------


@never_cache
@login_required
def mine(request: HttpRequest) -> HttpResponse:
    person: User = request.user  # type: ignore[assignment]
    waiting = [
        (measure, localized.wording(measure.instrument))
        for measure in actions.open_requests(person)
    ]
    context = {"waiting": waiting, "emails_on": actions.emails_on(person)}
    return render(request, "waymark/measures/mine.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, public_id: Any) -> HttpResponse:
    """One of the person's own waiting measures, answered in the app."""
    measure = actions.open_requests(request.user).filter(public_id=public_id).first()  # type: ignore[arg-type]
    if measure is None:
        raise Http404("No such measure waiting for you.")
    if request.method == "POST":
        return _answer(request, measure, Via.APP)
    form = InstrumentForm(scoring.get_instrument(measure.instrument))
    return _answer_page(request, measure, form)


@login_required
@require_POST
def emails(request: HttpRequest) -> HttpResponse:
    person: User = request.user  # type: ignore[assignment]
    if request.POST.get("emails") == "on":
        actions.do_turn_emails_on(person)
        messages.success(request, gettext("Emails about your questions are on."))
    else:
        actions.do_turn_emails_off(person, request, by_link=False)
        messages.success(request, gettext("Emails about your questions are off."))
    return redirect("measures:mine")


# Staff: schedules ----------------------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def program_schedule(request: HttpRequest, program_id: Any) -> HttpResponse:
    """A program lead sets which measures the program sends, and how often."""
    program = access.led_organizations(request.user).filter(public_id=program_id).first()
    if program is None:
        raise Http404("No such program among those you lead.")
    current = actions.program_schedule(program)
    if request.method == "POST":
        form = ProgramScheduleForm(request.POST)
        if form.is_valid():
            actions.do_set_program_schedule(program, form.chosen(), request.user, request)  # type: ignore[arg-type]
            messages.success(request, gettext("The program's measures are saved."))
            return redirect("measures:program", program_id=program.public_id)
    else:
        form = ProgramScheduleForm(initial=ProgramScheduleForm.initial_for(current))
    status = 400 if form.errors else 200
    context = {"program": program, "form": form, "first_time": not current}
    return render(request, "waymark/measures/program.html", context, status=status)


@staff_required
@require_http_methods(["GET", "POST"])
def person_schedule(request: HttpRequest, public_id: Any) -> HttpResponse:
    """A clinician sets one person's measures (over their program's), from the chart."""
    person = access.visible_person(request.user, public_id, Scope.CHECKUPS)
    program = actions.scheduling_program(request.user, person) if person is not None else None
    if person is None or program is None:
        raise Http404("No such person in your caseload.")
    current = actions.personal_schedule([program.pk], person)
    if request.method == "POST":
        form = PersonalScheduleForm(request.POST)
        if form.is_valid():
            actions.do_set_personal_schedule(program, person, form.chosen(), request.user, request)  # type: ignore[arg-type]
            messages.success(request, gettext("This person's measures are saved."))
            chart = reverse("clinic:chart", kwargs={"public_id": person.public_id})
            return redirect(f"{chart}#measures")
    else:
        form = PersonalScheduleForm(initial=PersonalScheduleForm.initial_for(current))
    record_read(
        "view.measures", actor=request.user, subject=person, request=request,  # type: ignore[arg-type]
        detail="measure schedule",
    )  # fmt: skip
    context = {
        "person": person,
        "program": program,
        "form": form,
        "rows": schedule_rows(program, person),
    }
    status = 400 if form.errors else 200
    return render(request, "waymark/measures/person.html", context, status=status)
