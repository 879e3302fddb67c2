"""Caseload alerts: which people in a program need a clinician's attention, and why.

The rules read one person's recent record — check-in days, completed check-ups, the measures
they answered or let expire (`waymark.measures`), the plan's approach and daily targets — and
return alerts, each with a rule id, a priority, a sentence for
the clinician and the date of the evidence. They never diagnose and never decide treatment:
an alert says "look at this person", nothing more.

Every rule cites the fact it rests on; numbers chosen by us are marked ❓ and listed in
docs/clinical-rules.md ("Caseload alerts"). An alert's :attr:`Alert.key` names the rule and the
evidence date, so the same finding is raised once however often the rules run.

The rules read a bounded window of days (`WINDOW_DAYS`), and each reads it in one pass: a
record cut to the window (`window`) raises exactly what the whole history raises, so an
evaluation costs the same after three years of check-ins as after three weeks. Measures are
bounded the same way: the answers of the window, those with a crisis flag from any time, and
each measure's latest `MISSED_IN_A_ROW` requests that were answered or expired.

Pure: no Django, no I/O.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from enum import IntEnum

from waymark.clinical.progress import Day, Targets, check_days
from waymark.clinical.reassess import InstrumentResult, worsening
from waymark.clinical.risk import OPIOID_GAP_DAYS
from waymark.clinical.scoring import get_instrument
from waymark.clinical.text import N_, Message, say

OPIOIDS = "opioids"

# Alerts look back this many days, so that opening a chart weeks later does not raise a pile
# of stale findings; two weeks is ours ❓ (matches the progress page's fortnight of cravings).
LOOKBACK_DAYS = 14
# No check-in for this many days (the "3+ days"; ours ❓, no source gives a number).
NO_CHECKIN_DAYS = 3
# Craving spike: a rating of at least 8 of 10, or at least 4 above the person's own mean of
# the previous 14 days (with at least 3 ratings to make a mean). Both ours ❓.
CRAVING_HIGH = 8
CRAVING_RISE = 4
CRAVING_BASELINE_DAYS = 14
CRAVING_MIN_RATINGS = 3
# Missed measures: this many scheduled requests of one measure in a row expired unanswered
# (ours ❓: one missed measure is ordinary, two in a row is a pattern worth a call).
MISSED_IN_A_ROW = 2
# The BAM's flags that raise `bam-risk`: the Risk factors subscale at 12 or more, the VA
# scoring guidance's elevated risk (⚠️ the cut-off is from secondary summaries of it, see
# bam.json). Use on its own (`any-use`) is the plan's business (return-to-use), not this rule's.
BAM = "bam"
BAM_RISK_FLAGS = frozenset({"risk-elevated"})
# The days the rules read, today included: alerts rest on the last LOOKBACK_DAYS; a run that
# started earlier is no new run, which `_run_starts` sees from the day before the lookback;
# and whether that day was a craving spike reads the CRAVING_BASELINE_DAYS before it. So 14 +
# 14 + 1 = 29 days. The rest of what the rules need from earlier — the last check-in (a
# silence), the last opioid use (a break) — is carried on the Record (`window`).
WINDOW_DAYS = LOOKBACK_DAYS + CRAVING_BASELINE_DAYS + 1


class Priority(IntEnum):
    """Higher sorts first on the caseload."""

    NORMAL = 1
    HIGH = 2
    URGENT = 3

    @property
    def id(self) -> str:
        return self.name.lower()


PRIORITY_LABEL = {
    Priority.URGENT: N_("Urgent"),
    Priority.HIGH: N_("High"),
    Priority.NORMAL: N_("Normal"),
}


@dataclass(frozen=True)
class Rule:
    id: str
    priority: Priority
    title: str  # a short name for the rule, shown on the caseload
    source: str  # the fact the rule rests on (for docs and reviewers)
    # What the evidence is, as a consent scope (waymark.access.SCOPES): an alert is shown
    # only to staff the person shares that kind of data with.
    scope: str = "checkins"
    # The sentence for the clinician; its %(…)s values are the alert's message params.
    message: str = ""


SUICIDAL = Rule(
    "suicidal-thoughts",
    Priority.URGENT,
    N_("Suicidal thoughts reported"),
    "FACTS §11.1, §2.7 (PHQ-9 item 9 ≥ 1 in a check-up or a measure, or thoughts said directly)",
    "checkups",
    message=N_("Suicidal thoughts were reported in a check-up or a measure."),
)
OPIOID_AFTER_GAP = Rule(
    "opioid-use-after-gap",
    Priority.URGENT,
    N_("Opioid use after a break (lower tolerance)"),
    "FACTS §4.3, §11.3 (loss of tolerance); gap of 3+ days: risk.OPIOID_GAP_DAYS ❓, the "
    "same break the risk model reads",
    scope="checkins",
    message=N_(
        "Opioid use was recorded after %(days)d days without: tolerance may be lower, so the "
        "overdose risk is higher."
    ),
)
RETURN_TO_USE = Rule(
    "return-to-use",
    Priority.HIGH,
    N_("Use recorded against an abstinence goal"),
    "ours ❓ (the plan's chosen approach is abstinence; FACTS §8 treats a lapse as expected)",
    scope="checkins",
    message=N_("Use was recorded on an abstinence plan."),
)
TAPER_NOT_FOLLOWED = Rule(
    "taper-not-followed",
    Priority.HIGH,
    N_("More drinks than the taper step"),
    "CONTRACTS §4 (the taper's daily limits); FACTS §4.1 (a taper needs clinician oversight)",
    scope="checkins",
    message=N_("%(drinks)s drinks were recorded on a day the taper set at most %(limit)s."),
)
WORSENING = Rule(
    "worsening-screener",
    Priority.HIGH,
    N_("Screener score worse"),
    "reassess.worsening (PHQ-9 rise of 5 or more, or a higher band)",
    "checkups",
    message=N_("%(instrument)s went from %(before)d to %(after)d points."),
)
CRAVING_SPIKE = Rule(
    "craving-spike",
    Priority.NORMAL,
    N_("Strong cravings"),
    "ours ❓ (8 or more of 10, or 4 above the person's 14-day mean)",
    scope="checkins",
    message=N_("Cravings were rated %(cravings)d of 10."),
)
HIGH_RISK = Rule(
    "high-risk-checkup",
    Priority.HIGH,
    N_("High withdrawal or overdose risk"),
    "risk.assess (the one risk model: withdrawal or overdose risk high in a check-up); "
    "FACTS §4.1, §4.2, §5, §11.2, §11.3",
    "checkups",
    message=N_("A check-up found a high withdrawal or overdose risk."),
)
PREGNANT_USING = Rule(
    "pregnant-and-using",
    Priority.HIGH,
    N_("Pregnant and using alcohol or drugs"),
    "risk.RiskModel.pregnant_and_using (the one risk model: the check-up's urgency is urgent); "
    "FACTS §11.4 (pregnancy with any use), §3 (no level is safe in pregnancy)",
    "checkups",
    message=N_(
        "A check-up found the person is pregnant and uses alcohol, opioids, sedatives or "
        "stimulants: they were told care is urgent."
    ),
)
BAM_RISK = Rule(
    "bam-risk",
    Priority.HIGH,
    N_("Risk factors elevated on the BAM"),
    "bam.json flag risk-elevated (VA BAM scoring guidance: Risk factors 12 or more ⚠️); "
    "priority high is ours ❓",
    "checkups",
    message=N_(
        "The Brief Addiction Monitor's risk factors scored %(score)d: 12 or more is elevated."
    ),
)
MISSED_MEASURES = Rule(
    "missed-measures",
    Priority.HIGH,
    N_("Measures missed in a row"),
    "ours ❓ (2 requests of one measure in a row expired unanswered; priority high)",
    "checkups",
    message=N_("The last %(count)d %(instrument)s requests expired unanswered."),
)
NO_CHECKIN = Rule(
    "no-checkin",
    Priority.NORMAL,
    N_("No check-in for 3 or more days"),
    "ours ❓ (3 days)",
    scope="checkins",
    message=N_("No check-in for %(days)d days."),
)
RULES: tuple[Rule, ...] = (
    SUICIDAL,
    OPIOID_AFTER_GAP,
    HIGH_RISK,
    PREGNANT_USING,
    RETURN_TO_USE,
    TAPER_NOT_FOLLOWED,
    WORSENING,
    BAM_RISK,
    MISSED_MEASURES,
    CRAVING_SPIKE,
    NO_CHECKIN,
)
RULES_BY_ID = {rule.id: rule for rule in RULES}


@dataclass(frozen=True)
class Alert:
    rule: Rule
    message: Message
    evidence: date  # the day the finding rests on

    @property
    def id(self) -> str:
        return self.rule.id

    @property
    def priority(self) -> Priority:
        return self.rule.priority

    @property
    def key(self) -> str:
        """The same finding always has the same key, so it is raised once."""
        return f"{self.rule.id}:{self.evidence.isoformat()}"


@dataclass(frozen=True)
class CheckUp:
    """A completed check-up, as far as the alerts need it."""

    completed_on: date
    crisis_reported: bool = False
    # Screener results by instrument id: a Score (keeps sex-specific bands) or a bare total.
    results: Mapping[str, InstrumentResult] = field(default_factory=dict, hash=False)
    # Days since the last opioid use, as the person gave it (None: not asked or no opioids).
    opioid_last_use_days_ago: int | None = None
    # The risk model's levels for this check-up (risk.DIMENSIONS), when it made a profile.
    risks: Mapping[str, str] = field(default_factory=dict, hash=False)
    # The risk model's `pregnant_and_using`, when it made a profile.
    pregnant_and_using: bool = False


@dataclass(frozen=True)
class Measure:
    """A measure the person answered (`waymark.measures`), as far as the alerts need it."""

    instrument: str
    completed_on: date
    flags: frozenset[str] = frozenset()  # the flag ids its answers raised
    subscales: Mapping[str, int] = field(default_factory=dict, hash=False)

    @property
    def crisis(self) -> bool:
        """A flag of its instrument that shows crisis help at once (PHQ-9 item 9 ≥ 1)."""
        return bool(self.flags & crisis_flags(self.instrument))


@dataclass(frozen=True)
class Asked:
    """A scheduled measure request that is over: answered, or expired unanswered."""

    instrument: str
    due_on: date
    answered: bool


def crisis_flags(instrument: str) -> frozenset[str]:
    """The instrument's flags that show crisis help at once (scoring: ``FlagRule.crisis``)."""
    return frozenset(rule.id for rule in get_instrument(instrument).flag_rules if rule.crisis)


