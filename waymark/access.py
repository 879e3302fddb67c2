"""Who may see whose data: the one rule, deny by default.

A person always sees their own data. Anyone else sees a person's data only through a consent
that is active *right now* — not revoked, started, not yet ended — and only for the scopes it
includes, and only if they are

- signed in with an active account,
- verified with their second factor in this session (staff 2FA: an unverified staff session
  sees nothing, whatever the page or endpoint),
- named in that consent through a membership that is active, with the role clinician or
  program lead, in the program the consent was given to.

Program administrators (role admin) run accounts and invitation codes and see no patient data.
Nothing is cached across requests: each check reads the database, so a revocation takes
effect on the next request. (Within one request, the staff member's own memberships are read
once, for the staff check, the menu and the audit trail's name: `request_memberships`.)

Pass `request.user` as the viewer: django-otp's middleware gives it `is_verified()`. A user
loaded from the database has no verified session, so it can see only its own data.

Scopes (what a consent can share):

- ``checkups`` — completed check-ups: screener answers, scores and the suggested path;
- ``plan`` — the recovery plan and its versions (without the person's own free-text notes);
- ``checkins`` — daily check-ins and the progress built from them (without free text);
- ``notes`` — the person's own free-text notes in check-ins and in the plan, shared only
  when also chosen on its own (counselling-note-style separation, FACTS.md §10).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import F, Q, QuerySet

from waymark.accounts.models import (
    Consent,
    ConsentQuerySet,
    Membership,
    Organization,
    Role,
    Scope,
    User,
    scope_of,
)
from waymark.accounts.models import UnknownScopeError as UnknownScopeError  # callers catch it

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpRequest

    from waymark.checkup.models import CheckUp
    from waymark.plans.models import Plan
    from waymark.tracking.models import CheckIn

    Viewer = User | AnonymousUser

SCOPES: tuple[Scope, ...] = tuple(Scope)
# The roles that may ever see patient data (with consent). Admins never do.
PATIENT_ROLES: tuple[str, ...] = (Role.CLINICIAN, Role.LEAD)
# The roles that manage a program (the admin site): memberships and invitation codes.
MANAGING_ROLES: tuple[str, ...] = (Role.LEAD, Role.ADMIN)


def _check_scope(scope: str | None) -> None:
    if scope is not None:
        scope_of(scope)


def is_verified(viewer: Any) -> bool:
    """Signed in, active, and verified with a second factor in this session."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return False
    if not viewer.is_active:
        return False
    check = getattr(viewer, "is_verified", None)
    return bool(callable(check) and check())


def active_consents_for(viewer: Any) -> ConsentQuerySet:
    """The consents that let `viewer` (staff) see someone's data right now. Empty for anyone
    who is not verified staff named in the consent with a patient-facing role."""
    if not may_see_others(viewer):
        return Consent.objects.none()
    return consents_naming(viewer)


def may_see_others(viewer: Any) -> bool:
    """What `active_consents_for` asks of the viewer's session before any consent counts (a
    second factor). A query prepared once from `consents_naming`, with the viewer as a slot
    (the caseload's), runs only for a viewer for whom this holds: together they are
    `active_consents_for`."""
    return is_verified(viewer)


def consents_naming(staff: Any, at: Any = None) -> ConsentQuerySet:
    """The consents active now (or ``at``) that name `staff` through an active clinician or
    lead membership of the consent's program, whether or not anyone is signed in. For telling
    staff about their own caseload with no session (the weekly digest's counts); never for
    showing data: pages and the API use `active_consents_for`, which also needs the second
    factor. (`staff` and ``at`` may be `waymark.rows.Slot`s, for a query prepared once and
    run for any verified viewer: the caseload's.)"""
    # One filter() call: every condition applies to the same membership row. A user has one
    # membership per program (the constraint one_role_per_program) and a consent names a
    # membership once, so the join finds at most one row per consent: no DISTINCT needed
    # (which would also keep `ConsentQuerySet.scopes_by_person` from grouping without one).
    return (
        Consent.objects.active(at)
        .filter(
            clinicians__user=staff,
            clinicians__active=True,
            clinicians__role__in=PATIENT_ROLES,
            clinicians__organization=F("organization"),
        )
        .exclude(person=staff)
    )


def _with_scope(consents: ConsentQuerySet, scope: str | None) -> ConsentQuerySet:
    return consents.sharing(scope)


def can_see(viewer: Any, person: User, scope: str) -> bool:
    """May `viewer` see `person`'s data of kind `scope` right now?"""
    _check_scope(scope)
    if viewer is None or not getattr(viewer, "is_authenticated", False) or not viewer.is_active:
        return False
    if viewer.pk == person.pk:
        return True
    return _with_scope(active_consents_for(viewer), scope).filter(person=person).exists()


def scopes_for(viewer: Any, person: User) -> frozenset[str]:
    """Every scope `viewer` may see of `person` right now (all of them for oneself), in one
    query: for a chart that shows each part only when shared."""
    if viewer is None or not getattr(viewer, "is_authenticated", False) or not viewer.is_active:
        return frozenset()
    if viewer.pk == person.pk:
        return frozenset(SCOPES)
    rows = active_consents_for(viewer).filter(person=person)
    flags = rows.values_list(*(f"share_{scope}" for scope in SCOPES))
    return frozenset(
        scope for row in flags for scope, shared in zip(SCOPES, row, strict=True) if shared
    )


