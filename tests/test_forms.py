"""`waymark.forms.QuickSelect` writes the same HTML as Django's own select templates, for
every choice selected, in every language, with groups, attributes and text to escape."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.utils import translation

from waymark.clinic.forms import CaseloadSearchForm
from waymark.forms import QuickSelect

CHOICES: list[Any] = [
    ("", "Everyone"),
    ("a&b", "Fish & <chips>"),
    (3, "A number"),
    ("Grouped <things>", [("x", 'X "quoted"'), ("y", "Y's")]),
    ("z", "Last"),
]
ATTRS: list[dict[str, Any]] = [
    {},
    {"id": "id_pick", "class": "wide"},
    {"required": True, "disabled": False, "data-x": '<"&>'},
]


def django_select(**kwargs: Any) -> forms.Select:
    return forms.Select(**kwargs)


@pytest.mark.parametrize("attrs", ATTRS)
@pytest.mark.parametrize("value", ["", "a&b", 3, "3", "x", "y", "z", None, "missing", ["x", "y"]])
def test_the_html_is_djangos(attrs: dict[str, Any], value: Any) -> None:
    ours = QuickSelect(choices=CHOICES).render("pick", value, attrs=dict(attrs))
    theirs = django_select(choices=CHOICES).render("pick", value, attrs=dict(attrs))
    assert str(ours) == str(theirs)
    assert "Fish &amp; &lt;chips&gt;" in ours
    assert 'label="Grouped &lt;things&gt;"' in ours


def test_widget_attrs_given_to_the_widget_itself_count_too() -> None:
    attrs = {"aria-describedby": "help", "autofocus": True}
    ours = QuickSelect(attrs=attrs, choices=CHOICES).render("pick", "z")
    assert str(ours) == str(django_select(attrs=attrs, choices=CHOICES).render("pick", "z"))


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("alert", ["", "any", "urgent", "craving-spike", "nonsense"])
def test_the_caseload_filter_renders_as_before(language: str, alert: str) -> None:
    """The whole field (label, help, errors, widget) as a Django select would give it."""
    with translation.override(language):
        form = CaseloadSearchForm({"q": "", "alert": alert})
        form.is_valid()
        ours = form["alert"].as_field_group()
        field: Any = form.fields["alert"]
        field.widget = forms.Select(choices=field.choices)
        theirs = form["alert"].as_field_group()
    assert ours == theirs
    assert "selected" in ours or alert in ("", "nonsense")
