"""A person's record, loaded once for every page, API and job that reads it.

`load(user_id)` gives the whole record (days, check-ups, plan, targets, safety findings) in a
fixed number of queries, whatever its length; `days_of(user_id, since=…)` reads only the days
from a date on, for reports; `load_recent(user_id, since)` gives what the rules that read
recent weeks need (clinic alerts): those days, the check-ups, the plan and its current targets
(the same as `load`'s), and the last check-in and opioid use before ``since``. The
progress page, the plan page, the API, the clinic chart, the alert evaluation and the FHIR
export all call these: there is no second loader.

Every outcome number comes from the clinical core (`waymark.clinical.progress`); this module
only turns rows into the core's values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from itertools import pairwise
from typing import Any

from django.db.models import (
    Case,
    DecimalField,
    Exists,
    F,
    FilteredRelation,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
    prefetch_related_objects,
)
from django.utils import timezone

from waymark.checkup.actions import recommendation_for, stored_answers
from waymark.checkup.history import Reassessment, reassessment
from waymark.checkup.models import CheckUp
from waymark.clinical import progress as core
from waymark.clinical import reassess
from waymark.clinical.alerts import OPIOIDS
from waymark.clinical.checkup import IncompleteCheckUpError, build_profile
from waymark.clinical.pathway import Recommendation
from waymark.clinical.profile import SUBSTANCES, Profile, ProfileError, parse_profile
from waymark.clinical.scoring import Sex
from waymark.plans.actions import draft_for
from waymark.plans.models import Plan, PlanVersion
from waymark.tracking.models import CheckIn, SubstanceAmount

# Loading the record: a fixed number of queries ----------------------------------------------


def days_of(user_id: Any, since: date | None = None) -> tuple[core.Day, ...]:
    """The person's check-ins as days (from ``since`` on, when given), in two queries however
    many there are (the note, encrypted and not needed here, is never read)."""
    checkins = CheckIn.objects.filter(owner_id=user_id)
    amounts_of = SubstanceAmount.objects.filter(check_in__owner_id=user_id)
    if since is not None:
        checkins = checkins.filter(day__gte=since)
        amounts_of = amounts_of.filter(check_in__day__gte=since)
    rows = list(checkins.order_by("day").values_list("pk", "day", "used", "cravings", "mood"))
    amounts: dict[int, dict[str, Decimal]] = {}
    for check_in, substance, amount in amounts_of.values_list("check_in_id", "substance", "amount"):
        amounts.setdefault(check_in, {})[substance] = amount
    return tuple(
        day_from_row(day, used, cravings, mood, amounts.get(pk, {}))
        for pk, day, used, cravings, mood in rows
    )


def day_from_row(
    day: date, used: bool, cravings: int | None, mood: int | None, amounts: dict[str, Decimal]
) -> core.Day:
    used_substances = frozenset(s for s, amount in amounts.items() if amount > 0)
    # The check-in form never saves an amount above 0 on a day without use; should a row say
    # so anyway, the amount is the more specific answer.
    used = used or bool(used_substances)
    if core.ALCOHOL in amounts:
        drinks: float | None = float(amounts[core.ALCOHOL])
    elif not used or used_substances:
        drinks = 0.0  # no use, or use of something else: no drinks that day
    else:
        drinks = None  # used, with no amount given: how much is not known
    return core.Day(day, drinks, used, cravings, mood, used_substances)


# A check-in's drinks in SQL: an amount's own type (tracking.models.SubstanceAmount).
AMOUNT = DecimalField(max_digits=5, decimal_places=2)


def with_drinks(checkins: QuerySet[CheckIn]) -> QuerySet[CheckIn]:
    """The check-ins, each annotated with ``drinks``: `day_from_row(...).drinks` as SQL, for
    reports that count days in the database (waymark.clinic.report) instead of loading them.
    The alcohol amount when there is one (a join: one row at most, by the amounts' unique
    constraint); else 0 on a day without use, or with use of something else only; else NULL
    (used, amount not known). The same rule as `day_from_row`, which tests/test_report_scale.py
    holds it to on random check-ins, on both databases."""
    alcohol = FilteredRelation("amounts", condition=Q(amounts__substance=core.ALCOHOL))
    other_use = SubstanceAmount.objects.filter(check_in=OuterRef("pk"), amount__gt=0)
    drinks = Case(
        When(alcohol__amount__isnull=False, then=F("alcohol__amount")),
        When(Q(used=False) | Exists(other_use.order_by()), then=Value(Decimal(0))),
        default=Value(None),
        output_field=AMOUNT,
    )
    return checkins.annotate(alcohol=alcohol).annotate(drinks=drinks)


def profile_of(checkup: CheckUp) -> Profile | None:
    try:
        return parse_profile(build_profile(stored_answers(checkup)))
    except (IncompleteCheckUpError, ProfileError):
        return None


def recommendation_of(checkup: CheckUp) -> Recommendation | None:
    try:
        return recommendation_for(checkup)
    except (IncompleteCheckUpError, ProfileError):
        return None


def local_date(moment: datetime) -> date:
    return timezone.localdate(moment)


def _completed_on(checkup: CheckUp) -> date:
    return local_date(checkup.completed_at or checkup.created_at)


def plan_start(versions: Sequence[PlanVersion]) -> date:
    """The day the current path began: the first of the latest versions that share the
    latest version's path (saving notes does not restart a taper; switching paths does)."""
    approach = versions[0].content.get("approach")
    start = versions[0]
    for version in versions[1:]:
        if version.content.get("approach") != approach:
            break
        start = version
    return local_date(start.created_at)


