"""A person's completed check-ups, newest first, each with the change since the one before."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from waymark.checkup.actions import stored_answers
from waymark.checkup.models import CheckUp
from waymark.clinical.checkup import build_profile
from waymark.clinical.profile import parse_profile

TRACKED = ("audit", "dast-10", "phq-9", "gad-7", "barc-10")


@dataclass
class HistoryRow:
    checkup: CheckUp
    result: dict[str, Any]
    totals: dict[str, int]
    changes: list[dict[str, Any]] = field(default_factory=list)


def _totals(checkup: CheckUp) -> dict[str, int]:
    profile = parse_profile(build_profile(stored_answers(checkup)))
    totals = {}
    for instrument_id in TRACKED:
        score = profile.score(instrument_id)
        if score is not None:
            totals[instrument_id] = score.total
    return totals


def history_rows(completed: list[CheckUp]) -> list[HistoryRow]:
    """``completed`` newest first (answers prefetched: one query for all of them)."""
    rows = [HistoryRow(c, c.result or {}, _totals(c)) for c in completed]
    for newer, older in pairwise(rows):
        for key in ("urgency", "severity", "approach", "care_level"):
            before, after = older.result.get(key), newer.result.get(key)
            if before != after:
                newer.changes.append({"what": key, "before": before, "after": after})
        for instrument_id in TRACKED:
            before_total = older.totals.get(instrument_id)
            after_total = newer.totals.get(instrument_id)
            if before_total is not None and after_total is not None:
                newer.changes.append(
                    {"what": instrument_id, "before": before_total, "after": after_total,
                     "difference": after_total - before_total}
                )  # fmt: skip
    return rows
