"""The clinical core: validating and recommending for synthetic profiles, and outcomes over
records of growing length (the ratio between lengths shows how the work grows)."""

from __future__ import annotations

from datetime import date
from functools import partial

from bench import synthetic
from bench.timing import Result, median_ms
from waymark.clinical import progress
from waymark.clinical.outcomes import outcomes
from waymark.clinical.pathway import recommend
from waymark.clinical.profile import parse_profile

END = date(2026, 6, 30)


def _progress_page(days: list[progress.Day]) -> object:
    """What the progress page asks of the core for one person."""
    return (
        progress.milestones(days),
        progress.weekly(days, END),
        progress.windows(days, END),
        progress.summary(days, END),
    )


def run(quick: bool = False) -> list[Result]:
    runs = 5 if quick else 25
    documents = synthetic.profiles(50 if quick else 500)
    parsed = [parse_profile(document) for document in documents]
    results = [
        Result(
            "core: validate profiles",
            median_ms(lambda: [parse_profile(d) for d in documents], runs),
            runs,
        ),
        Result(
            "core: recommend",
            median_ms(lambda: [recommend(p) for p in parsed], runs),
            runs,
            baseline="core: validate profiles",
        ),
    ]
    lengths = (90, 365) if quick else (90, 365, 1095)
    for length in lengths:
        record = synthetic.records(length, END)
        days = synthetic.days(length, END)
        results.append(
            Result(
                f"core: outcomes, {length} days",
                median_ms(partial(outcomes, record), runs),
                runs,
                baseline=None if length == lengths[0] else f"core: outcomes, {lengths[0]} days",
            )
        )
        results.append(
            Result(
                f"core: progress page maths, {length} days",
                median_ms(partial(_progress_page, days), runs),
                runs,
                baseline=f"core: outcomes, {length} days",
            )
        )
    return results
