"""The check-up, taken in a real browser on a phone as a person would: clicks, then the
keyboard alone, going back, pausing, and getting an answer wrong.

The answers each person gives come from `tests.checkup_driver.form_data`, shared with the
Django-client walk in tests/test_checkup.py: both see only the steps that apply.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Locator, Page, ViewportSize, expect
from pytest_django.live_server_helper import LiveServer

from tests.checkup_driver import Profile, form_data, suicidal
from tests.clinical.test_vignettes import holds
from tests.reference import load
from tests.test_checkup import complete as complete_with_client
from waymark.checkup.models import CheckUp
from waymark.checkup.steps import step_for

from .helpers import ConsoleWatch, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE: ViewportSize = {"width": 390, "height": 844}
SMALL_PHONE: ViewportSize = {"width": 360, "height": 640}
VIGNETTES: dict[str, dict[str, Any]] = {v["name"]: v for v in load("vignettes.json")}
IN_THE_BROWSER = [
    "heavy drinking with withdrawal seizures, wants to stop",
    "injects fentanyl, not ready to stop",
    "suicidal thoughts on PHQ-9 while drinking lightly",
    "pregnant, uses opioids",
]
STEP_URL = re.compile(r"/checkup/([0-9a-f-]{36})/([a-z0-9-]+)/$")
RESULT_TITLE = "Your check-up result"
FORM = "form.checkup-step"

COMES_BEFORE = """([first, second]) => Boolean(document.querySelector(first)
    .compareDocumentPosition(document.querySelector(second)) & Node.DOCUMENT_POSITION_FOLLOWING)"""
# What a screen reader user would hear on Tab: the focused control, described.
FOCUSED = """(form) => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    return {tag: el.tagName.toLowerCase(), type: (el.getAttribute("type") || "").toLowerCase(),
            name: el.getAttribute("name") || "", value: el.value ?? "", checked: !!el.checked,
            text: (el.textContent || "").trim(), inForm: !!el.closest(form),
            group: el.type === "radio"
                ? [...el.form.querySelectorAll(`input[type=radio][name="${CSS.escape(el.name)}"]`)]
                    .map((r) => r.value)
                : []};
}"""
PagesSeen = Callable[[Page, str, str], None]


@pytest.fixture(autouse=True)
def phone(page: Page) -> None:
    page.set_viewport_size(PHONE)


def step_id(page: Page) -> str:
    match = STEP_URL.search(page.url)
    assert match, f"not a check-up page: {page.url}"
    return match.group(2)


def title(step: str) -> str:
    return RESULT_TITLE if step == "result" else str(step_for(step).title)


def present(page: Page, name: str) -> bool:
    return page.locator(f'{FORM} [name="{name}"]').count() > 0


def answer_step(page: Page, step: str, data: dict[str, Any]) -> None:
    """Fill the current step the way a person would, then press Next (or See my result).

    A field the step does not show is skipped: the driver's data may name one (say, how
    alcohol is taken), and a browser would not send it either."""
    form = page.locator(FORM)
    for name, value in data.items():
        controls = form.locator(f'[name="{name}"]')
        if not controls.count():
            continue
        kind = controls.first.get_attribute("type")
        if kind == "radio":
            choice = form.locator(f'input[type=radio][name="{name}"][value="{value}"]')
            if choice.count():  # "" where no "Prefer not to say" is offered: left unanswered
                choice.check()
        elif kind == "checkbox":
            chosen = set(value)
            for i in range(controls.count()):
                box = controls.nth(i)
                box.set_checked(box.get_attribute("value") in chosen)
        else:
            controls.fill(str(value))
    next_button(page).click()


def next_button(page: Page) -> Locator:
    """Next, or See my result: the step's forward button, in any language."""
    return page.locator(FORM).locator('button[value="next"]')


def answer_step_by_keyboard(page: Page, step: str, data: dict[str, Any]) -> None:
    """The same, with the keyboard alone: Tab from wherever focus is (the top of the page, or
    the heading that focus moved to after the swap), Space for boxes and radios, arrows in
    a radio group, typing into number fields, Enter on Next."""
    wanted = {name for name, value in data.items() if present(page, name) and value != []}
    done: set[str] = set()
    for _ in range(300):
        page.keyboard.press("Tab")
        el: dict[str, Any] | None = page.evaluate(FOCUSED, FORM)
        if el is None or not el["inForm"]:
            continue
        if el["tag"] == "button":
            assert el["value"] == "next", f"Tab reached {el['text']!r} before Next on {step}"
            break
        name = el["name"]
        if name not in data:
            continue
        value = data[name]
        if el["type"] == "radio":
            done.add(name)
            if value not in el["group"]:
                continue  # nothing fitting to choose: leave the question unanswered
            moves = (el["group"].index(value) - el["group"].index(el["value"])) % len(el["group"])
            for _move in range(moves):
                page.keyboard.press("ArrowDown")
            if not moves and not el["checked"]:
                page.keyboard.press("Space")
        elif el["type"] == "checkbox":
            done.add(name)
            if (el["value"] in value) != el["checked"]:
                page.keyboard.press("Space")
        else:
            done.add(name)
            page.keyboard.press("ControlOrMeta+A")
            if value == "":
                page.keyboard.press("Backspace")
            else:
                page.keyboard.type(str(value))
    else:
        pytest.fail(f"Tab never reached the Next button on {step}")
    assert wanted <= done, f"Tab never reached {sorted(wanted - done)} on {step}"
    page.keyboard.press("Enter")


