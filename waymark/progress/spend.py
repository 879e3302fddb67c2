"""The "money not spent" figure: the person's usual spend on a day of use (`TypicalSpend`),
what it comes to over their recorded days without use (`waymark.clinical.money`), and the
words for it. The progress page and `GET /api/v1/progress` both read it from here.

Only the person sees it. It is their own motivation, not a clinical measure: the page and the
API read the signed-in person's own row, and nothing staff read (the clinic chart, program
reports, FHIR) looks at it. No figure at all until the person gives a spend; removing the spend
removes the figure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.formats import number_format
from django.utils.translation import gettext

from waymark.accounts.models import User
from waymark.clinical import money
from waymark.clinical import progress as core
from waymark.progress.models import MAX_SPEND, Currency, TypicalSpend


@dataclass(frozen=True)
class Money:
    """The usual spend the person gave, and what it comes to."""

    spend: TypicalSpend
    result: money.MoneyNotSpent

    @property
    def currency(self) -> str:
        return str(self.spend.currency)

    def text(self, amount: Decimal | int) -> str:
        return money_text(amount, self.currency)

    @property
    def usual(self) -> str:
        return self.text(self.spend.amount)

    @property
    def whole(self) -> str:
        return self.text(self.result.whole.amount)

    @property
    def recent(self) -> str:
        return self.text(self.result.recent.amount)


def money_text(amount: Decimal | int, currency: str = "") -> str:
    """An amount as the page's language writes it ("1,240 MXN", "1 240 MXN"): whole units,
    or two decimals when the amount has cents."""
    value = Decimal(amount)
    places = 0 if value == value.to_integral_value() else 2
    number = number_format(value, decimal_pos=places, force_grouping=True)
    if not currency:
        return number
    # Translators: an amount and its ISO 4217 currency code, as in "1,240 MXN".
    return gettext("%(amount)s %(currency)s") % {"amount": number, "currency": currency}


def spend_of(user_id: Any) -> TypicalSpend | None:
    return TypicalSpend.objects.filter(owner_id=user_id).first()


def money_for(
    user_id: Any, days: Iterable[core.Day], today: date, spend: TypicalSpend | None = None
) -> Money | None:
    """The figure for the person's days (their record's), or None when they gave no spend."""
    spend = spend if spend is not None else spend_of(user_id)
    if spend is None:
        return None
    return Money(spend, money.money_not_spent(days, Decimal(spend.amount), today))


def as_json(found: Money | None) -> dict[str, Any] | None:
    """The figure for `GET /api/v1/progress`: None when no spend was given."""
    if found is None:
        return None
    return {
        "typical_spend": found.spend.amount,
        "currency": found.currency,
        "windows": [
            {"days": w.days, "days_without_use": w.days_without_use, "amount": w.amount}
            for w in found.result.windows
        ],
    }


@transaction.atomic
def do_set_typical_spend(person: User, amount: Decimal, currency: str = "") -> TypicalSpend:
    """Set (or change) the person's usual spend on a day of use."""
    if not amount.is_finite() or not 0 < amount <= MAX_SPEND:
        raise ValueError(f"the usual spend must be above 0 and at most {MAX_SPEND}")
    spend, _created = TypicalSpend.objects.update_or_create(
        owner=person,
        defaults={"amount": amount.quantize(Decimal("0.01")), "currency": Currency(currency)},
    )
    return spend


@transaction.atomic
def do_remove_typical_spend(person: User) -> bool:
    """Forget the usual spend, and with it the figure. Whether there was one."""
    deleted, _by_model = TypicalSpend.objects.filter(owner=person).delete()
    return bool(deleted)
