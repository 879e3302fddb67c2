"""The usual-spend form on the progress page (`waymark.progress.spend`)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from waymark.progress.models import MAX_SPEND, Currency, TypicalSpend

SPACES = (" ", "\xa0", "\u202f")  # what people and phones put between thousands


class AmountField(forms.DecimalField):
    """A decimal typed as text, so the server sees exactly what was typed (a number input
    silently sends nothing for "12,50" in a browser set to English). A comma is taken as the
    decimal point when there is no point ("12,50"). Thousands separators are refused rather
    than guessed: "50.000" is fifty thousand in Bogotá and fifty in Boston, and at most two
    decimals means neither is ever read the wrong way."""

    widget = forms.TextInput

    # django-stubs give DecimalField no to_python of its own, only IntegerField's (int | None).
    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if isinstance(value, str):
            value = value.strip()
            for space in SPACES:
                value = value.replace(space, "")
            if value.count(",") == 1 and "." not in value:
                value = value.replace(",", ".")
        if value in self.empty_values:
            return None
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if not number.is_finite():
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return number

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        # The phone's number keys, without a number input's own rules (min, max, step).
        return {"inputmode": "decimal", "autocomplete": "off"}


class TypicalSpendForm(forms.Form):
    prefix = "spend"  # its ids never meet another form's on the progress page
    amount = AmountField(
        label=_("What you usually spent on a day of use"),
        help_text=_("A rough amount is fine: one amount for any day of use, whatever you used."),
        min_value=Decimal("0.01"),
        max_value=MAX_SPEND,
        max_digits=12,
        decimal_places=2,
        error_messages={
            "required": _("Enter an amount, such as 20."),
            "invalid": _("Enter the amount as a number, such as 20 or 12.50."),
            "min_value": _(
                "Enter an amount above 0. To stop seeing this figure, choose “Remove this "
                "figure” instead."
            ),
            "max_decimal_places": _(
                "Use at most two decimals, and no thousands separators: for fifty thousand, "
                "write 50000."
            ),
        },
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Said with the page's language's separators, so it is written when the form is made.
        too_much = _("That is more than %(most)s. Please check the amount.") % {
            "most": number_format(MAX_SPEND, decimal_pos=0, force_grouping=True)
        }
        for code in ("max_value", "max_digits", "max_whole_digits"):
            self.fields["amount"].error_messages[code] = too_much


def initial_spend(spend: TypicalSpend | None) -> dict[str, Any]:
    """The form as the saved spend fills it: 40.00 as "40", 12.50 as "12.5"."""
    if spend is None:
        return {}
    return {"amount": format(spend.amount.normalize(), "f"), "currency": spend.currency}