@dataclass(frozen=True)
class Record:
    """One person's recent record. ``checkups`` and ``days`` may come in any order.

    ``watching_since``: when the clinician's view began (the consent's start); a person with no
    check-in yet counts missing days from then.

    A bounded record (`window`) holds only the days from ``since`` on, and carries the two
    facts the rules need from before: the last check-in and the last day of opioid use. Its
    ``measures`` are those answered from ``since`` on and those with a crisis flag from any
    time; its ``asked``, each measure's latest `MISSED_IN_A_ROW` requests that are over.
    ``since`` None: ``days``, ``measures`` and ``asked`` are the whole history.
    """

    today: date
    days: tuple[Day, ...] = ()
    checkups: tuple[CheckUp, ...] = ()
    approach: str | None = None  # the plan's chosen approach, if there is a plan
    plan_start: date | None = None
    targets: Targets | None = None
    watching_since: date | None = None
    since: date | None = None
    last_checkin_before: date | None = None  # the last check-in before ``since``
    last_opioid_before: date | None = None  # the last day of opioid use before ``since``
    measures: tuple[Measure, ...] = ()  # answered measures, in any order
    asked: tuple[Asked, ...] = ()  # measure requests that are over, in any order

    @property
    def last_checkin(self) -> date | None:
        """The last recorded day, in ``days`` or before them."""
        return max((day.date for day in self.days), default=self.last_checkin_before)


