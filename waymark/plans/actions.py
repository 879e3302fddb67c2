"""Actions that change plans: each in one transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max

from waymark.accounts.models import User
from waymark.checkup.actions import recommendation_for, stored_answers
from waymark.checkup.models import CheckUp
from waymark.clinical.checkup import build_profile
from waymark.clinical.plan import PlanDraft, draft_plan, paths_open
from waymark.clinical.profile import parse_profile
from waymark.clinical.reassess import ABSTINENCE_TRIAL, Offer
from waymark.plans.content import PERSONAL_LISTS, from_defaults
from waymark.plans.models import Plan, PlanVersion


def draft_for(checkup: CheckUp, approach: str | None) -> PlanDraft:
    """The generated part of a plan, from the check-up's answers and the chosen path."""
    profile = parse_profile(build_profile(stored_answers(checkup)))
    return draft_plan(profile, recommendation_for(checkup), approach)


def paths_for(checkup: CheckUp) -> tuple[str, ...]:
    """The paths open to the person whose check-up this is (`plan.paths_open`)."""
    result = checkup.result or {}
    return paths_open(str(result.get("approach", "")), result.get("safety", ()))


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


# Switching paths and the next step ----------------------------------------------------------

# Lists whose suggestions are only ever added to, never taken away, whatever the path: what to
# do after a slip and in a crisis hold safety steps.
NEVER_TRIMMED = frozenset({"after_slip", "crisis_plan"})
# Keys that belong to one path and end with it.
PATH_KEYS = ("daily_limit", "next_step")


def _adjusted_lists(
    content: dict[str, Any], old: dict[str, Any], new: dict[str, Any]
) -> dict[str, list[str]]:
    """The person's lists for the new path: every line they wrote stays; a suggestion that
    only fitted the old path goes; the new path's suggestions are added after theirs."""
    lists: dict[str, list[str]] = {}
    for key in PERSONAL_LISTS:
        mine = [str(item) for item in content.get(key, [])]
        only_old = set(old.get(key, [])) - set(new.get(key, []))
        if key in NEVER_TRIMMED:
            only_old = set()
        kept = [item for item in mine if item not in only_old]
        lists[key] = kept + [item for item in new.get(key, []) if item not in kept]
    return lists


@transaction.atomic
def do_switch_path(plan: Plan, approach: str, user: User | None) -> PlanVersion:
    """A new version on ``approach``: the generated guidance is drafted again for the new
    path (every safety item stays: the draft always carries all of them), and the person's
    own lists, people and notes are kept. Earlier versions stay as they were."""
    if approach not in paths_for(plan.checkup):
        raise ValueError(f"approach {approach!r} is not open to this person")
    locked = Plan.objects.select_for_update().get(pk=plan.pk)
    latest = locked.latest()
    content = dict(latest.content or {})
    before = str(content.get("approach", ""))
    old = from_defaults(before, draft_for(locked.checkup, before).personal) if before else {}
    new = from_defaults(approach, draft_for(locked.checkup, approach).personal)
    for key in PATH_KEYS:
        content.pop(key, None)
    content |= _adjusted_lists(content, old, new)
    content |= {"approach": approach, "switched_from": before}
    return PlanVersion.objects.create(
        plan=locked, number=latest.number + 1, created_by=user, content=content
    )


@transaction.atomic
def do_take_next_step(plan: Plan, offer: Offer, user: User | None) -> PlanVersion:
    """A new version with the limit the person chose: a lower daily limit on the same path,
    or a trial of weeks without drinking, which moves the plan to the abstinence path (a
    switch the charts mark). ``offer`` comes from `reassess.next_step`, never from a form."""
    if offer.kind == ABSTINENCE_TRIAL:
        version = do_switch_path(plan, "abstinence", user)
    else:
        locked = Plan.objects.select_for_update().get(pk=plan.pk)
        latest = locked.latest()
        version = PlanVersion.objects.create(
            plan=locked,
            number=latest.number + 1,
            created_by=user,
            content=dict(latest.content or {}),
        )
    version.content = {
        **version.content,
        "daily_limit": offer.limit,
        "next_step": {"kind": offer.kind, "with_clinician": offer.with_clinician},
    }
    version.save(update_fields=["content"])
    return version
