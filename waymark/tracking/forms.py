"""The daily check-in, the standard-drink calculator and the "fill this week" rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.utils.formats import date_format, get_format
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from waymark.clinical import drinks, labels
from waymark.forms import LongTextField
from waymark.tracking.actions import (
    BACKFILL_DAYS,
    MAX_AMOUNT,
    MAX_CRAVINGS,
    MAX_NOTE,
    CheckInData,
    why_closed,
)
from waymark.tracking.models import Channel, CheckIn, Helper, Mood, Trigger

YES_NO = [("yes", pgettext_lazy("did you use", "Yes")), ("no", pgettext_lazy("did you use", "No"))]
CRAVINGS = [(str(n), str(n)) for n in range(MAX_CRAVINGS + 1)]
ALCOHOL = "alcohol"


def no_but_amount() -> str:
    return gettext("You answered no, but entered an amount above 0. Please check which is right.")


def closed_message(why: str) -> str:
    if why == "future":
        return gettext("This day has not happened yet, so it cannot be filled in.")
    return gettext(
        "You can fill in today and the %(days)d days before it. This day is further back."
    ) % {"days": BACKFILL_DAYS}


def amount_field(label: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=0,
        max_value=MAX_AMOUNT,
        max_digits=5,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any", "min": "0"}),
    )


def amount_label(substance: str) -> str:
    name = gettext(labels.SUBSTANCE[substance])
    if substance == ALCOHOL:
        return gettext("%(substance)s (standard drinks)") % {"substance": name}
    return gettext("%(substance)s (times used)") % {"substance": name}


def day_words(day: date) -> str:
    """The day in words, in the active language: "Monday, March 2"."""
    return f"{date_format(day, 'l')}, {date_format(day, 'MONTH_DAY_FORMAT')}"


def plain_number(value: Decimal) -> str:
    """3.50 → "3.5", 10.00 → "10"."""
    return format(value.normalize(), "f")


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class CheckInForm(forms.Form):
    """One day's check-in. ``substances`` are shown first; the rest of the substances are
    offered too (under "Something else"), so nothing used goes unrecorded."""

    used = forms.TypedChoiceField(
        choices=YES_NO,
        coerce=_yes_no,
        widget=forms.RadioSelect,
        help_text=_(
            "Alcohol or other drugs, any amount. Medication taken as prescribed does not count."
        ),
        error_messages={"required": _("Please answer yes or no.")},
    )
    cravings = forms.TypedChoiceField(
        label=_("Cravings (0 = none, 10 = the strongest you have had)"),
        choices=CRAVINGS,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect(attrs={"class": "ruler"}),
    )
    mood = forms.TypedChoiceField(
        label=_("Mood"),
        choices=Mood.choices,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    triggers = forms.MultipleChoiceField(
        label=_("Anything that made you want to use?"),
        choices=Trigger.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    helped = forms.MultipleChoiceField(
        label=_("What helped?"),
        choices=Helper.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = LongTextField(
        label=_("A note for yourself (optional)"),
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept private and encrypted."),
    )

    def __init__(
        self, *args: Any, day: date, is_today: bool, substances: Sequence[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.day = day
        self.main_substances = list(substances)
        self.other_substances = [s for s in labels.SUBSTANCE if s not in substances]
        self.fields["used"].label = (
            gettext("Did you use today?") if is_today else gettext("Did you use that day?")
        )
        for substance in [*self.main_substances, *self.other_substances]:
            self.fields[f"amount-{substance}"] = amount_field(amount_label(substance))
        amounts = [f"amount-{s}" for s in [*self.main_substances, *self.other_substances]]
        self.order_fields(["used", *amounts, "cravings", "mood", "triggers", "helped", "note"])

    def main_amounts(self) -> list[forms.BoundField]:
        return [self[f"amount-{s}"] for s in self.main_substances]

    def other_amounts(self) -> list[forms.BoundField]:
        return [self[f"amount-{s}"] for s in self.other_substances]

    def about_the_day(self) -> list[forms.BoundField]:
        return [self[name] for name in ("cravings", "mood", "triggers", "helped", "note")]

    def other_amounts_in_use(self) -> bool:
        """Open "Something else" when one of its amounts is filled in or wrong."""
        return any(
            field.errors or field.value() not in (None, "") for field in self.other_amounts()
        )

    @staticmethod
    def initial_from(check_in: CheckIn) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "used": "yes" if check_in.used else "no",
            "cravings": "" if check_in.cravings is None else str(check_in.cravings),
            "mood": check_in.mood,
            "triggers": check_in.triggers,
            "helped": check_in.helped,
            "note": check_in.note,
        }
        for row in check_in.amounts.all():
            initial[f"amount-{row.substance}"] = plain_number(row.amount)
        return initial

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        why = why_closed(self.day)
        if why is not None:
            self.add_error(None, closed_message(why))
        if cleaned.get("used") is False and any(amount > 0 for amount in self.amounts().values()):
            self.add_error("used", no_but_amount())
        return cleaned

    def amounts(self) -> dict[str, Decimal]:
        return {
            name.removeprefix("amount-"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("amount-") and value is not None
        }

    def checkin_data(self) -> CheckInData:
        data = self.cleaned_data
        return CheckInData(
            used=data["used"],
            amounts=self.amounts(),
            cravings=data["cravings"],
            mood=data["mood"],
            triggers=data["triggers"],
            helped=data["helped"],
            note=data["note"],
        )

    def as_typed(self) -> dict[str, Any]:
        """What was typed, as initial values for a fresh (unvalidated) form."""
        return {name: self[name].data for name in self.fields}


UNITS = [("fl-oz", _("fl oz")), ("ml", _("mL"))]


class DrinkCalculatorForm(forms.Form):
    """US standard drinks from a drink's kind, size and strength (waymark.clinical.drinks).

    A blank size or strength takes the chosen kind's usual one (FACTS.md §3)."""

    prefix = "calc"

    kind = forms.ChoiceField(
        label=_("Drink"),
        required=False,
        choices=[
            ("", _("Choose a drink")),
            *[(kind.id, gettext_lazy(kind.name)) for kind in drinks.DRINK_TYPES],
        ],
    )
    size = forms.DecimalField(
        label=_("Size of one drink"),
        required=False,
        min_value=Decimal("0.01"),
        max_digits=7,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any", "min": "0"}),
        help_text=_("Leave blank for the usual size of the drink you chose."),
    )
    unit = forms.ChoiceField(label=_("Size in"), choices=UNITS, initial="fl-oz")
    strength = forms.DecimalField(
        label=_("Strength (% alcohol)"),
        required=False,
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any", "min": "0"}),
        help_text=_("Leave blank for the usual strength of the drink you chose."),
    )
    count = forms.DecimalField(
        label=_("How many"),
        required=False,
        min_value=0,
        max_value=Decimal(str(drinks.MAX_COUNT)),
        max_digits=6,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any", "min": "0"}),
        help_text=_("Leave blank for one."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = drinks.drink_type(cleaned["kind"]) if cleaned.get("kind") else None
        if cleaned.get("size") is None and "size" not in self.errors:
            if kind is None:
                self.add_error("size", _("Please enter the size, or choose a drink."))
            else:
                cleaned["size"] = Decimal(str(kind.fl_oz))
                cleaned["unit"] = "fl-oz"
        if cleaned.get("strength") is None and "strength" not in self.errors:
            if kind is None:
                self.add_error("strength", _("Please enter the strength, or choose a drink."))
            else:
                cleaned["strength"] = Decimal(str(kind.abv_percent))
        if cleaned.get("count") is None and "count" not in self.errors:
            cleaned["count"] = Decimal(1)
        if not self.errors:
            try:
                cleaned["standard_drinks"] = self._standard_drinks(cleaned)
            except ValueError:
                self.add_error("size", _("That size is too large for one drink."))
        return cleaned

    @staticmethod
    def _standard_drinks(cleaned: dict[str, Any]) -> Decimal:
        size = float(cleaned["size"])
        volume_ml = drinks.fl_oz_to_ml(size) if cleaned["unit"] == "fl-oz" else size
        result = drinks.standard_drinks(
            volume_ml, float(cleaned["strength"]), float(cleaned["count"])
        )
        return Decimal(str(result)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    def standard_drinks(self) -> Decimal:
        value: Decimal = self.cleaned_data["standard_drinks"]
        return value


LEAVE_BLANK = [
    ("", _("Leave blank")),
    ("no", pgettext_lazy("did you use", "No")),
    ("yes", pgettext_lazy("did you use", "Yes")),
]


class FillDaysForm(forms.Form):
    """One row a missed day: used or not, and an amount of the person's main substance.
    A row left blank stays not recorded: a missing day is never taken as a day without use."""

    def __init__(self, *args: Any, days: Sequence[date], substance: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.days = list(days)
        self.substance = substance
        for day in self.days:
            key = day.isoformat()
            self.fields[f"used-{key}"] = forms.ChoiceField(
                label=gettext("%(day)s: did you use?") % {"day": day_words(day)},
                choices=LEAVE_BLANK,
                required=False,
                initial="",
                widget=forms.RadioSelect(attrs={"class": "ruler"}),
            )
            self.fields[f"amount-{key}"] = amount_field(
                gettext("%(amount)s, %(day)s")
                % {"amount": amount_label(substance), "day": date_format(day, "MONTH_DAY_FORMAT")}
            )

    def rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"used-{d.isoformat()}"], self[f"amount-{d.isoformat()}"]) for d in self.days]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for day in self.days:
            used = cleaned.get(f"used-{day.isoformat()}")
            amount = cleaned.get(f"amount-{day.isoformat()}")
            if amount is not None and amount > 0 and used == "no":
                self.add_error(f"used-{day.isoformat()}", no_but_amount())
            elif amount is not None and not used:
                self.add_error(
                    f"used-{day.isoformat()}", _("Please answer yes or no for this day.")
                )
        return cleaned

    def filled(self) -> dict[date, CheckInData]:
        """The rows answered yes or no; blank rows are left out."""
        result: dict[date, CheckInData] = {}
        for day in self.days:
            used = _yes_no(self.cleaned_data.get(f"used-{day.isoformat()}") or "")
            if used is None:
                continue
            amount = self.cleaned_data.get(f"amount-{day.isoformat()}")
            amounts = {self.substance: amount} if amount is not None else {}
            result[day] = CheckInData(used=used, amounts=amounts)
        return result


# Shown first in the time zone list, under "Common time zones": the United States, then the
# Spanish-speaking countries from north to south, then Spain and the UK. Every other zone
# follows under "All time zones".
COMMON_TIME_ZONES = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Puerto_Rico",
    "America/Mexico_City",
    "America/Guatemala",
    "America/El_Salvador",
    "America/Tegucigalpa",
    "America/Managua",
    "America/Costa_Rica",
    "America/Panama",
    "America/Havana",
    "America/Santo_Domingo",
    "America/Bogota",
    "America/Caracas",
    "America/Guayaquil",
    "America/Lima",
    "America/La_Paz",
    "America/Santiago",
    "America/Argentina/Buenos_Aires",
    "America/Asuncion",
    "America/Montevideo",
    "Europe/Madrid",
    "Europe/London",
)
# The areas of the places people live in (IANA "Area/Location" names). Everything else the
# system knows is left out of the list: "Factory", "localtime", "posixrules", the Etc/* zones
# (whose signs run backwards), legacy names such as US/Eastern, Canada/*, SystemV/*, EST5EDT.
AREAS = ("Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia",
         "Europe", "Indian", "Pacific")  # fmt: skip
