"""`waymark serve` hands gunicorn an explicit request timeout, graceful timeout and threads."""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.core.management import call_command

from waymark.management.commands import serve


def gunicorn_argv(monkeypatch: pytest.MonkeyPatch, *args: str) -> list[str]:
    started: list[list[str]] = []
    monkeypatch.setattr(serve, "call_command", lambda *a, **k: None)  # the checks: not here
    monkeypatch.setattr(os, "execv", lambda path, argv: started.append(list(argv)))
    call_command("serve", *args)
    (argv,) = started
    return argv


def option(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


def test_the_timeouts_default_to_a_minute_and_half_a_minute(monkeypatch: Any) -> None:
    monkeypatch.delenv("TIMEOUT", raising=False)
    monkeypatch.delenv("GRACEFUL_TIMEOUT", raising=False)
    argv = gunicorn_argv(monkeypatch)
    assert option(argv, "--timeout") == "60"
    assert option(argv, "--graceful-timeout") == "30"


def test_the_timeouts_come_from_the_environment_or_the_options(monkeypatch: Any) -> None:
    monkeypatch.setenv("TIMEOUT", "90")
    monkeypatch.setenv("GRACEFUL_TIMEOUT", "20")
    argv = gunicorn_argv(monkeypatch)
    assert (option(argv, "--timeout"), option(argv, "--graceful-timeout")) == ("90", "20")
    argv = gunicorn_argv(monkeypatch, "--timeout", "120", "--graceful-timeout", "10")
    assert (option(argv, "--timeout"), option(argv, "--graceful-timeout")) == ("120", "10")


def test_each_worker_serves_one_request_at_a_time_unless_told(monkeypatch: Any) -> None:
    """One thread (gunicorn's sync worker) unless THREADS or --threads asks for more."""
    monkeypatch.delenv("THREADS", raising=False)
    assert option(gunicorn_argv(monkeypatch), "--threads") == "1"
    monkeypatch.setenv("THREADS", "4")
    assert option(gunicorn_argv(monkeypatch), "--threads") == "4"
    assert option(gunicorn_argv(monkeypatch, "--threads", "8"), "--threads") == "8"