@dataclass(frozen=True)
class Switch:
    """A day the plan's path changed, from ``before`` to ``after``."""

    on: date
    before: str
    after: str


def switches(versions: Sequence[PlanVersion]) -> tuple[Switch, ...]:
    """Every change of path between one version and the next, oldest first (``versions``
    newest first, as loaded)."""
    found = []
    for older, newer in pairwise(reversed(versions)):
        before, after = older.content.get("approach"), newer.content.get("approach")
        if before and after and before != after:
            found.append(Switch(local_date(newer.created_at), str(before), str(after)))
    return tuple(found)


def path_segments(versions: Sequence[PlanVersion]) -> list[list[PlanVersion]]:
    """The versions (newest first, as loaded) grouped by path: oldest path first, each
    group newest first, so its last version is the day that path began."""
    groups: list[list[PlanVersion]] = []
    for version in reversed(versions):
        approach = version.content.get("approach")
        if groups and groups[-1][0].content.get("approach") == approach:
            groups[-1].insert(0, version)
        else:
            groups.append([version])
    return groups


def own_limits(versions: Sequence[PlanVersion]) -> list[tuple[date, float]]:
    """The daily limits the person chose on the current path (a next step), from the day
    they chose each; a path switch ends them."""
    approach = versions[0].content.get("approach")
    limits = []
    for version in versions:
        if version.content.get("approach") != approach:
            break
        limit = version.content.get("daily_limit")
        if isinstance(limit, int | float) and not isinstance(limit, bool):
            limits.append((local_date(version.created_at), float(limit)))
    return limits


@dataclass(frozen=True)
class Record:
    """Everything the page knows about the person."""

    days: tuple[core.Day, ...]
    result: Recommendation | None = None  # of the latest completed check-up: safety first
    profile: Profile | None = None  # of the latest completed check-up
    baseline: float | None = None
    targets: core.Targets | None = None
    plan: Plan | None = None
    supervised: bool = False  # the plan sets no home target: withdrawal needs a clinician
    substances: tuple[str, ...] = field(default_factory=tuple)
    approach: str | None = None  # the plan's current path
    chart_targets: core.Targets | None = None  # every path's target, each until the next
    switches: tuple[Switch, ...] = ()
    safety: tuple[str, ...] = ()  # of the plan's check-up and the latest one
    again: Reassessment | None = None  # due again, change since baseline, worsening

    @property
    def sex(self) -> Sex | None:
        return self.profile.cut_off_sex if self.profile is not None else None

    @property
    def adult(self) -> bool:
        """The latest check-up was not under 18 (or there is none): the adult measures of
        drinking (heavy days, WHO risk levels) apply. Under 18 no level of drinking is low
        risk, so the pages leave them out (PRODUCT.md: youth rules only)."""
        return self.result is None or self.result.adult

    @property
    def drinking(self) -> bool:
        """Drinking charts are shown when the check-up includes alcohol, when drinks were
        recorded, or when there is no check-up to say otherwise."""
        return (
            self.profile is None
            or self.profile.uses(core.ALCOHOL)
            or any(day.amount for day in self.days)
        )


@dataclass(frozen=True)
class _PlanTargets:
    targets: core.Targets | None  # the current path's: the next step and milestones
    paths: tuple[tuple[date, core.Targets | None], ...]  # each path's, from its start
    supervised: bool
    safety: tuple[str, ...]


def _plan_targets(
    plan: Plan, versions: Sequence[PlanVersion], result: Recommendation | None, every_path: bool
) -> _PlanTargets | None:
    """The plan's daily targets, read from its check-up (answers prefetched) and the latest
    check-up's safety findings (``result``); None when its check-up gives no profile. Only the
    current path's unless ``every_path`` (the chart draws each path's)."""
    plan_profile = profile_of(plan.checkup)
    plan_result = recommendation_of(plan.checkup)
    if plan_profile is None or plan_result is None:
        return None
    later = result.safety if result is not None else ()
    safety = tuple(dict.fromkeys((*plan_result.safety, *later)))
    supervised = plan_profile.uses(core.ALCOHOL) and any(s in core.SUPERVISED for s in safety)
    drafts: dict[str, Any] = {}  # one draft a path, however often it was chosen
    paths: list[tuple[date, core.Targets | None]] = []
    segments = path_segments(versions)
    for path in segments if every_path else segments[-1:]:
        path_approach = str(path[0].content.get("approach"))
        if path_approach not in drafts:
            drafts[path_approach] = draft_for(plan.checkup, path_approach)
        draft = drafts[path_approach]
        start = local_date(path[-1].created_at)
        path_target = core.plan_targets(
            plan_profile, plan_result, draft.chosen, draft.taper, start, later
        )
        paths.append((start, reassess.with_own_limits(path_target, own_limits(path))))
    return _PlanTargets(paths[-1][1], tuple(paths), supervised, safety)


