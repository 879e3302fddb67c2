"""The check-up's steps: each a form that reads its stored answers and writes them back.

Which steps apply is decided by `waymark.clinical.checkup.applicable_steps`; this module only
says how each step asks. A step "owns" the stored answers it writes, so a save replaces them
and answers of steps that no longer apply can be removed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from waymark import wording as localized
from waymark.clinical import labels, scoring
from waymark.clinical.checkup import (
    ASSIST_IDS,
    PHQ_2_ITEMS,
    PRESCRIBABLE,
    PROFILE,
    Answers,
    StoredAnswer,
)
from waymark.clinical.profile import SUBSTANCES

SEX_CHOICES = [
    ("", _("Prefer not to say")),
    ("female", _("Female")),
    ("male", _("Male")),
]
YES_NO = [("yes", _("Yes")), ("no", _("No"))]
YES_NO_UNSURE = [("yes", _("Yes")), ("no", _("No")), ("", _("Prefer not to say"))]


def _bool(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


def _choice(value: Any) -> str:
    return {True: "yes", False: "no"}.get(value, "")


def substance_name(substance: str) -> Promise:
    return _(labels.SUBSTANCE[substance])


class StepForm(forms.Form):
    """A step's form. Subclasses say which answers they own and how to store them."""

    plain_items: tuple[str, ...] = ()

    def __init__(self, answers: Answers, context: str = "", *args: Any, **kwargs: Any) -> None:
        self.answers = answers
        self.context = context
        super().__init__(*args, **kwargs)
        self.build()
        if not self.is_bound:
            self.initial = self.initial_from(answers)

    def build(self) -> None:
        """Add the fields that depend on earlier answers."""

    def initial_from(self, answers: Answers) -> dict[str, Any]:
        return {key: answers.plain(key, self.context) for key in self.plain_items}

    def owns(self, answer: StoredAnswer) -> bool:
        return (
            answer.instrument == PROFILE
            and answer.context == self.context
            and (answer.item in self.plain_items)
        )

    def stored(self, cleaned: dict[str, Any]) -> list[StoredAnswer]:
        """The answers to store from (possibly partial) cleaned data."""
        return [
            StoredAnswer(PROFILE, key, value=cleaned[key], context=self.context)
            for key in self.plain_items
            if key in cleaned and cleaned[key] not in (None, "", [])
        ]


class AboutForm(StepForm):
    plain_items = ("age", "sex", "pregnant")
    age = forms.IntegerField(
        label=_("How old are you?"),
        min_value=0,
        max_value=120,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"required": _("Please tell us your age in years.")},
    )
    sex = forms.ChoiceField(
        label=_("Sex assigned at birth"),
        help_text=_("Only used where a questionnaire has different cut-offs for men and women."),
        choices=SEX_CHOICES,
        required=False,
        widget=forms.RadioSelect,
    )
    pregnant = forms.ChoiceField(
        label=_("Are you pregnant, or could you be?"),
        help_text=_("Skip this if it does not apply to you."),
        choices=[("yes", _("Yes")), ("no", _("No")), ("", _("Does not apply"))],
        required=False,
        widget=forms.RadioSelect,
    )

    def initial_from(self, answers: Answers) -> dict[str, Any]:
        return {
            "age": answers.plain("age"),
            "sex": answers.plain("sex") or "",
            "pregnant": _choice(answers.plain("pregnant")),
        }

    def clean_sex(self) -> str | None:
        return self.cleaned_data.get("sex") or None

    def clean_pregnant(self) -> bool | None:
        return _bool(self.cleaned_data.get("pregnant"))

    def stored(self, cleaned: dict[str, Any]) -> list[StoredAnswer]:
        answers = super().stored(cleaned)
        if "sex" in cleaned and cleaned["sex"] is None:
            answers.append(StoredAnswer(PROFILE, "sex", value=None))
        return answers


