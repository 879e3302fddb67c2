"""The command line, as people and scripts use it (CONTRACTS.md §1, §3, §4)."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.reference import load
from waymark.cli import (
    CLINICAL_COMMANDS,
    DATA_COMMANDS,
    UsageError,
    build_parser,
    main,
    run_clinical,
)

VIGNETTE_PROFILE = load("vignettes.json")[0]["profile"]


def waymark(*args: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    old_stdin = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        status = run_clinical(list(args), out, err)
    finally:
        sys.stdin = old_stdin
    return status, out.getvalue(), err.getvalue()


def test_score_prints_the_contract_json() -> None:
    status, out, err = waymark("score", "phq-9", "--answers", "0,0,0,0,0,0,0,0,1", "--json")
    assert status == 0 and err == ""
    result = json.loads(out)
    assert {k: result[k] for k in ("instrument", "version", "total", "max", "band", "flags")} == {
        "instrument": "phq-9", "version": "1", "total": 1, "max": 27, "band": "minimal",
        "flags": ["suicidal-ideation"],
    }  # fmt: skip


def test_score_for_people_explains_the_band_and_names_the_source() -> None:
    status, out, _ = waymark("score", "audit-c", "--answers", "1,1,1")
    assert status == 0
    assert "Total: 3 of 12" in out and "Positive" in out
    assert "more cautious cut-off" in out and "Source:" in out and "not a diagnosis" in out


def test_score_shows_help_lines_when_item_9_is_answered() -> None:
    _, out, _ = waymark("score", "phq-9", "--answers", "0,0,0,0,0,0,0,0,3")
    assert "Help now" in out and "988" in out


def test_score_accepts_dashes_for_questions_skip_logic_leaves_out() -> None:
    _, out, _ = waymark("score", "audit", "--answers", "0,-,-,-,-,-,-,-,2,2", "--json")
    assert json.loads(out)["total"] == 8


def test_score_honours_sex_and_prescribed() -> None:
    _, out, _ = waymark("score", "audit-c", "--answers", "1,1,1", "--sex", "male", "--json")
    assert json.loads(out)["band"] == "negative"
    answers = "1,1,0,0,0,0,0,0,0,1,1"
    _, out, _ = waymark("score", "sud-11", "--answers", answers, "--prescribed", "--json")
    assert json.loads(out)["total"] == 2


# The BAM's 23 answers: items 1-6, 7A-7G, 8-17 (the first eight, "-" where skip logic allows).
BAM_NO_USE = "1,2,3,0,-,0,-,-,-,-,-,-,-,2,3,4,2,2,3,1,2,4,3"


def test_score_bam_prints_subscales_and_flags_with_no_single_total() -> None:
    status, out, err = waymark("score", "bam", "--answers", BAM_NO_USE, "--json")
    assert status == 0 and err == ""
    result = json.loads(out)
    assert (result["total"], result["max"], result["band"]) == (None, None, None)
    assert {key: part["score"] for key, part in result["subscales"].items()} == {
        "use": 0, "risk": 12, "protective": 20,
    }  # fmt: skip
    assert result["subscales"]["risk"]["max"] == 24
    assert result["flags"] == ["risk-elevated"]


def test_score_bam_for_people_shows_subscales_and_flags_without_help_lines() -> None:
    status, out, _ = waymark("score", "bam", "--answers", BAM_NO_USE)
    assert status == 0
    assert "Risk factors (risk): 12 of 24" in out and "Flag (risk-elevated):" in out
    assert "Total:" not in out and "Help now" not in out


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["score", "bam", "--answers", "0,0,0"], "bam needs 23 answers, got 3"),
        (
            ["score", "bam", "--answers", BAM_NO_USE.replace("0,-", "1,-", 1)],
            "bam item 5 (heavy-drinking-days)",
        ),
        (["score", "cage", "--answers", "1"], "unknown instrument 'cage'"),
        (["score", "gad-7", "--answers", "0,0,0"], "gad-7 needs 7 answers, got 3"),
        (["score", "gad-7", "--answers", "0,0,0,0,0,0,9"], "gad-7 item 7"),
        (["score", "gad-7", "--answers", "0,0,x,0,0,0,0"], "answer 3: 'x'"),
        (["score", "gad-7", "--answers", "0,,0,0,0,0,0"], "answer 2: '(empty)'"),
        (["score", "gad-7", "--answers", "0,-1,0,0,0,0,0"], "answer 2: '-1'"),
        (["score", "phq-9", "--answers", "0,0,0,0,0,0,0,0,-"], "phq-9 item 9"),
        (["score", "audit", "--answers", "1,-,0,0,0,0,0,0,0,0"], "audit item 2"),
        (["score", "audit-c", "--answers", "0,0,0", "--sex", "other"], "--sex"),
        (["score", "audit-c", "--answers", "0,0,0", "--prescribed"], "only to sud-11"),
        (["score", "gad-7"], "--answers"),
        (["score", "--batch", "/nonexistent/file"], "cannot read /nonexistent/file"),
        (["score", "gad-7", "--answers", "0", "--batch", "-"], "give neither"),
        (["nonsense"], "invalid choice"),
        (["recommend"], "--profile"),
        (["recommend", "--profile", "/nonexistent"], "cannot read"),
        (["taper", "--substance", "alcohol", "--from", "x", "--to", "1"], "not a number"),
        (["taper", "--substance", "alcohol", "--from", "nan", "--to", "1"], "not a number"),
        (["taper", "--substance", "wine", "--from", "8", "--to", "1"], "--substance"),
        (["taper", "--substance", "alcohol", "--from", "8", "--to", "9"], "below the starting"),
    ],
)
def test_bad_input_exits_2_with_one_line_naming_the_problem(args: list[str], names: str) -> None:
    status, out, err = waymark(*args)
    assert status == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("waymark: error: ")
    assert names in err
    assert "Traceback" not in err


def test_batch_scores_each_line_in_order_and_reports_bad_lines_without_stopping() -> None:
    lines = [
        {"instrument": "phq-2", "answers": [2, 1]},
        {"instrument": "phq-2", "answers": [2]},
        "not json",
        {"instrument": "audit-c", "answers": [1, 1, 1], "sex": "male"},
        {"instrument": "sud-11", "answers": [1] * 11, "prescribed": True},
        {"instrument": 3, "answers": []},
    ]
    text = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines)
    status, out, err = waymark("score", "--batch", "-", stdin=text + "\n\n")
    assert status == 1 and err == ""
    results = [json.loads(line) for line in out.splitlines()]
    assert len(results) == 6
    assert results[0]["band"] == "positive"
    assert "phq-2 needs 2 answers" in results[1]["error"]
    assert "not valid JSON" in results[2]["error"]
    assert results[3]["band"] == "negative"
    assert results[4]["total"] == 9
    assert "error" in results[5]


def test_batch_answers_stay_in_line_with_the_lines() -> None:
    """U+2028 and U+0085 are allowed inside a JSON string and are not line breaks; a blank
    line between lines is one (an error), so answer N is always line N's."""
    first = json.dumps({"instrument": "phq-2", "answers": [1, 1], "note": "a\u2028b\x85c"},
                       ensure_ascii=False)  # fmt: skip
    last = json.dumps({"instrument": "phq-2", "answers": [0, 0]})
    status, out, err = waymark("score", "--batch", "-", stdin=f"{first}\r\n\n{last}\n\n")
    assert status == 1 and err == ""
    results = [json.loads(line) for line in out.split("\n") if line]
    assert [r.get("total") for r in results] == [2, None, 0]
    assert results[1] == {"error": "an empty line"}


