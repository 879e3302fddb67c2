"""The benchmarks run and say what they measured; their timings are never asserted."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from bench import core, synthetic, timing
from waymark.clinical.outcomes import check
from waymark.clinical.profile import parse_profile
from waymark.clinical.progress import check_days

ROOT = Path(__file__).resolve().parent.parent


def test_synthetic_profiles_are_valid_and_repeatable() -> None:
    documents = synthetic.profiles(200, seed=7)
    for document in documents:
        parse_profile(document)  # raises on anything profile v1 refuses
    assert documents == synthetic.profiles(200, seed=7)
    assert documents != synthetic.profiles(200, seed=8)


def test_synthetic_days_are_a_valid_record_with_missing_days() -> None:
    days = synthetic.days(365, date(2026, 6, 30))
    check_days(days)
    check(synthetic.records(365, date(2026, 6, 30)))
    assert 250 < len(days) < 365  # some days are missing, as in life
    assert days[-1].date <= date(2026, 6, 30)


def test_the_table_compares_each_result_with_its_baseline() -> None:
    text = timing.table([timing.Result("a", 2.0, 3), timing.Result("b", 5.0, 3, baseline="a")])
    assert "2.50× a" in text.splitlines()[2]


def test_the_core_benchmarks_run() -> None:
    names = [result.name for result in core.run(quick=True)]
    assert "core: recommend" in names and "core: outcomes, 365 days" in names


def test_the_whole_run_prints_a_table() -> None:
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    finished = subprocess.run(
        [sys.executable, "-m", "bench.run", "--quick", "--only", "web"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr
    assert "web: progress page, 365 days" in finished.stdout
    assert "× web: home page" in finished.stdout
    assert "web: caseload, 50 people" in finished.stdout