UTC = "UTC"  # listed last among the common ones: the default when nothing else is known


def time_zone_label(name: str) -> str:
    """ "America/New_York" → "America / New York"."""
    return name.replace("_", " ").replace("/", " / ")


def listed_time_zones() -> list[str]:
    """The zones a person picks from: every Area/Location name this system knows, sorted."""
    from waymark.tracking.reminders import time_zones

    return [z for z in time_zones() if z.partition("/")[0] in AREAS and "/" in z]


def time_zone_choices(keep: str | None = None) -> list[tuple[str, Any]]:
    """Common zones first (the site's own zone at their head), then all the others. `keep`:
    a zone already chosen that the list leaves out (a legacy name saved before), kept first
    so that saving again does not change it."""
    from waymark.tracking.reminders import is_time_zone

    every = listed_time_zones()
    common = [z for z in (settings.TIME_ZONE, *COMMON_TIME_ZONES) if z in every]
    if keep and keep not in every and keep != UTC and is_time_zone(keep):
        common.insert(0, keep)
    common = [*dict.fromkeys(common), UTC]
    return [
        (gettext("Common time zones"), [(z, time_zone_label(z)) for z in common]),
        (
            gettext("All time zones"),
            [(z, time_zone_label(z)) for z in every if z not in common],
        ),
    ]