def window_start(today: date) -> date:
    """The first of the `WINDOW_DAYS` the rules read."""
    return today - timedelta(days=WINDOW_DAYS - 1)


def window(record: Record) -> Record:
    """``record`` with only the days the rules read, and what they need from before: it raises
    exactly the alerts ``record`` raises (tests/clinical/test_alerts_window.py)."""
    since = window_start(record.today)
    kept = tuple(day for day in record.days if day.date >= since)
    earlier = [day for day in record.days if day.date < since]
    return replace(
        record,
        days=kept,
        since=since,
        last_checkin_before=max((d.date for d in earlier), default=record.last_checkin_before),
        last_opioid_before=max(_opioid_days(earlier), default=record.last_opioid_before),
        measures=tuple(m for m in record.measures if m.completed_on >= since or m.crisis),
        asked=tuple(a for run in _latest_asked(record.asked).values() for a in run),
    )


def _latest_asked(asked: Iterable[Asked]) -> dict[str, list[Asked]]:
    """Each measure's latest `MISSED_IN_A_ROW` requests that are over, newest first."""
    by_measure: dict[str, list[Asked]] = {}
    for request in sorted(asked, key=lambda a: (a.due_on, a.answered), reverse=True):
        kept = by_measure.setdefault(request.instrument, [])
        if len(kept) < MISSED_IN_A_ROW:
            kept.append(request)
    return by_measure


