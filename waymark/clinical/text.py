"""Plain-language text from the clinical core, translatable without importing Django.

The core writes English sentences wrapped in :func:`N_`, a no-op marker that
`makemessages --keyword=N_` collects into the catalogues. A :class:`Message` keeps the
template apart from its values, so the web layer can translate the template first and
fill the values in after (``gettext(message.template) % message.params``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


def N_(template: str) -> str:  # noqa: N802 (the conventional name for a no-op gettext marker)
    return template


@dataclass(frozen=True)
class Message:
    template: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.template % self.params if self.params else self.template


def say(template: str, **params: Any) -> Message:
    return Message(template, params)
