"""Recovery plans: a first draft from the latest result and the path the person chooses.

The draft follows the chosen path (which may differ from the suggested one) and keeps every
safety item of the result whatever that path is (PRODUCT.md, journey step 3 and the safety
invariants): the safety section has one block per safety id, in the result's order, and no
other part of the plan can take one away. The words are in :mod:`plan_text` and
:mod:`plan_support_text`; every rule here is described, with the FACTS.md section it rests on
and the thresholds that are ours, in docs/clinical-rules.md, "Recovery plans".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from waymark.clinical import danger_text as dangers
from waymark.clinical import labels
from waymark.clinical import plan_support_text as words
from waymark.clinical import plan_text as prose
from waymark.clinical.pathway import Recommendation
from waymark.clinical.profile import Profile
from waymark.clinical.risk import HIGH, POSSIBLE, RiskModel
from waymark.clinical.safety import SAFETY_TEXT
from waymark.clinical.taper import PRESCRIBER_WAY, Taper, TaperError, taper
from waymark.clinical.text import Message, say

APPROACHES = ("abstinence", "harm-reduction", "staged")
SECTIONS = ("safety", "toolkit", "abstinence-supports", "relapse-prevention")
HELP = "help"  # Block.lines: show the configured crisis and help lines here
HARM_REDUCTION_LINES = "harm-reduction"  # Block.lines: show the never-use-alone lines here
# Safety ids whose presence brings the harm-reduction toolkit, whatever the chosen path.
HARM_REDUCTION_IDS = (
    "naloxone",
    "never-use-alone",
    "fentanyl-test-strips",
    "syringe-services",
    "medication-for-opioid-use-disorder",
    "medication-for-alcohol-use-disorder",
)
# A day-by-day taper is drafted only for drinking on at least 15 of the past 30 days ❓ ours:
# below that, drinking is not daily enough for a daily schedule to mean anything.
TAPER_MIN_DAYS = 15
# The signal for the next stage: harm-reduction goals met for about 4 weeks ❓ ours
# (PRODUCT.md says "for weeks"; FACTS.md §8 gives no number).
STAGE_SIGNAL_WEEKS = 4
# NIAAA low-risk limits, drinks a day and a week (FACTS.md §3 ✅); the female limits apply
# when sex is not given and to men over 65 (FACTS.md §0.3, `Profile.cut_off_sex`).
LOW_RISK_LIMITS = {"female": (3, 7), "male": (4, 14)}
# People who should not drink at all (FACTS.md §3): under 21, and conditions alcohol worsens
# (the same conditions as `factors.health_reasons`).
NO_DRINKING_UNDER = 21
ALCOHOL_WORSENS = frozenset({"liver-disease", "pancreatitis", "hepatitis-c"})
NOT_IN_FACTS = "ours: common harm-reduction practice; FACTS has no section"


@dataclass(frozen=True)
class Block:
    """One titled piece of guidance; ``steps`` are numbered, ``bullets`` are not."""

    id: str
    title: Message
    paragraphs: tuple[Message, ...] = ()
    steps: tuple[Message, ...] = ()
    bullets: tuple[Message, ...] = ()
    lines: str | None = None  # HELP or HARM_REDUCTION_LINES: show the configured lines here
    fact: str = ""  # the FACTS.md section(s) it rests on


@dataclass(frozen=True)
class Section:
    id: str
    title: Message
    intro: Message | None
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Stage:
    id: str  # "now" or "next"
    title: Message
    actions: tuple[Message, ...]


@dataclass(frozen=True)
class PersonalDefaults:
    """Suggestions that pre-fill the person's own lists, which they edit."""

    goals: tuple[Message, ...]
    triggers: tuple[Message, ...]
    high_risk: tuple[Message, ...]
    warning_signs: tuple[Message, ...]
    coping: tuple[Message, ...]
    activities: tuple[Message, ...]
    meetings: tuple[Message, ...]
    after_slip: tuple[Message, ...]
    crisis_plan: tuple[Message, ...]


# The wallet card leads with the person's own top dangers, most dangerous first (CONTRACTS.md
# §3c): crisis, supervised withdrawal, combined overdose, lost tolerance, then the rest.
WALLET_ORDER = (
    "crisis-support",
    "medically-supervised-withdrawal",
    "polysubstance-overdose-risk",
    "reduced-tolerance",
    "naloxone",
    "continue-moud",
    "pregnancy-care",
    "never-use-alone",
    "under-18",
)
# What the card says about each danger it carries (a plain lead), then the numbered steps.
WALLET_LEAD: dict[str, tuple[str, ...]] = {
    "medically-supervised-withdrawal": (
        prose.WALLET_DO_NOT_STOP_SUDDENLY,
        prose.WALLET_IF_SEIZURE,
    ),
    "polysubstance-overdose-risk": (prose.WALLET_DO_NOT_MIX,),
    "reduced-tolerance": (prose.WALLET_LOWER_TOLERANCE,),
    "continue-moud": (dangers.MOUD_KEEP_TAKING,),
    "pregnancy-care": (prose.WALLET_PREGNANCY,),
    "never-use-alone": (prose.WALLET_NEVER_ALONE,),
    "under-18": (prose.WALLET_YOUTH,),
}
WALLET_STEPS: dict[str, tuple[str, ...]] = {
    "crisis-support": prose.WALLET_CRISIS_STEPS,
    "medically-supervised-withdrawal": dangers.SEIZURE_WHAT_TO_DO,  # clinical-facts A.12
    "naloxone": prose.WALLET_NALOXONE_STEPS,
}


