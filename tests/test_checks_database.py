"""`waymark.W001`: PostgreSQL set to write statements' values into its own log is warned of,
since that log is outside Waymark's encryption, access rules and audit trail."""

from __future__ import annotations

import io
import os
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from tests.conftest import skip_or_fail
from waymark import checks
from waymark.management.commands import serve

pytestmark = pytest.mark.django_db

QUIET = dict(checks.QUIET_STATEMENT_LOGGING)


def warnings() -> list[Any]:
    return checks.check_statement_logging(databases=["default"])


@pytest.mark.postgres
def test_postgresql_s_defaults_are_warned_of_with_what_to_run() -> None:
    """Its defaults log a failing statement whole, and a duplicate key's value."""
    found = checks.statement_logging(connection)
    assert set(QUIET) <= set(found) <= set(QUIET) | set(checks.QUIET_UNLESS_TURNED_ON)
    assert found["log_min_error_statement"] != "panic", "the CI's server keeps its defaults"
    (warning,) = warnings()
    assert warning.id == "waymark.W001" and "log_min_error_statement = error" in warning.msg
    for name, value in QUIET.items():
        assert f"ALTER ROLE waymark SET {name} = {value}" in warning.hint


@pytest.mark.postgres
def test_a_role_set_as_deploy_md_says_is_not_warned_of(monkeypatch: Any) -> None:
    monkeypatch.setattr(checks, "statement_logging", lambda connection: dict(QUIET))
    assert warnings() == []
    monkeypatch.setattr(checks, "statement_logging", lambda c: {**QUIET, "log_statement": "mod"})
    (warning,) = warnings()
    assert warning.msg.endswith("log_statement = mod.")
    # Off by default, and auto_explain's only where it is loaded: warned of once turned on.
    loaded = {**QUIET, "auto_explain.log_min_duration": "-1", "debug_print_plan": "off"}
    monkeypatch.setattr(checks, "statement_logging", lambda connection: loaded)
    assert warnings() == []
    explained = {**loaded, "auto_explain.log_min_duration": "0", "debug_print_plan": "on"}
    monkeypatch.setattr(checks, "statement_logging", lambda connection: explained)
    (warning,) = warnings()
    assert "auto_explain.log_min_duration = 0, debug_print_plan = on" in warning.msg


@pytest.mark.postgres
def test_a_database_that_cannot_be_asked_is_said_never_passed(monkeypatch: Any) -> None:
    from django.db import OperationalError

    def down(connection: Any) -> dict[str, str]:
        raise OperationalError("connection refused")

    monkeypatch.setattr(checks, "statement_logging", down)
    (warning,) = warnings()
    assert warning.id == "waymark.W002" and "OperationalError" in warning.msg


@pytest.mark.postgres
def test_the_settings_really_take_effect_for_a_session() -> None:
    """What the hint has an administrator set for the role is what the check reads (here set
    for this transaction only: `SET LOCAL`, as a superuser, the CI's role)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if not cursor.fetchone()[0]:  # CI's role is one: there this fails, never skips
            skip_or_fail("only a superuser role may change these settings")
        for name, value in QUIET.items():
            cursor.execute(f"SET LOCAL {name} = {value}")
    found = checks.statement_logging(connection)
    assert {name: found[name] for name in QUIET} == QUIET
    assert warnings() == []


def test_sqlite_has_no_such_log_and_no_database_asked_means_no_check() -> None:
    if connection.vendor == "sqlite":
        assert warnings() == []
    assert checks.check_statement_logging(databases=None) == []


def test_waymark_serve_prints_the_database_checks_warnings(monkeypatch: Any) -> None:
    """Before it starts: the warnings on standard error, and nothing stops the start."""
    monkeypatch.setattr(os, "execv", lambda path, argv: None)
    checked: list[dict[str, Any]] = []

    def only_the_database_s(*args: Any, **options: Any) -> None:  # the rest: test_serve.py
        checked.append(options)
        if options.get("tags") == ["database"]:
            call_command(*args, **options)

    monkeypatch.setattr(serve, "call_command", only_the_database_s)
    monkeypatch.setattr(checks, "statement_logging", lambda c: {**QUIET, "log_statement": "all"})
    monkeypatch.setattr(connection, "vendor", "postgresql")
    err = io.StringIO()
    call_command("serve", stdout=io.StringIO(), stderr=err)
    assert [o.get("tags") for o in checked] == [None, ["database"]]
    assert "waymark.W001" in err.getvalue() and "log_statement = all" in err.getvalue()
