"""A database error reaches the log and a job's stored error without the data its message can
quote (waymark/logs.py): PostgreSQL's DETAIL names a duplicate key's value and a failing row's
columns; SQLite's messages name only the constraint or column."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from waymark.accounts.models import User
from waymark.jobs import enqueue, register
from waymark.jobs.models import Job
from waymark.jobs.registry import KINDS
from waymark.jobs.worker import claim_next, run_job
from waymark.logs import JsonFormatter, PrivateDatabaseErrors, private_error, private_traceback

SECRET = "kept-secret-alias-5be1"


def _duplicate_user() -> IntegrityError:
    """A real unique violation from the test database: the alias sent twice."""
    User.objects.create_user(SECRET, password="x-long-password-1")
    try:
        with transaction.atomic():
            User.objects.create_user(SECRET, password="x-long-password-2")
    except IntegrityError as error:
        return error
    raise AssertionError("the second user was saved")


def _logged(error: BaseException, formatter: logging.Formatter) -> str:
    """The line the configured console handler's filter and ``formatter`` write for
    ``logger.exception`` of ``error``."""
    info = (type(error), error, error.__traceback__)
    record = logging.LogRecord(
        "django.request", logging.ERROR, __file__, 1, "Internal Server Error: %s", ("/x",), info
    )
    assert PrivateDatabaseErrors().filter(record)
    return formatter.format(record)


@pytest.mark.django_db
def test_a_real_unique_violation_is_logged_without_the_value() -> None:
    error = _duplicate_user()
    for formatter in (logging.Formatter(), JsonFormatter()):
        line = _logged(error, formatter)
        assert SECRET not in line
        assert "IntegrityError" in line and "Traceback" in line
    told = private_error(error)
    assert SECRET not in told
    if connection.vendor == "postgresql":
        # What the driver said: the value, in its DETAIL. Only the names are kept.
        assert SECRET in str(error) and "DETAIL" in str(error)
        assert "SQLSTATE 23505" in told and "accounts_user_username_key" in told
    else:
        assert told == "IntegrityError: UNIQUE constraint failed: accounts_user.username"


def test_a_driver_message_with_a_detail_is_cut_to_its_code_and_names() -> None:
    import psycopg.errors

    message = 'null value in column "note"\nDETAIL:  Failing row contains (7, my secret note).'
    try:
        try:
            raise psycopg.errors.NotNullViolation(message)
        except psycopg.Error as driver:
            raise IntegrityError(*driver.args) from driver
    except IntegrityError as error:
        caught = error
    told = private_error(caught)
    assert told.startswith("IntegrityError: (SQLSTATE 23502")
    text = private_traceback((IntegrityError, caught, caught.__traceback__))
    assert "my secret note" not in text and "Failing row" not in text
    # Both the driver's error and Django's are still named, with where they were raised.
    assert "psycopg.errors.NotNullViolation: (SQLSTATE 23502" in text
    assert "django.db.utils.IntegrityError: (SQLSTATE 23502" in text
    assert "raise IntegrityError(*driver.args) from driver" in text


def test_other_errors_keep_their_message() -> None:
    try:
        raise ValueError("a plain message, not from a database")
    except ValueError as error:
        assert private_error(error) == "ValueError: a plain message, not from a database"
        line = _logged(error, logging.Formatter())
    assert "ValueError: a plain message, not from a database" in line


def test_the_console_handler_filters_database_errors(tmp_path: Any) -> None:
    """Wired in the settings: a running Waymark's log, text and JSON."""
    speak = (
        "import logging\n"
        "from django.db import IntegrityError\n"
        "try:\n"
        "    raise IntegrityError(\n"
        "        'duplicate key\\nDETAIL:  Key (email)=(who@example.org) exists.'\n"
        "    )\n"
        "except IntegrityError:\n"
        "    logging.getLogger('django.request').exception('Internal Server Error: /x')\n"
    )
    clean = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY")}
    for log_format in ("text", "json"):
        env = {**clean, "DEBUG": "True", "LOG_FORMAT": log_format,
               "WAYMARK_DATA_DIR": str(tmp_path)}  # fmt: skip
        done = subprocess.run([sys.executable, "-m", "waymark", "shell", "-c", speak], env=env,
                              capture_output=True, text=True, check=False)  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert "Internal Server Error: /x" in done.stderr
        assert "who@example.org" not in done.stderr and "DETAIL" not in done.stderr
        assert "IntegrityError: duplicate key" in done.stderr
        if log_format == "json":
            line = next(json.loads(x) for x in done.stderr.splitlines() if x.startswith("{"))
            assert line["exception"].endswith("django.db.utils.IntegrityError: duplicate key")


@pytest.fixture
def _duplicating_kind() -> Any:
    def duplicate(job: Job) -> str:
        User.objects.create_user(SECRET, password="x-long-password-1")
        with transaction.atomic():  # its own savepoint: the test's transaction goes on
            User.objects.create_user(SECRET, password="x-long-password-2")
        return "never"

    register("test.duplicate", duplicate, max_attempts=1)
    yield
    KINDS.pop("test.duplicate", None)


@pytest.mark.django_db
@pytest.mark.usefixtures("_duplicating_kind")
def test_a_job_failing_on_the_database_stores_no_value() -> None:
    enqueue("test.duplicate", "dup")
    job = claim_next("w", timezone.now())
    assert job is not None and job.kind == "test.duplicate"
    assert not run_job(job, "w")
    job.refresh_from_db()
    assert job.failed and job.last_error.startswith("IntegrityError: ")
    assert SECRET not in job.last_error