@dataclass(frozen=True)
class WalletDanger:
    id: str
    title: Message
    lead: tuple[Message, ...]  # plain sentences first
    steps: tuple[Message, ...]  # then what to do, in order

    @property
    def lines(self) -> tuple[Message, ...]:
        return (*self.lead, *self.steps)


@dataclass(frozen=True)
class PlanDraft:
    chosen: str
    suggested: str
    substance: str
    safety: tuple[str, ...]  # all of the recommendation's safety ids, always
    sections: tuple[Section, ...]  # in SECTIONS order
    stages: tuple[Stage, ...]  # only when chosen == "staged"
    stage_signal: Message | None  # only when chosen == "staged"
    taper: Taper | None  # an alcohol schedule, or a refusal with the reason and safer way
    personal: PersonalDefaults
    # NIAAA low-risk limits (a day, a week) the plan gives, or None where a number would be
    # unsafe or meaningless (CONTRACTS.md §3c).
    drinking_limit: tuple[int, int] | None = None
    wallet: tuple[WalletDanger, ...] = ()

    @property
    def shows_harm_reduction_lines(self) -> bool:
        """Whether the configured never-use-alone lines go with the whole plan (the PDF's
        help lines, the wallet card): only where a safety item of the risk model shows them
        on the pages, never to someone the model sees no overdose danger for."""
        return any(SAFETY_LINES.get(safety_id) == HARM_REDUCTION_LINES for safety_id in self.safety)

    def as_dict(self) -> dict[str, Any]:
        """The public plan document of `waymark plan --json` (CONTRACTS.md §3c)."""
        return {
            "path": self.chosen,
            "suggested_path": self.suggested,
            "substance": self.substance,
            "safety": list(self.safety),
            "drinking_limit": None
            if self.drinking_limit is None
            else {"per_day": self.drinking_limit[0], "per_week": self.drinking_limit[1]},
            "taper": None if self.taper is None else self.taper.as_dict(),
            "goals": [str(goal) for goal in self.personal.goals],
            "sections": [
                {
                    "id": section.id,
                    "title": str(section.title),
                    "blocks": [
                        {
                            "id": block.id,
                            "title": str(block.title),
                            "text": [str(m) for m in (*block.paragraphs, *block.steps)]
                            + [str(m) for m in block.bullets],
                        }
                        for block in section.blocks
                    ],
                }
                for section in self.sections
            ],
            "stages": [
                {"id": stage.id, "actions": [str(action) for action in stage.actions]}
                for stage in self.stages
            ],
            "personal": {
                key: [str(item) for item in getattr(self.personal, key)]
                for key in PersonalDefaults.__dataclass_fields__
            },
            "wallet_card": {
                "dangers": [danger.id for danger in self.wallet],
                "steps": {
                    danger.id: [str(line) for line in danger.lines] for danger in self.wallet
                },
            },
        }


@dataclass(frozen=True)
class _Draft:
    """What every part of the plan reads."""

    profile: Profile
    result: Recommendation
    chosen: str
    taper: Taper | None
    limit: tuple[int, int] | None

    @property
    def model(self) -> RiskModel:
        return self.result.risks

    def has(self, *safety_ids: str) -> bool:
        return any(safety_id in self.result.safety for safety_id in safety_ids)

    @property
    def stopping(self) -> bool:
        return self.chosen != "harm-reduction"

    @property
    def supervised(self) -> bool:
        return self.has("medically-supervised-withdrawal", "no-self-taper")

    @property
    def primary_prescribed(self) -> bool:
        """The main substance is a medicine taken as prescribed (not alcohol)."""
        use = self.profile.use_of(self.result.substance)
        return use is not None and use.prescribed and use.substance != "alcohol"

    @property
    def drinking_dependence(self) -> bool:
        """Withdrawal risk with drinking: a day without alcohol could bring withdrawal."""
        return self.model.supervised_withdrawal and self.model.drinks_now

    @property
    def sedative_dependence(self) -> bool:
        return self.model.supervised_withdrawal


def _say(*templates: str) -> tuple[Message, ...]:
    return tuple(say(template) for template in templates)