@pytest.mark.parametrize("answers", ["²,0", "１,0", "٢,0"])
def test_answers_in_other_digits_are_refused_in_one_line(answers: str) -> None:
    status, out, err = waymark("score", "phq-2", "--answers", answers)
    assert status == 2 and out == "" and err.count("\n") == 1 and "answer 1" in err


def test_batch_exits_0_when_every_line_scored(tmp_path: Path) -> None:
    batch = tmp_path / "batch.jsonl"
    batch.write_text(json.dumps({"instrument": "gad-7", "answers": [0] * 7}) + "\n")
    status, out, _ = waymark("score", "--batch", str(batch))
    assert status == 0 and json.loads(out)["band"] == "minimal"


def test_instruments_lists_ids_items_ranges_and_licences() -> None:
    status, out, _ = waymark("instruments", "--json")
    rows = {row["id"]: row for row in json.loads(out)}
    assert status == 0 and len(rows) == 21
    assert (rows["bam"]["items"], rows["bam"]["min"], rows["bam"]["max"]) == (23, None, None)
    assert (rows["audit"]["items"], rows["audit"]["min"], rows["audit"]["max"]) == (10, 0, 40)
    assert (rows["barc-10"]["min"], rows["barc-10"]["max"]) == (10, 60)
    assert all(row["licence"] for row in rows.values())
    _, text, _ = waymark("instruments")
    assert "ciwa-ar" in text and "Licence:" in text
    assert "bam       Brief Addiction Monitor — 23 items, subscales, self-rated" in text


