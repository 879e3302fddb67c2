from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page

from .helpers import ConsoleWatch


@pytest.fixture(autouse=True)
def console(page: Page) -> Iterator[ConsoleWatch]:
    """Every browser test watches the console; tests call `console.assert_clean()` to fail
    at the point of the problem, and anything left over fails at teardown."""
    watch = ConsoleWatch(page)
    yield watch
    watch.assert_clean()