def people_visible_to(viewer: Any, scope: str | None = None) -> QuerySet[User]:
    """The people whose data `viewer` may see (with `scope`, or any scope): a caseload, in one
    query. Never includes the viewer."""
    consents = _with_scope(active_consents_for(viewer), scope)
    return User.objects.filter(pk__in=consents.values("person"), is_active=True)


def visible_person(viewer: Any, public_id: Any, scope: str | None = None) -> User | None:
    """The person with this public id if `viewer` may see any (or `scope`) of their data,
    else None — the same answer for "no such person" and "not yours" (answer 404)."""
    return people_visible_to(viewer, scope).filter(public_id=public_id).first()


# Staff and programs ---------------------------------------------------------------------------


def staff_memberships(user: Any) -> QuerySet[Membership]:
    """The user's active memberships (any role), whether or not the session is verified."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Membership.objects.none()
    return Membership.objects.filter(user=user, active=True).select_related("organization")


def is_staff_member(user: Any) -> bool:
    return staff_memberships(user).exists()


def request_memberships(request: HttpRequest) -> list[Membership]:
    """The request's user's active memberships with their programs (`staff_memberships`),
    read once a request and kept on it for that user: the staff check, the header's menu and
    the audit trail's name for the staff member all need them. Read again if the request's
    user changes (signing in or out)."""
    user: Any = getattr(request, "user", None)
    owner = user.pk if user is not None and user.is_authenticated else None
    kept: tuple[Any, list[Membership]] | None = getattr(request, "_waymark_memberships", None)
    if kept is None or kept[0] != owner:
        kept = (owner, list(staff_memberships(user)))
        request._waymark_memberships = kept  # type: ignore[attr-defined]
    return kept[1]


def request_is_staff(request: HttpRequest) -> bool:
    """Is the request's user staff (an active membership) or a superuser?"""
    user: Any = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    return bool(user.is_superuser or request_memberships(request))


def managed_organizations(viewer: Any) -> QuerySet[Organization]:
    """Programs `viewer` runs (lead or admin, verified): what the admin site shows them.
    Superusers see every program. Never patient data."""
    if not is_verified(viewer):
        return Organization.objects.none()
    if viewer.is_superuser:
        return Organization.objects.all()
    return Organization.objects.filter(
        memberships__user=viewer,
        memberships__active=True,
        memberships__role__in=MANAGING_ROLES,
    ).distinct()


def led_organizations(viewer: Any) -> QuerySet[Organization]:
    """Programs where `viewer` is an active, verified program lead (for program reports)."""
    if not is_verified(viewer):
        return Organization.objects.none()
    return Organization.objects.filter(
        memberships__user=viewer, memberships__active=True, memberships__role=Role.LEAD
    ).distinct()


def led_programs(request: HttpRequest) -> list[Organization]:
    """`led_organizations` of the request's user, by name, from the memberships the request
    has read (`request_memberships`): for listing them on a page, not for deciding access."""
    if not is_verified(getattr(request, "user", None)):
        return []
    led = [m.organization for m in request_memberships(request) if m.role == Role.LEAD]
    return sorted(led, key=lambda program: program.name)


# The person's own records (and those this browser made without an account) ----------------


def visible_checkups(request: HttpRequest) -> QuerySet[CheckUp]:
    """Deny by default: a person's own check-ups, and those this browser took without an
    account. Nobody else's, whatever the id. Pages and API alike answer 404 for the rest."""
    from waymark.checkup.models import SESSION_KEY, CheckUp

    visible = Q(owner__isnull=True, public_id__in=request.session.get(SESSION_KEY, []))
    if request.user.is_authenticated:
        visible |= Q(owner=request.user)
    return CheckUp.objects.filter(visible)


def visible_plans(request: HttpRequest) -> QuerySet[Plan]:
    """Deny by default: a plan is visible exactly when its check-up is."""
    from waymark.plans.models import Plan

    return Plan.objects.filter(checkup__in=visible_checkups(request)).select_related("checkup")


# A person's records, for someone allowed to see them -----------------------------------------


def checkups_of(viewer: Any, person: User) -> QuerySet[CheckUp]:
    from waymark.checkup.models import CheckUp

    if not can_see(viewer, person, "checkups"):
        return CheckUp.objects.none()
    return CheckUp.objects.filter(owner=person)


def plans_of(viewer: Any, person: User) -> QuerySet[Plan]:
    from waymark.plans.models import Plan

    if not can_see(viewer, person, "plan"):
        return Plan.objects.none()
    return Plan.objects.filter(checkup__owner=person)


def checkins_of(viewer: Any, person: User) -> QuerySet[CheckIn]:
    """Check-ins; their free-text `note` only belongs on a page when
    `can_see(viewer, person, "notes")` too."""
    from waymark.tracking.models import CheckIn

    if not can_see(viewer, person, "checkins"):
        return CheckIn.objects.none()
    return CheckIn.objects.filter(owner=person)


# Added by the clinic (issue 7): who to tell about an urgent alert -----------------------------


def staff_who_can_see(person: User, scope: str | None = None) -> QuerySet[User]:
    """The staff who may see `person`'s data (of `scope`, or any) once signed in with their
    second factor: named in a consent active now, through an active clinician or lead
    membership of the program the consent was given to. For notifying them (no session is
    involved, so no verification is checked here); never for showing data."""
    consents = Consent.objects.active().filter(person=person).sharing(scope)
    return (
        User.objects.filter(
            is_active=True,
            memberships__active=True,
            memberships__role__in=PATIENT_ROLES,
            memberships__consents__in=consents,
            memberships__organization=F("memberships__consents__organization"),
        )
        .exclude(pk=person.pk)
        .distinct()
    )
