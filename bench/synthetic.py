"""Synthetic data for the benchmarks: seeded, so every run measures the same work.

Nothing here is anyone's data. Profiles follow profile v1 (CONTRACTS.md §2) with values drawn
across the schema's whole range; day records look like months of daily check-ins with slips,
missed days and cravings.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from waymark.clinical.outcomes import DayRecord
from waymark.clinical.profile import CRITERIA, GOALS, SUBSTANCES
from waymark.clinical.progress import Day

HEALTH = ("liver-disease", "pancreatitis", "heart-disease", "seizure-disorder", "chronic-pain")
ROUTES = ("oral", "smoked", "snorted", "injected", None)
# One recorded day: (days before the last day, used, drinks, cravings 0-10, mood 1-5).
DayRow = tuple[int, bool, float, int, int]


def profile(rng: random.Random) -> dict[str, Any]:
    """One profile v1 document with one to three substances."""
    substances = []
    for name in rng.sample(SUBSTANCES, rng.randint(1, 3)):
        substances.append(
            {
                "substance": name,
                "route": "oral" if name == "alcohol" else rng.choice(ROUTES),
                "days_used_past_30": rng.randint(0, 30),
                "typical_amount": round(rng.uniform(0, 20), 1),
                "criteria": rng.sample(CRITERIA, rng.randint(0, len(CRITERIA))),
                "last_use_days_ago": rng.choice((None, 0, 1, 3, 10, 40)),
            }
        )
    return {
        "version": 1,
        "age": rng.randint(18, 80),
        "sex": rng.choice(("female", "male", None)),
        "substances": substances,
        "goal": rng.choice(GOALS),
        "withdrawal_history": {
            "seizures": rng.random() < 0.1,
            "delirium_tremens": rng.random() < 0.05,
            "current_symptoms": rng.random() < 0.2,
        },
        "health": rng.sample(HEALTH, rng.randint(0, 2)),
        "mental_health": {"suicidal_thoughts": rng.random() < 0.1, "co_occurring": []},
        "readiness": {key: rng.randint(0, 10) for key in ("importance", "confidence", "readiness")},
    }


def profiles(count: int, seed: int = 1) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [profile(rng) for _ in range(count)]


def day_rows(rng: random.Random, count: int, missing: float = 0.15) -> Iterator[DayRow]:
    """``count`` calendar days, oldest first, as plain tuples (fast enough to seed millions of
    check-ins): (days before the last day, used, drinks, cravings, mood). About ``missing`` of
    the days are not recorded."""
    for offset in range(count - 1, -1, -1):
        if rng.random() < missing:
            continue
        used = rng.random() < 0.4
        amount = round(rng.uniform(1, 9), 1) if used else 0.0
        yield offset, used, amount, rng.randint(0, 10), rng.randint(1, 5)


def days(count: int, end: date, seed: int = 1, missing: float = 0.15) -> list[Day]:
    """``count`` calendar days up to ``end``: about ``missing`` of them not recorded."""
    return [
        Day(
            date=end - timedelta(days=offset),
            amount=amount,
            used=used,
            cravings=cravings,
            mood=mood,
            substances=frozenset({"alcohol"}) if used else frozenset(),
        )
        for offset, used, amount, cravings, mood in day_rows(random.Random(seed), count, missing)
    ]


def records(count: int, end: date, seed: int = 1) -> list[DayRecord]:
    return [DayRecord(day.date, day.drinks or 0.0) for day in days(count, end, seed)]