def draft_plan(
    profile: Profile, recommendation: Recommendation, chosen: str | None = None
) -> PlanDraft:
    """The first draft of the plan for ``chosen`` (default: the suggested approach)."""
    path = recommendation.approach if chosen is None else chosen
    if path not in APPROACHES:
        raise ValueError(f"unknown approach {path!r}; choose one of {', '.join(APPROACHES)}")
    limit = drinking_limit(recommendation, path)
    schedule = plan_taper(profile, recommendation, path)
    draft = _Draft(profile, recommendation, path, schedule, limit)
    parts = (_safety(draft), _toolkit(draft), _supports(draft), _relapse_prevention(draft))
    staged = path == "staged"
    return PlanDraft(
        chosen=path,
        suggested=recommendation.approach,
        substance=recommendation.substance,
        safety=recommendation.safety,
        sections=tuple(section for section in parts if section is not None),
        stages=_stages(draft) if staged else (),
        stage_signal=_stage_signal(draft) if staged else None,
        taper=draft.taper,
        personal=_personal(draft),
        drinking_limit=limit,
        wallet=wallet_dangers(recommendation),
    )


def _stage_signal(draft: _Draft) -> Message:
    """When to move on from the first stage: the person's own choice only where stopping on
    their own is safe (the risk model's `stopping_is_safe`, as the stages' own steps)."""
    signal = (
        words.STAGE_SIGNAL if draft.model.stopping_is_safe else words.STAGE_SIGNAL_WITH_CLINICIAN
    )
    return say(signal, weeks=STAGE_SIGNAL_WEEKS)


def paths_open(suggested: str, safety: Iterable[str]) -> tuple[str, ...]:
    """The paths a person may choose for their plan: any of the three, but under 18 only the
    suggested one (abstinence), as the `under-18` finding promises: no adult path
    (CONTRACTS.md §3b)."""
    return (suggested,) if "under-18" in set(safety) else APPROACHES


def wallet_dangers(result: Recommendation) -> tuple[WalletDanger, ...]:
    """The wallet card's dangers: the person's own, most dangerous first, each with what to do;
    nothing that does not apply to them."""
    lead = dict(WALLET_LEAD)
    if result.risks.pregnant and result.risks.using("opioids"):  # never stopped suddenly
        lead["pregnancy-care"] = (*lead["pregnancy-care"], prose.WALLET_PREGNANCY_OPIOIDS)
    return tuple(
        WalletDanger(
            safety_id,
            say(labels.SAFETY_TITLE[safety_id]),
            tuple(say(line) for line in lead.get(safety_id, ())),
            tuple(say(step) for step in WALLET_STEPS.get(safety_id, ())),
        )
        for safety_id in WALLET_ORDER
        if safety_id in result.safety
    )


# Drinking limits and the taper (FACTS.md §3, §4.1) ------------------------------------------


def drinking_limits(profile: Profile) -> tuple[int, int]:
    """The NIAAA low-risk limits (a day, a week) that apply to this person."""
    return LOW_RISK_LIMITS["male" if profile.cut_off_sex == "male" else "female"]


def limits_not_for_them(profile: Profile) -> tuple[str, ...]:
    """Why the low-risk limits are not meant for this person (FACTS.md §3), if they are not."""
    reasons = (
        ("pregnant", profile.pregnant),
        ("young", profile.age < NO_DRINKING_UNDER),
        ("condition", bool(profile.health & ALCOHOL_WORSENS)),
        ("medication", "taking-sedating-medication" in profile.health),
    )
    return tuple(key for key, applies in reasons if applies)


def drinking_limit(result: Recommendation, chosen: str) -> tuple[int, int] | None:
    """The low-risk limits the plan gives, or None where a number would be unsafe or
    meaningless (CONTRACTS.md §3c): withdrawal risk high, a `no-self-taper` finding, pregnancy,
    under 18 (and under 21, FACTS.md §3), the abstinence path, no drinking now, or a condition
    or medicine alcohol worsens."""
    model = result.risks
    if (
        chosen == "abstinence"
        or not model.drinks_now
        or model.withdrawal.level == HIGH
        or "no-self-taper" in result.safety
        or limits_not_for_them(model.profile)
    ):
        return None
    return drinking_limits(model.profile)


def plan_taper(profile: Profile, result: Recommendation, chosen: str) -> Taper | None:
    """A step-down schedule for drinking on most days (to 0 for abstinence, else to the
    low-risk daily limit), or the refusal. A schedule never stands beside a `no-self-taper`
    finding: where the taper engine would allow one (the finding was raised for opioids),
    the plan refuses it and sends the person to a clinician. Under 18 there is no schedule."""
    use = profile.use_of("alcohol")
    if use is None or use.typical_amount is None or result.risks.under_18:
        return None
    if not result.risks.drinks_now:
        return None
    if (use.days_used_past_30 or 0) < TAPER_MIN_DAYS:
        return None
    limit = drinking_limit(result, chosen)
    target = 0 if chosen == "abstinence" or limit is None else limit[0]
    if use.typical_amount <= target:
        return None
    try:
        drafted = taper(use.typical_amount, target, profile=profile)
    except TaperError:
        return None
    if not drafted.refused and "no-self-taper" in result.safety:
        return Taper(refused=True, why=say(prose.NO_HOME_TAPER), steps=(), safer_way=PRESCRIBER_WAY)
    return drafted


