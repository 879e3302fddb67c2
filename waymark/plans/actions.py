"""Actions that change plans: each in one transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max

from waymark.accounts.models import User
from waymark.checkup.actions import recommendation_for, stored_answers
from waymark.checkup.models import CheckUp
from waymark.clinical.checkup import build_profile
from waymark.clinical.plan import PlanDraft, draft_plan
from waymark.clinical.profile import parse_profile
from waymark.plans.content import from_defaults
from waymark.plans.models import Plan, PlanVersion


def draft_for(checkup: CheckUp, approach: str | None) -> PlanDraft:
    """The generated part of a plan, from the check-up's answers and the chosen path."""
    profile = parse_profile(build_profile(stored_answers(checkup)))
    return draft_plan(profile, recommendation_for(checkup), approach)


@transaction.atomic
def do_create_plan(checkup: CheckUp, approach: str, user: User | None) -> Plan:
    draft = draft_for(checkup, approach)
    plan = Plan.objects.create(checkup=checkup)
    PlanVersion.objects.create(
        plan=plan, number=1, created_by=user, content=from_defaults(draft.chosen, draft.personal)
    )
    return plan


@transaction.atomic
def do_save_version(plan: Plan, content: dict[str, Any], user: User | None) -> PlanVersion:
    """Every save is a new version; earlier ones stay as they were."""
    locked = Plan.objects.select_for_update().get(pk=plan.pk)
    latest = locked.versions.aggregate(number=Max("number"))["number"] or 0
    return PlanVersion.objects.create(
        plan=locked, number=latest + 1, created_by=user, content=content
    )
