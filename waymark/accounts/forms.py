from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from waymark.accounts import throttle
from waymark.accounts.models import Membership, User


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


class SignInForm(AuthenticationForm):
    """The password is checked only when the throttle lets this try through
    (waymark/accounts/throttle.py); `refusal` then says why not."""

    refusal: throttle.Refusal | None = None

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is None or not password:
            return self.cleaned_data
        if self.request is None:
            raise TypeError("SignInForm needs the request: the throttle counts its address")
        attempt = throttle.begin_sign_in(self.request, username)
        if isinstance(attempt, throttle.Refusal):
            self.refusal = attempt
            raise forms.ValidationError(throttle.refusal_message(attempt), code="throttled")
        self.user_cache = authenticate(self.request, username=username, password=password)
        if self.user_cache is None:
            attempt.failed()
            raise self.get_invalid_login_error()
        attempt.succeeded()
        self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class RecoveryForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    code = forms.CharField(
        label=_("Recovery code"),
        max_length=40,
        help_text=_(
            "One of the codes you saved when you made your account, e.g. ABCD-EFGH-JKMN-PQRS."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(
            {"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        )
        self.fields["code"].widget.attrs.update(
            {"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        )


class PasswordCheckForm(forms.Form):
    """The current password, before something that lets one in without it (recovery codes)."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("This is not your password."))
        return password


# Staff two-factor ------------------------------------------------------------------------------


class OneTimeCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_(
            "The 6-digit code your authenticator app shows now, or one of your backup codes."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update(
            {"autocomplete": "one-time-code", "inputmode": "text", "autocapitalize": "none",
             "spellcheck": "false"}
        )  # fmt: skip


class EnrolForm(OneTimeCodeForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = _("The 6-digit code the app shows after adding Waymark.")
        self.fields["code"].widget.attrs["inputmode"] = "numeric"


# Sharing with a program ------------------------------------------------------------------------

SCOPE_CHOICES = [
    ("checkups", _("Check-ups: your answers, scores and the suggested path")),
    ("plan", _("Your recovery plan and its versions")),
    ("checkins", _("Daily check-ins and your progress (use, cravings, mood)")),
    ("notes", _("Your own written notes in check-ins and in your plan")),
]
MAX_CONSENT_YEARS = 5


class InvitationCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Invitation code"),
        max_length=20,
        help_text=_("8 letters and digits, from your program or clinician, e.g. ABCD-2345."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update(
            {"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        )


class ClinicianChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.user.display_name} — {obj.get_role_display()}"


class ConsentForm(forms.Form):
    clinicians = ClinicianChoiceField(
        label=_("Who can see it"),
        queryset=Membership.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one person.")},
    )
    scopes = forms.MultipleChoiceField(
        label=_("What they can see"),
        choices=SCOPE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one thing to share.")},
        help_text=_("Anything you leave unticked stays private."),
    )
    ends_on = forms.DateField(
        label=_("Share until"),
        # A date input reads only ISO dates: in the language's own format (Spanish 31/12/2027)
        # the browser drops the default and the field shows empty.
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Sharing stops on its own on this day. You can stop it sooner at any time."),
    )

    def __init__(self, *args: Any, clinicians: QuerySet[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["clinicians"]
        assert isinstance(field, ClinicianChoiceField)
        field.queryset = clinicians.select_related("user")

    def clean_ends_on(self) -> date:
        ends_on: date = self.cleaned_data["ends_on"]
        problem = end_date_problem(ends_on)
        if problem:
            raise forms.ValidationError(problem)
        return ends_on

    def ends_at(self) -> datetime:
        return end_of_day(self.cleaned_data["ends_on"])


def end_date_problem(ends_on: date) -> str | None:
    """Why this cannot be a consent's last day (the pages and the API say the same)."""
    today = timezone.localdate()
    if ends_on <= today:
        return str(_("Choose a day after today."))
    if ends_on > today + timedelta(days=365 * MAX_CONSENT_YEARS):
        return str(
            _("Choose a day within %(years)d years; you can renew it then.")
            % {"years": MAX_CONSENT_YEARS}
        )
    return None


def end_of_day(ends_on: date) -> datetime:
    """The end of the chosen day (local time): sharing lasts through that day."""
    return timezone.make_aware(datetime.combine(ends_on + timedelta(days=1), time.min))