def weekday_choices() -> list[tuple[int, str]]:
    monday = date(2024, 1, 1)  # any Monday: the names come from the active language
    order = [(_first_weekday_python() + n) % 7 for n in range(7)]
    return [(n, date_format(monday + timedelta(days=n), "l")) for n in order]


def _first_weekday_python() -> int:
    """Django's FIRST_DAY_OF_WEEK counts from Sunday (0); date.weekday() from Monday (0)."""
    return (int(get_format("FIRST_DAY_OF_WEEK")) - 1) % 7


class ReminderForm(forms.Form):
    time = forms.TimeField(
        label=_("Time of day"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("For example 20:00 for 8 in the evening."),
        error_messages={
            "required": _("Please enter a time."),
            "invalid": _("Please enter a time such as 20:00."),
        },
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"), error_messages={"invalid_choice": _("Please choose a time zone.")}
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("On these days"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Please choose at least one day.")},
    )
    # Only where the site can send push reminders (push.is_configured); otherwise email it is.
    channel = forms.ChoiceField(
        label=_("Send reminders as"),
        choices=Channel.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text=_(
            "A notification says only “Waymark: A moment for your check-in?”, nothing about "
            "what you record."
        ),
    )
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_(
            "Used only for these reminders. Each email says just “A reminder from Waymark” "
            "and links to your check-in: nothing about what you record."
        ),
        error_messages={
            "required": _("Please enter the email address to send reminders to."),
            "invalid": _("Please enter an email address such as name@example.com."),
        },
    )

    def __init__(
        self, *args: Any, push: bool = False, has_phones: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.has_phones = has_phones
        if push:
            self.fields["email"].required = False  # needed for email only: see clean()
        else:
            del self.fields["channel"]
        zone_field = self.fields["time_zone"]
        assert isinstance(zone_field, forms.ChoiceField)
        chosen = self.data.get("time_zone") if self.is_bound else self.initial.get("time_zone")
        zone_field.choices = time_zone_choices(keep=chosen)
        day_field = self.fields["weekdays"]
        assert isinstance(day_field, forms.ChoiceField)
        day_field.choices = weekday_choices()

    def clean_channel(self) -> str:
        return str(self.cleaned_data.get("channel") or Channel.EMAIL)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        channel = data.get("channel", Channel.EMAIL)
        email = self.fields["email"]
        if channel != Channel.PUSH and not data.get("email") and not self.has_error("email"):
            self.add_error("email", email.error_messages["required"])
        if channel in (Channel.PUSH, Channel.BOTH) and not self.has_phones:
            self.add_error(
                "channel",
                gettext("Turn on notifications on this phone first, or choose email."),
            )
        return data