def wait_for_page(page: Page, before: str) -> None:
    """After a submit: the URL changes (HTMX pushes it with the swap), or errors come back."""
    page.wait_for_function(
        "(before) => location.href !== before || !!document.querySelector('.error-summary')",
        arg=before,
    )
    errors = page.locator(".error-summary")
    assert not errors.count(), f"{before} came back with errors: {errors.inner_text()}"


def assert_fits_the_screen(page: Page) -> None:
    width = page.evaluate("() => document.scrollingElement.scrollWidth")
    screen = page.viewport_size["width"] if page.viewport_size else PHONE["width"]
    assert width <= screen, f"{page.url} scrolls sideways: {width}px on a {screen}px screen"


def assert_crisis_first(page: Page, *, alert: bool) -> None:
    """The crisis section, with every configured help line, before the h1."""
    safety = page.locator("section.safety")
    expect(safety).to_have_count(1)
    if alert:
        expect(safety).to_have_attribute("role", "alert")
    assert page.evaluate(COMES_BEFORE, ["section.safety", "main h1"]), "crisis help must come first"
    for line in settings.HELP_LINES:
        expect(safety).to_contain_text(str(line["name"]))
        expect(safety).to_contain_text(str(line["contact"]))


def complete(
    page: Page,
    live_server: LiveServer,
    profile: Profile,
    *,
    console: ConsoleWatch,
    viewport: ViewportSize = PHONE,
    keyboard: bool = False,
    on_page: PagesSeen | None = None,
) -> list[str]:
    """Take the check-up as this person from /checkup/ to the result; every page must pass
    axe and fit the screen. `on_page(page, previous_step, step)` sees each new page.
    Returns the steps shown."""
    page.set_viewport_size(viewport)
    page.goto(live_server.url + "/checkup/")
    assert_accessible(page)
    start = page.get_by_role("button", name="Start a new check-up")
    if keyboard:
        for _ in range(50):
            page.keyboard.press("Tab")
            if page.evaluate("() => document.activeElement.textContent.trim()") == (
                "Start a new check-up"
            ):
                break
        expect(start).to_be_focused()
        page.keyboard.press("Enter")
    else:
        start.click()
    expect(page).to_have_url(STEP_URL)

    shown: list[str] = []
    previous = ""
    while True:
        current = step_id(page)
        expect(page.locator("main h1")).to_have_text(title(current))
        if shown:  # after an HTMX swap, site.js moves focus to the new heading
            expect(page.locator("main h1")).to_be_focused()
        assert_accessible(page)
        assert_fits_the_screen(page)
        if on_page:
            on_page(page, previous, current)
        if current == "result":
            break
        if suicidal(profile) and "mood" in shown:
            assert_crisis_first(page, alert=False)  # on every step once said
        else:
            expect(page.locator("section.safety")).to_have_count(0)
        assert current not in shown, f"{current} shown twice: {shown}"
        shown.append(current)
        before = page.url
        answer = answer_step_by_keyboard if keyboard else answer_step
        answer(page, current, form_data(current, profile))
        wait_for_page(page, before)
        previous = current
    console.assert_clean()
    return shown


def assert_stored_as_through_the_client(profile: Profile) -> None:
    """What the browser stored is exactly what the same person stores through Django's
    client (tests/test_checkup.py): nothing was lost or changed on the way through the page."""
    in_the_browser = CheckUp.objects.get()
    complete_with_client(Client(), profile)
    with_client = CheckUp.objects.exclude(pk=in_the_browser.pk).get()
    assert stored(in_the_browser) == stored(with_client)
    assert in_the_browser.result == with_client.result


def stored(checkup: CheckUp) -> list[tuple[Any, ...]]:
    rows = checkup.answers.values_list("instrument", "context", "item", "option", "value")
    return sorted(rows, key=repr)


def assert_result(page: Page, vignette: dict[str, Any]) -> None:
    must = vignette["must"]
    result = CheckUp.objects.get().result
    assert holds(result, must) == []
    safety = page.locator("section.safety")
    if must.get("safety_includes"):
        expect(safety).to_have_count(1)
        assert page.evaluate(COMES_BEFORE, ["section.safety", "main h1"]), "safety comes first"
    for finding in must.get("safety_includes", []):
        if finding == "crisis-support":
            assert_crisis_first(page, alert=True)
            expect(safety.locator("#safety-crisis-support")).to_have_count(0)
        else:
            expect(safety.locator(f"#safety-{finding}")).to_have_count(1)
    for finding in must.get("safety_excludes", []):
        expect(page.locator(f"#safety-{finding}")).to_have_count(0)
    expect(page.locator(".factor")).to_have_count(6)
    assert_fits_the_screen(page)


