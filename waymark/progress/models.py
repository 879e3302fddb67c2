"""What the person chooses to see on their progress page: their usual spend on a day of use,
for the "money not spent" figure (`waymark.clinical.money`). Optional; removing it removes the
figure.

Not encrypted, on purpose: it is one number and a currency code the person typed about
themselves, no free text, and far less telling than the check-in amounts stored beside it in
the same database (what was used, how much, which days), which are not encrypted either.
Encrypting it would protect nothing those rows do not already say, and would cost a key to
rotate and a database check it could no longer have.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# The most a day, in any currency: large enough for pesos (10,000 Colombian or Chilean pesos is
# a few dollars), small enough to catch a typing slip ❓ (ours).
MAX_SPEND = Decimal("10000000")


class Currency(models.TextChoices):
    """A short list, for the words beside the number; none (blank) shows the number alone."""

    NONE = "", _("No currency: just the number")
    USD = "USD", _("US dollars (USD)")
    CAD = "CAD", _("Canadian dollars (CAD)")
    MXN = "MXN", _("Mexican pesos (MXN)")
    EUR = "EUR", _("Euros (EUR)")
    GBP = "GBP", _("Pounds sterling (GBP)")
    ARS = "ARS", _("Argentine pesos (ARS)")
    CLP = "CLP", _("Chilean pesos (CLP)")
    COP = "COP", _("Colombian pesos (COP)")
    PEN = "PEN", _("Peruvian soles (PEN)")


class TypicalSpend(models.Model):
    """What the person usually spent on a day of use: one amount for any day of use, whatever
    was used."""

    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="typical_spend"
    )
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, choices=Currency.choices, blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = (
            models.CheckConstraint(
                condition=models.Q(amount__gt=0, amount__lte=MAX_SPEND),
                name="typical_spend_above_0_and_at_most_the_limit",
            ),
        )

    def __str__(self) -> str:
        return f"typical spend of user {self.owner_id}"