def _recent(record: Record, on: date) -> bool:
    return record.today - timedelta(days=LOOKBACK_DAYS) < on <= record.today


def suicidal_thoughts(record: Record) -> list[Alert]:
    """FACTS §11.1: PHQ-9 item 9 ≥ 1 or suicidal thoughts said directly start the crisis flow
    whatever the totals; the person saw crisis lines at once, and the clinician is told too.
    Every completed check-up and every answered measure with a crisis raises it, however long
    ago — including before sharing began, raised when the consent starts: a crisis from two
    years ago still deserves one look (issue 16). One alert per day (the key is its date), so
    it is raised once however often the rules run."""
    found = [
        c.completed_on
        for c in record.checkups
        if c.crisis_reported or c.risks.get("mental_health") == "high"
    ]
    found += [m.completed_on for m in record.measures if m.crisis]
    return [Alert(SUICIDAL, say(SUICIDAL.message), on) for on in found if on <= record.today]


# What the alert says for the dimensions that are high (whole sentences, for translation).
RISK_MESSAGES = {
    ("withdrawal",): N_("A check-up found a high withdrawal risk."),
    ("overdose",): N_("A check-up found a high overdose risk."),
    ("withdrawal", "overdose"): N_("A check-up found a high withdrawal and overdose risk."),
}


def high_risk_checkup(record: Record) -> list[Alert]:
    """The risk model found withdrawal or overdose risk high in a recent check-up: the person
    was told to get care (urgency recommended or urgent), so the clinician is told too."""
    alerts = []
    for checkup in record.checkups:
        high = tuple(
            name for name in ("withdrawal", "overdose") if checkup.risks.get(name) == "high"
        )
        if high and _recent(record, checkup.completed_on):
            alerts.append(Alert(HIGH_RISK, say(RISK_MESSAGES[high]), checkup.completed_on))
    return alerts


def pregnant_and_using(record: Record) -> list[Alert]:
    """A recent check-up's risk model found the person pregnant and using what makes care
    urgent: the person was told so, and the clinician is told too."""
    return [
        Alert(PREGNANT_USING, say(PREGNANT_USING.message), checkup.completed_on)
        for checkup in record.checkups
        if checkup.pregnant_and_using and _recent(record, checkup.completed_on)
    ]


def _opioid_days(days: Sequence[Day]) -> list[date]:
    return [day.date for day in days if OPIOIDS in day.substances]


def opioid_use_after_gap(record: Record, days: Sequence[Day]) -> list[Alert]:
    """FACTS §4.3: the main danger is loss of tolerance after any time without opioids. A
    recorded day of opioid use whose previous known use (a check-in — before the window too —
    or the last use a check-up gave) is at least ``OPIOID_GAP_DAYS`` earlier raises an urgent
    alert. With no known previous use there is no gap to measure, so nothing is raised."""
    used = _opioid_days(days)
    known = sorted(
        [
            *used,
            *([record.last_opioid_before] if record.last_opioid_before is not None else []),
            *(
                checkup.completed_on - timedelta(days=checkup.opioid_last_use_days_ago)
                for checkup in record.checkups
                if checkup.opioid_last_use_days_ago is not None
            ),
        ]
    )
    alerts = []
    for used_on in used:
        earlier = bisect_left(known, used_on)  # known[earlier - 1]: the last use before
        if not earlier or not _recent(record, used_on):
            continue
        gap = (used_on - known[earlier - 1]).days
        if gap >= OPIOID_GAP_DAYS:
            alerts.append(Alert(OPIOID_AFTER_GAP, say(OPIOID_AFTER_GAP.message, days=gap), used_on))
    return alerts