@pytest.mark.parametrize("name", IN_THE_BROWSER)
def test_a_person_completes_the_check_up_on_a_phone(
    page: Page, live_server: LiveServer, console: ConsoleWatch, name: str
) -> None:
    vignette = VIGNETTES[name]
    crisis_pages: list[str] = []

    def after_mood(page: Page, previous: str, current: str) -> None:
        if previous == "mood" and suicidal(vignette["profile"]):
            # Help comes at once, mid check-up, before the next step's heading.
            assert_crisis_first(page, alert=True)
            crisis_pages.append(current)

    shown = complete(page, live_server, vignette["profile"], console=console, on_page=after_mood)
    assert_result(page, vignette)
    assert_stored_as_through_the_client(vignette["profile"])
    if "crisis-support" in vignette["must"].get("safety_includes", []):
        assert "mood" in shown and len(crisis_pages) == 1, (shown, crisis_pages)


def test_the_check_up_can_be_completed_with_the_keyboard_alone(
    page: Page, live_server: LiveServer, console: ConsoleWatch
) -> None:
    vignette = VIGNETTES["weekend drinker over limits, wants to cut down"]
    shown = complete(
        page, live_server, vignette["profile"], console=console, viewport=SMALL_PHONE, keyboard=True
    )
    assert {"about", "substances", "patterns", "audit", "goal"} <= set(shown)
    expect(page.locator("main h1")).to_have_text(RESULT_TITLE)
    assert_result(page, vignette)
    assert_stored_as_through_the_client(vignette["profile"])


def begin(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url + "/checkup/")
    page.get_by_role("button", name="Start a new check-up").click()
    expect(page.locator("main h1")).to_have_text(title("about"))


def answer(page: Page, profile: Profile, *steps: str) -> None:
    for step in steps:
        assert step_id(page) == step
        before = page.url
        answer_step(page, step, form_data(step, profile))
        wait_for_page(page, before)


def press(page: Page, button: str) -> None:
    page.locator(FORM).get_by_role("button", name=button).click()


def test_back_and_pause_keep_the_answers(
    page: Page, live_server: LiveServer, console: ConsoleWatch
) -> None:
    profile = VIGNETTES["pregnant, uses opioids"]["profile"]
    form = page.locator(FORM)
    begin(page, live_server)
    answer(page, profile, "about", "substances")
    expect(page.locator("main h1")).to_have_text(title("patterns"))

    press(page, "Back")
    expect(page).to_have_url(re.compile(r"/substances/$"))
    expect(page.locator("main h1")).to_have_text(title("substances"))
    expect(form.locator('[name="substances"][value="opioids"]')).to_be_checked()
    expect(form.locator('[name="substances"]:checked')).to_have_count(1)
    press(page, "Back")
    expect(page.locator("main h1")).to_have_text(title("about"))
    expect(form.locator('[name="age"]')).to_have_value("27")
    expect(form.locator('[name="sex"][value="female"]')).to_be_checked()
    expect(form.locator('[name="pregnant"][value="yes"]')).to_be_checked()
    answer(page, profile, "about")
    expect(page.locator("main h1")).to_have_text(title("substances"))

    press(page, "Save and finish later")
    expect(page).to_have_url(re.compile(r"/paused/$"))
    expect(page.locator("main h1")).to_have_text("Your answers are saved")
    assert_accessible(page)
    page.get_by_role("link", name="Continue now").click()
    expect(page).to_have_url(re.compile(r"/substances/$"))
    expect(page.locator("main h1")).to_have_text(title("substances"))
    expect(form.locator('[name="substances"][value="opioids"]')).to_be_checked()
    assert_accessible(page)
    console.assert_clean()


def test_missing_audit_answers_are_listed_with_focus_on_the_summary(
    page: Page, live_server: LiveServer, console: ConsoleWatch
) -> None:
    profile = VIGNETTES["heavy drinking with withdrawal seizures, wants to stop"]["profile"]
    begin(page, live_server)
    answer(page, profile, "about", "substances", "patterns", "safety")
    expect(page.locator("main h1")).to_have_text(title("audit"))
    form = page.locator(FORM)
    form.locator('[name="frequency"][value="3"]').check()
    next_button(page).click()

    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_be_focused()
    assert page.evaluate("() => document.activeElement.id") == "errors"
    expect(page).to_have_url(re.compile(r"/audit/$"))
    # 2, 3, 9 and 10 are missing; with 2 and 3 unanswered the skip logic lets 4 to 8 go.
    links = summary.locator("a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert hrefs == [f"#id_{item}_0" for item in
                     ("typical-quantity", "heavy-episodes", "injury", "concern")]  # fmt: skip
    for href in hrefs:
        expect(page.locator(str(href))).to_have_count(1)
    expect(form.locator('[name="frequency"][value="3"]')).to_be_checked()
    expect(form.locator('[name="frequency"]:checked')).to_have_count(1)
    assert_accessible(page)
    console.assert_clean()