def test_recommend_prints_the_contract_json_for_a_profile_on_stdin() -> None:
    status, out, _ = waymark("recommend", "--profile", "-", "--json",
                             stdin=json.dumps(VIGNETTE_PROFILE))  # fmt: skip
    result = json.loads(out)
    assert status == 0
    assert set(result) >= {"approach", "substance", "abstinence_safer", "severity", "signs",
                           "urgency", "care_level", "safety", "factors", "next_steps"}  # fmt: skip


def test_recommend_for_people_puts_safety_first() -> None:
    _, out, _ = waymark("recommend", "--profile", "-", stdin=json.dumps(VIGNETTE_PROFILE))
    assert out.startswith("SAFETY FIRST")
    order = [out.index(s) for s in ("SAFETY FIRST", "Professional help:", "Path:", "Next steps:")]
    assert order == sorted(order)
    assert "only a clinician can diagnose" in out


def test_recommend_names_the_json_path_of_an_invalid_profile() -> None:
    bad = {**VIGNETTE_PROFILE, "substances": [{"substance": "beer"}]}
    status, out, err = waymark("recommend", "--profile", "-", stdin=json.dumps(bad))
    assert status == 2 and out == ""
    assert "$.substances[0].substance" in err and err.count("\n") == 1


def test_taper_prints_the_contract_json() -> None:
    status, out, _ = waymark("taper", "--substance", "alcohol", "--from", "6", "--to", "2",
                             "--json")  # fmt: skip
    result = json.loads(out)
    assert status == 0 and result["refused"] is False and result["reason"] is None
    assert result["steps"][0] == {"day": 1, "limit": 6.0}
    assert result["steps"][-1]["limit"] == 2.0


def test_taper_refuses_with_the_profile_and_says_why() -> None:
    status, out, _ = waymark("taper", "--substance", "alcohol", "--from", "6", "--to", "2",
                             "--profile", "-", stdin=json.dumps(VIGNETTE_PROFILE))  # fmt: skip
    assert status == 0 and out.startswith("No home taper schedule:")
    assert "supervised withdrawal" in out


def test_no_arguments_print_help_naming_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    out = capsys.readouterr().out
    for command in ("score", "instruments", "recommend", "taper", "serve", "migrate"):
        assert command in out


def test_the_installed_command_runs_django_commands_too() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "waymark", "help", "--commands"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0
    assert "serve" in done.stdout and "migrate" in done.stdout


@pytest.mark.parametrize("number", ["NaN", "Infinity", "1e400"])
def test_recommend_refuses_numbers_json_does_not_allow(number: str) -> None:
    text = json.dumps(VIGNETTE_PROFILE).replace(
        '"typical_amount": 14', f'"typical_amount": {number}'
    )
    status, out, err = waymark("recommend", "--profile", "-", stdin=text)
    assert status == 2 and out == "" and err.count("\n") == 1


def test_deeply_nested_or_huge_json_is_one_line_not_a_traceback() -> None:
    status, out, err = waymark("recommend", "--profile", "-", stdin="[" * 100_000)
    assert status == 2 and out == "" and err.count("\n") == 1
    status, out, _ = waymark("score", "--batch", "-", stdin="[" * 100_000 + "\n")
    assert status == 1 and "not valid JSON" in json.loads(out)["error"]


