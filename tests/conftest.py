"""Shared by every test.

Browser tests (marker `browser`) need the system Chromium and axe-core; PostgreSQL tests
(marker `postgres`) need DATABASE_URL pointing at PostgreSQL; reverse-proxy tests (marker
`caddy`) need Caddy. Outside CI a missing tool skips those tests with the reason; under CI
(the `CI` variable set) it fails them, so a broken CI machine can never pass by skipping.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

# Playwright's sync API runs an event loop in the main thread; without this Django refuses
# ORM calls made beside it. Set before Django is imported by pytest-django.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

PROJECT_DIR = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
AXE = PROJECT_DIR / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def skip_or_fail(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this fails instead of skipping)", pytrace=False)
    pytest.skip(reason)


def _is_postgresql() -> bool:
    from django.conf import settings

    return "postgresql" in settings.DATABASES["default"]["ENGINE"]


def pytest_configure(config: pytest.Config) -> None:
    """Argon2 is slow on purpose; the suite makes thousands of accounts, so tests hash new
    passwords with a fast hasher (passwords already hashed with Argon2 still check). The
    production hashers are tested in tests/test_accounts.py."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        *settings.PASSWORD_HASHERS,
    ]


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("browser"):
        if not CHROMIUM.exists():
            skip_or_fail(f"{CHROMIUM} is missing (apt-get install chromium fonts-liberation)")
        if not AXE.exists():
            skip_or_fail(f"{AXE} is missing (run `npm ci`)")
    if item.get_closest_marker("caddy") and not shutil.which("caddy"):
        skip_or_fail("caddy is missing (apt-get install caddy)")
    if item.get_closest_marker("postgres") and not _is_postgresql():
        reason = "needs DATABASE_URL pointing at PostgreSQL"
        # CI runs the suite twice, on SQLite then on PostgreSQL: only the second run,
        # which sets WAYMARK_EXPECT_POSTGRES=1, must have it.
        if os.environ.get("WAYMARK_EXPECT_POSTGRES") == "1":
            pytest.fail(f"{reason}, and WAYMARK_EXPECT_POSTGRES=1 is set", pytrace=False)
        pytest.skip(reason)


@pytest.fixture(autouse=True)
def _english_unless_a_test_says_otherwise() -> Iterator[None]:
    """Each test starts in English: a request in Spanish leaves its language active in the
    thread that served it, and the test client serves requests in the test's own thread."""
    with translation.override("en"):
        yield


# A fixed key for encrypted fields in tests (never used anywhere else).
TEST_FIELD_KEY = "dGVzdC1vbmx5LWtleS1mb3Itd2F5bWFyay10ZXN0cy0="


@pytest.fixture(autouse=True)
def _field_keys(settings: Any) -> None:
    settings.WAYMARK_FIELD_KEYS = [TEST_FIELD_KEY]


# A fixed audit key for tests (never used anywhere else).
TEST_AUDIT_KEY = "dGVzdC1vbmx5LWF1ZGl0LWtleS13YXltYXJrLXRlc3Q="


@pytest.fixture(autouse=True)
def _audit_keys(settings: Any) -> None:
    settings.WAYMARK_AUDIT_KEYS = [TEST_AUDIT_KEY]


PLAIN_STATIC = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}


@pytest.fixture(autouse=True)
def _plain_static_storage(settings: Any) -> None:
    """With DEBUG off the settings use whitenoise's manifest storage, which needs
    collectstatic; tests serve static files straight from the app folders instead."""
    settings.STORAGES = {**settings.STORAGES, "staticfiles": PLAIN_STATIC}


def module_settings() -> Any:
    """The autouse fixtures' settings, for a fixture built once per module (which runs before
    them): fixed keys and plain static files."""
    from django.conf import settings
    from django.test import override_settings

    return override_settings(
        WAYMARK_FIELD_KEYS=[TEST_FIELD_KEY],
        WAYMARK_AUDIT_KEYS=[TEST_AUDIT_KEY],
        STORAGES={**settings.STORAGES, "staticfiles": PLAIN_STATIC},
    )


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    return {"executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}
