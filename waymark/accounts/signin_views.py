"""Signing in, and the ways back in when it is paused or the password is lost: the unlock link
from the email, recovery codes (waymark/accounts/throttle.py and recovery.py)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from waymark.accounts import recovery, throttle
from waymark.accounts.forms import PasswordCheckForm, RecoveryForm, SignInForm
from waymark.accounts.models import User
from waymark.accounts.views import next_url
from waymark.compression import never_compress

TOO_MANY = 429


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "waymark/accounts/login.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(pause_hours=settings.WAYMARK_SIGNIN_WINDOW_HOURS, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        throttle.remember_device(response, form.get_user())
        return response

    def form_invalid(self, form: Any) -> HttpResponse:
        response = super().form_invalid(form)
        return refused(response, form.refusal) if form.refusal is not None else response


def refused(response: HttpResponse, refusal: throttle.Refusal) -> HttpResponse:
    """429, with Retry-After when the wait is known (a pause has none: it needs a person)."""
    response.status_code = TOO_MANY
    if refusal.seconds:
        response["Retry-After"] = str(refusal.seconds)
    return response


@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
def recover(request: HttpRequest) -> HttpResponse:
    """Sign in with a recovery code: it also lifts a pause, and leads to a new password."""
    form = RecoveryForm(request.POST or None)
    target = next_url(request, reverse("accounts:home"))
    refusal = None
    if request.method == "POST" and form.is_valid():
        outcome = recovery.sign_in_with_code(
            request, form.cleaned_data["username"], form.cleaned_data["code"]
        )
        if isinstance(outcome, throttle.Refusal):
            form.add_error(None, throttle.refusal_message(outcome))
            refusal = outcome
        elif outcome is None:
            form.add_error(
                None,
                _(
                    "That username and recovery code do not go together, or the code was used "
                    "already: each one works once."
                ),
            )
        else:
            onward = redirect(
                f"{reverse('accounts:recovery_password')}?{urlencode({'next': target})}"
            )
            throttle.remember_device(onward, outcome)
            return onward
    status = 400 if request.method == "POST" else 200
    context = {
        "form": form,
        "next": target,
        "pause_hours": settings.WAYMARK_SIGNIN_WINDOW_HOURS,
    }
    response = render(request, "waymark/accounts/recover.html", context, status=status)
    return refused(response, refusal) if refusal is not None else response


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def recovery_password(request: HttpRequest) -> HttpResponse:
    """Right after a recovery sign-in: choose a new password, or keep the old one."""
    target = next_url(request, reverse("accounts:home"))
    if not recovery.may_set_password(request):
        return redirect("accounts:password_change")
    assert isinstance(request.user, User)
    form = SetPasswordForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        recovery.do_set_password(request, form)
        messages.success(request, _("Your new password is set."))
        return redirect(target)
    context = {"form": form, "next": target, "left": recovery.codes_left(request.user)}
    status = 400 if request.method == "POST" else 200
    return render(request, "waymark/accounts/recovery_password.html", context, status=status)


@never_compress
@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """Right after sign-up the first codes, shown once; later, new ones for the password."""
    assert isinstance(request.user, User)
    context: dict[str, Any]
    if request.session.pop(recovery.FIRST_CODES, False):
        codes = recovery.new_codes(request.user)
        context = {"codes": codes, "next": next_url(request, reverse("accounts:home"))}
        return render(request, "waymark/accounts/recovery_codes_shown.html", context)
    form = PasswordCheckForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = recovery.do_new_codes(request.user, request)
        context = {"codes": codes, "next": reverse("accounts:settings")}
        return render(request, "waymark/accounts/recovery_codes_shown.html", context)
    context = {"form": form, "left": recovery.codes_left(request.user)}
    status = 400 if request.method == "POST" else 200
    return render(request, "waymark/accounts/recovery_codes.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def unlock(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link: a page with a button (a link scanner's GET lifts nothing)."""
    user = throttle.unlock_user(token)
    if user is None:
        return render(request, "waymark/accounts/unlock.html", {"valid": False}, status=400)
    if request.method == "POST":
        throttle.do_lift_pause(user, request, "the emailed link")
        messages.success(request, _("Signing in works again. Sign in with your password."))
        response = redirect("accounts:login")
        throttle.remember_device(response, user)
        return response
    return render(request, "waymark/accounts/unlock.html", {"valid": True})
