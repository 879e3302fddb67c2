"""People's accounts, and the programs (organizations) whose staff a person may share with.

A username is all a person needs: an alias is fine, email optional.

Sharing is by consent only, and the rule deciding who may see what lives in one place:
`waymark.access`. The models here only store the facts that rule reads:

- `Organization` — a treatment program.
- `Membership` — a staff account's role in one program (clinician, lead, admin); `active`
  turns access off at once without deleting the history.
- `Invitation` — a short code a program (or one clinician) hands to a person, who types it in
  Settings → Sharing to start a consent. Codes carry no access by themselves: they only tell
  the consent screen which program and which clinicians to offer.
- `Consent` — what one person shares, with which clinicians of one program, from when until
  when; revocable at any time, effective at once, and never deleted.
- `ConsentEvent` — the append-only history of each consent (granted, changed, revoked,
  expired), kept after revocation (42 CFR Part 2-grade practice, FACTS.md §10).

Sign-in protection keeps `SignInEvent` (what the throttle counts) and `RecoveryCode` (hashes of
a person's one-time recovery codes): waymark/accounts/throttle.py and recovery.py.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, NoReturn

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    # The id that appears in URLs and the API; the integer key never leaves the database.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Staff only: the Monday email with their caseload's counts (waymark/clinic/digest.py).
    # On unless they turn it off, on their staff page or with the link in one.
    weekly_digest = models.BooleanField(_("weekly digest email"), default=True)

    class Meta:
        db_table = "accounts_user"

    @property
    def display_name(self) -> str:
        """The name shown to others (staff names on consent screens): full name or username."""
        return self.get_full_name() or self.username


class Organization(models.Model):
    """A treatment program (an outpatient clinic, a counselling service)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Episodes of care (waymark/clinical/episodes.py): the follow-up the program aims for.
    followup_target = models.PositiveSmallIntegerField(
        _("follow-up target (percent)"),
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    followup_months = models.PositiveSmallIntegerField(
        _("follow-up after (months)"),
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(36)],
    )
    followup_days = models.PositiveSmallIntegerField(
        _("follow-up window (plus or minus days)"),
        default=30,
        validators=[MinValueValidator(0), MaxValueValidator(90)],
    )

    class Meta:
        ordering = ("name",)
        verbose_name = _("program")
        verbose_name_plural = _("programs")

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    # Clinicians and leads may see a consenting person's data; admins run the program's
    # accounts (memberships, invitations) and see no patient data at all.
    CLINICIAN = "clinician", _("Clinician")
    LEAD = "lead", _("Program lead")
    ADMIN = "admin", _("Administrator")


class Membership(models.Model):
    """A staff account's role in one program. Deactivate rather than delete: consents name
    memberships, and their history must still say who was named."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("organization__name", "user__last_name", "user__username")
        verbose_name = _("staff membership")
        verbose_name_plural = _("staff memberships")
        constraints = (
            models.UniqueConstraint(fields=("user", "organization"), name="one_role_per_program"),
        )

    def __str__(self) -> str:
        return f"{self.user.display_name} ({self.get_role_display()}, {self.organization})"

    @property
    def sees_patients(self) -> bool:
        return self.active and self.role in (Role.CLINICIAN, Role.LEAD)


# Crockford-style alphabet without look-alikes (no 0/O, 1/I/L, U): easy to read aloud and type
# on a phone. 8 characters from 30 give about 6.6e11 codes; entering codes is rate-limited.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 8
INVITATION_DAYS = 30


def new_invitation_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text: str) -> str:
    """What the person typed, as stored: upper case, with spaces and dashes dropped."""
    return "".join(ch for ch in text.upper() if ch.isascii() and ch.isalnum())


def format_code(code: str) -> str:
    """ABCD-EFGH: two groups of four are easier to read out and to copy."""
    return f"{code[:4]}-{code[4:]}" if len(code) == CODE_LENGTH else code


def _default_invitation_expiry() -> Any:
    return timezone.now() + timedelta(days=INVITATION_DAYS)


class Invitation(models.Model):
    """A code a program hands out so that a person can start sharing with it.

    Decisions: a code is multi-use by default (a program prints one code on its intake sheet,
    or a clinician gives their own code to each new patient) and expires after 30 days;
    `max_uses` makes it single-use (1) or limited. A code that names clinicians pre-selects
    them on the consent screen; a program-wide code lets the person pick among the program's
    clinicians. A code gives nobody any access: the person still chooses what to share.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="invitations"
    )
    code = models.CharField(max_length=CODE_LENGTH, unique=True, default=new_invitation_code)
    clinicians = models.ManyToManyField(
        Membership,
        blank=True,
        related_name="invitations",
        verbose_name=_("clinicians"),
        help_text=_("Leave empty for a program-wide code: the person chooses the clinicians."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), default=_default_invitation_expiry)
    max_uses = models.PositiveIntegerField(
        _("maximum uses"),
        null=True,
        blank=True,
        help_text=_("1 for a single-use code; empty for any number of people until it expires."),
    )
    uses = models.PositiveIntegerField(default=0, editable=False)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        verbose_name = _("invitation code")
        verbose_name_plural = _("invitation codes")

    def __str__(self) -> str:
        return format_code(self.code)

    @property
    def display_code(self) -> str:
        return format_code(self.code)

    def usable(self, now: Any = None) -> bool:
        now = now or timezone.now()
        return (
            self.withdrawn_at is None
            and self.expires_at > now
            and (self.max_uses is None or self.uses < self.max_uses)
        )