# Safety (one block per safety id; FACTS.md §4, §5, §9, §11) --------------------------------

SAFETY_FACT = {
    "crisis-support": "§11.1",
    "under-18": "PRODUCT (adults only); clinical-facts A.9",
    "continue-moud": "§9.1, §4.3; clinical-facts A.10",
    "medically-supervised-withdrawal": "§4.1, §4.2, §11.2",
    "no-self-taper": "§4.1, §4.2, §4.3, §11.2",
    "pregnancy-care": "§11.4, §3, §4.3",
    "polysubstance-overdose-risk": "§4.2, §5",
    "reduced-tolerance": "§4.3, §9.1, §11.3",
    "naloxone": "§5, §11.3",
    "never-use-alone": "§5, §11.3",
    "fentanyl-test-strips": "§5",
    "syringe-services": "§5",
    "medication-for-opioid-use-disorder": "§9.1, §4.3",
    "medication-for-alcohol-use-disorder": "§9.2",
}
SAFETY_LINES = {
    "crisis-support": HELP,
    "under-18": HELP,
    "medically-supervised-withdrawal": HELP,
    "naloxone": HELP,
    "never-use-alone": HARM_REDUCTION_LINES,
}
SAFETY_STEPS = {
    "crisis-support": prose.CRISIS_STEPS,
    "continue-moud": (dangers.MOUD_KEEP_TAKING,),
    "medically-supervised-withdrawal": prose.WITHDRAWAL_STEPS,
    "no-self-taper": prose.NO_TAPER_STEPS,
    "pregnancy-care": prose.PREGNANCY_STEPS,
    "naloxone": prose.NALOXONE_STEPS,
}
SAFETY_BULLETS = {
    "under-18": dangers.YOUTH_RESOURCES,
    "medically-supervised-withdrawal": (prose.WITHDRAWAL_SIGNS, prose.EMERGENCY_SIGNS),
    "polysubstance-overdose-risk": prose.MIXING_BULLETS,
    "reduced-tolerance": prose.TOLERANCE_BULLETS,
}
EXPLAINED_IN_TOOLKIT = HARM_REDUCTION_IDS[1:]  # naloxone's steps are in its safety block


def _safety_extra(draft: _Draft, safety_id: str) -> tuple[str, ...]:
    """Bullets that depend on what the person uses."""
    profile = draft.profile
    opioids = profile.use_of("opioids")
    extra: list[str] = []
    if safety_id == "no-self-taper":
        if profile.uses("benzodiazepines"):
            extra.append(prose.NO_TAPER_BENZODIAZEPINES)
        if opioids is not None:
            no_taper = prose.NO_TAPER_PRESCRIBED_OPIOIDS, prose.NO_TAPER_OPIOIDS
            extra.append(no_taper[0] if opioids.prescribed else no_taper[1])
    if safety_id == "pregnancy-care":
        if opioids is not None:
            extra += prose.PREGNANCY_OPIOIDS
        if profile.uses("alcohol"):
            extra.append(prose.PREGNANCY_ALCOHOL)
        if profile.uses("tobacco"):
            extra.append(prose.PREGNANCY_TOBACCO)
    return (*extra, *_danger_extra(draft, safety_id))


def _danger_extra(draft: _Draft, safety_id: str) -> list[str]:
    """What the person's own supply and mixes add (docs/clinical-facts.md A.1–A.8)."""
    model, profile = draft.model, draft.profile
    kinds = frozenset().union(*(use.kinds for use in profile.substances))
    stimulants = model.state("stimulants")
    opioids = model.state("opioids")
    street_opioids = (opioids is not None and opioids.street) or "unknown-pills" in kinds
    extra: list[str] = []
    if safety_id == "medically-supervised-withdrawal" and model.drinks_now:
        extra.append(dangers.THIAMINE)  # A.1
    if safety_id == "naloxone":
        if street_opioids or "xylazine" in kinds:
            extra.append(dangers.NITAZENES)  # A.2
        if "xylazine" in kinds:
            extra += dangers.XYLAZINE_BULLETS  # A.3
        if stimulants is not None and stimulants.street:
            extra += (dangers.STIMULANT_OVERDOSE_SIGNS, *dangers.STIMULANT_OVERDOSE_STEPS)  # A.4
    if safety_id == "polysubstance-overdose-risk":
        if "gabapentinoids" in kinds:
            extra.append(dangers.GABAPENTINOID_OPIOIDS)  # A.5
        if kinds & {"ghb", "z-drugs"}:
            extra.append(dangers.GHB_Z_DRUGS)  # A.5
    if safety_id == "reduced-tolerance" and profile.recent_release:
        extra.append(dangers.LOST_TOLERANCE_RELEASE)  # A.8
    return extra


