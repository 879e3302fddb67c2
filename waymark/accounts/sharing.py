"""A person's sharing pages (/account/sharing/): enter a code, consent, change, stop.

Everything here is about the signed-in person's own consents; nobody else's is ever loaded.
Changes go through `waymark.accounts.actions`, which writes the history and the audit entry.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from waymark.access import PATIENT_ROLES
from waymark.accounts import actions
from waymark.accounts.forms import SCOPE_CHOICES, ConsentForm, InvitationCodeForm
from waymark.accounts.models import CONSENT_DAYS, Consent, ConsentEvent, Invitation, Membership

# Wrong codes a person may enter in an hour (codes are unguessable; this keeps it so).
CODE_TRIES_PER_HOUR = 10
SCOPE_LABELS = dict(SCOPE_CHOICES)


def _tries_key(request: HttpRequest) -> str:
    return f"invitation-tries:{request.user.pk}"


def too_many_tries(request: HttpRequest) -> bool:
    return int(cache.get(_tries_key(request), 0)) >= CODE_TRIES_PER_HOUR


def count_wrong_code(request: HttpRequest) -> None:
    key = _tries_key(request)
    if not cache.add(key, 1, timeout=3600):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=3600)


def offered_clinicians(organization_id: int, invitation: Invitation | None) -> QuerySet[Membership]:
    """Who a person may choose: the clinicians a code names, or else everyone in the program
    who can be named (active clinicians and leads)."""
    members = Membership.objects.filter(
        organization_id=organization_id, active=True, role__in=PATIENT_ROLES
    ).order_by("user__last_name", "user__first_name", "user__username")
    if invitation is not None and invitation.clinicians.exists():
        members = members.filter(pk__in=invitation.clinicians.values("pk"))
    return members


def _own_consents(request: HttpRequest) -> QuerySet[Consent]:
    return (
        Consent.objects.filter(person_id=request.user.pk)
        .select_related("organization")
        .prefetch_related(
            Prefetch("clinicians", Membership.objects.select_related("user")),
            Prefetch("events", ConsentEvent.objects.order_by("at", "pk")),
        )
    )


def _own_consent(request: HttpRequest, public_id: Any) -> Consent:
    consent = _own_consents(request).filter(public_id=public_id).first()
    if consent is None:
        raise Http404("No such consent.")
    return consent


def _index(request: HttpRequest, code_form: InvitationCodeForm, status: int = 200) -> HttpResponse:
    consents = list(_own_consents(request))
    for consent in consents:
        consent.scope_labels = [SCOPE_LABELS[scope] for scope in consent.scopes]  # type: ignore[attr-defined]
    current = [c for c in consents if c.status in ("active", "scheduled")]
    past = [c for c in consents if c.status not in ("active", "scheduled")]
    context = {
        "code_form": code_form,
        "current": current,
        "past": past,
    }
    return render(request, "waymark/accounts/sharing.html", context, status=status)


@login_required
@never_cache
def sharing(request: HttpRequest) -> HttpResponse:
    return _index(request, InvitationCodeForm())


def _consent_page(
    request: HttpRequest,
    form: ConsentForm,
    *,
    organization: Any,
    code: str = "",
    consent: Consent | None = None,
    status: int = 200,
) -> HttpResponse:
    choices = form.fields["clinicians"].queryset  # type: ignore[attr-defined]
    context = {
        "form": form,
        "organization": organization,
        "code": code,
        "consent": consent,
        "nobody": not choices.exists(),
    }
    return render(request, "waymark/accounts/sharing_consent.html", context, status=status)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def join(request: HttpRequest) -> HttpResponse:
    """From a program's code to a consent: the code (typed or in a link) opens a consent
    screen naming the program and its clinicians; nothing is shared until the person agrees."""
    code_form = InvitationCodeForm(request.POST if request.method == "POST" else request.GET)
    if too_many_tries(request):
        messages.error(request, _("Too many codes were tried. Please wait an hour and try again."))
        return _index(request, InvitationCodeForm(), status=429)
    if not code_form.is_valid():
        return _index(request, code_form, status=400)
    invitation = actions.find_invitation(code_form.cleaned_data["code"])
    if invitation is None:
        count_wrong_code(request)
        code_form.add_error(
            "code",
            _(
                "This code was not found, or it has expired. Check it with your program, or "
                "ask them for a new one."
            ),
        )
        return _index(request, code_form, status=400)
    clinicians = offered_clinicians(invitation.organization_id, invitation)
    if request.method == "POST":
        form = ConsentForm(request.POST, clinicians=clinicians)
        if form.is_valid():
            try:
                actions.do_grant_consent(
                    request.user,  # type: ignore[arg-type]
                    organization=invitation.organization,
                    clinicians=list(form.cleaned_data["clinicians"]),
                    scopes=form.cleaned_data["scopes"],
                    ends_at=form.ends_at(),
                    invitation=invitation,
                    request=request,
                )
            except actions.ConsentError:
                form.add_error(None, _("This code can no longer be used. Ask for a new one."))
            else:
                messages.success(
                    request,
                    _("You are now sharing with %(program)s. You can stop at any time.")
                    % {"program": invitation.organization.name},
                )
                return redirect("accounts:sharing")
        return _consent_page(
            request,
            form,
            organization=invitation.organization,
            code=invitation.code,
            status=400,
        )
    offered = list(clinicians)
    # A clinician's own code, or a program with one clinician: they are who the person came
    # to share with. Otherwise the person picks; nobody is ticked for them.
    named = invitation.clinicians.exists() or len(offered) == 1
    initial = {
        "clinicians": offered if named else [],
        "scopes": ["checkups", "plan", "checkins"],  # own notes stay private unless chosen
        "ends_on": timezone.localdate() + timedelta(days=CONSENT_DAYS),
    }
    form = ConsentForm(initial=initial, clinicians=clinicians)
    return _consent_page(request, form, organization=invitation.organization, code=invitation.code)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def change(request: HttpRequest, public_id: Any) -> HttpResponse:
    consent = _own_consent(request, public_id)
    if consent.status not in ("active", "scheduled"):
        messages.error(
            request, _("This sharing has already ended; enter a new code to share again.")
        )
        return redirect("accounts:sharing")
    clinicians = offered_clinicians(consent.organization_id, consent.invitation) | (
        consent.clinicians.filter(active=True, role__in=PATIENT_ROLES)
    )
    clinicians = clinicians.distinct()
    if request.method == "POST":
        form = ConsentForm(request.POST, clinicians=clinicians)
        if form.is_valid():
            actions.do_change_consent(
                consent,
                actor=request.user,  # type: ignore[arg-type]
                clinicians=list(form.cleaned_data["clinicians"]),
                scopes=form.cleaned_data["scopes"],
                ends_at=form.ends_at(),
                request=request,
            )
            messages.success(request, _("Your changes apply now."))
            return redirect("accounts:sharing")
        return _consent_page(
            request, form, organization=consent.organization, consent=consent, status=400
        )
    form = ConsentForm(
        initial={
            "clinicians": list(consent.clinicians.all()),
            "scopes": consent.scopes,
            "ends_on": consent.last_day,
        },
        clinicians=clinicians,
    )
    return _consent_page(request, form, organization=consent.organization, consent=consent)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def stop(request: HttpRequest, public_id: Any) -> HttpResponse:
    """Stop sharing, after one confirmation; effective at once."""
    consent = _own_consent(request, public_id)
    if consent.revoked_at is not None:
        return redirect("accounts:sharing")
    if request.method == "POST":
        actions.do_revoke_consent(consent, actor=request.user, request=request)  # type: ignore[arg-type]
        messages.success(
            request,
            _("You stopped sharing with %(program)s. They can no longer see your data.")
            % {"program": consent.organization.name},
        )
        return redirect("accounts:sharing")
    consent.scope_labels = [SCOPE_LABELS[scope] for scope in consent.scopes]  # type: ignore[attr-defined]
    context = {"consent": consent}
    return render(request, "waymark/accounts/sharing_stop.html", context)
