"""A person with a bit of everything, for the export, import, FHIR and deletion tests."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.reference import load
from tests.test_checkup import complete, start
from waymark.accounts.models import User
from waymark.checkup.models import Answer, CheckUp
from waymark.plans.actions import do_save_version
from waymark.plans.models import Plan
from waymark.progress.models import TypicalSpend
from waymark.tracking.actions import today
from waymark.tracking.models import CheckIn, Reminder, SubstanceAmount

PASSWORD = "a long enough password 42"
BY_NAME = {v["name"]: v for v in load("vignettes.json")}


def rich_person(client: Client, username: str = "robin") -> User:
    """Three completed check-ups (in one, skip logic left AUDIT questions out), one left
    half-way, a plan with three versions, 40 days of check-ins with notes, amounts and missed
    days, a reminder, and a usual spend on a day of use."""
    user = User.objects.create_user(username, email=f"{username}@example.org", password=PASSWORD)
    client.force_login(user)
    complete(client, BY_NAME["weekend drinker over limits, wants to cut down"]["profile"])
    complete(client, BY_NAME["occasional cannabis, no problems"]["profile"])
    # A short AUDIT: "never" drinks, so skip logic leaves questions 2-8 out (not stored).
    short = CheckUp.objects.create(owner=user, status="complete", completed_at=timezone.now(),
                                   result=None, engine_version="test")  # fmt: skip
    for item, option in (("frequency", 0), ("injury", 0), ("concern", 2)):
        Answer.objects.create(checkup=short, instrument="audit", version="1", item=item,
                              option=option)  # fmt: skip
    url = start(client)  # a fourth, started and left
    assert "/checkup/" in url
    first = CheckUp.objects.filter(owner=user, status="complete").order_by("created_at").first()
    assert first is not None
    response = client.post(reverse("plans:create", args=[first.public_id]), {"approach": ""})
    assert response.status_code == 302
    plan = Plan.objects.get(checkup=first)
    content: dict[str, Any] = dict(plan.latest().content)
    content["goals"] = [*content.get("goals", []), "Walk the dog every evening"]
    content["people"] = [{"name": "Alex", "phone": "555 0100"}]
    do_save_version(plan, content, user)
    do_save_version(plan, content | {"notes": "Call Alex before payday — ñ, 日本"}, user)
    end = today()
    for back in range(44):
        if back in (3, 10, 11, 30):
            continue  # missed days stay missing
        day = end - timedelta(days=back)
        used = back % 4 == 0
        check_in = CheckIn.objects.create(
            owner=user,
            day=day,
            used=used,
            cravings=None if back % 7 == 0 else back % 11,
            mood=None if back % 5 == 0 else 1 + back % 5,
            triggers=["stress", "payday"] if used else [],
            helped=["talking"] if back % 3 == 0 else [],
            note=f'day {back}: a note, with "quotes"\nand a second line' if back % 2 else "",
        )
        if used:
            SubstanceAmount.objects.create(check_in=check_in, substance="alcohol", amount="4.50")
            if back % 8 == 0:
                SubstanceAmount.objects.create(check_in=check_in, substance="cannabis", amount="1")
    Reminder.objects.create(owner=user, time=time(19, 30), time_zone="Europe/Madrid",
                            weekdays=[0, 2, 4])  # fmt: skip
    TypicalSpend.objects.create(owner=user, amount="12.50", currency="EUR")
    return user
