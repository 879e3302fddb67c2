"""Medians, never means: a shared, noisy machine makes the odd run slow, not the typical one."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Result:
    name: str
    median_ms: float
    runs: int
    baseline: str | None = None  # the name of the result this one is compared with
    note: str = ""  # what else was measured with it: queries, memory, requests a second


def median_ms(work: Callable[[], object], runs: int, warmup: int = 1) -> float:
    for _ in range(warmup):
        work()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def elapsed_ms(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return (time.perf_counter() - start) * 1000


def interleaved(works: Sequence[Callable[[], object]], runs: int, warmup: int = 1) -> list[float]:
    """The median of each of ``works`` over ``runs`` rounds, each round running every work
    once, in turn. A benchmark and its baseline taken this way share the machine's slow and
    quick moments, so their ratio moves less from one run to the next than when one is timed
    after the other (on a shared machine the same page took up to twice as long a minute
    later)."""
    for _ in range(warmup):
        for work in works:
            work()
    samples: list[list[float]] = [[] for _ in works]
    for _ in range(runs):
        for index, work in enumerate(works):
            samples[index].append(elapsed_ms(work))
    return [statistics.median(each) for each in samples]


def interleaved_within(
    works: Sequence[Callable[[], object]], budget_s: float, most: int
) -> tuple[list[float], int]:
    """`interleaved` for as many rounds as fit in ``budget_s`` seconds (at most ``most``),
    judged by a first round that is also the warm-up; and how many rounds ran. A first round
    slower than the whole budget is the only one."""
    first = [elapsed_ms(work) for work in works]
    if sum(first) >= budget_s * 1000:
        return first, 1
    runs = max(1, min(most, int(budget_s * 1000 / max(sum(first), 0.001))))
    return interleaved(works, runs, warmup=0), runs


def table(results: list[Result]) -> str:
    """One line a benchmark: its median, and how many times its baseline's median it took."""
    by_name = {result.name: result for result in results}
    width = max(len(result.name) for result in results)
    lines = [f"{'benchmark':<{width}}  {'median ms':>10}  {'runs':>5}  compared with"]
    for result in results:
        against = ""
        if result.baseline is not None:
            base = by_name[result.baseline]
            ratio = result.median_ms / base.median_ms if base.median_ms else float("inf")
            against = f"{ratio:6.2f}× {result.baseline}"
        note = f"  [{result.note}]" if result.note else ""
        lines.append(
            f"{result.name:<{width}}  {result.median_ms:10.3f}  {result.runs:5d}  {against}{note}"
        )
    return "\n".join(lines)