def _safety_block(draft: _Draft, safety_id: str, reasons: list[Message]) -> Block:
    paragraphs = (say(SAFETY_TEXT[safety_id]), *reasons)
    if safety_id in EXPLAINED_IN_TOOLKIT:
        paragraphs += (say(prose.SEE_TOOLKIT),)
    return Block(
        id=safety_id,
        title=say(labels.SAFETY_TITLE[safety_id]),
        paragraphs=paragraphs,
        steps=_say(*SAFETY_STEPS.get(safety_id, ())),
        bullets=_say(*SAFETY_BULLETS.get(safety_id, ()), *_safety_extra(draft, safety_id)),
        lines=SAFETY_LINES.get(safety_id),
        fact=SAFETY_FACT[safety_id],
    )


def _safety(draft: _Draft) -> Section | None:
    if not draft.result.safety:
        return None
    blocks = tuple(
        _safety_block(draft, safety_id, reasons)
        for safety_id, reasons in draft.result.safety_with_reasons
    )
    return _section("safety", blocks)


def _section(
    section_id: str, blocks: tuple[Block, ...], title: str | None = None, intro: str | None = None
) -> Section:
    title = title or prose.SECTION_TITLE[section_id]
    intro = intro or prose.SECTION_INTRO[section_id]
    return Section(id=section_id, title=say(title), intro=say(intro), blocks=blocks)


# The harm-reduction toolkit (FACTS.md §3, §4, §5, §9) --------------------------------------

# Each toolkit block, the safety ids that bring it, and the facts it rests on.
TOOLKIT_WHEN = {
    "get-naloxone": (("naloxone",), "§5"),
    "use-with-someone": (("never-use-alone", "fentanyl-test-strips"), "§5, §11.3"),
    "test-strips": (("fentanyl-test-strips",), "§5"),
    "syringe-services-testing": (("syringe-services",), "§5"),
    "moud": (("medication-for-opioid-use-disorder",), "§9.1, §4.3"),
    "maud": (("medication-for-alcohol-use-disorder",), "§9.2"),
}
TOOLKIT_LINES = {"use-with-someone": HARM_REDUCTION_LINES}
PRESCRIBABLE = ("opioids", "benzodiazepines", "stimulants")
SAFER_FACT = {
    "alcohol": "§3, §4.2",
    "opioids": "§4.3, §5",
    "benzodiazepines": "§4.2, §5",
    "stimulants": "§5",
    "other": "§4.2, §5",
}  # cannabis and tobacco: NOT_IN_FACTS


def _block(
    block_id: str, title: str, parts: prose.Parts, fact: str, lines: str | None = None
) -> Block:
    paragraphs, steps, bullets = parts
    return Block(block_id, say(title), _say(*paragraphs), _say(*steps), _say(*bullets), lines, fact)


def _abstinence_safer(draft: _Draft) -> list[Block]:
    if draft.chosen == "abstinence" or not draft.result.abstinence_safer:
        return []
    paragraphs = (
        say(prose.ABSTINENCE_SAFER_OPENING),
        *draft.result.abstinence_safer_reasons,
        say(prose.ABSTINENCE_SAFER_CLOSING),
    )
    title = say(prose.TOOLKIT_TITLE["abstinence-safer"])
    return [Block("abstinence-safer", title, paragraphs, fact="§3, §4.1, §4.2, §11.2")]


def _from_safety(draft: _Draft) -> list[Block]:
    blocks = []
    for block_id, (safety_ids, fact) in TOOLKIT_WHEN.items():
        if not draft.has(*safety_ids):
            continue
        paragraphs, steps, bullets = prose.TOOLKIT_BLOCKS[block_id]
        only_stimulants = draft.profile.uses("stimulants") and not draft.profile.uses("opioids")
        if block_id == "get-naloxone" and only_stimulants:
            bullets = (*bullets, prose.NALOXONE_STIMULANTS)
        title = prose.TOOLKIT_TITLE[block_id]
        parts = (paragraphs, steps, bullets)
        blocks.append(_block(block_id, title, parts, fact, TOOLKIT_LINES.get(block_id)))
    return blocks


def _safer_use(draft: _Draft) -> list[Block]:
    """Safer use of each substance used, for the paths that include using."""
    if draft.chosen == "abstinence":
        return []
    blocks = []
    for use in draft.profile.substances:
        if use.substance == "alcohol" and draft.model.under_18:
            continue  # adults' moderation ("decide your limit"): `under-18`, CONTRACTS.md §3b
        bullets = prose.SAFER_BULLETS[use.substance]
        if use.substance == "alcohol" and draft.limit is None:  # no limit of their own
            bullets = tuple(b for b in bullets if b != prose.SAFER_DECIDE_LIMIT)
        if use.substance == "cannabis" and (use.days_used_past_30 or 0) >= 20:
            bullets = (*bullets, dangers.CANNABIS_HYPEREMESIS)  # clinical-facts A.6
        if use.prescribed and use.substance in PRESCRIBABLE:
            extra = prose.SAFER_PRESCRIBED_EXTRA.get(use.substance)
            bullets = (*prose.SAFER_PRESCRIBED, *((extra,) if extra else ()))
        fact = SAFER_FACT.get(use.substance, NOT_IN_FACTS)
        title = prose.SAFER_TITLE[use.substance]
        blocks.append(_block(f"safer-{use.substance}", title, ((), (), bullets), fact))
    return blocks


