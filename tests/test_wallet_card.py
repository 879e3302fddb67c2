"""The wallet card never drops or cuts a danger or a step: every danger the plan lists for the
card is printed in full, most dangerous first, in English and Spanish. The card is rendered as
the site renders it (the risk model, the plan draft, the plan document, then the PDF) and read
back with pypdf. An independent review found a pregnant person on methadone who takes
benzodiazepines every day, whose card ended at "Care in pregnancy …": the pregnancy text and
"never use alone" were cut, and a fuller profile lost "keep taking your methadone" and the last
two naloxone steps, because the last of three panels was shrunk, then cut."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any, cast

import pytest
from django.utils.translation import gettext as _
from django.utils.translation import override
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from tests.clinical.strategies import any_profiles
from waymark.clinical import plan
from waymark.clinical.pathway import recommend
from waymark.clinical.plan import draft_plan, wallet_dangers
from waymark.clinical.profile import parse_profile
from waymark.plans.document import DocDanger, Document, build, text
from waymark.plans.models import PlanVersion
from waymark.plans.pdf import CARD_H, CARD_PAD, CARD_SIZES, CARD_W, _CardPDF, wallet_card_pdf

# The reviewer's profile F5: pregnant, on methadone, benzodiazepines every day.
F5 = {
    "version": 2,
    "age": 30,
    "sex": "female",
    "pregnant": True,
    "goal": "stop",
    "substances": [
        {"substance": "opioids", "moud": True, "days_used_past_30": 30},
        {"substance": "benzodiazepines", "days_used_past_30": 30},
    ],
}
F5_WALLET = [
    "medically-supervised-withdrawal",
    "polysubstance-overdose-risk",
    "reduced-tolerance",
    "naloxone",
    "continue-moud",
    "pregnancy-care",
    "never-use-alone",
]
# The same person with suicidal thoughts, past delirium tremens and a recent release.
F5_FULLER = F5 | {
    "mental_health": {"suicidal_thoughts": True},
    "withdrawal_history": {"delirium_tremens": True},
    "recent_release": True,
}
CONTENT = {
    "people": [
        {"name": "Ana Núñez", "phone": "555-0101"},
        {"name": "Marcus Lee", "phone": "555-0102"},
        {"name": "Dr. Ortiz", "phone": "555-0103"},
    ]
}
LANGUAGES = ["en", "es"]


def version() -> PlanVersion:  # never saved: build() reads only these
    return PlanVersion(number=1, content=CONTENT, created_at=datetime(2026, 3, 1, tzinfo=UTC))


def document(profile: dict[str, Any], language: str) -> Document:
    """The plan document the site builds for this profile, in this language."""
    person = parse_profile(profile)
    with override(language):
        return build(draft_plan(person, recommend(person)), version())


def every_danger(language: str) -> Document:
    """A card with every danger the wallet card can carry, at once, in the risk model's words."""
    # Every id at once, read with a pregnant opioid user's model (the longest pregnancy lead).
    risks = recommend(parse_profile(F5)).risks
    every = cast(Any, SimpleNamespace(safety=plan.WALLET_ORDER, risks=risks))
    with override(language):
        doc = build(draft_plan(parse_profile(F5), recommend(parse_profile(F5))), version())
        doc.dangers = [
            DocDanger(
                danger.id,
                text(danger.title),
                [text(line) for line in danger.lead],
                [text(step) for step in danger.steps],
            )
            for danger in wallet_dangers(every)
        ]
    return doc


def read(pdf: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(pdf))
    words = " ".join(page.extract_text() for page in reader.pages).split()
    return len(reader.pages), " ".join(words)  # lines may wrap anywhere


def card(doc: Document, language: str) -> tuple[int, str]:
    return read(wallet_card_pdf(doc, language=language))


def assert_every_danger_in_full_and_in_order(doc: Document, card_text: str) -> None:
    position = 0
    for danger in doc.dangers:
        title = " ".join(danger.title.split())
        assert title in card_text[position:], f"{danger.id}: title missing or out of order"
        position = card_text.index(title, position)
        for number, line in enumerate([*danger.lead, *danger.steps], 1):
            assert " ".join(line.split()) in card_text, f"{danger.id} line {number}: {line!r}"
    assert "…" not in card_text


@pytest.mark.parametrize("language", LANGUAGES)
def test_f5_pregnant_on_methadone_with_benzodiazepines_gets_every_danger_in_full(
    language: str,
) -> None:
    doc = document(F5, language)
    assert [danger.id for danger in doc.dangers] == F5_WALLET
    pages, card_text = card(doc, language)
    assert pages == 1
    assert_every_danger_in_full_and_in_order(doc, card_text)
    pregnancy = next(d for d in doc.dangers if d.id == "pregnancy-care")
    never_alone = next(d for d in doc.dangers if d.id == "never-use-alone")
    assert pregnancy.lead[0] in card_text and never_alone.lead[0] in card_text


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_fuller_profile_keeps_methadone_and_every_naloxone_step(language: str) -> None:
    doc = document(F5_FULLER, language)
    ids = [danger.id for danger in doc.dangers]
    assert ids[0] == "crisis-support" and {"naloxone", "continue-moud"} <= set(ids)
    pages, card_text = card(doc, language)
    assert pages == 1
    assert_every_danger_in_full_and_in_order(doc, card_text)
    naloxone = next(d for d in doc.dangers if d.id == "naloxone")
    for number, step in enumerate(naloxone.steps, 1):
        assert f"{number}. {step}" in card_text


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_danger_at_once_fits_one_page_in_full(language: str) -> None:
    doc = every_danger(language)
    assert [danger.id for danger in doc.dangers] == list(plan.WALLET_ORDER)
    pages, card_text = card(doc, language)
    assert pages == 1
    assert_every_danger_in_full_and_in_order(doc, card_text)
    for person in CONTENT["people"]:
        assert person["name"] in card_text and person["phone"] in card_text
    for line in doc.help_lines:
        assert line["contact"] in card_text


