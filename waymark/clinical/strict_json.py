"""JSON as the standard defines it, read the same way by the command line and the API.

Python's json module accepts NaN and Infinity, turns 1e400 into infinity, and fails with
other exceptions on very long integers or very deep nesting; none of that may reach the
rules or become a traceback.
"""

from __future__ import annotations

import json
import math
from typing import Any


class NotJSONError(ValueError):
    """Text that is not standard JSON; the message says why in plain words."""


def _refuse_constant(name: str) -> Any:
    raise NotJSONError(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise NotJSONError(f"{text[:20]} is too large a number")
    return value


def loads(text: str) -> Any:
    """The decoded value; raises NotJSONError for anything that is not standard JSON."""
    try:
        return json.loads(text, parse_constant=_refuse_constant, parse_float=_finite)
    except NotJSONError:
        raise
    except json.JSONDecodeError as error:
        raise NotJSONError(f"{error.msg}, line {error.lineno} column {error.colno}") from error
    except (ValueError, RecursionError) as error:
        # Python refuses integers of thousands of digits, and nesting thousands deep.
        raise NotJSONError("too large to read (a number or nesting)") from error