def _latest_plan(user_id: Any) -> tuple[Plan | None, list[PlanVersion]]:
    plan = (
        Plan.objects.filter(checkup__owner_id=user_id, checkup__status=CheckUp.Status.COMPLETE)
        .select_related("checkup")
        .order_by("-created_at", "-pk")
        .first()
    )
    versions = list(plan.versions.order_by("-number")) if plan is not None else []
    return plan, versions


def _completed(user_id: Any) -> list[CheckUp]:
    return list(
        CheckUp.objects.filter(
            owner_id=user_id, status=CheckUp.Status.COMPLETE, completed_at__isnull=False
        ).order_by("completed_at", "pk")
    )


def load(user_id: Any) -> Record:
    days = days_of(user_id)
    completed = _completed(user_id)
    plan, versions = _latest_plan(user_id)
    latest = completed[-1] if completed else None
    # The baseline: the latest check-up completed on or before the first check-in, else the
    # first one (a check-up taken after starting still says how things were).
    before = [c for c in completed if days and _completed_on(c) <= days[0].date]
    base = before[-1] if before else (completed[0] if completed else None)
    needed = [*completed, *([plan.checkup] if plan is not None else [])]
    prefetch_related_objects(needed, "answers")  # one query for all of them

    result = recommendation_of(latest) if latest is not None else None
    profile = profile_of(latest) if latest is not None else None
    base_profile = profile_of(base) if base is not None else None
    baseline = core.baseline_drinks_per_day(base_profile) if base_profile is not None else None
    targets: core.Targets | None = None
    chart_targets: core.Targets | None = None
    supervised = False
    approach, safety = None, tuple(result.safety) if result is not None else ()
    if plan is not None and versions:
        approach = versions[0].content.get("approach")
        planned = _plan_targets(plan, versions, result, every_path=True)
        if planned is not None:
            safety, supervised = planned.safety, planned.supervised
            targets = planned.targets
            chart_targets = reassess.path_targets(planned.paths)
    tracked = {use.substance for use in profile.substances} if profile is not None else set()
    tracked |= {s for day in days for s in day.substances}
    return Record(
        days=days,
        result=result,
        profile=profile,
        baseline=baseline,
        targets=targets,
        chart_targets=chart_targets,
        plan=plan,
        supervised=supervised,
        substances=tuple(s for s in SUBSTANCES if s in tracked),
        approach=str(approach) if approach else None,
        switches=switches(versions),
        safety=safety,
        again=reassessment(completed),
    )


@dataclass(frozen=True)
class Recent:
    """What the rules that read recent weeks need (`load_recent`)."""

    since: date
    days: tuple[core.Day, ...]  # from ``since`` on
    completed: tuple[CheckUp, ...]  # every completed check-up, oldest first, answers prefetched
    plan: Plan | None
    versions: tuple[PlanVersion, ...]  # the plan's, newest first
    targets: core.Targets | None  # the current path's, as `load` gives them
    last_checkin_before: date | None  # the last check-in before ``since``
    last_opioid_before: date | None  # the last day of opioid use before ``since``


def load_recent(user_id: Any, since: date) -> Recent:
    """The days from ``since`` on and what else the recent-weeks rules read, in a fixed
    number of queries (at most seven), whatever the length of the history before ``since``."""
    days = days_of(user_id, since)
    earlier = CheckIn.objects.filter(owner_id=user_id, day__lt=since).aggregate(
        last=Max("day"),
        # The same test as a day's substances (`day_from_row`): an amount above 0.
        last_opioid=Max("day", filter=Q(amounts__substance=OPIOIDS, amounts__amount__gt=0)),
    )
    completed = _completed(user_id)
    plan, versions = _latest_plan(user_id)
    prefetch_related_objects([*completed, *([plan.checkup] if plan else [])], "answers")
    result = recommendation_of(completed[-1]) if completed else None
    planned = (
        _plan_targets(plan, versions, result, every_path=False)
        if plan is not None and versions
        else None
    )
    return Recent(
        since=since,
        days=days,
        completed=tuple(completed),
        plan=plan,
        versions=tuple(versions),
        targets=planned.targets if planned is not None else None,
        last_checkin_before=earlier["last"],
        last_opioid_before=earlier["last_opioid"],
    )


def next_step_for(record: Record, today: date) -> reassess.NextStep | None:
    """The next step on offer, if any: never beside a worsening, when the first thing to
    say is to seek care."""
    if record.approach is None or (record.again is not None and record.again.worsening):
        return None
    return reassess.next_step(record.approach, record.days, record.targets, today, record.safety)
