"""Configuration is checked: stable ids and a hint for every problem."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest

from waymark import checks
from waymark.settings import env_bool


def ids(messages: list[Any]) -> list[str]:
    return [message.id for message in messages]


def test_debug_off_without_a_key_from_the_environment_is_an_error(settings: Any) -> None:
    settings.DEBUG, settings.SECRET_KEY_FROM_ENVIRONMENT = False, False
    (error,) = checks.check_secret_key()
    assert error.id == "waymark.E001"
    assert error.hint is not None and "SECRET_KEY_FILE" in error.hint


def test_a_key_from_the_environment_passes(settings: Any) -> None:
    settings.DEBUG, settings.SECRET_KEY_FROM_ENVIRONMENT = False, True
    assert checks.check_secret_key() == []


@pytest.mark.parametrize(("hosts", "expected"), [([], ["waymark.E002"]), (["*"], ["waymark.E003"]),
                                                 (["waymark.example.org"], [])])  # fmt: skip
def test_allowed_hosts_must_be_named_with_debug_off(
    settings: Any, hosts: list[str], expected: list[str]
) -> None:
    settings.DEBUG, settings.ALLOWED_HOSTS = False, hosts
    assert ids(checks.check_allowed_hosts()) == expected


def test_help_lines_must_exist_and_be_well_formed(settings: Any) -> None:
    settings.HELP_LINES = []
    assert ids(checks.check_help_lines()) == ["waymark.E004"]
    settings.HELP_LINES = [{"name": "Line"}, "988", {"name": "x", "contact": "1", "url": "y"}]
    assert ids(checks.check_help_lines()) == ["waymark.E005"] * 3


def test_the_default_help_lines_pass() -> None:
    assert checks.check_help_lines() == []


@pytest.mark.parametrize(("value", "expected"), [("True", True), ("false", False), ("", True)])
def test_booleans_are_strict(monkeypatch: pytest.MonkeyPatch, value: str, expected: bool) -> None:
    monkeypatch.setenv("SOME_FLAG", value)
    assert env_bool("SOME_FLAG", True) is expected


def test_a_loose_boolean_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setenv("SOME_FLAG", "yes")
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG must be True or False"):
        env_bool("SOME_FLAG", False)


def _check(
    env: dict[str, str], command: tuple[str, ...] = ("check",)
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY",
                                                               "ALLOWED_HOSTS")}  # fmt: skip
    return subprocess.run(
        [sys.executable, "-m", "waymark", *command],
        env={**clean, **env}, capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_waymark_refuses_to_start_in_production_without_a_key_or_hosts() -> None:
    done = _check({"DEBUG": "False"})
    assert done.returncode != 0
    assert "waymark.E001" in done.stderr and "waymark.E002" in done.stderr


def test_production_refuses_to_start_without_an_audit_key(tmp_path: Any) -> None:
    key = tmp_path / "key"
    key.write_text("a-long-random-key-for-this-test-only-0123456789abcdef")
    field_key = "R3Zw6iFJ7ZkqgXo3bJ2eO2lGm4v0n5kQ8Yw1cT9pL6A="
    done = _check({"DEBUG": "False", "SECRET_KEY_FILE": str(key), "ALLOWED_HOSTS": "x.org",
                   "WAYMARK_FIELD_KEYS": field_key})  # fmt: skip
    assert done.returncode != 0 and "waymark.E009" in done.stderr


def test_waymark_starts_in_production_with_a_key_and_hosts(tmp_path: Any) -> None:
    key = tmp_path / "key"
    key.write_text("a-long-random-key-for-this-test-only-0123456789abcdef")
    field_key = "R3Zw6iFJ7ZkqgXo3bJ2eO2lGm4v0n5kQ8Yw1cT9pL6A="
    done = _check({"DEBUG": "False", "SECRET_KEY_FILE": str(key), "ALLOWED_HOSTS": "x.org",
                   "WAYMARK_FIELD_KEYS": field_key, "WAYMARK_AUDIT_KEYS": field_key})  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_log_format_json_writes_one_json_object_a_line() -> None:
    import json
    import logging

    from waymark.logs import JsonFormatter

    record = logging.LogRecord("waymark.jobs", logging.WARNING, __file__, 1, "job %s failed",
                               ("reminders",), None)  # fmt: skip
    record.job = "reminders.send"
    line = json.loads(JsonFormatter().format(record))
    assert line["level"] == "WARNING" and line["logger"] == "waymark.jobs"
    assert line["message"] == "job reminders failed" and line["job"] == "reminders.send"
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    assert "ValueError: boom" in json.loads(JsonFormatter().format(record))["exception"]


def test_a_running_waymark_logs_json_when_asked(tmp_path: Any) -> None:
    speak = "import logging; logging.getLogger('x').warning('hi')"
    env = {"DEBUG": "True", "LOG_FORMAT": "json", "WAYMARK_DATA_DIR": str(tmp_path)}
    done = _check(env, command=("shell", "-c", speak))
    assert done.returncode == 0, done.stderr
    import json

    lines = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    assert any(line["message"] == "hi" and line["logger"] == "x" for line in lines)
    bad = _check({"DEBUG": "True", "LOG_FORMAT": "xml", "WAYMARK_DATA_DIR": str(tmp_path)})
    assert bad.returncode != 0 and "LOG_FORMAT" in bad.stderr
