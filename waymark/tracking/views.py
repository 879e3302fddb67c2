"""Check-in pages: today's check-in, any open day, the month calendar and "fill this week".

Deny by default: every page needs an account and reads only the signed-in person's own
check-ins (`own_checkins`); nobody else's are ever loaded, whatever the URL. The one exception
is the unsubscribe link in reminder emails, whose signed token is its own credential and can
only turn that person's reminders off.
"""

from __future__ import annotations

import calendar as calendars
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format, get_format
from django.utils.translation import gettext, ngettext, pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from waymark.accounts.models import User
from waymark.checkup.models import Answer, CheckUp
from waymark.clinical.profile import SUBSTANCES
from waymark.tracking import actions, push, reminders
from waymark.tracking.forms import (
    ALCOHOL,
    CheckInForm,
    DrinkCalculatorForm,
    FillDaysForm,
    ReminderForm,
    amount_label,
    closed_message,
    day_words,
    plain_number,
    time_zone_label,
    weekday_choices,
)
from waymark.tracking.models import Channel, CheckIn, Helper, Mood, Reminder, Trigger
from waymark.unsubscribe import one_click, unsubscribe_page

FILL_DAYS = 7  # "fill this week": the seven days before today
HARD_DAY_CRAVINGS = 8  # cravings this strong, or a very low mood, bring the help lines forward


def _person(request: HttpRequest) -> User:
    """The signed-in person (every page here needs an account: `login_required`)."""
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


def own_checkins(request: HttpRequest) -> QuerySet[CheckIn]:
    """The only check-ins a page may read: the signed-in person's own."""
    return CheckIn.objects.filter(owner_id=request.user.pk)


def _own_checkin(request: HttpRequest, day: date) -> CheckIn | None:
    return own_checkins(request).filter(day=day).prefetch_related("amounts").first()


def tracked_substances(request: HttpRequest) -> list[str]:
    """The substances of the person's latest completed check-up; all of them if none."""
    chosen = (
        Answer.objects.filter(
            checkup__owner_id=request.user.pk,
            checkup__status=CheckUp.Status.COMPLETE,
            instrument=Answer.PROFILE,
            context="",
            item="substances",
        )
        .order_by("-checkup__completed_at")
        .values_list("value", flat=True)
        .first()
    )
    substances = [s for s in SUBSTANCES if isinstance(chosen, list) and s in chosen]
    return substances or list(SUBSTANCES)


def _form_substances(request: HttpRequest, check_in: CheckIn | None) -> list[str]:
    recorded = {row.substance for row in check_in.amounts.all()} if check_in else set()
    tracked = set(tracked_substances(request)) | recorded
    return [s for s in SUBSTANCES if s in tracked]


def _posted_key(request: HttpRequest) -> uuid.UUID | None:
    try:
        return uuid.UUID(request.POST.get("idempotency_key", ""))
    except ValueError:
        return None


def _render_day(
    request: HttpRequest,
    day: date,
    form: CheckInForm | None,
    calculator: DrinkCalculatorForm,
    status: int,
    **extra: Any,
) -> HttpResponse:
    today = actions.today()
    why = actions.why_closed(day, today)
    context = {
        "day": day,
        "day_words": day_words(day),
        "is_today": day == today,
        "form": form,
        "calculator": calculator,
        "closed": closed_message(why) if why else None,
        # A new key for each form shown, unless this one came back unsaved (with errors or
        # after working out drinks): then its key still stands for the same submission.
        "idempotency_key": _posted_key(request) or uuid.uuid4(),
        **extra,
    }
    return render(request, "waymark/tracking/day.html", context, status=status)


def _day_page(request: HttpRequest, day: date) -> HttpResponse:
    check_in = _own_checkin(request, day)
    form_kwargs: dict[str, Any] = {
        "day": day,
        "is_today": day == actions.today(),
        "substances": _form_substances(request, check_in),
    }
    if actions.why_closed(day) is not None and request.method == "GET":
        return _render_day(request, day, None, DrinkCalculatorForm(), 400, check_in=check_in)
    if request.method == "GET":
        initial = CheckInForm.initial_from(check_in) if check_in else {}
        form = CheckInForm(initial=initial, **form_kwargs)
        return _render_day(request, day, form, DrinkCalculatorForm(), 200, check_in=check_in)

    form = CheckInForm(request.POST, **form_kwargs)
    if request.POST.get("action") == "calculate":
        return _calculate(request, day, form, form_kwargs, check_in)
    if form.is_valid():
        try:
            actions.do_record_checkin(
                _person(request), day, form.checkin_data(), _posted_key(request)
            )
        except actions.DayNotOpenError as error:  # midnight passed while the form was open
            form.add_error(None, closed_message(error.why))
        else:
            return redirect("tracking:saved", day)
    return _render_day(request, day, form, DrinkCalculatorForm(), 400, check_in=check_in)


