"""Forms of the data and token pages."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from waymark.accounts.models import User
from waymark.interop.importer import MAX_BYTES
from waymark.interop.models import ApiToken


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Your Waymark export (JSON)"),
        help_text=_("The file named waymark-YYYY-MM-DD.json that another Waymark gave you."),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return upload


class DeleteForm(forms.Form):
    nickname = forms.CharField(label=_("Type your nickname to confirm"), max_length=150)
    password = forms.CharField(
        label=_("Your password"), widget=forms.PasswordInput(attrs={"autocomplete": "off"})
    )

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["nickname"].widget.attrs.update(autocomplete="off", spellcheck="false")
        if not user.has_usable_password():
            del self.fields["password"]

    def clean_nickname(self) -> str:
        nickname: str = self.cleaned_data["nickname"]
        if nickname.strip() != self.user.get_username():
            raise forms.ValidationError(_("This is not your nickname."))
        return nickname

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("This is not your password."))
        return password


EXPIRY_CHOICES = (
    ("30", _("In 30 days")),
    ("90", _("In 90 days")),
    ("365", _("In a year")),
    ("never", _("Never (revoke it yourself)")),
)


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=60,
        help_text=_("What it is for, so you can tell your tokens apart."),
    )
    scope = forms.ChoiceField(
        label=_("What it may do"),
        choices=ApiToken.Scope.choices,
        initial=ApiToken.Scope.READ,
        widget=forms.RadioSelect,
    )
    expires = forms.ChoiceField(
        label=_("Expires"), choices=EXPIRY_CHOICES, initial="90", widget=forms.RadioSelect
    )

    def __init__(self, *args: Any, staff_days: int | None = None, **kwargs: Any) -> None:
        """`staff_days`: a staff account's token expires within that many days."""
        super().__init__(*args, **kwargs)
        if staff_days is not None:
            field: Any = self.fields["expires"]
            field.choices = [
                c for c in EXPIRY_CHOICES if c[0].isdigit() and int(c[0]) <= staff_days
            ]
            field.help_text = _("A staff account's token must expire within %(days)d days.") % {
                "days": staff_days
            }

    def expires_at(self) -> Any:
        choice = self.cleaned_data["expires"]
        return None if choice == "never" else timezone.now() + timedelta(days=int(choice))