# The end date offered by default; the person may choose any other (up to MAX_CONSENT_YEARS).
# A year, not 90 days: outpatient care and the aftercare that follows it often run for months,
# and sharing that ended by itself mid-care would leave the clinician blind to alerts without
# anyone noticing. It still ends on its own, and can be stopped at any time.
CONSENT_DAYS = 365


class Scope(StrEnum):
    """What a consent can share (one ``share_<scope>`` flag each); waymark.access says what
    each one covers."""

    CHECKUPS = "checkups"
    PLAN = "plan"
    CHECKINS = "checkins"
    NOTES = "notes"


class UnknownScopeError(ValueError):
    """A scope that is not a :class:`Scope`: a programming error, never silently allowed."""


def scope_of(value: str) -> Scope:
    try:
        return Scope(value)
    except ValueError:
        known = ", ".join(Scope)
        raise UnknownScopeError(f"unknown scope {value!r}; scopes are {known}") from None


class ConsentQuerySet(models.QuerySet["Consent"]):
    """The consent rules, written once: every access decision and every list of who shares
    what starts from these."""

    def active(self, at: datetime | models.Expression | None = None) -> ConsentQuerySet:
        """Consents in force at ``at`` (now; or a time given when the query runs, such as a
        `waymark.rows.Slot`): not revoked, started, not yet ended."""
        at = at or timezone.now()
        return self.filter(revoked_at__isnull=True, starts_at__lte=at, ends_at__gt=at)

    def sharing(self, scope: Scope | str | None) -> ConsentQuerySet:
        """Consents that share ``scope`` (all of them for None)."""
        if scope is None:
            return self
        return self.filter(**{f"share_{scope_of(scope)}": True})

    def scopes_by_person(self, *fields: str) -> models.QuerySet[Any]:
        """One row per person: ``person``, ``fields`` (of the consent, such as
        ``person__username``) and, for each scope, ``shares(scope)``: 1 when any of these
        consents shares it, else 0 (what a person shares is the union of their consents). A
        list of people built on it needs no second look at their consents."""
        flag = models.IntegerField()
        flags = {shares(s): models.Max(Cast(f"share_{s}", flag)) for s in Scope}
        grouped: models.QuerySet[Any] = self.order_by().values("person", *fields).annotate(**flags)
        return grouped


def shares(scope: Scope | str) -> str:
    """The name of a scope's flag in `ConsentQuerySet.scopes_by_person`'s rows."""
    return f"shares_{scope_of(scope)}"