def _run_starts(days: Sequence[Day], hit: Callable[[Day], bool]) -> list[Day]:
    """The days where ``hit`` holds but did not on the day before (missing counts as not)."""
    hits = {day.date for day in days if hit(day)}
    return [day for day in days if day.date in hits and day.date - timedelta(1) not in hits]


def return_to_use(record: Record, days: Sequence[Day]) -> list[Alert]:
    """Ours ❓: with an abstinence plan, the first day of use after the plan began, and the
    first day of each later run of use, raise one alert (a run of use is one alert)."""
    if record.approach != "abstinence" or record.plan_start is None:
        return []
    start = record.plan_start
    after = [day for day in days if day.date >= start]
    return [
        Alert(RETURN_TO_USE, say(RETURN_TO_USE.message), day.date)
        for day in _run_starts(after, lambda d: d.used)
        if _recent(record, day.date)
    ]


def taper_not_followed(record: Record, days: Sequence[Day]) -> list[Alert]:
    """CONTRACTS §4: a taper sets a most-drinks-a-day limit for each day. Drinks above the
    day's step raise one alert per run of such days. Only a taper's own days count; an
    abstinence target is the return-to-use rule's."""
    targets = record.targets
    if targets is None or not targets.steps:
        return []
    last_day = targets.start + timedelta(days=max(step.day for step in targets.steps) - 1)

    def over(day: Day) -> bool:
        limit = targets.on(day.date)
        drinks = day.drinks
        in_taper = targets.start <= day.date <= last_day
        return in_taper and limit is not None and drinks is not None and drinks > limit

    return [
        Alert(
            TAPER_NOT_FOLLOWED,
            say(
                TAPER_NOT_FOLLOWED.message,
                drinks=_number(day.drinks or 0),
                limit=_number(targets.on(day.date) or 0),
            ),
            day.date,
        )
        for day in _run_starts(days, over)
        if _recent(record, day.date)
    ]


def _number(value: float) -> str:
    return f"{value:g}"


def _craving_spikes(days: Sequence[Day]) -> set[date]:
    """The days (in date order, as `evaluate` passes them) whose cravings are a spike, in one
    pass: the baseline is a sliding window over the rated days, its sum and count kept as it
    moves, never read again. ``(cravings - RISE) * count >= sum`` is ``cravings >= mean +
    RISE`` in whole numbers."""
    rated = [(day.date, day.cravings) for day in days if day.cravings is not None]
    spikes: set[date] = set()
    first, total = 0, 0  # rated[first:index]: the baseline's ratings; total: their sum
    for index, (on, cravings) in enumerate(rated):
        while rated[first][0] < on - timedelta(days=CRAVING_BASELINE_DAYS):
            total -= rated[first][1]
            first += 1
        count = index - first
        if cravings >= CRAVING_HIGH or (
            count >= CRAVING_MIN_RATINGS and (cravings - CRAVING_RISE) * count >= total
        ):
            spikes.add(on)
        total += cravings
    return spikes


def craving_spike(record: Record, days: Sequence[Day]) -> list[Alert]:
    """Ours ❓: cravings of ``CRAVING_HIGH`` or more, or ``CRAVING_RISE`` above the mean of the
    person's ratings over the ``CRAVING_BASELINE_DAYS`` before; one alert per run."""
    spikes = _craving_spikes(days)
    return [
        Alert(
            CRAVING_SPIKE,
            say(CRAVING_SPIKE.message, cravings=day.cravings or 0),
            day.date,
        )
        for day in _run_starts(days, lambda d: d.date in spikes)
        if _recent(record, day.date)
    ]


def no_checkin(record: Record, days: Sequence[Day]) -> list[Alert]:
    """Ours ❓: ``NO_CHECKIN_DAYS`` or more days since the last check-in (or since the
    clinician began to watch, for a person who never checked in). The evidence date is the
    last check-in (or that start), so one silence raises one alert."""
    last = days[-1].date if days else (record.last_checkin_before or record.watching_since)
    if last is None or last > record.today:
        return []
    silent = (record.today - last).days
    if silent < NO_CHECKIN_DAYS:
        return []
    return [
        Alert(
            NO_CHECKIN,
            say(NO_CHECKIN.message, days=silent),
            last,
        )
    ]