def _drinking_limits(draft: _Draft) -> list[Block]:
    profile = draft.profile
    # Not for someone who has stopped drinking (`drinking_limit`: none then either).
    if draft.chosen == "abstinence" or not draft.model.drinks_now:
        return []
    free_days = prose.LIMIT_FREE_DAYS_LATER if draft.drinking_dependence else prose.LIMIT_FREE_DAYS
    title = say(prose.TOOLKIT_TITLE["drinking-limits"])
    not_for_them = [prose.NOT_FOR_YOU[key] for key in limits_not_for_them(profile)]
    if draft.limit is None and not not_for_them:
        # A clinician plans any cutting down: no number of one's own beside that finding,
        # and the reason said as it is (withdrawal, or a sedative or opioids).
        why = (
            prose.LIMITS_WITH_CLINICIAN
            if draft.model.withdrawal.at_least(POSSIBLE)
            else prose.LIMITS_WITH_CLINICIAN_OTHER
        )
        return [Block("drinking-limits", title, _say(why), (), (), None, "§4.1, §11.2")]
    if draft.limit is None:
        # The low-risk limits are for healthy adults: no numbers where they do not apply.
        adult_habit = draft.model.withdrawal.level != HIGH and not draft.model.under_18
        free = (say(free_days),) if adult_habit else ()
        paragraphs = _say(*not_for_them, prose.LIMITS_NONE_FOR_YOU)
        return [Block("drinking-limits", title, paragraphs, (), free, None, "§3")]
    day, week = draft.limit
    first: list[str] = []
    if profile.sex is None:
        first.append(prose.LIMITS_SEX_NOT_GIVEN)
    elif profile.cut_off_sex != profile.sex:
        first.append(prose.LIMITS_OLDER_MAN)
    paragraphs = _say(*first, prose.LIMITS_PARAGRAPH, prose.LIMITS_WHO_SHOULD_NOT)
    paragraphs += _say(prose.LIMITS_CANNOT_KEEP)
    bullets = (say(prose.LIMIT_DAY, day=day), say(prose.LIMIT_WEEK, week=week), say(free_days))
    return [Block("drinking-limits", title, paragraphs, (), bullets, None, "§3, §0.3")]


def _amount(drinks: float) -> str:
    return f"{drinks:g}"


def _taper_block(draft: _Draft) -> list[Block]:
    schedule = draft.taper
    if schedule is None:
        return []
    emergency = _say(prose.EMERGENCY_SIGNS)
    if schedule.refused:
        why = () if schedule.why is None else (schedule.why,)
        paragraphs = (*why, say(schedule.safer_way), say(prose.TAPER_REFUSED_ASK))
        title = say(prose.TOOLKIT_TITLE["taper-refused"])
        return [Block("taper", title, paragraphs, (), emergency, HELP, "§4.1, §11.2")]
    first, last = schedule.steps[0].limit, schedule.steps[-1].limit
    days = len(schedule.steps)
    summary = say(prose.TAPER_PARAGRAPH, start=_amount(first), target=_amount(last), days=days)
    title = say(prose.TOOLKIT_TITLE["taper"])
    if draft.model.supervised_withdrawal:  # no sudden stop on one's own, on any path
        option = _say(prose.TAPER_OPTION_SUPERVISED)
    else:
        option = _say(prose.TAPER_OPTION) if draft.chosen == "abstinence" else ()
    paragraphs = (summary, *option, say(prose.TAPER_CAUTION))
    steps = _say(*prose.TAPER_STEPS)
    return [Block("taper", title, paragraphs, steps, emergency, HELP, "§4.1 (⚠️ UK guidance)")]


def _toolkit(draft: _Draft) -> Section | None:
    wanted = draft.chosen != "abstinence" or draft.has(*HARM_REDUCTION_IDS)
    if not wanted and draft.taper is None:
        return None
    blocks = _abstinence_safer(draft) + _from_safety(draft) + _safer_use(draft)
    blocks += _drinking_limits(draft) + _taper_block(draft)
    title = prose.TOOLKIT_TITLE_ABSTINENCE if draft.chosen == "abstinence" else None
    return _section("toolkit", tuple(blocks), title)


# Supports and relapse prevention (FACTS.md §8) --------------------------------------------

LEFT_OUT_OF_LIGHT_SUPPORTS = ("urge-surfing", "activities")


