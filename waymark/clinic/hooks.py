"""The one call other areas make after changing a person's record: `record_changed(person)`.

Kept free of imports at module level so that the check-in and check-up actions can import it
without importing the clinic (which reads their models).
"""

from __future__ import annotations

from typing import Any


def record_changed(person: Any) -> None:
    """Evaluate the person's caseload alerts once the current transaction commits (a person
    without an account, or without anyone watching, costs one query at most)."""
    if person is None or getattr(person, "pk", None) is None:
        return
    from waymark.clinic.actions import after_write

    after_write(person)