class Consent(models.Model):
    """What one person shares with named clinicians of one program, from `starts_at` until
    `ends_at` (required: a person always sees when sharing stops on its own; one year is
    offered), unless revoked first. Never deleted: revoking sets `revoked_at`."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="consents"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="consents"
    )
    clinicians = models.ManyToManyField(Membership, related_name="consents")
    # One flag per Scope: portable filters on SQLite and PostgreSQL.
    share_checkups = models.BooleanField(default=False)
    share_plan = models.BooleanField(default=False)
    share_checkins = models.BooleanField(default=False)
    share_notes = models.BooleanField(default=False)
    invitation = models.ForeignKey(
        Invitation, on_delete=models.SET_NULL, null=True, blank=True, related_name="consents"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Set once the expiry has been written to the history (the access rule reads ends_at).
    expiry_recorded_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at",)
        indexes = (models.Index(fields=("person", "revoked_at")),)

    def __str__(self) -> str:
        return f"consent {self.public_id}"

    @property
    def scopes(self) -> list[str]:
        return [scope for scope in Scope if getattr(self, f"share_{scope}")]

    def is_active(self, now: Any = None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.starts_at <= now < self.ends_at

    @property
    def last_day(self) -> date:
        """The last day shared, in local time (ends_at is the start of the day after)."""
        return timezone.localtime(self.ends_at - timedelta(microseconds=1)).date()

    @property
    def status(self) -> str:
        now = timezone.now()
        if self.revoked_at is not None:
            return "revoked"
        if self.ends_at <= now:
            return "expired"
        if self.starts_at > now:
            return "scheduled"
        return "active"


class AppendOnlyError(RuntimeError):
    """Consent history is never changed or deleted."""


class ConsentEventQuerySet(models.QuerySet["ConsentEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("consent history cannot be changed")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("consent history cannot be deleted")


class ConsentEvent(models.Model):
    """One change to a consent, with what the consent said after it (a snapshot, so the
    history stays readable even when memberships change later)."""

    class Kind(models.TextChoices):
        GRANTED = "granted", _("Granted")
        CHANGED = "changed", _("Changed")
        REVOKED = "revoked", _("Revoked")
        EXPIRED = "expired", _("Ended on its end date")

    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    scopes: models.JSONField[Any, Any] = models.JSONField(default=list)
    # [{"public_id": membership id, "name": shown name, "role": role}] at the time.
    clinicians: models.JSONField[Any, Any] = models.JSONField(default=list)
    ends_at = models.DateTimeField()

    objects = ConsentEventQuerySet.as_manager()

    class Meta:
        ordering = ("at", "pk")

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("consent history cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("consent history cannot be deleted")


# Sign-in protection (waymark/accounts/throttle.py) ----------------------------------------------


class SignInEvent(models.Model):
    """One thing the sign-in throttle counts: a failed attempt (or one still being checked), or
    an unlock email sent. Kept for the throttle's window, then deleted.

    Names no one: `key` is an HMAC under SECRET_KEY of the nickname typed, the address, the
    device or the session, so the table says nothing to someone without the key — not even
    which nicknames were tried."""

    class Scope(models.TextChoices):
        ACCOUNT = "account"  # a password tried for one nickname, from anywhere
        ADDRESS = "address"  # any sign-in step failed from one address (an IPv6 /64)
        DEVICE = "device"  # a password tried from one browser that signed in before
        RECOVERY = "recovery"  # a recovery code tried for one nickname
        TWO_STEP = "two-step"  # a staff code tried in one session
        UNLOCK_EMAIL = "unlock-email"  # an unlock link emailed for one nickname

    scope = models.CharField(max_length=16, choices=Scope.choices)
    key = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = (
            models.Index(fields=("scope", "key", "at"), name="sign_in_event_counted"),
            models.Index(fields=("at",), name="sign_in_event_age"),
        )

    def __str__(self) -> str:
        return f"{self.scope} {self.at:%Y-%m-%d %H:%M:%S}"


class RecoveryCode(models.Model):
    """One of a person's one-time recovery codes (waymark/accounts/recovery.py). The code is
    shown once and never stored: only a SHA-256 of it, salted with the account's public id."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes"
    )
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"recovery code of user {self.user_id}"
