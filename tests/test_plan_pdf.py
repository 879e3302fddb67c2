"""The printable plan and the wallet card, rendered from Document objects (no database)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from pypdf import PdfReader

from tests.conftest import skip_or_fail
from waymark.clinical import plan
from waymark.plans.document import DocBlock, DocDanger, DocList, DocSection, Document
from waymark.plans.pdf import clean, plan_pdf, wallet_card_pdf

HELP_LINES = [
    {
        "name": "Emergency",
        "contact": "Call 911",
        "href": "tel:911",
        "description": "If a life is in danger now: an overdose, a seizure, a suicide attempt.",
    },
    {
        "name": "988 Suicide & Crisis Lifeline",
        "contact": "Call or text 988",
        "href": "tel:988",
        "description": "Free, confidential support any time, day or night. Spanish: press 2.",
    },
    {
        "name": "Crisis Text Line",
        "contact": "Text HOME to 741741",
        "href": "sms:741741",
        "description": "Talk by text with a trained crisis counselor.",
    },
    {
        "name": "SAMHSA National Helpline",
        "contact": "1-800-662-4357",
        "href": "tel:+18006624357",
        "description": "Free, confidential treatment referral and information, 24/7.",
    },
]
HARM_REDUCTION_LINES = [
    {
        "name": "Never Use Alone",
        "contact": "1-800-484-3731",
        "description": "If you use alone, call: someone stays on the line and sends help.",
    }
]
NALOXONE_STEPS = [
    "Shout their name and rub hard on the breastbone.",
    "Call 911 — say someone is not breathing.",
    "Spray naloxone into one nostril.",
    "Give rescue breaths; put them on their side.",
    "Stay with them: naloxone wears off sooner than fentanyl.",
]
PEOPLE = [
    {"name": "Ana Núñez", "phone": "555-0101", "note": "My sister; call any time."},
    {"name": "Marcus Lee", "phone": "555-0102", "note": "Sponsor — evenings are best."},
    {"name": "Dr. Ortiz", "phone": "555-0103", "note": ""},
    {"name": "Yusuf Demir", "phone": "555-0104", "note": "Counselor at the clinic."},
    {"name": "Beatriz Peña", "phone": "555-0105", "note": ""},
    {"name": "Sam O’Connor", "phone": "555-0106", "note": "Gym buddy."},
]
PERSONAL = [
    DocList("goals", "My goals", ["No more than 2 drinks on any day", "Dry weekdays → dry month"]),
    DocList("triggers", "My triggers", ["Payday", "Friday nights with the team", "Arguments"]),
    DocList("high_risk", "My high-risk situations", []),
    DocList("warning_signs", "My warning signs", ["Skipping meals", "“Just one” thinking"]),
    DocList("coping", "What I will do instead", [f"Coping idea number {n}" for n in range(1, 13)]),
    DocList("crisis_plan", "My crisis plan", ["Leave the bar", "Call Ana", "Text 988"]),
]
TAPER = [(day, 10.0) for day in range(1, 8)] + [(8 + i, 9.0 - i * 0.5) for i in range(12)]


def _block(id: str, title: str, **parts: list[str]) -> DocBlock:
    return DocBlock(
        id,
        title,
        parts.get("paragraphs", []),
        parts.get("steps", []),
        parts.get("bullets", []),
        [],
    )


def make_document(**changes: object) -> Document:
    safety = DocSection(
        "safety",
        "Safety first",
        "These come first and stay in every version of your plan.",
        [
            _block(
                "medically-supervised-withdrawal",
                "Withdrawal needs a doctor",
                paragraphs=["Stopping suddenly could be dangerous for you (seizures ≤ 48 h)."],
            ),
            _block("naloxone", "Naloxone saves lives", steps=NALOXONE_STEPS),
        ],
    )
    sections = [
        DocSection(
            "path",
            "Your path: cutting down",
            "Why this path fits what you told us.",
            [_block("why", "Why", bullets=["You want to drink less, not stop.", "Dry days help."])],
        ),
        DocSection(
            "relapse-prevention",
            "When things get hard",
            "",
            [_block("slip", "After a slip", paragraphs=["A slip is information, not failure."])],
        ),
    ]
    document = Document(
        title="My recovery plan",
        approach="moderation",
        approach_label="Cutting down",
        version=3,
        saved=datetime(2026, 3, 1, 14, 30, tzinfo=UTC),
        safety=safety,
        sections=sections,
        stages=[],
        stage_signal="",
        taper_refused=False,
        taper_reason="",
        taper_steps=TAPER,
        personal=PERSONAL,
        people=PEOPLE,
        notes="Keep the card in my wallet.\nSee Dr. Ortiz on Tuesday.",
        help_lines=HELP_LINES,
        harm_reduction_lines=HARM_REDUCTION_LINES,
        disclaimer="This plan is yours to change at any time. It is not medical advice.",
    )
    return replace(document, **changes)  # type: ignore[arg-type]


def read(pdf: bytes) -> tuple[int, str]:
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return len(reader.pages), " ".join(text.split())  # lines may wrap anywhere


def test_the_plan_holds_the_help_lines_sections_lists_people_and_taper() -> None:
    pages, text = read(plan_pdf(make_document(), language="en"))
    assert pages >= 2
    for line in [*HELP_LINES, *HARM_REDUCTION_LINES]:
        assert line["name"] in text and line["contact"] in text
    for title in ("Safety first", "Withdrawal needs a doctor", "Naloxone saves lives"):
        assert title in text
    for title in ("Your path: cutting down", "When things get hard", "After a slip"):
        assert title in text
    for doc_list in PERSONAL:
        if doc_list.items:
            assert doc_list.title in text
        for item in doc_list.items:
            assert item in text
    assert "My high-risk situations" not in text  # empty lists are left out
    for person in PEOPLE:
        assert person["name"] in text and person["phone"] in text
    assert "Day" in text and "At most (standard drinks)" in text
    # Day/limit pairs side by side, read a row at a time; the last row is short.
    assert re.search(r"\bdrinks\) 1 10 2 10 3 10 4 10 5 10\b", text)
    assert re.search(r"\b19 3\.5\b", text)
    assert "Page 1 of" in text and "It is not medical advice." in text
    assert "Chosen path: Cutting down" in text and "Version 3" in text


def test_the_safety_section_comes_before_every_other_section() -> None:
    _, text = read(plan_pdf(make_document(), language="en"))
    safety = text.index("Safety first")
    assert safety < text.index(NALOXONE_STEPS[0]) < text.index("Need help now?")
    assert text.index("Need help now?") < text.index("Your path: cutting down")
    assert text.index("When things get hard") < text.index("My goals") < text.index("Notes")


def test_the_metadata_holds_the_title_and_language_only() -> None:
    pdf = plan_pdf(make_document(), language="es")
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.metadata is not None and reader.metadata.title == "My recovery plan"
    assert "Ana" not in str(reader.metadata)
    assert str(reader.root_object["/Lang"]) == "es"
    assert pdf == plan_pdf(make_document(), language="es")  # the same plan, the same bytes


def test_the_wallet_card_is_one_page_with_lines_steps_and_three_people() -> None:
    dangers = [DocDanger("naloxone", "Carry naloxone", [], list(NALOXONE_STEPS))]
    pages, text = read(wallet_card_pdf(make_document(dangers=dangers), language="en"))
    assert pages == 1
    for line in HELP_LINES:
        assert line["contact"] in text
    assert "Never Use Alone" in text
    for step in NALOXONE_STEPS:
        assert " ".join(step.split()[:3]) in text
    for person in PEOPLE[:3]:
        assert person["name"] in text and person["phone"] in text
    assert PEOPLE[3]["name"] not in text and PEOPLE[3]["phone"] not in text


def test_the_wallet_card_leads_with_the_person_s_own_dangers_and_leaves_out_the_rest() -> None:
    dangers = [
        DocDanger("medically-supervised-withdrawal", "Withdrawal needs a doctor",
                  ["Do not stop suddenly.", "If a seizure starts:"],
                  ["Call emergency services.", "Stay with them."]),
        DocDanger("reduced-tolerance", "Lower tolerance", ["Use much less after a break."], []),
    ]  # fmt: skip
    _, text = read(wallet_card_pdf(make_document(dangers=dangers), language="en"))
    assert text.index("Withdrawal needs a doctor") < text.index("Lower tolerance")
    assert "If a seizure starts" in text and "1. Call emergency services." in text
    assert "naloxone" not in text.lower()  # no overdose steps for a danger the person lacks
    _, text = read(wallet_card_pdf(make_document(dangers=[]), language="en"))
    assert "What to do" not in text and "Give naloxone" not in text


def test_long_overdose_steps_take_two_panels_and_are_not_cut() -> None:
    steps = [
        "Call emergency services. Say that someone is not breathing or will not wake up; "
        "in most states Good Samaritan laws protect the person who calls.",
        "Check for the signs: no response when you shout or rub hard on the breastbone; slow, "
        "shallow or no breathing; blue or grey lips; gurgling or snoring sounds; tiny pupils.",
        "Support their breathing: if you know how, give one rescue breath every 5 seconds.",
        "Give naloxone: spray it into one nostril. If there is no response after 2 to 3 "
        "minutes, give another dose in the other nostril with a new device.",
        "If they are breathing, turn them on their side (the recovery position). Stay with "
        "them: naloxone can wear off before the opioid does.",
        "When they wake they may feel sick and in withdrawal. Help them not to use again.",
    ]
    dangers = [DocDanger("naloxone", "N", [], steps)]
    pages, text = read(wallet_card_pdf(make_document(dangers=dangers), language="en"))
    assert pages == 1 and "…" not in text and "What to do, continued" in text
    for step in steps:
        assert step in text
    assert "Never Use Alone: 1-800-484-3731" in text


def test_long_lines_and_names_are_cut_to_their_panels_but_never_a_danger_s_step() -> None:
    """The crisis lines and the people shrink, then are cut with "…", to stay in their panels;
    the dangers' steps are never cut: what does not fit one page goes on to a second card."""
    long = "Extraordinarily long help line name " * 8
    document = make_document(
        help_lines=[{"name": long, "contact": "Call " + "9" * 200, "description": long}] * 9,
        people=[{"name": long, "phone": "5" * 120, "note": long}] * 3,
        dangers=[DocDanger("naloxone", "N", [], [long] * 12)],
    )
    pages, text = read(wallet_card_pdf(document, language="en"))
    assert pages == 2 and "…" in text
    assert text.count(" ".join(long.split())) >= 12  # every step whole