def test_version_is_printed() -> None:
    from importlib.metadata import version

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["--version"]) == 0
    assert out.getvalue() == f"waymark {version('waymark')}\n"
    changelog = (Path(__file__).resolve().parent.parent / "CHANGELOG.md").read_text()
    assert f"## {version('waymark')} " in changelog, "CHANGELOG.md has no entry for this version"


@pytest.mark.parametrize(
    ("command", "unwanted"),
    [
        (["score", "audit-c", "--answers", "1,1,1"],
         ("jsonschema", "waymark.clinical.pathway", "django")),
        (["instruments"], ("jsonschema", "waymark.clinical.pathway", "django")),
        (["recommend", "--profile", "-"], ("jsonschema", "waymark.clinical.outcomes", "django")),
        (["score", "audit-c", "--answers", "1,1,1"], ("shutil", "importlib.resources", "csv")),
        # `dataclasses` imports `inspect`: with the code it writes for each frozen class, half
        # of the command's own start (the engine's values are named tuples).
        (["score", "audit-c", "--answers", "1,1,1"], ("dataclasses", "inspect")),
        (["instruments"], ("dataclasses", "inspect")),
    ],
)  # fmt: skip
def test_each_command_imports_only_what_it_uses(
    command: list[str], unwanted: tuple[str, ...]
) -> None:
    """Start time is measured in bench/ (issue 14); this keeps the imports that set it."""
    code = (
        "import sys, io, contextlib\n"
        "from waymark.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()): main(sys.argv[1:])\n"
        f"print(sorted(m for m in {list(unwanted)!r} if m in sys.modules))\n"
    )
    profile = json.dumps({"version": 1, "age": 40, "goal": "stop",
                          "substances": [{"substance": "alcohol"}]})  # fmt: skip
    done = subprocess.run([sys.executable, "-c", code, *command], input=profile,
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_the_urlconf_does_not_load_the_pdf_stack() -> None:
    """Every management command's system checks load the URLconf: `waymark worker` or
    `waymark audit verify` must not pay for fpdf2, HarfBuzz, fonts or Pillow (issue 14)."""
    code = (
        "import sys, django; django.setup(); import waymark.urls\n"
        "print(sorted(m for m in ('fpdf', 'uharfbuzz', 'fontTools', 'qrcode', 'PIL')"
        " if m in sys.modules))\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "waymark.settings"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False, env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_the_parser_s_lists_are_the_engine_s() -> None:
    from waymark import cli
    from waymark.clinical import plan, profile

    assert cli.SUBSTANCES == profile.SUBSTANCES and cli.APPROACHES == plan.APPROACHES


@pytest.mark.parametrize("command", CLINICAL_COMMANDS + DATA_COMMANDS)
def test_a_commands_own_parser_reads_and_helps_as_the_whole_one(command: str) -> None:
    """`build_parser(only=…)`, what a clinical command builds to start quickly, gives the same
    help and the same usage errors as the parser of every command."""
    whole, alone = build_parser(), build_parser(only=command)

    def sub(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
        found = parser._subparsers._group_actions[0].choices[command]  # type: ignore[union-attr,index]
        assert isinstance(found, argparse.ArgumentParser)
        return found

    assert sub(alone).format_help() == sub(whole).format_help()
    assert list(alone._subparsers._group_actions[0].choices) == [command]  # type: ignore[union-attr,arg-type]
    for argv in ([command, "--no-such-option"], [command, "--json", "extra", "words", "here"]):
        errors = []
        for parser in (whole, alone):
            try:
                parser.parse_args(argv)
                errors.append("")
            except (UsageError, SystemExit) as error:
                errors.append(str(error))
        assert errors[0] == errors[1]


def test_plan_drafts_no_adult_path_under_18(tmp_path: Path) -> None:
    profile = tmp_path / "youth.json"
    profile.write_text(json.dumps({"version": 2, "age": 16, "goal": "cut-down", "substances": [
        {"substance": "alcohol", "days_used_past_30": 4, "typical_amount": 4}]}))  # fmt: skip
    status, out, err = waymark("plan", "--profile", str(profile), "--path", "harm-reduction")
    assert status == 2 and out == "" and err.count("\n") == 1 and "under 18" in err
    status, out, _ = waymark("plan", "--profile", str(profile), "--path", "abstinence", "--json")
    assert status == 0 and json.loads(out)["path"] == "abstinence"