def _calculate(
    request: HttpRequest,
    day: date,
    form: CheckInForm,
    form_kwargs: dict[str, Any],
    check_in: CheckIn | None,
) -> HttpResponse:
    """Work out standard drinks and put them in the alcohol amount; nothing is saved, and the
    rest of the check-in is shown again as typed (not yet checked)."""
    calculator = DrinkCalculatorForm(request.POST)
    typed = form.as_typed()
    if not calculator.is_valid():
        fresh = CheckInForm(initial=typed, **form_kwargs)
        return _render_day(request, day, fresh, calculator, 400, check_in=check_in)
    drinks = str(calculator.standard_drinks())  # to one decimal: "2.0"
    fresh = CheckInForm(initial={**typed, f"amount-{ALCOHOL}": drinks}, **form_kwargs)
    if ALCOHOL not in fresh.main_substances:
        fresh.main_substances.insert(0, ALCOHOL)
        fresh.other_substances.remove(ALCOHOL)
    return _render_day(
        request,
        day,
        fresh,
        calculator,
        200,
        check_in=check_in,
        calculated=drinks,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def today(request: HttpRequest) -> HttpResponse:
    return _day_page(request, actions.today())


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def day(request: HttpRequest, day: date) -> HttpResponse:
    return _day_page(request, day)


@never_cache
@login_required
def saved(request: HttpRequest, day: date) -> HttpResponse:
    check_in = _own_checkin(request, day)
    if check_in is None:
        raise Http404("No check-in for this day.")
    hard_day = (check_in.cravings or 0) >= HARD_DAY_CRAVINGS or check_in.mood == Mood.VERY_LOW
    context = {
        "check_in": check_in,
        "day_words": day_words(day),
        "is_today": day == actions.today(),
        "amounts": [
            (amount_label(row.substance), plain_number(row.amount))
            for row in check_in.amounts.all()
        ],
        "triggers": [Trigger(t).label for t in check_in.triggers if t in Trigger.values],
        "helped": [Helper(h).label for h in check_in.helped if h in Helper.values],
        "hard_day": hard_day,
    }
    return render(request, "waymark/tracking/saved.html", context)


# The calendar ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    day: date
    state: str  # "used", "not-used", "missing" or "future"
    label: str  # what a screen reader says: "March 3: did not use"
    mark: str  # what the eye sees: "Yes", "No", "–"
    link: bool  # the day can be filled in or changed
    is_today: bool


def _mark(state: str) -> str:
    if state == "used":
        return pgettext("did you use", "Yes")
    if state == "not-used":
        return pgettext("did you use", "No")
    return "–" if state == "missing" else ""


def _state_words(state: str) -> str:
    if state == "used":
        return gettext("used")
    if state == "not-used":
        return gettext("did not use")
    return gettext("not recorded")


def _weeks(
    year: int, month: int, recorded: dict[date, bool], today: date
) -> list[list[Cell | None]]:
    grid = calendars.Calendar(_first_weekday()).monthdatescalendar(year, month)
    weeks: list[list[Cell | None]] = []
    for week in grid:
        row: list[Cell | None] = []
        for day in week:
            if day.month != month:
                row.append(None)
                continue
            if day > today:
                state = "future"
            elif day in recorded:
                state = "used" if recorded[day] else "not-used"
            else:
                state = "missing"
            label = date_format(day, "MONTH_DAY_FORMAT")
            if state != "future":
                label = gettext("%(day)s: %(state)s") % {"day": label, "state": _state_words(state)}
            link = state != "future" and actions.why_closed(day, today) is None
            row.append(Cell(day, state, label, _mark(state), link, day == today))
        weeks.append(row)
    return weeks


def _first_weekday() -> int:
    """Django's FIRST_DAY_OF_WEEK counts from Sunday (0); Python's calendar from Monday (0)."""
    return (int(get_format("FIRST_DAY_OF_WEEK")) - 1) % 7


def _weekday_names(year: int, month: int) -> list[tuple[str, str]]:
    """(short, full) names of the weekdays, in the calendar's order."""
    week = calendars.Calendar(_first_weekday()).monthdatescalendar(year, month)[0]
    return [(date_format(d, "D"), date_format(d, "l")) for d in week]


def _month_summary(
    year: int, month: int, recorded: dict[date, bool], today: date
) -> dict[str, int]:
    last = date(year, month, calendars.monthrange(year, month)[1])
    span = (min(last, today) - date(year, month, 1)).days + 1
    days_so_far = max(span, 0)
    used = sum(1 for value in recorded.values() if value)
    return {
        "days": days_so_far,
        "recorded": len(recorded),
        "used": used,
        "not_used": len(recorded) - used,
        "missing": days_so_far - len(recorded),
    }


def _fill_window(today: date) -> list[date]:
    return [today - timedelta(days=n) for n in range(FILL_DAYS, 0, -1)]


def _fill_form(request: HttpRequest, today: date, data: Any = None) -> FillDaysForm:
    window = _fill_window(today)
    have = set(own_checkins(request).filter(day__in=window).values_list("day", flat=True))
    missing = [d for d in window if d not in have and actions.why_closed(d, today) is None]
    tracked = tracked_substances(request)
    substance = ALCOHOL if ALCOHOL in tracked else tracked[0]
    return FillDaysForm(data, days=missing, substance=substance)


def _render_calendar(
    request: HttpRequest, year: int, month: int, fill: FillDaysForm, status: int
) -> HttpResponse:
    today = actions.today()
    first = date(year, month, 1)
    last = date(year, month, calendars.monthrange(year, month)[1])
    recorded = dict(
        own_checkins(request).filter(day__range=(first, last)).values_list("day", "used")
    )
    previous = first - timedelta(days=1)
    following = last + timedelta(days=1)
    context = {
        "month": first,
        "weeks": _weeks(year, month, recorded, today),
        "weekdays": _weekday_names(year, month),
        "summary": _month_summary(year, month, recorded, today),
        "previous": previous,
        "following": following if following <= today else None,
        "fill": fill,
        "today": today,
    }
    return render(request, "waymark/tracking/calendar.html", context, status=status)


@never_cache
@login_required
def month(request: HttpRequest, year: int | None = None, month: int | None = None) -> HttpResponse:
    today = actions.today()
    year, month = (year or today.year), (month or today.month)
    if not 1 <= month <= 12 or not 2000 <= year <= 9999:
        raise Http404("No such month.")
    return _render_calendar(request, year, month, _fill_form(request, today), 200)


@login_required
@require_POST
def fill(request: HttpRequest) -> HttpResponse:
    today = actions.today()
    form = _fill_form(request, today, request.POST)
    if not form.is_valid():
        return _render_calendar(request, today.year, today.month, form, 400)
    try:
        result = actions.do_fill_days(_person(request), form.filled())
    except actions.DayNotOpenError:  # midnight passed: the window moved; show it again
        return redirect("tracking:calendar")
    if result.created:
        messages.success(
            request,
            ngettext(
                "Thanks: %(count)d day filled in.",
                "Thanks: %(count)d days filled in.",
                len(result.created),
            )
            % {"count": len(result.created)},
        )
    else:
        messages.info(request, gettext("Nothing was filled in: days left blank stay not recorded."))
    return redirect("tracking:calendar")


# Reminders ------------------------------------------------------------------------------


def _reminder_initial(person: User, reminder: Reminder | None) -> dict[str, Any]:
    if reminder is None:
        return {
            "time": "20:00",
            "time_zone": settings.TIME_ZONE,
            "weekdays": list(reminders.WEEKDAYS),
            "channel": Channel.EMAIL,
            "email": person.email,
        }
    return {
        "time": reminder.time,
        "time_zone": reminder.time_zone,
        "weekdays": reminder.weekdays,
        "channel": reminder.channel,
        "email": person.email,
    }


def _reminder_summary(reminder: Reminder) -> str:
    days = [name for number, name in weekday_choices() if number in reminder.weekdays]
    when = gettext("every day") if len(days) == len(reminders.WEEKDAYS) else ", ".join(days)
    return gettext("At %(time)s (%(zone)s), %(days)s.") % {
        "time": reminder.time.strftime("%H:%M"),
        "zone": time_zone_label(reminder.time_zone),
        "days": when,
    }


def _send_confirmation(request: HttpRequest, person: User, reminder: Reminder) -> None:
    if not reminders.can_send_confirmation(person):
        messages.error(
            request,
            gettext(
                "The link has been sent several times in the last hour. "
                "Please check your inbox and spam folder, or try again later."
            ),
        )
    elif reminders.send_confirmation(person, reminder):
        messages.success(
            request,
            gettext(
                "We sent a link to %(email)s: reminders start once you open it "
                "to confirm the address."
            )
            % {"email": person.email},
        )
    else:
        messages.error(
            request,
            gettext("The confirmation email could not be sent. Please try again later."),
        )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def reminder_settings(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    reminder = Reminder.objects.filter(owner=person).first()
    if request.method == "POST" and request.POST.get("action") == "off":
        reminders.do_turn_off_reminders(person)
        if reminder is not None and reminder.by_push:
            messages.success(request, gettext("Reminders are off. No more reminders will come."))
        else:
            messages.success(
                request, gettext("Reminders are off. No more reminder emails will come.")
            )
        return redirect("tracking:reminders")
    if request.method == "POST" and request.POST.get("action") == "resend":
        if reminder is None or not reminder.enabled or reminders.is_confirmed(reminder):
            return redirect("tracking:reminders")
        _send_confirmation(request, person, reminder)
        return redirect("tracking:reminders")
    offered = push.is_configured()
    has_phones = offered and push.has_phones(person)
    if request.method == "POST":
        form = ReminderForm(request.POST, push=offered, has_phones=has_phones)
        if form.is_valid():
            data = form.cleaned_data
            reminder = reminders.do_save_reminder(
                person,
                data["time"],
                data["time_zone"],
                data["weekdays"],
                data["email"],
                data.get("channel", Channel.EMAIL),
            )
            if not reminder.by_email or reminders.is_confirmed(reminder):
                messages.success(request, gettext("Saved. Reminders are on."))
            else:
                _send_confirmation(request, person, reminder)
            return redirect("tracking:reminders")
        status = 400
    else:
        form = ReminderForm(
            initial=_reminder_initial(person, reminder), push=offered, has_phones=has_phones
        )
        status = 200
    on = reminder is not None and reminder.enabled and (reminder.by_push or bool(person.email))
    context = {
        "form": form,
        "reminder": reminder,
        "on": on,
        "by_email": reminder is None or reminder.by_email,
        "confirmed": reminder is not None and reminders.is_confirmed(reminder),
        "can_resend": reminders.can_send_confirmation(person),
        "summary": _reminder_summary(reminder) if reminder else "",
        "had_email": bool(person.email),
        "push_offered": offered,
        "push_key": push.public_key(),
        "no_phone": on and reminder is not None and reminder.by_push and not has_phones,
    }
    return render(request, "waymark/tracking/reminders.html", context, status=status)


@never_cache
@login_required
@require_http_methods(["GET"])
def confirm_reminder_email(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the confirmation email. Anything wrong with it: a page saying what, 400."""
    person = _person(request)
    try:
        reminders.do_confirm_email(person, token)
    except reminders.ConfirmationError as error:
        context = {"problem": str(error)}
        return render(request, "waymark/tracking/reminder_confirm_failed.html", context, status=400)
    messages.success(
        request, gettext("Thank you: your email address is confirmed. Reminders are on.")
    )
    return redirect("tracking:reminders")


# The link in every reminder's List-Unsubscribe header and at the end of its body. Mail clients
# POST it (RFC 8058) with no session and no CSRF token, so this one view is exempt: all a POST
# can do is turn reminders off, and the signed token says whose.
@one_click
def unsubscribe_reminders(request: HttpRequest, token: str) -> HttpResponse:
    template = "waymark/tracking/reminder_unsubscribe.html"
    return unsubscribe_page(request, reminders.UNSUBSCRIBE, token, template)