def test_spanish_text_and_typography_survive() -> None:
    spanish = make_document(
        title="Mi plan de recuperación",
        approach_label="Reducción de daños",
        personal=[
            DocList(
                "goals",
                "Mis metas",
                ["Señales de alarma: ¿qué hago si está cerca? — “pedir ayuda” → llamar"],
            )
        ],
        people=[{"name": "Begoña Muñoz", "phone": "555-0199", "note": "Mañana o tarde"}],
    )
    _, text = read(plan_pdf(spanish, language="es"))
    assert "Mi plan de recuperación" in text and "Reducción de daños" in text
    assert "Señales de alarma: ¿qué hago si está cerca? — “pedir ayuda” → llamar" in text
    _, card = read(wallet_card_pdf(spanish, language="es"))
    assert "Begoña Muñoz" in card and "á" in text and "ñ" in text
    assert "8,5" in text  # the taper's decimal comma


def test_what_no_font_can_draw_is_replaced_not_fatal() -> None:
    # Cherokee and Tibetan are in none of the fonts: a letter becomes its base letter where it
    # has one (the mathematical bold A is an A), else "?"; a control character is left out.
    assert clean("Ok ✂ 😀 ǅ Ꮳཀ 𝐀\x07\tx\r\n") == "Ok ✂ 😀 ǅ ?? A x\n"
    document = make_document(
        notes="Emoji 😀, scissors ✂, ȟ, Georgian თბ, Greek αβγ, Cherokee Ꮳ",
        people=[{"name": "Ольга", "phone": "555-0107", "note": "Сестра"}],  # italic: Noto's
    )
    _, text = read(plan_pdf(document, language="en"))
    assert "Emoji 😀, scissors ✂, ȟ, Georgian თბ, Greek αβγ, Cherokee ?" in text
    assert "Ольга — 555-0107 Сестра" in text