def _supports(draft: _Draft) -> Section:
    """The supports for stopping; a lighter version for harm reduction."""
    if draft.stopping:
        decide = words.DECIDE_STOP
    elif draft.limit is None:  # no limit of their own to keep to
        decide = words.DECIDE_HARM_REDUCTION_NO_LIMIT
    else:
        decide = words.DECIDE_HARM_REDUCTION
    blocks = []
    for block_id, (paragraphs, steps, bullets) in words.SUPPORT_BLOCKS.items():
        if not draft.stopping and block_id in LEFT_OUT_OF_LIGHT_SUPPORTS:
            continue
        if block_id == "delay-distract-decide":
            steps = (*steps, decide)
        parts = (paragraphs, steps, bullets)
        blocks.append(_block(block_id, words.SUPPORT_TITLE[block_id], parts, "§8"))
    if draft.stopping:
        return _section("abstinence-supports", tuple(blocks))
    light = (prose.SUPPORTS_TITLE_HARM_REDUCTION, prose.SUPPORTS_INTRO_HARM_REDUCTION)
    return _section("abstinence-supports", tuple(blocks), *light)


def _after_a_slip(draft: _Draft) -> Block:
    bullets = [words.SLIP_OPIOIDS] if draft.profile.uses("opioids") else []
    bullets += [words.SLIP_SEDATIVES] if draft.sedative_dependence else []
    parts = ((words.SLIP_PARAGRAPH,), words.SLIP_STEPS, tuple(bullets))
    title = words.RELAPSE_TITLE["after-a-slip"]
    return _block("after-a-slip", title, parts, "§8, §4.1, §4.2, §4.3")


def _crisis_plan(draft: _Draft) -> Block:
    steps = list(words.CRISIS_PLAN_STEPS)
    steps += [words.CRISIS_PLAN_OVERDOSE] if draft.has("naloxone") else []
    steps += [prose.EMERGENCY_SIGNS] if draft.has("medically-supervised-withdrawal") else []
    title = words.RELAPSE_TITLE["crisis-plan"]
    return _block("crisis-plan", title, ((), tuple(steps), ()), "§11.1, §5, §4.1", HELP)


RELAPSE_LINES = {"people-to-call": HELP}


def _relapse_prevention(draft: _Draft) -> Section:
    blocks = [
        _block(block_id, words.RELAPSE_TITLE[block_id], parts, "§8", RELAPSE_LINES.get(block_id))
        for block_id, parts in words.RELAPSE_BLOCKS.items()
    ]
    blocks += [_after_a_slip(draft), _crisis_plan(draft)]
    return _section("relapse-prevention", tuple(blocks))


# Stages (staged path only; FACTS.md §8) ---------------------------------------------------


def _drinking_action(draft: _Draft) -> list[Message]:
    if not draft.profile.uses("alcohol"):
        return []
    actions = []
    if draft.taper is not None and not draft.taper.refused:
        actions.append(say(words.NOW["taper"]))
    if draft.limit is None:
        if draft.model.withdrawal.level == HIGH or draft.has("no-self-taper"):
            return actions
        return [*actions, say(words.NOW["no-limit"])]
    day, week = draft.limit
    actions.append(say(words.NOW["limit"], day=day, week=week))
    return actions if draft.drinking_dependence else [*actions, say(words.NOW["free-days"])]


def _now(draft: _Draft) -> tuple[Message, ...]:
    actions = [say(words.NOW["supervised"])] if draft.supervised else []
    actions += _drinking_action(draft)
    actions += [
        say(words.NOW[safety_id]) for safety_id in HARM_REDUCTION_IDS if draft.has(safety_id)
    ]
    if draft.result.substance != "alcohol":
        actions.append(say(words.NOW["safer-use"]))
    actions.append(say(words.NOW["check-in"]))
    return tuple(actions)


def _next(draft: _Draft) -> tuple[Message, ...]:
    """The staged plan's next stage: a date of one's own only where stopping on one's own is
    safe (`RiskModel.stopping_is_safe`); otherwise planned with a doctor or, for opioids, a
    clinician who can offer medication."""
    opioids = draft.profile.uses("opioids")
    if draft.has("medically-supervised-withdrawal") or draft.model.uses_sedatives:
        first = "supervised"
    elif opioids:
        first = "opioids"
    else:
        first = "date" if draft.model.stopping_is_safe else "supervised"
    keys = [first, *(["tolerance"] if opioids else []), "supports", "counsellor", "retry"]
    return tuple(say(words.NEXT[key]) for key in keys)


def _stages(draft: _Draft) -> tuple[Stage, ...]:
    return (
        Stage("now", say(words.STAGE_TITLE["now"]), _now(draft)),
        Stage("next", say(words.STAGE_TITLE["next"]), _next(draft)),
    )


# Personal suggestions -----------------------------------------------------------------------


