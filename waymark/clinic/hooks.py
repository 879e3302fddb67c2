"""The one call other areas make after changing a person's record: `record_changed(person)`.

It queues the person's alert evaluation for `waymark worker` (`clinic.actions` registers the
kind) and imports nothing but `waymark.jobs`, so the check-in, check-up and consent actions can
call it without importing the clinic, which reads their models. `record_changed_statements` is
the same work as SQL for a write that sends its statements together (the check-in's, on
PostgreSQL).
"""

from __future__ import annotations

from typing import Any

from waymark.jobs import Statement, enqueue, requeue_statements

EVALUATE = "clinic.evaluate"


def evaluation_key(public_id: Any) -> str:
    """One evaluation job per person, named by their public id (deleting the account deletes
    the job with the rest of their queued work)."""
    return f"{EVALUATE}:{public_id}"


def record_changed(person: Any) -> None:
    """Queue an evaluation of the person's caseload alerts, in the caller's transaction: the
    job exists exactly when the change is committed, and a worker runs it — once more if one
    is running it now — after that. One query in all but the person's first write; nothing for
    a person without an account."""
    if person is None or getattr(person, "pk", None) is None:
        return
    reference = str(person.public_id)
    enqueue(EVALUATE, evaluation_key(reference), payload={"person": reference}, again=True)


def record_changed_statements(person: Any, *, only_if: str) -> list[Statement]:
    """`record_changed(person)` as statements that a write sends with its own in one round
    trip (PostgreSQL), applied only where the SQL condition ``only_if`` (a constant) holds when
    they run; none for a person without an account, as `record_changed`."""
    if person is None or getattr(person, "pk", None) is None:
        return []
    reference = str(person.public_id)
    return requeue_statements(
        EVALUATE, {evaluation_key(reference): {"person": reference}}, only_if=only_if
    )