HEBREW, ARABIC, CJK = "דוד כהן", "فاطمة الزهراء", "王小明"
THE_WORLD = [  # the three people on the card too
    {"name": HEBREW, "phone": "555-0110", "note": "אחי"},
    {"name": ARABIC, "phone": "555-0111", "note": ""},
    {"name": f"{CJK} 🙂", "phone": "555-0112", "note": ""},
]


def fonts(pdf: bytes) -> set[str]:
    """The fonts the pages use, without their subset prefix."""
    names: set[str] = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        resources: Any = page["/Resources"]
        names |= {str(f.get_object()["/BaseFont"]) for f in resources["/Font"].values()}
    return {name.split("+")[-1] for name in names}


@pytest.mark.parametrize("render", [plan_pdf, wallet_card_pdf])
def test_names_in_any_script_and_emoji_are_drawn_not_replaced(render) -> None:
    """pypdf puts the letters of each right-to-left word back in reading order, but gives the
    words of a line in the order they stand on the page, left to right: a two-word Hebrew or
    Arabic name comes out with its words swapped. It also reads the CJK font's two-byte codes a
    byte at a time (it skips the CMap that maps them), so a NUL comes before each ideograph."""
    pdf = render(make_document(people=THE_WORLD), language="en")
    _, text = read(pdf)
    people = text[text.index("People I can call") :]
    for name in (HEBREW, ARABIC):
        assert " ".join(reversed(name.split())) in people
    assert f"{CJK} 🙂" in people.replace("\x00", "")
    assert "555-0110" in people and "?" not in people
    used = {"NotoSansHebrewLight", "NotoSansCJKJP", "NotoEmoji"}  # Noto Sans Hebrew's odd name
    assert used | {"IBMPlexSansArabicBold"} <= fonts(pdf)  # a bold name stays bold in Arabic