def sheets_that_fit(doc: Document, language: str) -> list[list[Any]]:
    """The card's panels, page by page, checked: each panel of dangers holds its text (nothing
    runs past its edge) in 7 pt or more, and a page holds at most four rows."""
    with override(language):
        pdf = _CardPDF(doc, language)
        pdf.add_page()
        sheets = pdf.sheets(doc)
        width, room = CARD_W - 2 * CARD_PAD, CARD_H - 2 * CARD_PAD - 6
        for panels in sheets:
            assert len(panels) <= 8
            for panel in panels:
                if panel.size is not None:
                    assert panel.size >= CARD_SIZES[-1] >= 7
                    assert pdf.height(panel.entries, width, panel.size) <= room
    return sheets


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("make", [lambda lang: document(F5_FULLER, lang), every_danger])
def test_the_dangers_panels_hold_their_text_in_readable_type(make: Any, language: str) -> None:
    """Nothing runs past a panel's edge; every entry is drawn once, whole, and a danger that
    goes on to the next panel has its title again there, marked as continued."""
    doc = make(language)
    sheets = sheets_that_fit(doc, language)
    drawn = [entry for panels in sheets for p in panels if p.size for entry in p.entries]
    titles = {danger.title for danger in doc.dangers}
    continued = [e for e in drawn if e.bold and e.text not in titles]
    assert len(drawn) == sum(1 + len(d.lead) + len(d.steps) for d in doc.dangers) + len(continued)
    assert all(any(e.text.startswith(t) for t in titles) for e in continued)
    assert not any(e.continued for e in drawn)  # no real step is too long for a panel


def test_a_step_longer_than_a_panel_goes_on_to_the_next_and_is_not_cut() -> None:
    long = " ".join(f"word{n}" for n in range(180))  # longer than one panel, not a page
    doc = every_danger("en")
    doc.dangers = [DocDanger("naloxone", "Carry naloxone", [], ["Call emergency services.", long])]
    pages, card_text = card(doc, "en")
    assert pages == 1 and "…" not in card_text and len(sheets_that_fit(doc, "en")) == 1
    joined = card_text.replace(" What to do, continued Carry naloxone (continued)", "")
    assert f"1. Call emergency services. 2. {long}" in joined


def test_dangers_beyond_one_page_go_on_to_a_second_card_not_cut() -> None:
    steps = [f"Step {n}: " + "keep this whole sentence on the card, every word of it. " * 4
             for n in range(1, 41)]  # fmt: skip
    doc = every_danger("en")
    doc.dangers = [DocDanger("naloxone", "Carry naloxone", ["Lead."], steps)]
    pages, card_text = card(doc, "en")
    assert pages >= 2 and "…" not in card_text and len(sheets_that_fit(doc, "en")) == pages
    for number, step in enumerate(steps, 1):
        assert f"{number}. {' '.join(step.split())}" in card_text
    assert card_text.count("Cut along the solid line") == pages  # each page a card to cut out


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profile=any_profiles(), language=st.sampled_from(LANGUAGES))
def test_any_profile_s_card_carries_every_danger_in_full(
    profile: dict[str, Any], language: str
) -> None:
    doc = document(profile, language)
    pages, card_text = card(doc, language)
    assert pages == 1  # the model's dangers always fit one page
    assert_every_danger_in_full_and_in_order(doc, card_text)


# A drinker the risk model sees no overdose danger for, and a teenager who drinks.
DRINKER = {
    "version": 2,
    "age": 40,
    "goal": "cut-down",
    "substances": [{"substance": "alcohol", "days_used_past_30": 8, "typical_amount": 3}],
}
TEEN = DRINKER | {"age": 16, "goal": "unsure"}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("profile", [DRINKER, TEEN], ids=["drinker", "teenager"])
def test_the_never_use_alone_line_goes_only_on_cards_whose_plan_brings_it(
    profile: dict[str, Any], language: str
) -> None:
    """The configured harm-reduction line is shown on the pages under the never-use-alone
    safety item only. The card and the PDF's help lines had printed it for everyone, under
    "People I can call", a teenager who does not use opioids included."""
    without = document(profile, language)
    assert "never-use-alone" not in recommend(parse_profile(profile)).safety
    assert without.harm_reduction_lines == []
    assert "1-800-484-3731" not in card(without, language)[1]
    for profile_with_it in (F5, F5_FULLER):  # the lines on a panel of their own, or shared
        with_it = document(profile_with_it, language)
        assert "1-800-484-3731" in card(with_it, language)[1]
        with override(language):
            people = str(_("People I can call"))
        panels = [panel for sheet in sheets_that_fit(with_it, language) for panel in sheet]
        holding = [p.title for p in panels if any("1-800-484-3731" in e.text for e in p.entries)]
        assert holding and people not in holding
