"""The admin site (/admin/) for program leads and administrators: their own program's staff
memberships and invitation codes, nothing of any other program, and no patient data at all.

Who may enter: an active account, verified with its second factor in this session (django-otp),
with an active lead or admin membership — or a superuser, also verified. Permissions come from
the membership, not from Django's per-model permission flags, so nobody needs `is_staff` or
group setup. Django 5.2's admin runs under Waymark's strict CSP as it is (no inline script or
style; its JavaScript comes from static files), so the policy is the same as everywhere else —
tests/e2e/test_consent.py watches the console for violations.

Consents are not in the admin: which people share with a program is itself sensitive
(FACTS.md §10), and leads have no need to browse it.

Staff accounts are created with `waymark addstaff` (which prints a one-time password and the
enrolment link); here a lead changes roles, deactivates a membership (access ends at once),
resets a lost authenticator, and makes or withdraws invitation codes.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from waymark.access import PATIENT_ROLES, is_verified, managed_organizations
from waymark.accounts.models import Invitation, Membership, Organization
from waymark.accounts.views import next_url
from waymark.audit.log import record
from waymark.interop.models import ApiToken


class WaymarkAdminSite(admin.AdminSite):
    site_header = _("Waymark program administration")
    site_title = _("Waymark administration")
    index_title = _("Your program")

    def has_permission(self, request: HttpRequest) -> bool:
        return is_verified(request.user) and managed_organizations(request.user).exists()

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        """Sign-in is the site's own (password, then the staff code): one way in."""
        target = next_url(request, reverse("admin:index"))
        if not request.user.is_authenticated:
            query = urlencode({"next": target})
            return HttpResponseRedirect(f"{reverse('accounts:login')}?{query}")
        if not is_verified(request.user):
            query = urlencode({"next": target})
            return HttpResponseRedirect(f"{reverse('accounts:staff_verify')}?{query}")
        if self.has_permission(request):
            return HttpResponseRedirect(target)
        raise PermissionDenied("program leads and administrators only")


site = WaymarkAdminSite(name="admin")


class ProgramScopedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Everything limited to the programs the signed-in lead or admin runs."""

    organization_path = "organization"

    def programs(self, request: HttpRequest) -> QuerySet[Organization]:
        return managed_organizations(request.user)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return (
            super()
            .get_queryset(request)
            .filter(**{f"{self.organization_path}__in": self.programs(request)})
        )

    def _allowed(self, request: HttpRequest, obj: Any = None) -> bool:
        if not self.programs(request).exists():
            return False
        return obj is None or self.programs(request).filter(pk=obj.organization_id).exists()

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deactivate or withdraw instead: consents and history refer to these

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "organization":
            kwargs["queryset"] = self.programs(request)
            kwargs["label"] = _("Program")
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "organization" and field is not None:
            # No "change/view the program" shortcuts beside the choice.
            field.widget.can_change_related = field.widget.can_view_related = False
            field.widget.can_add_related = field.widget.can_delete_related = False
        return field

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial: dict[str, Any] = dict(super().get_changeform_initial_data(request))
        programs = list(self.programs(request)[:2])
        if len(programs) == 1:  # most leads run one program
            initial.setdefault("organization", programs[0].pk)
        return initial


@admin.register(Organization, site=site)
class OrganizationAdmin(ProgramScopedAdmin):
    list_display = ("name", "created_at")
    # Episodes of care: the follow-up target and window (docs/programs.md).
    fields = ("name", "followup_target", "followup_months", "followup_days")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Organization]:
        return self.programs(request)

    def _allowed(self, request: HttpRequest, obj: Any = None) -> bool:
        programs = self.programs(request)
        return programs.exists() and (obj is None or programs.filter(pk=obj.pk).exists())

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # programs are created with `waymark addprogram`


@admin.register(Membership, site=site)
class MembershipAdmin(ProgramScopedAdmin):
    list_display = ("staff_name", "username", "organization", "role", "active", "two_step")
    list_filter = ("role", "active")
    fields = ("staff_name", "username", "organization", "role", "active", "two_step")
    readonly_fields = ("staff_name", "username", "organization", "two_step")
    actions = ("reset_two_step",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Membership]:
        return super().get_queryset(request).select_related("user", "organization")

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Adding staff creates an account and a one-time password: `waymark addstaff`.
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(self.readonly_fields)
        if obj is not None and obj.user_id == request.user.pk:
            fields += ["role", "active"]  # nobody locks themselves out of their own program
        return fields

    @admin.display(description=_("name"))
    def staff_name(self, obj: Membership) -> str:
        return obj.user.get_full_name() or "—"

    @admin.display(description=_("username"))
    def username(self, obj: Membership) -> str:
        return obj.user.get_username()

    @admin.display(description=_("two-step sign-in"), boolean=True)
    def two_step(self, obj: Membership) -> bool:
        return bool(TOTPDevice.objects.filter(user_id=obj.user_id, confirmed=True).exists())

    def save_model(
        self, request: HttpRequest, obj: Membership, form: ModelForm[Any], change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        record(
            "staff.membership-change",
            actor=request.user,  # type: ignore[arg-type]
            subject=obj.user,
            request=request,
            detail=f"membership {obj.public_id}; role {obj.role}; active {obj.active}",
        )

    @admin.action(description=_("Reset two-step sign-in (they set it up again at next sign-in)"))
    def reset_two_step(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        # A reset opens the account to whoever next signs in with its password, in every
        # program it belongs to: only for accounts that work for this lead's programs alone.
        elsewhere = set(
            Membership.objects.filter(user__in=queryset.values("user"), active=True)
            .exclude(organization__in=self.programs(request))
            .values_list("user_id", flat=True)
        )
        chosen = [m.user for m in queryset if m.user_id != request.user.pk]
        users = [u for u in chosen if u.pk not in elsewhere and not u.is_superuser]
        if len(users) < len(chosen):
            self.message_user(
                request,
                _(
                    "Two-step sign-in was not reset for %(count)d account(s) that also work "
                    "for another program or run the server: ask the server's operator."
                )
                % {"count": len(chosen) - len(users)},
                messages.WARNING,
            )
        for user in users:
            TOTPDevice.objects.filter(user=user).delete()
            StaticDevice.objects.filter(user=user).delete()
            # Their API tokens carried the old factor's verification: no longer.
            ApiToken.objects.filter(owner=user).update(verified=False)
            record(
                "staff.reset-2fa",
                actor=request.user,  # type: ignore[arg-type]
                subject=user,
                request=request,
                detail="authenticator and backup codes removed; API tokens no longer verified",
            )
        self.message_user(
            request,
            _("Two-step sign-in was reset for %(count)d account(s).") % {"count": len(users)},
            messages.SUCCESS,
        )


@admin.register(Invitation, site=site)
class InvitationAdmin(ProgramScopedAdmin):
    list_display = (
        "display_code",
        "organization",
        "expires_at",
        "max_uses",
        "uses",
        "withdrawn_at",
    )
    # Only the programs in the lead's own list: the plain filter would name every program.
    list_filter = (("organization", admin.RelatedOnlyFieldListFilter),)
    fields = (
        "display_code",
        "organization",
        "clinicians",
        "expires_at",
        "max_uses",
        "uses",
        "withdrawn_at",
    )
    readonly_fields = ("display_code", "uses")
    filter_horizontal = ()

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_fields(request, obj))
        return (
            fields if obj is not None else [f for f in fields if f not in ("withdrawn_at", "uses")]
        )

    @admin.display(description=_("code"))
    def display_code(self, obj: Invitation) -> str:
        return obj.display_code if obj.pk else str(_("(made when saved)"))

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "clinicians":
            kwargs["queryset"] = Membership.objects.filter(
                organization__in=self.programs(request), active=True, role__in=PATIENT_ROLES
            ).select_related("user", "organization")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(
        self, request: HttpRequest, obj: Invitation, form: ModelForm[Any], change: bool
    ) -> None:
        if not change:
            obj.created_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        invitation: Invitation = form.instance
        # A code only names clinicians of its own program.
        invitation.clinicians.remove(
            *invitation.clinicians.exclude(organization_id=invitation.organization_id)
        )
        record(
            "staff.invitation-change" if change else "staff.invitation-create",
            actor=request.user,  # type: ignore[arg-type]
            request=request,
            detail=(
                f"invitation {invitation.public_id}; program {invitation.organization.public_id}"
            ),
        )