@pytest.mark.parametrize("render", [plan_pdf, wallet_card_pdf])
def test_right_to_left_names_copy_in_reading_order(render) -> None:
    """Poppler, as a screen reader or a copy would, puts right-to-left runs back in reading
    order (between the embedding marks U+202B and U+202C, taken out here)."""
    if not shutil.which("pdftotext"):
        skip_or_fail("needs pdftotext (apt-get install poppler-utils; .ci/run installs it)")
    pdf = render(make_document(people=THE_WORLD), language="en")
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    text = re.sub("[\u202a-\u202e]", "", out.stdout.decode())
    for name in (HEBREW, ARABIC, f"{CJK} 🙂"):
        assert name in text


def test_plain_latin_text_uses_source_sans_pro_alone() -> None:
    faces = {"SourceSansPro", "SourceSansProBold", "SourceSansProItalic"}
    assert fonts(plan_pdf(make_document(), language="es")) == faces
    assert fonts(wallet_card_pdf(make_document(), language="es")) <= faces


def test_a_line_after_one_that_begins_in_another_script_keeps_its_font() -> None:
    # fpdf2 2.8.9 left the line after one that began in a fallback font in no font at all.
    document = make_document(notes="שלום\nAna Núñez, call her at 555-0101 or 555-0199.")
    _, text = read(plan_pdf(document, language="en"))
    assert "Ana Núñez, call her at 555-0101 or 555-0199." in text


def test_an_empty_safety_section_and_no_taper_still_render() -> None:
    document = make_document(
        safety=DocSection("safety", "Safety first", "", []),
        taper_steps=[],
        personal=[],
        people=[],
        notes="",
        stages=[DocList("first", "First: dry weekdays", ["Plan Friday"])],
        stage_signal="Move on when four weeks have gone well.",
    )
    pages, text = read(plan_pdf(document, language="en"))
    assert pages == 1 and "Safety first" not in text and "At most" not in text
    assert "First: dry weekdays" in text and "Move on when four weeks" in text
    assert read(wallet_card_pdf(document, language="en"))[0] == 1


def test_a_refused_taper_shows_the_reason_instead_of_a_schedule() -> None:
    reason = "A home taper is not safe for you. The safer way is medically supervised withdrawal."
    document = make_document(taper_refused=True, taper_reason=reason, taper_steps=[])
    _, text = read(plan_pdf(document, language="en"))
    assert reason in text and "At most (standard drinks)" not in text


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_pathological_plan_still_renders_on_many_pages(language: str) -> None:
    note = ("Una nota muy larga sobre mañana, sin pausa. " * 120)[:5000]
    document = make_document(
        notes=note + "\n" + "x" * 600,  # one unbreakable 600-character word as well
        personal=[DocList("goals", "My goals", [f"Goal number {n} " * 4 for n in range(200)])],
        taper_steps=[(day, max(0.0, 20 - day * 0.25)) for day in range(1, 81)],
        safety=DocSection(
            "safety", "Safety first", "", [_block("b", "B", paragraphs=["Long. " * 900])]
        ),
    )
    pages, text = read(plan_pdf(document, language=language))
    assert pages > 5 and "Goal number 199" in text and "x" * 80 in text
    assert language != "en" or f"Page {pages} of {pages}" in text


def test_many_dangers_make_the_card_three_rows_high_and_nothing_is_cut() -> None:
    """Someone on prescribed opioids and a benzodiazepine, just out of hospital: the real card
    texts of their five dangers do not fit two panels, so the card grows a row."""
    ids = ("medically-supervised-withdrawal", "polysubstance-overdose-risk",
           "reduced-tolerance", "naloxone", "never-use-alone")  # fmt: skip
    dangers = [
        DocDanger(i, i, list(plan.WALLET_LEAD.get(i, ())), list(plan.WALLET_STEPS.get(i, ())))
        for i in ids
    ]
    pages, text = read(wallet_card_pdf(make_document(dangers=dangers), language="en"))
    flat = " ".join(text.split())
    assert pages == 1 and "…" not in text
    for danger in dangers:
        for line in [danger.title, *danger.lead, *danger.steps]:
            assert " ".join(line.split()) in flat
    assert flat.count("What to do, continued") == 2
