"""Daily check-ins: one a person a day, with what was used and how much.

A day without a check-in is *missing*, never "did not use": outcomes count recorded days only
(CONTRACTS.md §5). The note is the person's own words, so it is encrypted at rest.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy, pgettext_lazy

from waymark.clinical.profile import SUBSTANCES
from waymark.fields import EncryptedTextField


class Mood(models.IntegerChoices):
    VERY_LOW = 1, pgettext_lazy("mood", "Very low")
    LOW = 2, pgettext_lazy("mood", "Low")
    OKAY = 3, pgettext_lazy("mood", "Okay")
    GOOD = 4, pgettext_lazy("mood", "Good")
    VERY_GOOD = 5, pgettext_lazy("mood", "Very good")


class Trigger(models.TextChoices):
    STRESS = "stress", pgettext_lazy("what made you want to use", "Stress")
    LONELINESS = "loneliness", pgettext_lazy("what made you want to use", "Loneliness")
    BOREDOM = "boredom", pgettext_lazy("what made you want to use", "Boredom")
    CONFLICT = "conflict", pgettext_lazy("what made you want to use", "An argument or conflict")
    AROUND_USE = "around-use", pgettext_lazy("what made you want to use", "Being around use")
    CELEBRATION = "celebration", pgettext_lazy("what made you want to use", "A celebration")
    PAIN = "pain", pgettext_lazy("what made you want to use", "Pain")
    TIREDNESS = "tiredness", pgettext_lazy("what made you want to use", "Tiredness")
    PAYDAY = "payday", pgettext_lazy("what made you want to use", "Payday or having cash")
    OTHER = "other", pgettext_lazy("what made you want to use", "Something else")


class Helper(models.TextChoices):
    TALKING = "talking", pgettext_lazy("what helped", "Talking to someone")
    GROUP = "group", pgettext_lazy("what helped", "A meeting or group")
    MOVING = "moving", pgettext_lazy("what helped", "A walk or exercise")
    BUSY = "busy", pgettext_lazy("what helped", "Keeping busy")
    WAITING = "waiting", pgettext_lazy("what helped", "Waiting for the urge to pass")
    AVOIDING = "avoiding", pgettext_lazy("what helped", "Staying away from people or places")
    MEDICATION = "medication", pgettext_lazy("what helped", "My medication")
    RESTING = "resting", pgettext_lazy("what helped", "Food, water or rest")
    PLAN = "plan", pgettext_lazy("what helped", "My plan")
    OTHER = "other", pgettext_lazy("what helped", "Something else")


# The substance ids are the clinical core's (profile v1); their words are in labels.SUBSTANCE.
SUBSTANCE_CHOICES = [(substance, substance) for substance in SUBSTANCES]


class CheckIn(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="checkins"
    )
    day = models.DateField()
    used = models.BooleanField()
    cravings = models.PositiveSmallIntegerField(null=True, blank=True)
    mood = models.PositiveSmallIntegerField(choices=Mood.choices, null=True, blank=True)
    # Lists of Trigger / Helper ids.
    triggers: models.JSONField[Any, Any] = models.JSONField(default=list, blank=True)
    helped: models.JSONField[Any, Any] = models.JSONField(default=list, blank=True)
    note: models.Field[Any, Any] = EncryptedTextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The key of the submission that last changed this check-in: the same submission sent
    # again (a double tap, a retry) is recognised and changes nothing.
    idempotency_key = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ("-day",)
        constraints = (
            models.UniqueConstraint(fields=("owner", "day"), name="one_checkin_per_day"),
            models.UniqueConstraint(
                fields=("owner", "idempotency_key"), name="one_checkin_per_submission"
            ),
            models.CheckConstraint(
                condition=models.Q(cravings__isnull=True) | models.Q(cravings__lte=10),
                name="cravings_0_to_10",
            ),
            models.CheckConstraint(
                condition=models.Q(mood__isnull=True) | models.Q(mood__gte=1, mood__lte=5),
                name="mood_1_to_5",
            ),
        )

    def __str__(self) -> str:
        return f"check-in {self.public_id}"


class SubstanceAmount(models.Model):
    """How much of one substance: US standard drinks for alcohol, times used for the rest."""

    check_in = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="amounts")
    substance = models.CharField(max_length=20, choices=SUBSTANCE_CHOICES)
    amount = models.DecimalField(max_digits=5, decimal_places=2)

    class Meta:
        ordering = ("check_in", "substance")
        constraints = (
            models.UniqueConstraint(
                fields=("check_in", "substance"), name="one_amount_per_substance"
            ),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="amount_not_negative"),
        )

    def __str__(self) -> str:
        return f"{self.substance}: {self.amount}"


class Channel(models.TextChoices):
    """How a reminder reaches the person: email, a notification on their phone (Web Push), or
    both. Push is offered only where the site has a VAPID key (waymark/tracking/push.py)."""

    EMAIL = "email", gettext_lazy("Email")
    PUSH = "push", gettext_lazy("A notification on this phone")
    BOTH = "both", gettext_lazy("Both")


class Reminder(models.Model):
    """A person's daily check-in reminder: the time of day in their own time zone, and the
    weekdays (0 = Monday … 6 = Sunday). It goes to the account's email address, to the phones
    the person turned notifications on for, or to both (`channel`)."""

    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder"
    )
    enabled = models.BooleanField(default=True)
    time = models.TimeField()
    time_zone = models.CharField(max_length=64)
    weekdays: models.JSONField[Any, Any] = models.JSONField(default=list)
    # The language the page was in when the reminder was set: the email is written in it.
    language = models.CharField(max_length=10, blank=True, default="")
    # The address the person proved is theirs by opening the link we emailed to it. Reminders
    # go out only while it equals the account's current address: a changed (or imported)
    # address has to be confirmed again, so Waymark never emails a stranger every day.
    email_confirmed = models.EmailField(max_length=254, blank=True, default="")
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.EMAIL)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"reminder of user {self.owner_id}"

    @property
    def by_email(self) -> bool:
        return self.channel in (Channel.EMAIL, Channel.BOTH)

    @property
    def by_push(self) -> bool:
        return self.channel in (Channel.PUSH, Channel.BOTH)


class PushSubscription(models.Model):
    """A phone (or browser) the person turned notifications on for: where its push service
    takes messages for it (`endpoint`) and the keys the messages are encrypted with (RFC 8291).
    The endpoint names one device and lets anyone holding it write to that device, so all three
    are encrypted at rest; the endpoint is found again by a keyed hash (`push.endpoint_digest`).
    Removed when the push service says it has ended (404 or 410), or when the person turns
    notifications off on that phone."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint: models.Field[Any, Any] = EncryptedTextField()
    endpoint_digest = models.CharField(max_length=64, unique=True)
    p256dh: models.Field[Any, Any] = EncryptedTextField()
    auth: models.Field[Any, Any] = EncryptedTextField()
    # A short, coarse label of the browser ("Chrome on Android"), so the person can tell their
    # phones apart; never the full User-Agent.
    device = models.CharField(max_length=40, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    last_success_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"push subscription {self.public_id}"


class SubmissionKey(models.Model):
    """An API request's Idempotency-Key, kept with a keyed hash of what it asked for: the same
    request sent again — even after the day was changed since — is answered with its check-in
    and changes nothing; the same key with other answers is refused. The hash is an HMAC under
    SECRET_KEY, so it says nothing about the answers (the note included) to anyone without it."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.UUIDField()
    check_in = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="+")
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("owner", "key"), name="one_use_per_submission_key"),
        )

    def __str__(self) -> str:
        return f"submission key of check-in {self.check_in_id}"
