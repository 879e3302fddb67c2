"""Help lines: configuration, never template text (PRODUCT.md invariants).

The defaults are US lines (FACTS.md §5, §6 — check them at every release). A program
elsewhere sets WAYMARK_HELP_LINES / WAYMARK_HARM_REDUCTION_LINES to a JSON list of
{"name", "contact", "href"?, "description"?} objects, or the same names with _FILE to read
the list from a file. Plain Python, so the command line can show them without Django.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from waymark.clinical.text import N_

HelpLine = dict[str, str]

DEFAULT_HELP_LINES: list[HelpLine] = [
    {
        "name": N_("Emergency"),
        "contact": N_("Call 911"),
        "href": "tel:911",
        "description": N_("If a life is in danger now: an overdose, a seizure, a suicide attempt."),
    },
    {
        "name": N_("988 Suicide & Crisis Lifeline"),
        "contact": N_("Call or text 988"),
        "href": "tel:988",
        "description": N_("Free, confidential support any time, day or night. Spanish: press 2."),
    },
    {
        "name": N_("Crisis Text Line"),
        "contact": N_("Text HOME to 741741"),
        "href": "sms:741741",
        "description": N_("Talk by text with a trained crisis counselor."),
    },
    {
        "name": N_("SAMHSA National Helpline"),
        "contact": "1-800-662-4357",
        "href": "tel:+18006624357",
        "description": N_("Free, confidential treatment referral and information, 24/7."),
    },
]

# Volunteer-run; federal funding was barred from April 2026 (FACTS.md §5): check each release.
DEFAULT_HARM_REDUCTION_LINES: list[HelpLine] = [
    {
        "name": N_("Never Use Alone"),
        "contact": "1-800-484-3731",
        "href": "tel:+18004843731",
        "description": N_(
            "If you use alone, call: someone stays on the line and sends help if you stop "
            "answering."
        ),
    },
]


class HelpLineError(ValueError):
    pass


def _read(name: str) -> str:
    if name in os.environ:
        return os.environ[name]
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8")
        except OSError as error:
            raise HelpLineError(f"{name}_FILE: cannot read {file_name}: {error}") from error
    return ""


def from_environment(name: str, default: list[HelpLine]) -> list[Any]:
    """The configured list, or the default; shape problems are reported by the system check
    waymark.E005 with a hint, not here."""
    raw = _read(name)
    if raw.strip() == "":
        return default
    try:
        lines = json.loads(raw)
    except json.JSONDecodeError as error:
        raise HelpLineError(f"{name} must be a JSON list: {error}") from error
    if not isinstance(lines, list):
        raise HelpLineError(f"{name} must be a JSON list of objects")
    return lines


def help_lines() -> list[Any]:
    return from_environment("WAYMARK_HELP_LINES", DEFAULT_HELP_LINES)


def harm_reduction_lines() -> list[Any]:
    return from_environment("WAYMARK_HARM_REDUCTION_LINES", DEFAULT_HARM_REDUCTION_LINES)
