"""A plan as one document of plain, translated strings: the page, the PDF and the wallet card
all render this, so they cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from waymark.clinical import labels
from waymark.clinical.plan import Block, PlanDraft, Section
from waymark.clinical.reassess import ABSTINENCE_TRIAL, TRIAL_WEEKS
from waymark.clinical.text import N_, Message
from waymark.context_processors import care_links, translated
from waymark.plans.actions import draft_for
from waymark.plans.content import PERSONAL_LISTS, people
from waymark.plans.models import Plan, PlanVersion


def text(message: Message) -> str:
    translated_template = _(message.template)
    return translated_template % message.params if message.params else translated_template


@dataclass
class DocBlock:
    id: str
    title: str
    paragraphs: list[str]
    steps: list[str]
    bullets: list[str]
    lines: list[dict[str, Any]]


@dataclass
class DocSection:
    id: str
    title: str
    intro: str
    blocks: list[DocBlock]


@dataclass
class DocList:
    id: str
    title: str
    items: list[str]


@dataclass
class DocDanger:
    """One of the person's dangers on the wallet card: plain sentences, then numbered steps."""

    id: str
    title: str
    lead: list[str]
    steps: list[str]


@dataclass
class Document:
    title: str
    approach: str
    approach_label: str
    version: int
    saved: datetime
    safety: DocSection | None
    sections: list[DocSection]
    stages: list[DocList]
    stage_signal: str
    taper_refused: bool
    taper_reason: str
    taper_steps: list[tuple[int, float]]
    personal: list[DocList]
    people: list[dict[str, str]]
    notes: str
    help_lines: list[dict[str, Any]]
    harm_reduction_lines: list[dict[str, Any]]
    disclaimer: str = field(default="")
    own_limit: str = field(default="")  # the next step the person chose, in one sentence
    # The person's own dangers, most dangerous first, each with what to do (the wallet card).
    dangers: list[DocDanger] = field(default_factory=list)
    # Where to find care near you (WAYMARK_CARE_LINKS), shown like help lines.
    care_links: list[dict[str, Any]] = field(default_factory=list)


PERSONAL_TITLES = {
    "goals": N_("My goals"),
    "triggers": N_("My triggers"),
    "high_risk": N_("My high-risk situations"),
    "warning_signs": N_("My warning signs"),
    "coping": N_("What I will do instead"),
    "activities": N_("Activities and routines that help me"),
    "meetings": N_("Meetings and groups"),
    "after_slip": N_("If I slip"),
    "crisis_plan": N_("My crisis plan"),
}


def _lines(kind: str | None) -> list[dict[str, Any]]:
    if kind == "help":
        return translated(settings.HELP_LINES)
    if kind == "harm-reduction":
        return translated(settings.HARM_REDUCTION_LINES)
    return []


def _block(block: Block) -> DocBlock:
    return DocBlock(
        id=block.id,
        title=text(block.title),
        paragraphs=[text(m) for m in block.paragraphs],
        steps=[text(m) for m in block.steps],
        bullets=[text(m) for m in block.bullets],
        lines=_lines(block.lines),
    )


def _section(section: Section) -> DocSection:
    return DocSection(
        id=section.id,
        title=text(section.title),
        intro=text(section.intro) if section.intro else "",
        blocks=[_block(block) for block in section.blocks],
    )


def build(draft: PlanDraft, version: PlanVersion) -> Document:
    content: dict[str, Any] = version.content or {}
    sections = [_section(s) for s in draft.sections]
    safety = next((s for s in sections if s.id == "safety"), None)
    taper = draft.taper
    # When the plan's own "taper" block already says why a schedule was refused, the
    # refusal is not repeated; the schedule's numbers only come from draft.taper.
    explained = any(block.id == "taper" for s in draft.sections for block in s.blocks)
    refused = bool(taper and taper.refused) and not explained
    personal_titles = {key: _(title) for key, title in PERSONAL_TITLES.items()}
    return Document(
        title=_("My recovery plan"),
        approach=draft.chosen,
        approach_label=_(labels.APPROACH[draft.chosen]),
        version=version.number,
        saved=version.created_at,
        safety=safety,
        sections=[s for s in sections if s.id != "safety"],
        stages=[DocList(s.id, text(s.title), [text(a) for a in s.actions]) for s in draft.stages],
        stage_signal=text(draft.stage_signal) if draft.stage_signal else "",
        taper_refused=refused,
        taper_reason=_translated_reason(taper) if refused else "",
        taper_steps=[(s.day, s.limit) for s in taper.steps] if taper else [],
        personal=[
            DocList(key, personal_titles[key], [str(i) for i in content.get(key, []) if str(i)])
            for key in PERSONAL_LISTS
        ],
        people=people(content),
        notes=str(content.get("notes", "")),
        help_lines=translated(settings.HELP_LINES),
        harm_reduction_lines=translated(settings.HARM_REDUCTION_LINES)
        if draft.shows_harm_reduction_lines
        else [],
        care_links=care_links(),
        own_limit=own_limit_text(content),
        dangers=[
            DocDanger(
                danger.id,
                text(danger.title),
                [text(line) for line in danger.lead],
                [text(step) for step in danger.steps],
            )
            for danger in draft.wallet
        ],
        disclaimer=_(
            "This plan is yours to change at any time. It is not medical advice and never "
            "replaces a clinician; it never tells you a medication dose."
        ),
    )


def own_limit_text(content: dict[str, Any]) -> str:
    """The next step chosen in this version (a lower limit or a trial of abstinence)."""
    limit = content.get("daily_limit")
    if not isinstance(limit, int | float) or isinstance(limit, bool):
        return ""
    step = content.get("next_step") or {}
    if step.get("kind") == ABSTINENCE_TRIAL:
        text = _(
            "My next step: %(weeks)d weeks without drinking, then I decide what comes next."
        ) % {"weeks": TRIAL_WEEKS}
    else:
        text = _("My next step: at most %(limit)s drinks a day, in place of the plan's limit.") % {
            "limit": f"{float(limit):g}"
        }
    if step.get("with_clinician"):
        text += " " + _("I plan this change with a doctor first.")
    return text


def _translated_reason(taper: Any) -> str:
    if taper is None or not taper.refused or taper.why is None:
        return ""
    return f"{text(taper.why)} {_(taper.safer_way)}"


def plan_document(plan: Plan, version: PlanVersion) -> Document:
    """The document of one version of a plan: what the page, the PDF, the wallet card and the
    API all show."""
    return build(draft_for(plan.checkup, version.content.get("approach")), version)
