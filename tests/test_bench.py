"""The benchmarks run and say what they measured; their timings are never asserted."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from bench import cli, core, scale, seed, synthetic, timing
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


def test_interleaved_runs_each_work_once_a_round_and_gives_each_its_median() -> None:
    calls: list[str] = []
    works = [lambda: calls.append("base"), lambda: calls.append("page")]
    medians = timing.interleaved(works, runs=3, warmup=1)
    assert calls == ["base", "page"] * 4  # the warm-up round, then three
    assert len(medians) == 2 and all(m >= 0 for m in medians)
    calls.clear()
    medians, rounds = timing.interleaved_within(works, budget_s=10, most=4)
    assert rounds == 4 and calls == ["base", "page"] * 5  # the first round judges the budget
    slow = [lambda: time.sleep(0.02), lambda: None]
    medians, rounds = timing.interleaved_within(slow, budget_s=0.01, most=4)
    assert rounds == 1 and medians[0] >= 20  # slower than the budget: the only round


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


def test_the_cli_benchmark_runs_each_command() -> None:
    results = cli.run(runs=1)
    assert [r.name for r in results][:3] == [cli.BASELINE, "cli: waymark score",
                                             "cli: waymark instruments"]  # fmt: skip
    assert "target ≤ 2×" in results[1].note


@pytest.mark.django_db
def test_the_sql_baselines_give_what_the_code_they_are_measured_against_gives() -> None:
    """The caseload SQL gives the page's first rows in the page's order, the report SQL the
    report's headline numbers: a ratio to a baseline that computes something else would
    mislead. Seeded with the benchmarks' own raw bulk writes, which the models read back."""
    from django.utils import timezone

    from waymark.clinic.chart import Caseload
    from waymark.clinic.report import program_report_for

    people = seed.people(30, 60)
    program = seed.program("Bench test program", people[:25])
    seed.check(people)
    viewer = program.clinician
    viewer.is_verified = lambda: True  # as a session that entered its code
    page = Caseload(viewer)[: scale.PAGE]
    # SQLite gives the day as text: compare it as text.
    rows = [(r.person.pk, r.urgent, r.high, str(r.last_checkin)) for r in page]
    found = [(pk, urgent, high, str(last)) for pk, _, urgent, high, _, last in
             scale.caseload_sql(viewer.pk)]  # fmt: skip
    assert found == rows

    report = program_report_for(program.organization)
    numbers = scale.report_sql(program.organization.pk, timezone.localdate())
    people_, retained, abstinent, first, latest, reduction = numbers
    assert people_ == report.people == 25
    assert report.retention.value == round(100 * retained / people_, 1)
    for cell, value in (
        (report.percent_days_abstinent, abstinent),
        (report.heavy_days_first, first),
        (report.heavy_days_latest, latest),
        (report.heavy_day_reduction, reduction),
    ):
        assert value is not None and cell.value == round(value, 1)


def test_the_scale_and_serve_benchmarks_run_at_a_tiny_scale() -> None:
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    tiny = ["--people", "20", "--days", "30", "--clients", "2", "--requests", "3"]
    finished = subprocess.run(
        [sys.executable, "-m", "bench.run", "--quick", "--only", "scale", "--only", "serve",
         *tiny],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )  # fmt: skip
    assert finished.returncode == 0, finished.stderr
    out = finished.stdout
    assert "× scale: caseload SQL, 20 people × 30 days" in out
    assert "× scale: report SQL, 20 people × 30 days" in out and "peak memory +" in out
    assert "scale: write a check-in (API), 90 days of history" in out
    assert "× scale: alert evaluation, 0 days of history" in out
    assert "× serve: GET /healthz, 2 clients" in out and "of the GET rate" in out
    assert "failed" not in out