def _safer_goals(draft: _Draft, substance: str) -> list[Message]:
    if draft.model.under_18:  # no adult goal of drinking or using less on one's own
        goals = [say(words.GOAL_YOUTH)]
    elif draft.primary_prescribed:
        goals = [say(words.GOAL_AS_PRESCRIBED)]
    elif substance == "alcohol":
        goals = []
        if draft.limit is not None:
            day, week = draft.limit
            goals.append(say(words.GOAL_LIMIT, day=day, week=week))
        elif draft.model.pregnant and draft.model.stopping_is_safe:
            goals.append(say(words.GOAL_STOP_NOW_PREGNANT))
        elif not draft.supervised:
            goals.append(say(words.GOAL_DRINK_LESS))
        if draft.limit is not None and not draft.drinking_dependence:
            goals += _say(*words.GOAL_SAFER["alcohol"])
    else:
        goals = list(_say(*words.GOAL_SAFER[substance]))
    if draft.has("fentanyl-test-strips") and substance == "opioids":
        goals.append(say(words.GOAL_TEST_STRIPS))
    if draft.model.on_moud:
        goals.append(say(words.GOAL_KEEP_MOUD))
    elif draft.has("medication-for-opioid-use-disorder"):
        goals.append(say(words.GOAL_MOUD))
    return goals


def _stop_goal(draft: _Draft, substance: str) -> Message:
    if substance == "opioids" and draft.model.on_moud:
        return say(words.GOAL_STOP_ON_MOUD)
    if substance == "opioids" and draft.primary_prescribed:
        return say(words.GOAL_STOP_PRESCRIBED_OPIOIDS)
    if not draft.model.stopping_is_safe and substance in words.GOAL_STOP_WITH_DOCTOR:
        return say(words.GOAL_STOP_WITH_DOCTOR[substance])
    if draft.model.pregnant and draft.model.stopping_is_safe and substance != "opioids":
        return say(words.GOAL_STOP_NOW_PREGNANT)
    return say(words.GOAL_STOP[substance])


def _goals(draft: _Draft, substance: str) -> tuple[Message, ...]:
    goals = [say(words.GOAL_SEE_DOCTOR_FIRST)] if draft.supervised else []
    if draft.chosen == "abstinence":
        goals.append(_stop_goal(draft, substance))
    else:
        goals += _safer_goals(draft, substance)
    if draft.chosen == "staged":
        # Not a period of not using on one's own where stopping needs a clinician.
        next_stage = (
            words.GOAL_NEXT_STAGE
            if draft.model.stopping_is_safe
            else words.GOAL_NEXT_STAGE_WITH_CLINICIAN
        )
        goals.append(say(next_stage, weeks=STAGE_SIGNAL_WEEKS))
    goals.append(say(words.GOAL_CHECK_IN))
    if draft.stopping:
        goals.append(say(words.GOAL_SUPPORT_WEEKLY))
    return tuple(goals)


def _meetings(draft: _Draft, substance: str) -> tuple[Message, ...]:
    if substance == "tobacco":
        return _say(words.MEETING_STOP_SMOKING)
    mutual_help = words.MEETING_AA if substance == "alcohol" else words.MEETING_NA
    stopping = [mutual_help, words.MEETING_SMART]
    safer = [words.MEETING_SMART, words.MEETING_HARM_REDUCTION]
    moderation = not draft.has("medically-supervised-withdrawal") and not draft.model.under_18
    if substance == "alcohol" and moderation:  # an adults' group, for drinking within limits
        safer.append(words.MEETING_MODERATION)
    chosen = {"abstinence": stopping, "harm-reduction": safer, "staged": safer + stopping}
    return _say(*dict.fromkeys(chosen[draft.chosen]))


def _personal(draft: _Draft) -> PersonalDefaults:
    substance = draft.result.substance
    coping = list(words.COPING)
    if draft.chosen != "abstinence" and not draft.primary_prescribed:
        # A limit to count to only where the plan gives one (none under 18, none where a
        # clinician plans any cutting down, none where the limits are not meant for them).
        own_limit = substance == "alcohol" and draft.limit is not None
        coping.append(words.COPING_LIMIT if own_limit else words.COPING_SAFER)
    signs = words.WARNING_SIGNS if draft.chosen == "abstinence" else words.WARNING_SIGNS_SAFER
    warning = [*signs, *filter(None, [words.WARNING_SIGN_EXTRA.get(substance)])]
    after_slip = list(words.AFTER_SLIP)
    after_slip += [words.AFTER_SLIP_OPIOIDS] if draft.profile.uses("opioids") else []
    after_slip += [words.AFTER_SLIP_SEDATIVES] if draft.sedative_dependence else []
    crisis = list(words.CRISIS_PLAN)
    crisis += [words.CRISIS_PLAN_TELL] if draft.has("crisis-support") else []
    crisis += [words.CRISIS_PLAN_OVERDOSE_MINE] if draft.has("naloxone") else []
    withdrawal = draft.has("medically-supervised-withdrawal")
    crisis += [words.CRISIS_PLAN_WITHDRAWAL] if withdrawal else []
    return PersonalDefaults(
        goals=_goals(draft, substance),
        triggers=_say(*words.TRIGGERS[substance]),
        high_risk=_say(*words.HIGH_RISK[substance]),
        warning_signs=_say(*warning),
        coping=_say(*coping),
        activities=_say(*words.ACTIVITIES),
        meetings=_meetings(draft, substance),
        after_slip=_say(*after_slip),
        crisis_plan=_say(*crisis),
    )
