"""Sign up, sign in and out, change password; a person's home page."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from waymark.access import is_staff_member
from waymark.accounts import throttle
from waymark.accounts.forms import SignupForm
from waymark.accounts.recovery import FIRST_CODES
from waymark.checkup.actions import do_claim_session_checkups


def next_url(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if allowed else default


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Your account is ready."))
        # The recovery codes come next, shown once: the only way back in without an email.
        request.session[FIRST_CODES] = True
        target = urlencode({"next": next_url(request, reverse("accounts:home"))})
        response = redirect(f"{reverse('accounts:recovery_codes')}?{target}")
        throttle.remember_device(response, user)
        return response
    status = 400 if request.method == "POST" else 200
    target = request.GET.get("next", "")
    return render(
        request, "waymark/accounts/signup.html", {"form": form, "next": target}, status=status
    )


@receiver(user_logged_in)
def claim_checkups_on_login(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    """Check-ups taken before signing in are saved to the account."""
    if request is not None and hasattr(request, "session"):
        do_claim_session_checkups(request)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    if is_staff_member(request.user):
        from waymark.accounts.staff import staff_landing

        return redirect(staff_landing())  # staff_required asks for the code on the way
    return redirect("checkup:history")


@login_required
def settings_index(request: HttpRequest) -> HttpResponse:
    """One place for everything about the account: each area has its own page."""
    return render(request, "waymark/accounts/settings.html")
