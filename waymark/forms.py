"""Free text with a limit: the server refuses text that is too long and says why, the browser
counts the characters left, and nothing is ever cut off without a word.

A textarea's `maxlength` attribute makes the browser drop whatever is typed or pasted past the
limit, silently. So `LongTextField` leaves it out and writes the limit as `data-max-length`,
with the words of the count, for site.js; too long a text comes back on the form, kept, with
a message that says by how much (what people without JavaScript see).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _

# The words site.js shows under a textarea; %(count)s is the number. Plural-free on purpose:
# the count changes with every key.
COUNT_LEFT = _("Characters left: %(count)s")
COUNT_OVER = _("Characters over the limit: %(count)s")


def count_attrs(max_length: int) -> dict[str, Any]:
    """The attributes that give a textarea its live count (lazy words: the page's language)."""
    return {"data-max-length": str(max_length), "data-count-left": COUNT_LEFT,
            "data-count-over": COUNT_OVER}  # fmt: skip


class LongTextField(forms.CharField):
    """A CharField for a textarea: a limit without `maxlength`, counted as site.js counts."""

    widget = forms.Textarea
    default_error_messages: ClassVar[dict[str, Any]] = {
        "max_length": _(
            "This is %(show_value)d characters long; the most is %(limit_value)d. Please "
            "shorten it: your text is still here."
        ),
    }

    def to_python(self, value: Any) -> Any:
        # Browsers send a line break as two characters (CR LF) but count it as one: store and
        # count it as one, so the server and the count in the page agree.
        text = super().to_python(value)
        return text.replace("\r\n", "\n") if isinstance(text, str) else text

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs: dict[str, Any] = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        if self.max_length is not None:
            attrs |= count_attrs(self.max_length)
        return attrs
