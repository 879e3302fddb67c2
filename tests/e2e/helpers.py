"""Checks every browser test uses: a clean console under the strict CSP, and axe-core; and
signing a new person in through the real form."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import ConsoleMessage, Error, Page, ViewportSize, expect
from pytest_django.live_server_helper import LiveServer

from waymark.accounts.models import User

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
SMALL_PHONE: ViewportSize = {"width": 360, "height": 740}
PASSWORD = "a-long-password-for-e2e-1"


def sign_in_new_person(page: Page, live_server: LiveServer, username: str, **extra: Any) -> User:
    """Make an account and sign it in through the sign-in page, as a person would."""
    person = User.objects.create_user(username, password=PASSWORD, **extra)
    page.goto(live_server.url + "/account/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(live_server.url + "/account/login/")
    return person


class ConsoleWatch:
    """Collects CSP violations, JS errors and failed loads from a page as they happen."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.problems: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", self._on_page_error)

    def _on_console(self, message: ConsoleMessage) -> None:
        text, where = message.text, message.location.get("url", "")
        if text.startswith("Failed to load resource") and (
            # A 400 or 404 page is itself an expected answer (a form with errors): only
            # the resources it loads must not fail. Browsers ask for /favicon.ico unasked.
            where == self.page.url or where.endswith("/favicon.ico")
        ):
            return
        if "Content Security Policy" in text or message.type == "error":
            self.problems.append(f"console {message.type}: {text} ({where})")

    def _on_page_error(self, error: Error) -> None:
        self.problems.append(f"JS error: {error.message}")

    def assert_clean(self) -> None:
        problems, self.problems = self.problems, []
        assert not problems, "The browser reported problems:\n" + "\n".join(problems)


def assert_accessible(page: Page) -> None:
    """Runs axe-core in the page, injected without touching the page's CSP."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    violations: list[dict[str, Any]] = page.evaluate("async () => (await axe.run()).violations")
    report = [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + ", ".join(" ".join(map(str, node["target"])) for node in v["nodes"])
        for v in violations
    ]
    assert not violations, f"axe found problems on {page.url}:\n" + "\n".join(report)
