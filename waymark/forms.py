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
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
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


class QuickSelect(forms.Select):
    """A select written out in Python, option by option, as Django's own templates write it
    (`django/forms/widgets/select.html`, `select_option.html`, `attrs.html`: the same HTML,
    which tests/test_forms.py compares for every option selected). Django renders each option
    through two template includes: for the caseload's alert filter (14 options in a group)
    that was 2.5 ms a page, several times what the rows of the page cost."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        opening = format_html('<select name="{}"{}>', widget["name"], _attrs(widget["attrs"]))
        parts: list[str] = [opening]
        for group, options, _index in widget["optgroups"]:
            if group:
                parts.append(format_html('\n  <optgroup label="{}">', group))
            for option in options:
                parts.append(
                    format_html(
                        '\n  <option value="{}"{}>{}</option>\n',
                        _text(option["value"]),
                        _attrs(option["attrs"]),
                        option["label"],
                    )
                )
            if group:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 (each part escaped above)


def _text(value: Any) -> SafeString:
    """`{{ value|stringformat:'s' }}`: the value as text, always escaped."""
    return escape(str(value))


def _attrs(attrs: dict[str, Any]) -> SafeString:
    """`django/forms/widgets/attrs.html`: `name="value"` for each, the name alone for True,
    nothing for False."""
    return format_html_join(
        "",
        " {}{}",
        (
            (name, "" if value is True else format_html('="{}"', _text(value)))
            for name, value in attrs.items()
            if value is not False
        ),
    )
