"""The example people (paths/examples.json): read once, shown on the examples pages, served by
the API and loaded by `waymark demo`."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def examples() -> list[dict[str, Any]]:
    text = resources.files("waymark.paths").joinpath("examples.json").read_text("utf-8")
    loaded: list[dict[str, Any]] = json.loads(text)
    return loaded
