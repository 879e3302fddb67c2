"""Plans in a real browser on a phone: made from a check-up result on a path other than the
suggested one, edited into a new version, downloaded as PDFs, and a form error kept in place.

The same flows through Django's client are in tests/test_plans.py; the check-up itself is
taken with `complete` from tests/e2e/test_checkup.py.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect
from pypdf import PdfReader
from pytest_django.live_server_helper import LiveServer

from tests.reference import load
from waymark.checkup.models import CheckUp
from waymark.plans.models import Plan, PlanVersion

from .helpers import ConsoleWatch, assert_accessible
from .test_checkup import COMES_BEFORE, PHONE, assert_fits_the_screen, complete

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIGNETTE: dict[str, Any] = next(
    v for v in load("vignettes.json") if v["name"] == "injects fentanyl, not ready to stop"
)
# A fragment followed from the error summary stays through the redirect after a save.
PLAN_URL = re.compile(r"/plans/[0-9a-f-]{36}/(#[\w-]*)?$")
STAGED = re.compile(r"^\s*Staged")
NEW_TRIGGER = "Seeing my old dealer on the bus"
NAME, PHONE_NUMBER = "Marisol Vega", "555-0142"


@pytest.fixture(autouse=True)
def phone(page: Page) -> None:
    page.set_viewport_size(PHONE)


def make_plan(page: Page, live_server: LiveServer, console: ConsoleWatch) -> Plan:
    """Take the check-up, then make a plan on the staged path rather than the suggested one."""
    complete(page, live_server, VIGNETTE["profile"], console=console)
    assert CheckUp.objects.get().result["approach"] != "staged", "pick a path not suggested"
    form = page.locator("form").filter(has=page.get_by_role("button", name="Make my plan"))
    suggested = form.locator("input[name=approach]:checked")
    expect(suggested).to_have_count(1)
    expect(suggested).not_to_have_value("staged")
    form.get_by_label(STAGED).check()
    expect(form.locator('input[name=approach][value="staged"]')).to_be_checked()
    form.get_by_role("button", name="Make my plan").click()
    expect(page).to_have_url(PLAN_URL)
    expect(page.locator("main h1")).to_have_text("My recovery plan")
    plan = Plan.objects.get()
    assert plan.latest().content["approach"] == "staged"
    return plan


def edit_plan(page: Page) -> str:
    """From the plan page: a new trigger at the end of the list and one person to call, both
    typed, then saved. Returns the triggers as they were before."""
    page.get_by_role("link", name="Edit my plan").click()
    expect(page.locator("main h1")).to_have_text("Edit my plan")
    assert_accessible(page)
    assert_fits_the_screen(page)
    triggers = page.get_by_label("My triggers")
    before = triggers.input_value()
    triggers.click()
    page.keyboard.press("ControlOrMeta+End")
    page.keyboard.press("Enter")
    page.keyboard.type(NEW_TRIGGER)
    expect(triggers).to_have_value(f"{before}\n{NEW_TRIGGER}")
    page.locator("#id_person-0-name").fill(NAME)
    page.keyboard.press("Tab")
    expect(page.locator("#id_person-0-phone")).to_be_focused()
    page.keyboard.type(PHONE_NUMBER)
    page.get_by_role("button", name="Save a new version").click()
    expect(page).to_have_url(PLAN_URL)
    return before


def pdf_text(path: Path) -> tuple[int, str]:
    """The number of pages and the text, with runs of white space as single spaces."""
    assert path.read_bytes().startswith(b"%PDF-"), f"{path.name} is not a PDF"
    reader = PdfReader(path)
    text = " ".join(p.extract_text() for p in reader.pages)
    return len(reader.pages), re.sub(r"\s+", " ", text)


def download(page: Page, link: str, to: Path) -> Path:
    with page.expect_download() as info:
        page.get_by_role("link", name=link).click()
    saved = to / info.value.suggested_filename
    info.value.save_as(saved)
    return saved


def test_a_plan_on_another_path_keeps_every_safety_item_first(
    page: Page, live_server: LiveServer, console: ConsoleWatch
) -> None:
    plan = make_plan(page, live_server, console)
    expect(page.locator(".lead")).to_contain_text("Staged")
    safety_ids = plan.checkup.result["safety"]
    assert set(VIGNETTE["must"]["safety_includes"]) <= set(safety_ids)
    safety = page.locator("section.safety")
    expect(safety).to_have_count(1)
    assert page.evaluate(COMES_BEFORE, ["section.safety", "main h1"]), "safety must come first"
    for safety_id in safety_ids:
        expect(safety.locator(f"#block-{safety_id}")).to_have_count(1)
    assert_accessible(page)
    assert_fits_the_screen(page)
    console.assert_clean()


def test_editing_saves_a_new_version_and_keeps_the_first(
    page: Page, live_server: LiveServer, console: ConsoleWatch
) -> None:
    plan = make_plan(page, live_server, console)
    edit_plan(page)
    mine = page.locator("section[aria-labelledby=mine-heading]")
    expect(mine).to_contain_text(NEW_TRIGGER)
    expect(mine.get_by_role("link", name=PHONE_NUMBER)).to_have_attribute(
        "href", f"tel:{PHONE_NUMBER}"
    )
    expect(mine).to_contain_text(NAME)
    assert list(plan.versions.values_list("number", flat=True)) == [2, 1]
    assert_fits_the_screen(page)

    page.get_by_role("link", name="All versions").click()
    expect(page.locator("main h1")).to_have_text("All versions")
    versions = page.locator("main ol li")
    expect(versions).to_have_count(2)
    assert_accessible(page)
    page.get_by_role("link", name=re.compile(r"^Version 1,")).click()
    expect(page.locator("main")).to_contain_text("This is an earlier version.")
    expect(page.locator("main")).not_to_contain_text(NAME)
    expect(page.locator("main")).not_to_contain_text(NEW_TRIGGER)
    expect(page.get_by_role("link", name="Edit my plan")).to_have_count(0)
    console.assert_clean()


def test_the_plan_and_the_wallet_card_download_as_pdfs(
    page: Page, live_server: LiveServer, console: ConsoleWatch, tmp_path: Path
) -> None:
    make_plan(page, live_server, console)
    edit_plan(page)

    _, text = pdf_text(download(page, "Download the plan (PDF)", tmp_path))
    for wanted in (NAME, PHONE_NUMBER, NEW_TRIGGER):
        assert wanted in text, f"{wanted!r} is not in the plan PDF"
    for line in settings.HELP_LINES:
        assert str(line["contact"]) in text, f"{line['contact']!r} is not in the plan PDF"

    pages, text = pdf_text(download(page, "Wallet card (PDF)", tmp_path))
    assert pages == 1
    assert PHONE_NUMBER in text
    console.assert_clean()


def test_a_number_without_a_name_is_refused_and_nothing_typed_is_lost(
    page: Page, live_server: LiveServer, console: ConsoleWatch
) -> None:
    make_plan(page, live_server, console)
    page.get_by_role("link", name="Edit my plan").click()
    expect(page.locator("main h1")).to_have_text("Edit my plan")
    triggers, notes = page.get_by_label("My triggers"), page.get_by_label("Notes")
    triggers.fill(NEW_TRIGGER)
    notes.fill("Keep this note")
    page.locator("#id_person-0-phone").fill(PHONE_NUMBER)
    page.get_by_role("button", name="Save a new version").click()

    summary = page.get_by_role("alert")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Please add a name for this number.")
    expect(page.locator("#id_person-0-phone")).to_have_value(PHONE_NUMBER)
    expect(page.locator("#id_person-0-name")).to_have_value("")
    expect(triggers).to_have_value(NEW_TRIGGER)
    expect(notes).to_have_value("Keep this note")
    assert PlanVersion.objects.count() == 1
    name = page.locator("#id_person-0-name")
    expect(summary.get_by_role("link", name="Name")).to_have_attribute("href", "#id_person-0-name")
    expect(name).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)

    summary.get_by_role("link", name="Name").click()
    expect(name).to_be_focused()
    page.keyboard.type(NAME)
    page.get_by_role("button", name="Save a new version").click()
    expect(page).to_have_url(PLAN_URL)
    expect(page.locator("main")).to_contain_text(NAME)
    assert PlanVersion.objects.count() == 2
    console.assert_clean()
