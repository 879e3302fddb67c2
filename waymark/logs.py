"""Structured logs: with LOG_FORMAT=json every log line is one JSON object, for a log
collector (time, level, logger, message, and the exception's traceback when there is one).
Nothing here adds data to a log line that the line did not already carry.

Database errors are told without their data (`private_error`, `PrivateDatabaseErrors`): a
driver's message can quote the values of the row a statement wrote. PostgreSQL's ``DETAIL``
does ("Key (email)=(…) already exists", "Failing row contains (…)"), and so can the first line
of a message about malformed input ("invalid input syntax for type uuid: …"). A log line or a
stored job error keeps what finds the fault, never those values.
"""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Iterator
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]

# The names a PostgreSQL error carries apart from its text (psycopg's `Diagnostic`): they
# name the schema's parts, never a row's values.
_NAMES = ("constraint_name", "table_name", "column_name", "datatype_name")


def _chain(error: BaseException) -> Iterator[BaseException]:
    """The error and those it was raised from or while handling, each once."""
    seen: set[int] = set()
    waiting: list[BaseException | None] = [error]
    while waiting:
        each = waiting.pop()
        if each is None or id(each) in seen:
            continue
        seen.add(id(each))
        yield each
        waiting += [each.__cause__, each.__context__]


def _from_database(error: BaseException) -> bool:
    """A database driver's error, or Django's wrapper of one (`django.db.Error`, whose
    subclasses carry the driver's message; the driver's error is its ``__cause__``)."""
    import sqlite3

    from django.db import Error

    if isinstance(error, Error | sqlite3.Error):
        return True
    try:
        import psycopg
    except ImportError:  # pragma: no cover (installed with Waymark)
        return False
    return isinstance(error, psycopg.Error)


def private_error(error: BaseException) -> str:
    """The error's type and message, as a log line or a job's stored error gives them; for a
    database error, without a word of its message that could be data:

    - PostgreSQL's (psycopg, or Django's wrapper of one): its SQLSTATE code and the names of
      the constraint, table, column or type it is about, and nothing of its text;
    - SQLite's: the first line of its message, which names a constraint or a column ("UNIQUE
      constraint failed: accounts_user.email") and quotes no value ⚠️ (read from SQLite's
      messages, not a documented promise)."""
    kind = type(error).__name__
    if not _from_database(error):
        return f"{kind}: {error}"
    driver = next((e for e in _chain(error) if hasattr(e, "diag")), None)
    if driver is not None:
        diag = driver.diag
        named = [(n.removesuffix("_name"), getattr(diag, n)) for n in _NAMES]
        names = [f"{part} {name}" for part, name in named if name]
        code = diag.sqlstate or getattr(driver, "sqlstate", None) or "unknown"  # its class's
        said = ", ".join([f"SQLSTATE {code}", *names])
        return f"{kind}: ({said}; its message is not logged, it may quote data)"
    first = str(error).split("\n", 1)[0]
    return f"{kind}: {first}"


def private_traceback(exc_info: ExcInfo) -> str:
    """The traceback of ``exc_info`` as `logging` writes it, each database error in it told
    by `private_error` instead of its message."""
    text = "".join(traceback.format_exception(*exc_info)).rstrip("\n")
    for each in _chain(exc_info[1]):
        message = str(each)
        if message and _from_database(each):
            text = text.replace(f": {message}", f": {private_error(each).partition(': ')[2]}")
    return text


class PrivateDatabaseErrors(logging.Filter):
    """Writes a log record's traceback with its database errors told by `private_error`
    (`logging.Formatter` uses ``exc_text`` when it is set); lets every record through."""

    def filter(self, record: logging.LogRecord) -> bool:
        info: Any = record.exc_info
        if info and info[1] is not None and any(_from_database(e) for e in _chain(info[1])):
            record.exc_text = private_traceback(info)
        return True


# Attributes every LogRecord has; anything else was passed with `extra=` and is kept.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            line["exception"] = record.exc_text or self.formatException(record.exc_info)
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = value if isinstance(value, str | int | float | bool) else str(value)
        return json.dumps(line, ensure_ascii=False)
