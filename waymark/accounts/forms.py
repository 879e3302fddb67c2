from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _

from waymark.accounts.models import User


class SignupForm(UserCreationForm):  # type: ignore[type-arg]
    email = forms.EmailField(
        label=_("Email (optional)"),
        required=False,
        help_text=_("You can leave this empty to stay anonymous."),
    )

    class Meta:
        model = User
        fields = ("username", "email")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].help_text = _(
            "A nickname is fine: it does not need to be your real name. Letters, digits and "
            "@/./+/-/_ only."
        )
        self.fields["username"].widget.attrs.update({"autocomplete": "username"})