def worsening_screener(record: Record) -> list[Alert]:
    """The latest check-up's screeners against each one's previous result, by the
    re-assessment rule (``reassess.worsening``: a more serious band, or PHQ-9 up by 5 or more);
    the evidence is the latest check-up."""
    ordered = sorted(record.checkups, key=lambda c: c.completed_on)
    if len(ordered) < 2 or not _recent(record, ordered[-1].completed_on):
        return []
    latest = ordered[-1]
    previous: dict[str, InstrumentResult] = {}
    for checkup in ordered[:-1]:
        previous.update(checkup.results)
    return [
        Alert(
            WORSENING,
            say(
                WORSENING.message,
                instrument=get_instrument(found.instrument).short_name,
                before=found.before.total,
                after=found.after.total,
            ),
            latest.completed_on,
        )
        for found in worsening(previous, latest.results)
    ]


def bam_risk(record: Record) -> list[Alert]:
    """A recent BAM whose Risk factors subscale is elevated (`BAM_RISK_FLAGS`): the VA guidance
    reads it as a higher risk of a return to use, so the clinician looks at which items are
    high. The evidence is the day it was answered."""
    return [
        Alert(BAM_RISK, say(BAM_RISK.message, score=m.subscales.get("risk", 0)), m.completed_on)
        for m in record.measures
        if m.instrument == BAM and m.flags & BAM_RISK_FLAGS and _recent(record, m.completed_on)
    ]


def missed_measures(record: Record) -> list[Alert]:
    """Ours ❓: the latest `MISSED_IN_A_ROW` requests of one measure all expired unanswered.
    Counted per measure, not across them: measures due together (the default schedule starts
    several on the same day) are one missed day, not a pattern, and a measure skipped every
    time while others are answered is still a gap in what the clinician sees. The evidence is
    the last missed due date, so each further miss raises again until one is answered; no
    lookback, like a missed check-in: the run is the person's state now."""
    alerts = []
    for instrument, latest in _latest_asked(record.asked).items():
        if len(latest) < MISSED_IN_A_ROW or any(a.answered for a in latest):
            continue
        message = say(
            MISSED_MEASURES.message,
            count=MISSED_IN_A_ROW,
            instrument=get_instrument(instrument).short_name,
        )
        alerts.append(Alert(MISSED_MEASURES, message, latest[0].due_on))
    return alerts


# Ours ❓: rules that describe the person's state now, not an event. Their open alerts end by
# themselves once an evaluation no longer finds the state (for missed measures: no measure's
# latest requests are all unanswered, so something was answered since). A missed check-in ends
# with the next check-in after its evidence instead (`clinic.actions`).
ENDS_WHEN_GONE: tuple[Rule, ...] = (MISSED_MEASURES,)


def ended(found: Iterable[Alert]) -> list[str]:
    """The rules in `ENDS_WHEN_GONE` that an evaluation's findings no longer show: their open
    alerts have ended."""
    showing = {alert.id for alert in found}
    return [rule.id for rule in ENDS_WHEN_GONE if rule.id not in showing]


def evaluate(record: Record) -> list[Alert]:
    """Every alert the record raises, most urgent first, then the most recent evidence first.
    A key appears once (two findings of one rule on one day are one alert)."""
    days = check_days(day for day in record.days if day.date <= record.today)
    found: Iterable[Alert] = (
        *suicidal_thoughts(record),
        *opioid_use_after_gap(record, days),
        *high_risk_checkup(record),
        *pregnant_and_using(record),
        *return_to_use(record, days),
        *taper_not_followed(record, days),
        *worsening_screener(record),
        *bam_risk(record),
        *missed_measures(record),
        *craving_spike(record, days),
        *no_checkin(record, days),
    )
    unique: dict[str, Alert] = {}
    for alert in found:
        unique.setdefault(alert.key, alert)
    return sorted(
        unique.values(),
        key=lambda a: (-a.priority, -a.evidence.toordinal(), RULES.index(a.rule)),
    )
