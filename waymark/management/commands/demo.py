"""`waymark demo`: a demo account with two completed check-ups, to click through.

Sam, the demo person, took a first check-up eight weeks ago and a second four weeks later,
so the check-up is due again now. The plan drafted from the second one followed the harm-
reduction path for two weeks, then Sam switched to abstinence: the progress page marks the
switch on every chart. Four weeks of check-ins follow the plan, with a slip and missed days.

For a local demo only: it refuses when Waymark answers to any host other than this
machine, since the demo password is printed and public.
"""

from __future__ import annotations

import copy
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from waymark.accounts.demo import add_demo_program
from waymark.accounts.models import User
from waymark.checkup.actions import do_complete_checkup
from waymark.checkup.models import Answer, CheckUp
from waymark.clinic.actions import evaluate
from waymark.clinical.checkup import answers_from_profile
from waymark.paths.examples import examples
from waymark.plans.actions import do_create_plan, do_save_version, do_switch_path
from waymark.plans.models import Plan, PlanVersion
from waymark.tracking.actions import CheckInData, do_record_checkin

USERNAME = "demo"
PASSWORD = "waymark-demo"  # noqa: S105 (a public demo password, refused off this machine)
LOCAL = {"localhost", "127.0.0.1", "[::1]", "testserver"}  # testserver: Django's tests
# Sam is the "weekend drinking" example person. The first check-up is Sam four weeks earlier,
# drinking on more days and more at a time (AUDIT 15, zone II); the second is the example as it
# stands (AUDIT 10): the change since the first check-up is the same person's, 15 then 10.
DEMO_PERSON = "weekend-drinking"
FIRST_CHECKUP = {"days_used_past_30": 12, "typical_amount": 7}
FIRST_AUDIT = [3, 2, 3, 2, 1, 0, 1, 1, 0, 1]
CHECKUP_DAYS_AGO = (57, 29)
EDITED_DAYS_AGO = 28  # the plan's people and notes, filled in the day after
SWITCH_DAYS_AGO = 14  # from harm reduction to abstinence
DEMO_DRINKS = (0, 3, 0, 0, 5, 2, 0)


class Command(BaseCommand):
    help = "Create a demo account with two check-ups and a plan (local use only)."

    def handle(self, *args: Any, **options: Any) -> None:
        if set(settings.ALLOWED_HOSTS) - LOCAL:
            raise CommandError(
                "refusing to create a demo account with a public password: ALLOWED_HOSTS "
                "names hosts other than this machine"
            )
        with transaction.atomic():
            user, created = User.objects.get_or_create(username=USERNAME)
            if created:
                user.set_password(PASSWORD)
                user.save()
                self._add_checkups(user)
        self.stdout.write(
            f"Demo account: username {USERNAME!r}, password {PASSWORD!r} "
            "(sign in at /account/login/)."
        )
        # The staff side (docs/programs.md): a demo program whose clinician this person
        # shares with, with public two-step credentials.
        for line in add_demo_program(user):
            self.stdout.write(line)
        # Sharing queued the demo person's alert evaluation for the worker (`make run` starts
        # one); evaluated here too, so the caseload never opens empty before its first round.
        evaluate(user)

    def _add_checkups(self, user: User) -> None:
        by_slug = {person["slug"]: person["profile"] for person in examples()}
        now = timezone.now()
        for number, days_ago in enumerate(CHECKUP_DAYS_AGO):
            profile = copy.deepcopy(by_slug[DEMO_PERSON])
            if number == 0:
                [alcohol] = profile["substances"]
                alcohol.update(FIRST_CHECKUP)  # the past-year criteria stay as they are
                profile["instruments"]["audit"] = FIRST_AUDIT
            checkup = CheckUp.objects.create(owner=user)
            Answer.objects.bulk_create(
                Answer(checkup=checkup, instrument=a.instrument, version="1", context=a.context,
                       item=a.item, option=a.option, value=a.value)
                for a in answers_from_profile(profile)
            )  # fmt: skip
            do_complete_checkup(checkup)
            when = now - timedelta(days=days_ago)
            CheckUp.objects.filter(pk=checkup.pk).update(created_at=when, completed_at=when)
        checkup.refresh_from_db()
        self._add_plan(user, checkup)
        self._add_checkins(user)

    def _add_checkins(self, user: User) -> None:
        """Four weeks of check-ins since the plan: drinking on some days while cutting down,
        none since the switch to abstinence but for one slip, and a few days left unrecorded
        — so the progress page has something honest to show."""
        today = timezone.localdate()
        for days_ago in range(27, -1, -1):
            if days_ago in (20, 13, 12, 5):
                continue  # missed days stay missing
            cutting_down = days_ago > SWITCH_DAYS_AGO
            drinks = DEMO_DRINKS[days_ago % len(DEMO_DRINKS)] if cutting_down else 0
            if days_ago == 3:
                drinks = 4  # a slip: information, not failure
            data = CheckInData(
                used=drinks > 0,
                amounts={"alcohol": Decimal(drinks)} if drinks else {},
                cravings=max(0, min(10, days_ago // 3 + (3 if drinks else 0))),
                mood=3 if drinks else 4,
                triggers=["stress"] if drinks else [],
                helped=[] if drinks else ["moving"],
            )
            do_record_checkin(user, today - timedelta(days=days_ago), data)

    def _add_plan(self, user: User, checkup: CheckUp) -> None:
        """A plan for the latest check-up (harm reduction, as it suggested), a second version
        the person edited the next day, and a third two weeks ago on the abstinence path."""
        plan = do_create_plan(checkup, checkup.result["approach"], user)
        made = checkup.completed_at or timezone.now()
        Plan.objects.filter(pk=plan.pk).update(created_at=made)
        PlanVersion.objects.filter(plan=plan).update(created_at=made)
        content = dict(plan.latest().content)
        content["people"] = [
            {"name": "Jordan (sister)", "phone": "555-0134", "note": "Call first"},
            {"name": "Dr. Rivera", "phone": "555-0188", "note": "Clinic"},
        ]
        content["notes"] = "Fridays after work are the hardest. Plan something for 6 pm."
        edited = do_save_version(plan, content, user)
        self._backdate(edited, EDITED_DAYS_AGO)
        self._backdate(do_switch_path(plan, "abstinence", user), SWITCH_DAYS_AGO)

    @staticmethod
    def _backdate(version: PlanVersion, days_ago: int) -> None:
        when = timezone.now() - timedelta(days=days_ago)
        PlanVersion.objects.filter(pk=version.pk).update(created_at=when)