class SubstancesForm(StepForm):
    plain_items = ("substances", "primary")
    substances = forms.MultipleChoiceField(
        label=_("Which have you used in the past 12 months?"),
        help_text=_("Choose all that apply. Nobody else sees your answers."),
        choices=[(s, labels.SUBSTANCE[s]) for s in SUBSTANCES],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Please choose at least one.")},
    )
    primary = forms.ChoiceField(
        label=_("Which one would you most like help with?"),
        help_text=_("If you chose only one, you can skip this."),
        choices=[(s, labels.SUBSTANCE[s]) for s in SUBSTANCES],
        required=False,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        translated = [(s, substance_name(s)) for s in SUBSTANCES]
        self.fields["substances"].choices = translated  # type: ignore[attr-defined]
        self.fields["primary"].choices = translated  # type: ignore[attr-defined]

    def initial_from(self, answers: Answers) -> dict[str, Any]:
        return {"substances": answers.substances, "primary": answers.plain("primary") or ""}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        chosen, primary = cleaned.get("substances") or [], cleaned.get("primary")
        if primary and chosen and primary not in chosen:
            self.add_error("primary", _("Please pick one of the substances you chose above."))
        return cleaned


ROUTES = [
    ("oral", _("Swallowed or drunk")),
    ("smoked", _("Smoked or vaped")),
    ("snorted", _("Snorted")),
    ("injected", _("Injected")),
    ("other", _("Another way")),
]


class PatternsForm(StepForm):
    """Per substance: how often, how much, how, and whether prescribed (when last: SafetyForm)."""

    def build(self) -> None:
        for substance in self.answers.substances:
            name = substance_name(substance)
            self.fields[f"{substance}-days"] = forms.IntegerField(
                label=_("Alcohol: on how many of the past 30 days did you drink?")
                if substance == "alcohol"
                else _("%(name)s: on how many of the past 30 days did you use?") % {"name": name},
                min_value=0,
                max_value=30,
                required=False,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )
            if substance == "alcohol":
                self.fields["alcohol-amount"] = forms.DecimalField(
                    label=_("On a day you drink, about how many standard drinks do you have?"),
                    help_text=_(
                        "One standard drink is a 12 oz can of beer (5%), a 5 oz glass of wine "
                        "(12%) or a 1.5 oz shot of spirits (40%)."
                    ),
                    min_value=0,
                    max_value=100,
                    decimal_places=1,
                    required=False,
                    widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.5"}),
                )
            if substance not in ("alcohol", "tobacco"):
                self.fields[f"{substance}-route"] = forms.ChoiceField(
                    label=_("%(name)s: how do you usually take it?") % {"name": name},
                    choices=ROUTES,
                    required=False,
                    widget=forms.RadioSelect,
                )
            if substance in PRESCRIBABLE:
                self.fields[f"{substance}-prescribed"] = forms.ChoiceField(
                    label=_("%(name)s: do you take it only as prescribed by a clinician?")
                    % {"name": name},
                    choices=YES_NO,
                    required=False,
                    widget=forms.RadioSelect,
                )

    FIELD_ITEMS: ClassVar[dict[str, str]] = {
        "days": "days_used_past_30",
        "amount": "typical_amount",
        "route": "route",
        "prescribed": "prescribed",
    }

    def _split(self, name: str) -> tuple[str, str]:
        substance, _dash, suffix = name.partition("-")
        return substance, self.FIELD_ITEMS[suffix]

    def initial_from(self, answers: Answers) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for name in self.fields:
            substance, item = self._split(name)
            value = answers.plain(item, substance)
            initial[name] = _choice(value) if item == "prescribed" else value
        return initial

    def owns(self, answer: StoredAnswer) -> bool:
        return (
            answer.instrument == PROFILE
            and answer.context in self.answers.substances
            and answer.item in self.FIELD_ITEMS.values()
        )

    def stored(self, cleaned: dict[str, Any]) -> list[StoredAnswer]:
        answers = []
        for name, value in cleaned.items():
            substance, item = self._split(name)
            if item == "prescribed":
                value = _bool(value)
            elif item == "typical_amount" and value is not None:
                value = float(value)
            if value not in (None, ""):
                answers.append(StoredAnswer(PROFILE, item, value=value, context=substance))
        return answers


# When a substance was last used, one tap each; stored as days ago (CONTRACTS.md §2b).
# Each choice stands for its range by one number (❓ ours): 3 for "2 to 6 days" and 14 for
# "1 to 4 weeks" (the middle of 2–6 and 7–28 days on a log scale, rounded down), 60 for "more
# than a month" (clearly past any one-month rule, well inside the 12 months the check-up asks
# about). Where the line falls (say, lost opioid tolerance) is the engine's rule, not ours.
LAST_USE = [
    ("0", pgettext_lazy("last used", "Today")),
    ("1", pgettext_lazy("last used", "Yesterday")),
    ("3", _("2 to 6 days ago")),
    ("14", _("1 to 4 weeks ago")),
    ("60", _("More than a month ago")),
    ("", pgettext_lazy("last used", "Not sure")),
]
LAST_USE_FROM = [(60, 30), (14, 7), (3, 2), (1, 1), (0, 0)]  # choice, first day it covers


def last_use_choice(days: Any) -> str:
    """The choice that covers a stored number of days (a v1 number field allowed any)."""
    if not isinstance(days, int):
        return ""
    return next(str(choice) for choice, first in LAST_USE_FROM if days >= first)


KIND_LABELS = {
    "gabapentinoids": _("Gabapentin or pregabalin (Lyrica)"),
    "z-drugs": _("Sleeping pills such as zolpidem (Ambien) or zopiclone"),
    "ghb": _("GHB or GBL"),
    "barbiturates": _("Barbiturates"),
    "xylazine": _('Xylazine ("tranq"), on its own or mixed in'),
    "kratom": _("Kratom"),
    "ketamine": _("Ketamine"),
    "hallucinogens": _("Hallucinogens, such as LSD or mushrooms"),
    "inhalants": _("Inhalants, such as glue, gas, solvents or nitrous oxide"),
    "unknown-pills": _("Pills bought on the street or from a friend (they can be fake)"),
    "other": pgettext_lazy("what drug", "Something else"),
}
OVERDOSE_PAST = [
    ("never", _("No, never")),
    ("over-a-year", _("Yes, more than a year ago")),
    ("past-year", _("Yes, in the past year")),
    ("", _("Prefer not to say")),
]
USES_ALONE = [
    ("never", pgettext_lazy("how often", "Never")),
    ("sometimes", pgettext_lazy("how often", "Sometimes")),
    ("often", pgettext_lazy("how often", "Often")),
    ("", _("Prefer not to say")),
]


INJECTED_CHOICES = [
    ("never", _("No, never")),
    ("past-3-months", _("Yes, in the past 3 months")),
    ("earlier", _("Yes, but not in the past 3 months")),
    ("", _("Prefer not to say")),
]
STIMULANT_TYPE_LABELS = [
    ("cocaine", _("Cocaine or crack")),
    ("amphetamines", _("Methamphetamine (meth) or other amphetamines, such as speed")),
]


class SafetyForm(StepForm):
    """Version-2 questions, each only where it applies (`Answers.kinds_asked`, `asks_…`):
    when each substance was last used, methadone or buprenorphine, what "other" or a street
    supply is, overdose and naloxone, and a recent release."""

    SUFFIX_ITEMS: ClassVar[dict[str, str]] = {
        "last-use": "last_use_days_ago",
        "moud": "moud",
        "kinds": "kinds",
        "types": "assist_types",
    }
    TOP_ITEMS = ("overdose_past", "has_naloxone", "uses_alone", "injected", "recent_release")
    BOOLEANS = ("moud", "has_naloxone", "recent_release")

    def build(self) -> None:
        for substance in self.answers.substances:
            self._add_substance(substance)
        if self.answers.asks_overdose():
            self._add_overdose()
        if self.answers.asks_injection():
            # WHO ASSIST v3.0 question 8, asked once (CONTRACTS.md §1b); it feeds `route`.
            self.fields["injected"] = forms.ChoiceField(
                label=_("Have you ever used any drug by injection (not for medical reasons)?"),
                choices=INJECTED_CHOICES, required=False, widget=forms.RadioSelect,
            )  # fmt: skip
        if self.answers.asks_recent_release():
            self.fields["recent_release"] = forms.ChoiceField(
                label=_(
                    "In the past 14 days, did you leave prison or jail, a hospital, detox or a "
                    "residential program?"
                ),
                choices=YES_NO_UNSURE, required=False, widget=forms.RadioSelect,
            )  # fmt: skip

    def _add_substance(self, substance: str) -> None:
        name = substance_name(substance)
        self.fields[f"{substance}-last-use"] = forms.TypedChoiceField(
            label=_("%(name)s: when did you last use?") % {"name": name},
            choices=LAST_USE, coerce=int, empty_value=None, required=False,
            widget=forms.RadioSelect,
        )  # fmt: skip
        if substance == "opioids" and self.answers.asks_moud():
            self.fields["opioids-moud"] = forms.ChoiceField(
                label=_(
                    "Do you take methadone or buprenorphine (Suboxone, Subutex, Sublocade…) as "
                    "treatment for opioid use?"
                ),
                help_text=_("This is not about opioids prescribed for pain."),
                choices=YES_NO_UNSURE, required=False, widget=forms.RadioSelect,
            )  # fmt: skip
        if substance == "stimulants":
            self.fields["stimulants-types"] = forms.MultipleChoiceField(
                label=_("Which stimulants do you use?"),
                help_text=_("Choose all that apply."),
                choices=STIMULANT_TYPE_LABELS, required=False,
                widget=forms.CheckboxSelectMultiple,
            )  # fmt: skip
        kinds = self.answers.kinds_asked(substance)
        if kinds:
            self.fields[f"{substance}-kinds"] = forms.MultipleChoiceField(
                label=_("What other drugs do you use?")
                if substance == "other"
                else _("%(name)s: do you use any of these?") % {"name": name},
                help_text=_("Choose all that apply. Leave all empty if none."),
                choices=[(kind, KIND_LABELS[kind]) for kind in kinds],
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )

    def _add_overdose(self) -> None:
        self.fields["overdose_past"] = forms.ChoiceField(
            label=_(
                "Have you ever overdosed (passed out or stopped breathing after using, or "
                "needed naloxone)?"
            ),
            choices=OVERDOSE_PAST, required=False, widget=forms.RadioSelect,
        )  # fmt: skip
        self.fields["has_naloxone"] = forms.ChoiceField(
            label=_("Do you have naloxone (Narcan) with you or at home?"),
            choices=YES_NO_UNSURE, required=False, widget=forms.RadioSelect,
        )  # fmt: skip
        self.fields["uses_alone"] = forms.ChoiceField(
            label=_("How often do you use alone, with nobody around who could help?"),
            choices=USES_ALONE, required=False, widget=forms.RadioSelect,
        )  # fmt: skip

    def _item(self, name: str) -> tuple[str, str]:
        """The stored (context, item) of a field."""
        if name in self.TOP_ITEMS:
            return "", name
        substance, _dash, suffix = name.partition("-")
        return substance, self.SUFFIX_ITEMS[suffix]

    def initial_from(self, answers: Answers) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for name in self.fields:
            context, item = self._item(name)
            value = answers.plain(item, context)
            if item == "last_use_days_ago":
                initial[name] = last_use_choice(value)
            elif item in self.BOOLEANS:
                initial[name] = _choice(value)
            else:
                listed = item in ("kinds", "assist_types")
                initial[name] = value or ([] if listed else "")
        return initial

    def owns(self, answer: StoredAnswer) -> bool:
        asked = {self._item(name) for name in self.fields}
        return answer.instrument == PROFILE and (answer.context, answer.item) in asked

    def stored(self, cleaned: dict[str, Any]) -> list[StoredAnswer]:
        answers = []
        for name, value in cleaned.items():
            context, item = self._item(name)
            if item in self.BOOLEANS:
                value = _bool(value)
            elif item == "last_use_days_ago":
                value = self._same_days(context, value)
            if value not in (None, "", []):
                answers.append(StoredAnswer(PROFILE, item, value=value, context=context))
        return answers

    def _same_days(self, substance: str, chosen: int | None) -> int | None:
        """Keep an exact number stored before (a v1 check-up's "12 days") when the choice
        still covers it, so going back and forth changes nothing."""
        before = self.answers.plain("last_use_days_ago", substance)
        if chosen is not None and last_use_choice(before) == str(chosen):
            return int(before)
        return chosen


class InstrumentStepForm(StepForm):
    """Any instrument's items (or some of them), as radio groups; answers are option indices.
    Every item must be answered unless the instrument's own skip logic lets it go."""

    instrument_id = ""
    item_ids: tuple[str, ...] = ()  # empty: all items
    wording: str | None = None  # a variant of the wording (e.g. NIAAA's for alcohol)

    def items(self) -> list[scoring.Item]:
        instrument = scoring.get_instrument(self.instrument_id)
        if not self.item_ids:
            return list(instrument.items)
        return [instrument.items[instrument.item_index(i)] for i in self.item_ids]

    def build(self) -> None:
        words = localized.wording(self.instrument_id)  # the page's language; same points
        for number, item in enumerate(self.items(), start=1):
            self.fields[item.id] = forms.TypedChoiceField(
                label=f"{number}. {words.text_for(item, self.wording)}",
                choices=[(str(i), label) for i, label in enumerate(words.option_labels(item))],
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": _("Please choose one of the answers shown.")},
            )

    def item_fields(self) -> list[forms.BoundField]:
        return [self[item.id] for item in self.items()]

    def extra_fields(self) -> list[forms.BoundField]:
        ids = {item.id for item in self.items()}
        return [self[name] for name in self.fields if name not in ids]

    def initial_from(self, answers: Answers) -> dict[str, Any]:
        given = answers.options(self.instrument_id, self.context)
        initial: dict[str, Any] = {
            item.id: str(given[item.id]) for item in self.items() if given.get(item.id) is not None
        }
        return initial | super().initial_from(answers)

    def owns(self, answer: StoredAnswer) -> bool:
        if answer.instrument == self.instrument_id and answer.context == self.context:
            return answer.item in {item.id for item in self.items()}
        return super().owns(answer)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        instrument = scoring.get_instrument(self.instrument_id)
        answered = {item.id: cleaned.get(item.id) for item in self.items()}
        # Check every item through the engine: unanswered ones must be allowed by skip logic.
        full = [answered.get(item.id, 0) for item in instrument.items]
        for index in scoring.missing_answers(instrument, full):
            item_id = instrument.items[index].id
            if item_id not in self.errors:
                self.add_error(item_id, _("Please choose an answer to this question."))
        return cleaned

    def stored(self, cleaned: dict[str, Any]) -> list[StoredAnswer]:
        answers = [
            StoredAnswer(self.instrument_id, item.id, option=cleaned[item.id], context=self.context)
            for item in self.items()
            if cleaned.get(item.id) is not None
        ]
        plain = {k: v for k, v in cleaned.items() if k in self.plain_items}
        return answers + super().stored(plain)


def instrument_form(instrument_id: str, **attrs: Any) -> type[InstrumentStepForm]:
    return type(
        f"{instrument_id.title().replace('-', '')}Form",
        (InstrumentStepForm,),
        {"instrument_id": instrument_id, **attrs},
    )


class CriteriaForm(InstrumentStepForm):
    instrument_id = "sud-11"

    def build(self) -> None:
        self.wording = self.context
        super().build()


class MoodForm(InstrumentStepForm):
    """PHQ-2, with a direct question about suicidal thoughts beside it: the PHQ-2 has no
    self-harm item (FACTS.md §2.8)."""

    instrument_id = "phq-2"
    plain_items = ("suicidal_thoughts",)

    def build(self) -> None:
        super().build()
        self.fields["suicidal_thoughts"] = forms.ChoiceField(
            label=_("Lately, have you had thoughts of ending your life, or of hurting yourself?"),
            help_text=_("If yes, we will show you where to get support right away."),
            choices=YES_NO_UNSURE,
            required=False,
            widget=forms.RadioSelect,
        )

    def initial_from(self, answers: Answers) -> dict[str, Any]:
        initial = super().initial_from(answers)
        initial["suicidal_thoughts"] = _choice(answers.plain("suicidal_thoughts"))
        return initial

    def clean_suicidal_thoughts(self) -> bool | None:
        return _bool(self.cleaned_data.get("suicidal_thoughts"))


class Phq9RestForm(InstrumentStepForm):
    """The rest of the PHQ-9 after a positive PHQ-2 (items 1–2 are not asked twice)."""

    instrument_id = "phq-9"
    item_ids = tuple(
        item.id for item in scoring.get_instrument("phq-9").items if item.id not in PHQ_2_ITEMS
    )

    def clean(self) -> dict[str, Any]:
        cleaned = forms.Form.clean(self) or {}
        for item in self.items():
            if cleaned.get(item.id) is None and item.id not in self.errors:
                self.add_error(item.id, _("Please choose an answer to this question."))
        return cleaned


class SupportForm(InstrumentStepForm):
    instrument_id = "barc-10"
    plain_items = ("supportive_people", "stable_housing", "substance_free_home")

    def build(self) -> None:
        super().build()
        self.fields["supportive_people"] = forms.IntegerField(
            label=_("How many people could you turn to for support with this?"),
            min_value=0,
            max_value=100,
            required=False,
            widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        )
        self.fields["stable_housing"] = forms.ChoiceField(
            label=_("Do you have a safe, stable place to live?"),
            choices=YES_NO_UNSURE,
            required=False,
            widget=forms.RadioSelect,
        )
        self.fields["substance_free_home"] = forms.ChoiceField(
            label=_("Is your home free of alcohol and drugs?"),
            choices=YES_NO_UNSURE,
            required=False,
            widget=forms.RadioSelect,
        )

    def initial_from(self, answers: Answers) -> dict[str, Any]:
        initial = super().initial_from(answers)
        for key in ("stable_housing", "substance_free_home"):
            initial[key] = _choice(answers.plain(key))
        return initial

    def clean_stable_housing(self) -> bool | None:
        return _bool(self.cleaned_data.get("stable_housing"))

    def clean_substance_free_home(self) -> bool | None:
        return _bool(self.cleaned_data.get("substance_free_home"))


class WithdrawalForm(StepForm):
    plain_items = ("seizures", "delirium_tremens", "current_symptoms")

    def build(self) -> None:
        questions = {
            "current_symptoms": _(
                "When you cut back or stop, do you get shaky, sweaty, sick, anxious or unable "
                "to sleep?"
            ),
            "seizures": _("Have you ever had a seizure (a fit) when stopping or cutting back?"),
            "delirium_tremens": _(
                "Have you ever had delirium tremens (the DTs) after stopping alcohol or a "
                "sedative: confusion, seeing or hearing things, shaking and fever?"
            ),
        }
        for key, label in questions.items():
            self.fields[key] = forms.ChoiceField(
                label=label, choices=YES_NO_UNSURE, required=False, widget=forms.RadioSelect
            )

    def initial_from(self, answers: Answers) -> dict[str, Any]:
        return {key: _choice(answers.plain(key)) for key in self.plain_items}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        return {key: _bool(value) if key in self.plain_items else value
                for key, value in cleaned.items()}  # fmt: skip


HEALTH = [
    ("liver-disease", _("Liver disease")),
    ("pancreatitis", _("Pancreatitis")),
    ("heart-disease", _("Heart disease")),
    ("seizure-disorder", _("Epilepsy or another seizure disorder")),
    ("psychosis", _("Psychosis")),
    ("bipolar-disorder", _("Bipolar disorder")),
    ("hepatitis-c", _("Hepatitis C")),
    ("hiv", _("HIV")),
    ("chronic-pain", _("Chronic pain")),
    (
        "taking-sedating-medication",
        _("I take a medicine that makes me sleepy or calm (for sleep, anxiety, pain or seizures)"),
    ),
]
CO_OCCURRING = [
    ("depression", _("Depression")),
    ("anxiety", _("Anxiety")),
    ("ptsd", _("PTSD (post-traumatic stress)")),
    ("other", _("Another mental health condition")),
]


class HealthForm(StepForm):
    plain_items = ("health", "co_occurring")
    health = forms.MultipleChoiceField(
        label=_("Do any of these apply to you?"),
        help_text=_("Choose any that a doctor has told you about. Leave all empty if none."),
        choices=HEALTH,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    co_occurring = forms.MultipleChoiceField(
        label=_("Has a professional ever talked with you about any of these?"),
        choices=CO_OCCURRING,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def initial_from(self, answers: Answers) -> dict[str, Any]:
        return {key: answers.plain(key) or [] for key in self.plain_items}


HELPED = [
    ("mutual-help-groups", _("Mutual-help groups (such as AA, NA or SMART Recovery)")),
    ("counselling", _("Counselling or therapy")),
    ("medication", _("Medication")),
    ("family-and-friends", _("Family or friends")),
    ("staying-busy", _("Work, study or staying busy")),
    ("exercise", _("Exercise or time outdoors")),
    ("faith-or-community", _("Faith or a community")),
    ("changing-places-or-people", _("Avoiding certain places or people")),
]


class PastForm(StepForm):
    plain_items = ("quit_attempts", "returns_to_use", "treatment_episodes", "helped")
    quit_attempts = forms.IntegerField(
        label=_("How many times have you tried to stop or cut down?"),
        min_value=0, max_value=1000, required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )  # fmt: skip
    returns_to_use = forms.IntegerField(
        label=_("How many times did you go back to using after a time of stopping?"),
        help_text=_("This is common and it is not failure: it helps plan what support to add."),
        min_value=0, max_value=1000, required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )  # fmt: skip
    treatment_episodes = forms.IntegerField(
        label=_("How many times have you had treatment for alcohol or drug use?"),
        min_value=0, max_value=1000, required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )  # fmt: skip
    helped = forms.MultipleChoiceField(
        label=_("What has helped you before?"),
        choices=HELPED,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        attempts, returns = cleaned.get("quit_attempts"), cleaned.get("returns_to_use")
        if attempts is not None and returns is not None and returns > attempts:
            self.add_error(
                "returns_to_use",
                _("This cannot be more than the number of times you tried to stop or cut down."),
            )
        return cleaned


RULER = [(str(n), str(n)) for n in range(11)]


class ReadinessForm(StepForm):
    plain_items = ("importance", "confidence", "readiness")

    def build(self) -> None:
        questions = {
            "importance": _(
                "How important is it to you to make a change? (0 = not at all, 10 = extremely)"
            ),
            "confidence": _(
                "How confident are you that you could make a change? (0 = not at "
                "all, 10 = extremely)"
            ),
            "readiness": _(
                "How ready are you to make a change now? (0 = not at all, 10 = completely)"
            ),
        }
        for key, label in questions.items():
            self.fields[key] = forms.TypedChoiceField(
                label=label, choices=RULER, coerce=int, empty_value=None, required=False,
                widget=forms.RadioSelect(attrs={"class": "ruler"}),
            )  # fmt: skip

    def initial_from(self, answers: Answers) -> dict[str, Any]:
        return {key: _ruler(answers.plain(key)) for key in self.plain_items}


def _ruler(value: Any) -> str:
    return "" if value is None else str(value)


GOALS = [
    ("stop", _("Stop completely")),
    ("cut-down", _("Cut down")),
    ("safer-use", _("Keep using, but more safely")),
    ("unsure", _("I am not sure yet")),
]


class GoalForm(StepForm):
    plain_items = ("goal",)
    goal = forms.ChoiceField(
        label=_("What would you like to do right now?"),
        help_text=_(
            "There is no wrong answer. Your goal comes first, and you can change it at any time."
        ),
        choices=GOALS,
        widget=forms.RadioSelect,
        error_messages={"required": _('Please choose one; "I am not sure yet" is fine.')},
    )


@dataclass(frozen=True)
class Step:
    id: str
    title: str | Promise
    form_class: type[StepForm]
    intro: str | Promise | None = None
    context: str = ""
    version: Callable[[], str] = field(default=lambda: "1")

    def form(self, answers: Answers, data: Any = None) -> StepForm:
        return self.form_class(answers, self.context, data)


def _instrument_version(instrument_id: str) -> Callable[[], str]:
    return lambda: scoring.get_instrument(instrument_id).version


STEP_DEFINITIONS: dict[str, Step] = {
    "about": Step("about", _("About you"), AboutForm),
    "substances": Step("substances", _("What you use"), SubstancesForm),
    "patterns": Step("patterns", _("How much and how often"), PatternsForm),
    "safety": Step(
        "safety", _("A few safety questions"), SafetyForm,
        intro=_("These answers change the safety advice you get."),
    ),
    "audit": Step(
        "audit", _("Drinking (AUDIT)"), instrument_form("audit"),
        intro=_("These ten questions are the World Health Organization's AUDIT. If you "
                "answer \"Never\" to the first one, you can leave questions 2 to 8 blank."),
        version=_instrument_version("audit"),
    ),
    "withdrawal": Step("withdrawal", _("Withdrawal"), WithdrawalForm),
    "health": Step("health", _("Your health"), HealthForm),
    "mood": Step(
        "mood", _("Your mood"), MoodForm,
        intro=localized.instructions("phq-2"),
        version=_instrument_version("phq-2"),
    ),
    "phq-9": Step(
        "phq-9", _("More about your mood (PHQ-9)"), Phq9RestForm,
        intro=localized.instructions("phq-9"),
        version=_instrument_version("phq-9"),
    ),
    "gad-7": Step(
        "gad-7", _("Worry and anxiety (GAD-7)"), instrument_form("gad-7"),
        intro=localized.instructions("gad-7"),
        version=_instrument_version("gad-7"),
    ),
    "support": Step(
        "support", _("Your support"), SupportForm,
        intro=_("How much do you agree with each statement? (BARC-10)"),
        version=_instrument_version("barc-10"),
    ),
    "past": Step("past", _("What you have tried"), PastForm),
    "readiness": Step("readiness", _("How ready you feel"), ReadinessForm),
    "goal": Step("goal", _("Your goal"), GoalForm),
}  # fmt: skip


ASSIST_INTRO = _(
    "These questions are from the World Health Organization's ASSIST, about the past three "
    "months. The ASSIST was made to be asked by a health worker, not filled in alone, so "
    "talk your result over with one if you can."
)


def step_for(step_id: str) -> Step:
    """The step with this id (criteria and ASSIST steps are made per substance); KeyError if
    none."""
    if step_id in ASSIST_IDS:
        instrument = scoring.get_instrument(step_id)
        return Step(
            step_id,
            _("Drug use: %(name)s (ASSIST)") % {"name": ASSIST_NAMES[step_id]},
            instrument_form(step_id),
            intro=ASSIST_INTRO,
            version=lambda: instrument.version,
        )
    if step_id.startswith("criteria-"):
        substance = step_id.removeprefix("criteria-")
        if substance not in SUBSTANCES:
            raise KeyError(step_id)
        return Step(
            step_id,
            _("Signs to look out for: %(name)s") % {"name": substance_name(substance)},
            CriteriaForm,
            intro=_("In the past year, have you…"),
            context=substance,
            version=_instrument_version("sud-11"),
        )
    return STEP_DEFINITIONS[step_id]


ASSIST_NAMES = {
    "assist-cocaine": _("cocaine"),
    "assist-amphetamines": _("amphetamine-type stimulants"),
    "assist-cannabis": _("cannabis"),
    "assist-opioids": _("opioids"),
    "assist-sedatives": _("sedatives or sleeping pills"),
    "assist-hallucinogens": _("hallucinogens"),
    "assist-inhalants": _("inhalants"),
    "assist-other": _("other drugs"),
}


def steps_for(step_ids: Sequence[str]) -> list[Step]:
    return [step_for(step_id) for step_id in step_ids]
