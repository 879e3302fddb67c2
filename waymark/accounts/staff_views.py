"""Staff pages: set up the authenticator, enter a code at sign-in, the staff home page with
the clinician's own invitation codes and backup codes."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from waymark.access import PATIENT_ROLES, is_staff_member, is_verified, staff_memberships
from waymark.accounts import staff
from waymark.accounts.forms import EnrolForm, OneTimeCodeForm
from waymark.accounts.models import INVITATION_DAYS, Invitation
from waymark.accounts.views import next_url
from waymark.audit.log import record
from waymark.clinic import digest
from waymark.compression import never_compress


def _staff_account(request: HttpRequest) -> None:
    # Superusers need the second factor too, for the admin site.
    if not (is_staff_member(request.user) or request.user.is_superuser):
        raise PermissionDenied("staff only")


@never_compress
@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    """Add an authenticator app: scan the QR code (or type the secret), enter the code."""
    _staff_account(request)
    if staff.has_authenticator(request.user):
        target = urlencode({"next": next_url(request, staff.staff_landing())})
        return redirect(f"{reverse('accounts:staff_verify')}?{target}")
    device = staff.pending_device(request.user)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            if device.verify_token("".join(form.cleaned_data["code"].split())):
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                codes = staff.new_backup_codes(request.user)
                record(
                    "staff.enrol-2fa",
                    actor=request.user,  # type: ignore[arg-type]
                    request=request,
                    detail="authenticator app and backup codes",
                )
                staff.mark_verified(request, device)
                done = {"codes": codes, "next": next_url(request, staff.staff_landing())}
                return render(request, "waymark/accounts/staff_backup_codes.html", done)
        form.add_error(
            "code",
            _(
                "That code did not match. Wait for the next code (and check the time on your "
                "phone), then try again."
            ),
        )
    context: dict[str, Any] = {
        "form": form,
        "qr": staff.qr_svg(staff.otpauth_url(device)),
        "secret": staff.secret_text(device),
        "next": next_url(request, ""),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "waymark/accounts/staff_enrol.html", context, status=status)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The second step of a staff sign-in: the code from the authenticator app."""
    _staff_account(request)
    target = next_url(request, staff.staff_landing())
    if is_verified(request.user):
        return redirect(target)
    if not staff.has_authenticator(request.user):
        return redirect(f"{reverse('accounts:staff_enrol')}?{urlencode({'next': target})}")
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = staff.verify_code(request, form.cleaned_data["code"])
        except staff.TooSoon as soon:
            # Not "did not work": the code was not checked, and may well be right.
            form.add_error("code", too_soon_message(soon.seconds))
        except staff.TooManyCodes:
            logout(request)
            messages.error(
                request,
                _(
                    "Too many wrong codes, so you were signed out. Sign in again, then enter "
                    "the code your app shows now."
                ),
            )
            return redirect(f"{reverse('accounts:login')}?{urlencode({'next': target})}")
        else:
            if device is not None:
                if device.persistent_id.startswith("otp_static"):
                    messages.warning(
                        request,
                        _(
                            "You used a backup code; %(left)d left. Make new ones on your "
                            "staff page."
                        )
                        % {"left": staff.backup_codes_left(request.user)},
                    )
                return redirect(target)
            form.add_error(
                "code",
                _(
                    "That code did not work. After several wrong codes you must wait before "
                    "trying again."
                ),
            )
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "next": target}
    return render(request, "waymark/accounts/staff_verify.html", context, status=status)


def too_soon_message(seconds: int | None) -> str:
    """What a throttled code is told (after wrong codes in a session: 1 s, 2 s, 4 s …)."""
    if not seconds:
        return _(
            "Wait a moment, then try again: after a wrong code, the next one is checked only "
            "after a short wait."
        )
    return ngettext(
        "Wait a moment, then try again: after a wrong code, the next one is checked in "
        "%(seconds)d second.",
        "Wait a moment, then try again: after a wrong code, the next one is checked in "
        "%(seconds)d seconds.",
        seconds,
    ) % {"seconds": seconds}


@staff.staff_required
@never_cache
def home(request: HttpRequest) -> HttpResponse:
    memberships = list(staff_memberships(request.user))
    codes = (
        Invitation.objects.filter(
            created_by_id=request.user.pk,
            withdrawn_at__isnull=True,
            expires_at__gt=timezone.now(),
            organization__in=[m.organization_id for m in memberships],
        )
        .select_related("organization")
        .order_by("-created_at")
    )
    context = {
        "memberships": memberships,
        "code_memberships": [m for m in memberships if m.role in PATIENT_ROLES],
        "codes": [code for code in codes if code.usable()],
        "backup_codes_left": staff.backup_codes_left(request.user),
        "can_manage": any(m.role in ("lead", "admin") for m in memberships),
        "landing": staff.staff_landing(),
        "invitation_days": INVITATION_DAYS,
        "weekly_digest": request.user.weekly_digest,  # type: ignore[union-attr]
    }
    return render(request, "waymark/accounts/staff_home.html", context)


@staff.staff_required
@require_POST
def weekly_digest(request: HttpRequest) -> HttpResponse:
    """The Monday email with the caseload's counts, on or off (waymark/clinic/digest.py)."""
    on = request.POST.get("weekly_digest") == "on"
    digest.do_set_weekly_digest(request.user, on, request)  # type: ignore[arg-type]
    if on:
        messages.success(request, _("The weekly email is on."))
    else:
        messages.success(request, _("The weekly email is off."))
    return redirect("accounts:staff_home")


@staff.staff_required
@require_POST
def new_code(request: HttpRequest) -> HttpResponse:
    """A clinician's own invitation code: a person who enters it is offered this clinician."""
    membership = (
        staff_memberships(request.user)
        .filter(public_id=request.POST.get("membership", ""), role__in=PATIENT_ROLES)
        .first()
        if _is_uuid(request.POST.get("membership", ""))
        else None
    )
    if membership is None:
        messages.error(request, _("Choose one of your programs."))
        return redirect("accounts:staff_home")
    with transaction.atomic():
        invitation = Invitation.objects.create(
            organization=membership.organization,
            created_by_id=request.user.pk,
            expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
        )
        invitation.clinicians.set([membership])
        record(
            "staff.invitation-create",
            actor=request.user,  # type: ignore[arg-type]
            request=request,
            detail=(
                f"invitation {invitation.public_id}; program {membership.organization.public_id}"
            ),
        )
    messages.success(request, _("New code: %(code)s") % {"code": invitation.display_code})
    return redirect("accounts:staff_home")


@staff.staff_required
@require_POST
def withdraw_code(request: HttpRequest, public_id: Any) -> HttpResponse:
    updated = Invitation.objects.filter(
        public_id=public_id, created_by_id=request.user.pk, withdrawn_at__isnull=True
    ).update(withdrawn_at=timezone.now())
    if updated:
        messages.success(request, _("The code no longer works. Sharing already given stays."))
    return redirect("accounts:staff_home")


@never_compress
@staff.staff_required
@require_POST
def backup_codes(request: HttpRequest) -> HttpResponse:
    codes = staff.new_backup_codes(request.user)
    record(
        "staff.backup-codes",
        actor=request.user,  # type: ignore[arg-type]
        request=request,
        detail="new backup codes; the old ones no longer work",
    )
    context = {"codes": codes, "next": reverse("accounts:staff_home")}
    return render(request, "waymark/accounts/staff_backup_codes.html", context)


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True
