"""`waymark outcomes`: a `date,amount` CSV in, the outcomes of CONTRACTS.md §5 out."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.test_cli import waymark

CONTRACT_KEYS = [
    "days_recorded", "days_missing", "percent_days_abstinent", "drinks_per_drinking_day",
    "percent_heavy_drinking_days", "grams_per_day", "who_risk_level",
]  # fmt: skip

# Span 03-01..03-07 = 7 days; 03-03 and 03-06 have no row: 5 recorded, 2 missing.
# Abstinent 2 of 5 = 40%. Drinking days 2, 4, 6: mean 4. Heavy (≥ 4) 4 and 6: 2 of 5 = 40%;
# for men (≥ 5) only 6: 1 of 5 = 20%. Grams 12 × 14 / 5 = 33.6: medium for women or sex not
# given (20 < 33.6 ≤ 40), low for men (≤ 40).
WITH_MISSING = """date,amount
2024-03-01,0
2024-03-02,2
2024-03-04,4
2024-03-05,0
2024-03-07,6
"""
# 3 days, no drinking: 100% abstinent, no drinking days (null), 0% heavy, 0 g, abstinent.
ALL_ABSTINENT = "date,amount\n2024-01-01,0\n2024-01-02,0\n2024-01-03,0\n"
# 02-27..03-01 over the leap day = 4 days, none missing; 5 every day: 0% abstinent, 5 per
# drinking day, heavy every day for men (≥ 5) = 100%, 70 g: high for men (60 < 70 ≤ 100).
ALL_DRINKING = "date,amount\n2024-02-27,5\n2024-02-28,5\n2024-02-29,5\n2024-03-01,5\n"
# Heavy-day boundaries: 4 is heavy for women, 5 for men, 3.9 for neither. Women: 2 of 3
# = 66.67%; men: 1 of 3 = 33.33%. 12.9 × 14 / 3 = 60.2 g: very high for women (> 60).
HEAVY_BOUNDARY = "date,amount\n2024-05-01,4\n2024-05-02,3.9\n2024-05-03,5\n"
# WHO boundary: 7 days, 10 drinks in all: 10 × 14 / 7 = 20.0 g a day, still low for women.
# Abstinent 3 of 7 = 42.86%; per drinking day 10 / 4 = 2.5; heavy (≥ 4) 1 of 7 = 14.29%.
WHO_BOUNDARY = """date,amount
2024-06-01,2
2024-06-02,0
2024-06-03,3
2024-06-04,0
2024-06-05,1
2024-06-06,4
2024-06-07,0
"""
# Rows out of order, a header in capitals with spaces, a byte order mark, CRLF line ends and
# a blank line. Span 08-01..08-10 = 10 days, 2 recorded, 8 missing; 1 of 2 abstinent = 50%;
# 1 drink on the drinking day; no heavy day; 1 × 14 / 2 = 7 g: low.
MESSY = "\ufeff Date , AMOUNT \r\n2024-08-10, 1\r\n\r\n2024-08-01 ,0\r\n"
# A header and no rows: nothing recorded, every outcome null.
HEADER_ONLY = "date,amount\n"

CASES: list[tuple[str, list[str], dict[str, Any]]] = [
    (WITH_MISSING, [], {"days_recorded": 5, "days_missing": 2, "percent_days_abstinent": 40.0,
        "drinks_per_drinking_day": 4.0, "percent_heavy_drinking_days": 40.0,
        "grams_per_day": 33.6, "who_risk_level": "medium"}),
    (WITH_MISSING, ["--sex", "female"], {"days_recorded": 5, "days_missing": 2,
        "percent_days_abstinent": 40.0, "drinks_per_drinking_day": 4.0,
        "percent_heavy_drinking_days": 40.0, "grams_per_day": 33.6, "who_risk_level": "medium"}),
    (WITH_MISSING, ["--sex", "male"], {"days_recorded": 5, "days_missing": 2,
        "percent_days_abstinent": 40.0, "drinks_per_drinking_day": 4.0,
        "percent_heavy_drinking_days": 20.0, "grams_per_day": 33.6, "who_risk_level": "low"}),
    (ALL_ABSTINENT, [], {"days_recorded": 3, "days_missing": 0, "percent_days_abstinent": 100.0,
        "drinks_per_drinking_day": None, "percent_heavy_drinking_days": 0.0,
        "grams_per_day": 0.0, "who_risk_level": "abstinent"}),
    (ALL_DRINKING, ["--sex", "male"], {"days_recorded": 4, "days_missing": 0,
        "percent_days_abstinent": 0.0, "drinks_per_drinking_day": 5.0,
        "percent_heavy_drinking_days": 100.0, "grams_per_day": 70.0, "who_risk_level": "high"}),
    (ALL_DRINKING, ["--sex", "female"], {"days_recorded": 4, "days_missing": 0,
        "percent_days_abstinent": 0.0, "drinks_per_drinking_day": 5.0,
        "percent_heavy_drinking_days": 100.0, "grams_per_day": 70.0,
        "who_risk_level": "very-high"}),
    (HEAVY_BOUNDARY, ["--sex", "female"], {"days_recorded": 3, "days_missing": 0,
        "percent_days_abstinent": 0.0, "drinks_per_drinking_day": 4.3,
        "percent_heavy_drinking_days": 66.667, "grams_per_day": 60.2,
        "who_risk_level": "very-high"}),
    (HEAVY_BOUNDARY, ["--sex", "male"], {"days_recorded": 3, "days_missing": 0,
        "percent_days_abstinent": 0.0, "drinks_per_drinking_day": 4.3,
        "percent_heavy_drinking_days": 33.333, "grams_per_day": 60.2, "who_risk_level": "high"}),
    (WHO_BOUNDARY, [], {"days_recorded": 7, "days_missing": 0, "percent_days_abstinent": 42.857,
        "drinks_per_drinking_day": 2.5, "percent_heavy_drinking_days": 14.286,
        "grams_per_day": 20.0, "who_risk_level": "low"}),
    (MESSY, [], {"days_recorded": 2, "days_missing": 8, "percent_days_abstinent": 50.0,
        "drinks_per_drinking_day": 1.0, "percent_heavy_drinking_days": 0.0,
        "grams_per_day": 7.0, "who_risk_level": "low"}),
    (HEADER_ONLY, [], {"days_recorded": 0, "days_missing": 0, "percent_days_abstinent": None,
        "drinks_per_drinking_day": None, "percent_heavy_drinking_days": None,
        "grams_per_day": None, "who_risk_level": None}),
]  # fmt: skip


@pytest.mark.parametrize(("csv_text", "options", "expected"), CASES)
def test_json_outcomes_match_the_hand_computed_numbers(
    csv_text: str, options: list[str], expected: dict[str, Any]
) -> None:
    status, out, err = waymark("outcomes", "--days", "-", "--json", *options, stdin=csv_text)
    assert status == 0 and err == ""
    result = json.loads(out)
    assert list(result) == CONTRACT_KEYS
    assert result == {
        key: pytest.approx(value, abs=0.001) if isinstance(value, float) else value
        for key, value in expected.items()
    }


def test_percentages_are_not_rounded_in_the_json() -> None:
    _, out, _ = waymark("outcomes", "--days", "-", "--json", stdin=HEAVY_BOUNDARY)
    assert json.loads(out)["percent_heavy_drinking_days"] == 200 / 3


def test_for_people_it_gives_the_span_the_outcomes_and_the_who_level_explained() -> None:
    status, out, err = waymark("outcomes", "--days", "-", stdin=WITH_MISSING)
    assert status == 0 and err == ""
    assert "From 2024-03-01 to 2024-03-07: 7 days." in out
    assert "Recorded: 5 days. Missing (no row): 2 days." in out
    assert "40.0% of recorded days" in out
    assert "4.0 US standard drinks" in out
    assert "Heavy drinking days (4 or more drinks in a day): 40.0%" in out
    assert "33.6 g" in out
    assert "WHO risk drinking level: Medium risk (medium)" in out
    assert "low up to 20 g a day" in out
    assert "more cautious cut-offs" in out
    assert "Missing days were not counted as days without drinking" in out


def test_for_people_men_get_their_cut_offs_named() -> None:
    _, out, _ = waymark("outcomes", "--days", "-", "--sex", "male", stdin=WITH_MISSING)
    assert "(5 or more drinks in a day): 20.0%" in out
    assert "for men: low up to 40 g a day" in out
    assert "more cautious" not in out


def test_for_people_an_abstinent_record_and_an_empty_one() -> None:
    _, out, _ = waymark("outcomes", "--days", "-", stdin=ALL_ABSTINENT)
    assert "Drinks per drinking day: none" in out and "Abstinent (abstinent)" in out
    status, out, err = waymark("outcomes", "--days", "-", stdin=HEADER_ONLY)
    assert status == 0 and err == "" and out == "No days recorded: there is nothing to count yet.\n"


def test_it_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "days.csv"
    path.write_text(ALL_DRINKING, encoding="utf-8")
    status, out, _ = waymark("outcomes", "--days", str(path), "--json")
    assert status == 0 and json.loads(out)["days_recorded"] == 4


@pytest.mark.parametrize(
    ("csv_text", "message"),
    [
        (
            "date,amount\n2024-01-01,1\n2024-01-02,0\nyesterday,2\n",
            "line 4: 'yesterday' is not a date (use YYYY-MM-DD)",
        ),
        ("date,amount\n2024-02-30,1\n", "line 2: '2024-02-30' is not a date (use YYYY-MM-DD)"),
        ("date,amount\n2024/01/01,1\n", "line 2: '2024/01/01' is not a date"),
        ("date,amount\n20240101,1\n", "line 2: '20240101' is not a date"),
        ("date,amount\n,1\n", "line 2: '(empty)' is not a date"),
        ("date,amount\n2024-01-01,two\n", "line 2: the amount 'two' is not a number"),
        ("date,amount\n2024-01-01,\n", "line 2: the amount '(empty)' is not a number"),
        ("date,amount\n2024-01-01,nan\n", "line 2: the amount 'nan' is not a number"),
        ("date,amount\n2024-01-01,inf\n", "line 2: the amount 'inf' is not a number"),
        ("date,amount\n2024-01-01,1_000\n", "line 2: the amount '1_000' is not a number"),
        ("date,amount\n2024-01-01,0\n\n2024-01-03,-1\n", "line 4: the amount -1 is below 0"),
        ("date,amount\n2024-01-01,2000000\n", "line 2: the amount 2e+06 is above 1e+06"),
        ("date,amount\n2024-01-01," + "9" * 400 + "\n", "line 2: the amount is above 1e+06"),
        (
            "date,amount\n2024-01-01,1\n2024-01-02,0\n2024-01-01,3\n",
            "line 4: 2024-01-01 is recorded twice (first on line 2)",
        ),
        ("date,amount\n2024-01-01,1,note\n", "line 2: expected 2 fields (date,amount), got 3"),
        ("date,amount\n2024-01-01\n", "line 2: expected 2 fields (date,amount), got 1"),
        ("day,drinks\n2024-01-01,1\n", "line 1: the header row must be 'date,amount'"),
        ("amount,date\n1,2024-01-01\n", "line 1: the header row must be 'date,amount'"),
        ("2024-01-01,1\n", "line 1: the header row must be 'date,amount', not '2024-01-01,1'"),
        ("", "no header row: the first line must be 'date,amount'"),
        ("\n\n", "no header row"),
        ('date,amount\n"2024-01-01,1\n', "line 2: unexpected end of data"),
    ],
)
def test_bad_rows_exit_2_with_one_line_naming_the_line(csv_text: str, message: str) -> None:
    status, out, err = waymark("outcomes", "--days", "-", stdin=csv_text)
    assert status == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("waymark: error: ")
    assert message in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["outcomes"], "--days"),
        (["outcomes", "--days", "/nonexistent/days.csv"], "cannot read /nonexistent/days.csv"),
        (["outcomes", "--days", "-", "--sex", "other"], "--sex"),
        (["outcomes", "--days", "-", "--window", "7"], "unrecognized arguments"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(args: list[str], names: str) -> None:
    status, out, err = waymark(*args, stdin=ALL_ABSTINENT)
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and names in err


def test_a_file_that_is_not_utf8_is_one_line_too(tmp_path: Path) -> None:
    path = tmp_path / "days.csv"
    path.write_bytes(b"date,amount\n2024-01-01,\xff\n")
    status, out, err = waymark("outcomes", "--days", str(path))
    assert status == 2 and out == "" and "not UTF-8 text" in err and err.count("\n") == 1


def test_the_installed_command_answers_without_starting_django(tmp_path: Path) -> None:
    path = tmp_path / "days.csv"
    path.write_text(WITH_MISSING, encoding="utf-8")
    code = (
        "import sys, io, contextlib; from waymark.cli import main;"
        "out = io.StringIO();"
        "with_ = contextlib.redirect_stdout(out);"
        f"with_.__enter__(); status = main(['outcomes', '--days', {str(path)!r}, '--json']);"
        "with_.__exit__(None, None, None);"
        "print(out.getvalue(), end='');"
        "sys.exit(status or 10 * ('django' in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["days_missing"] == 2
