"""The `waymark` command line.

The clinical commands (score, instruments, recommend, taper, outcomes) call the pure core
directly and never start Django, so they answer fast. Every other command is a Django management
command (`waymark migrate`, `waymark serve`, `waymark demo`, ...).

Bad input exits 2 with one line on stderr and nothing on stdout (CONTRACTS.md §1).
"""

from __future__ import annotations

import argparse
import importlib
import io
import json
import os
import re
import sys
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from waymark.clinical import scoring

if TYPE_CHECKING:
    import csv
    import datetime

    from waymark import helplines
    from waymark.clinical import drinks, labels, outcomes, pathway, plan, strict_json, taper
    from waymark.clinical.profile import Profile
else:
    # Each command imports only what it uses, on first use: `waymark score` starts in about
    # twice the time of a bare Python (issue 14; bench/cli.py measures it).

    class _OnFirstUse(ModuleType):
        def __getattr__(self, name: str) -> Any:
            return getattr(importlib.import_module(self.__name__), name)

    helplines = _OnFirstUse("waymark.helplines")
    csv, datetime = _OnFirstUse("csv"), _OnFirstUse("datetime")
    drinks, labels, outcomes, pathway, plan, strict_json, taper = (
        _OnFirstUse(f"waymark.clinical.{name}")
        for name in ("drinks", "labels", "outcomes", "pathway", "plan", "strict_json", "taper")
    )

# The same lists as the engine's (tests/test_cli.py checks), kept here so that building the
# parser imports nothing.
SUBSTANCES = ("alcohol", "opioids", "benzodiazepines", "stimulants", "cannabis", "tobacco", "other")
APPROACHES = ("abstinence", "harm-reduction", "staged")

USAGE_ERROR = 2


class UsageError(Exception):
    """Bad input: reported as one line on stderr, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)

    def _get_formatter(self) -> argparse.HelpFormatter:
        # argparse makes a formatter for every add_argument and sizes it with shutil, whose
        # import alone costs each start about 2 ms; os tells the same width.
        width = _terminal_columns() - 2  # what HelpFormatter itself subtracts
        return self.formatter_class(prog=self.prog, width=width)  # type: ignore[call-arg]


def _terminal_columns() -> int:
    """shutil.get_terminal_size().columns: $COLUMNS, else the terminal's, else 80."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns > 0:
        return columns
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or 80  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):  # no stdout, or not a terminal
        return 80


def _read_text(source: str) -> str:
    if source == "-":
        return sys.stdin.read()
    try:
        with open(source, encoding="utf-8") as handle:
            return handle.read()
    except OSError as error:
        raise UsageError(f"cannot read {source}: {error.strerror}") from error
    except UnicodeDecodeError as error:
        raise UsageError(f"cannot read {source}: not UTF-8 text") from error


def _dump(data: Any, out: TextIO) -> None:
    out.write(json.dumps(data, ensure_ascii=False) + "\n")


# --- score ---------------------------------------------------------------------------------


def parse_answers(text: str) -> list[int | None]:
    """`1,0,2,-` → [1, 0, 2, None]; the error names the answer's position."""
    answers: list[int | None] = []
    for position, token in enumerate(text.split(","), start=1):
        token = token.strip()
        if token in ("-", "null"):
            answers.append(None)
        elif token.isascii() and token.isdigit():  # not "²" or "٢", which isdigit() takes
            answers.append(int(token))
        else:
            shown = token or "(empty)"
            raise UsageError(f"answer {position}: {shown!r} is not an option number or '-'")
    return answers


def _score_for_people(result: scoring.Score) -> str:
    instrument = result.instrument
    lines = [f"{instrument.short_name} — {instrument.name} (version {instrument.version})"]
    if instrument.has_total:  # the BAM has subscales only
        lines += [
            f"Total: {result.total} of {instrument.max_total}",
            f"Band: {result.band.label} ({result.band.id})",
            f"What it means: {result.band.meaning}",
        ]
    for key, part in result.as_dict()["subscales"].items():
        lines.append(f"{part['label']} ({key}): {part['score']} of {part['max']}")
    for rule in instrument.flag_rules:
        if rule.id in result.flags and not rule.crisis:
            lines.append(f"Flag ({rule.id}): {rule.meaning}")
        elif rule.id in result.flags:
            lines.append(f"IMPORTANT ({rule.id}): {rule.meaning}")
            lines.append("  Help now:")
            lines += _help_lines_text()
    if instrument.sex_specific and result.sex is None:
        lines.append("Sex was not given, so the more cautious cut-off was used.")
    if result.prescribed:
        lines.append("Taken as prescribed: tolerance and withdrawal were not counted.")
    lines += [
        "This is a screening result, not a diagnosis. Only a clinician can diagnose.",
        f"Source: {instrument.source}",
    ]
    return "\n".join(lines) + "\n"


def _score_one(args: argparse.Namespace, out: TextIO) -> int:
    if args.instrument is None or args.answers is None:
        raise UsageError("score needs INSTRUMENT and --answers, or --batch FILE")
    try:
        result = scoring.score(
            args.instrument, parse_answers(args.answers), sex=args.sex, prescribed=args.prescribed
        )
    except scoring.ScoringError as error:
        raise UsageError(str(error)) from error
    if args.json:
        _dump(result.as_dict(), out)
    else:
        out.write(_score_for_people(result))
    return 0


def _batch_line(line: str) -> dict[str, Any]:
    try:
        request = strict_json.loads(line)
    except strict_json.NotJSONError as error:
        return {"error": f"not valid JSON: {error}"}
    if not isinstance(request, dict):
        return {"error": "each line must be a JSON object"}
    instrument, answers = request.get("instrument"), request.get("answers")
    if not isinstance(instrument, str):
        return {"error": "'instrument' must be an instrument id"}
    if not isinstance(answers, list):
        return {"error": "'answers' must be a list of option numbers or null"}
    sex, prescribed = request.get("sex"), request.get("prescribed", False)
    if not isinstance(prescribed, bool):
        return {"error": "'prescribed' must be true or false"}
    try:
        return scoring.score(instrument, answers, sex=sex, prescribed=prescribed).as_dict()
    except scoring.ScoringError as error:
        return {"error": str(error)}


def _score_batch(args: argparse.Namespace, out: TextIO) -> int:
    if args.instrument is not None or args.answers is not None:
        raise UsageError("--batch reads instruments and answers from the file; give neither here")
    status = 0
    for line in _batch_lines(_read_text(args.batch)):
        result = _batch_line(line) if line.strip() else {"error": "an empty line"}
        status = 1 if "error" in result else status
        _dump(result, out)
    return status


def _batch_lines(text: str) -> list[str]:
    """The file's lines, one for one with the answers (CONTRACTS.md §1): split at line feeds
    only, not at the other characters `str.splitlines` breaks at (U+2028, U+0085…), which
    JSON allows inside a string; a CRLF's CR dropped. Blank lines at the end are not lines
    (a file's last line feeds); a blank line before another line is one, answered with an
    error, so that the answers stay in line with the lines."""
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


def cmd_score(args: argparse.Namespace, out: TextIO) -> int:
    return _score_batch(args, out) if args.batch is not None else _score_one(args, out)


# --- instruments -----------------------------------------------------------------------------


def cmd_instruments(args: argparse.Namespace, out: TextIO) -> int:
    rows = [
        {
            "id": i.id,
            "name": i.name,
            "items": len(i.items),
            "min": i.total_range[0] if i.total_range else None,
            "max": i.total_range[1] if i.total_range else None,
            "rater": i.rater,
            "version": i.version,
            "licence": i.licence,
        }
        for i in scoring.all_instruments()
    ]
    if args.json:
        _dump(rows, out)
        return 0
    for row in rows:
        scored = f"range {row['min']}–{row['max']}" if row["max"] is not None else "subscales"
        out.write(
            f"{row['id']:<9} {row['name']} — {row['items']} items, "
            f"{scored}, {row['rater']}-rated\n"
            f"          Licence: {row['licence']}\n"
        )
    return 0


# --- recommend ------------------------------------------------------------------------------


def _read_profile(source: str) -> Profile:
    from waymark.clinical.profile import ProfileError, parse_profile_json

    try:
        return parse_profile_json(_read_text(source))
    except ProfileError as error:
        raise UsageError(f"invalid profile: {error}") from error


def _help_lines_text() -> list[str]:
    lines = []
    for line in helplines.help_lines():
        if isinstance(line, dict):
            lines.append(f"    {line.get('name', '')}: {line.get('contact', '')}")
    return lines


def recommendation_for_people(result: pathway.Recommendation) -> str:
    """Safety first, then urgency and signs, the path with its factors, next steps."""
    from waymark.clinical.safety import SAFETY_TEXT

    out: list[str] = []
    if result.safety:
        out.append("SAFETY FIRST")
        for finding_id in result.safety:
            reasons = " ".join(
                dict.fromkeys(str(f.reason) for f in result.findings if f.id == finding_id)
            )
            text = SAFETY_TEXT[finding_id]
            out.append(f"  ! {labels.SAFETY_TITLE[finding_id]}: {text}")
            out.append(f"    Why: {reasons}")
        if "crisis-support" in result.safety:
            out.append("  Help now:")
            out += _help_lines_text()
        out.append("")
    out.append("Your risks:")
    for dimension in ("withdrawal", "overdose", "mental_health"):
        found = getattr(result.risks, dimension)
        out.append(f"  - {labels.RISK[dimension]}: {labels.RISK_LEVEL[found.level]}")
        out += [f"      {reason}" for reason in found.reasons]
    if result.shown_scores:
        out.append("Your scores:")
        for score in result.shown_scores:
            out.append(f"  - {score.name}: {score.total} — {score.band_label}. {score.meaning}")
    out.append("")
    out.append(f"Professional help: {labels.URGENCY[result.urgency]} ({result.urgency}).")
    out.append(f"  {result.urgency_reason}")
    if result.signs:
        out.append("Warning signs found:")
        out += [f"  - {labels.SIGN[sign]}" for sign in result.signs]
    out.append("What your answers may suggest (only a clinician can diagnose):")
    for s in result.severities:
        out.append(
            f"  - {labels.SUBSTANCE[s.substance]}: {s.criteria_met} of 11 signs — "
            f"{labels.SEVERITY[s.severity]}"
        )
    out.append(
        f"Care intensity to ask about (a suggestion, not a placement): "
        f"{labels.CARE_LEVEL[result.care_level]}."
    )
    out.append(f"  {result.care_reason}")
    out.append("")
    out.append(f"Path: {labels.APPROACH[result.approach]} ({result.approach}).")
    out.append(f"  {result.approach_reason}")
    for reason in result.abstinence_safer_reasons:
        out.append(f"  Stopping is the safer option for your health: {reason}")
    for factor in result.factors:
        out.append(
            f"  - {labels.FACTOR[factor.factor]} {labels.LEANS[factor.leans]}: {factor.reason}"
        )
    out.append("")
    out.append("Next steps:")
    out += [f"  {number}. {step}" for number, step in enumerate(result.next_steps, start=1)]
    return "\n".join(out) + "\n"


def cmd_recommend(args: argparse.Namespace, out: TextIO) -> int:
    result = pathway.recommend(_read_profile(args.profile))
    if args.json:
        _dump(result.as_dict(), out)
    else:
        out.write(recommendation_for_people(result))
    return 0


# --- plan ------------------------------------------------------------------------------------


def plan_for_people(draft: plan.PlanDraft) -> str:
    """The plan draft's decisions in plain text: safety first, then limits, taper and goals."""
    out = [f"Plan for the path: {labels.APPROACH[draft.chosen]} ({draft.chosen})."]
    if draft.wallet:
        out.append("Your top dangers (the wallet card leads with these):")
        for danger in draft.wallet:
            out.append(f"  ! {danger.title}")
            out += [f"      - {step}" for step in danger.steps]
    if draft.drinking_limit is not None:
        day, week = draft.drinking_limit
        out.append(f"Drinking limit: at most {day} drinks a day and {week} a week.")
    if draft.taper is not None:
        if draft.taper.refused:
            out.append(f"No home taper schedule: {draft.taper.reason}")
        else:
            first, last = draft.taper.steps[0], draft.taper.steps[-1]
            out.append(
                f"Taper: {first.limit:g} drinks a day down to {last.limit:g} over "
                f"{last.day} days (waymark taper prints every day)."
            )
    out.append("Goals to start from (yours to change):")
    out += [f"  - {goal}" for goal in draft.personal.goals]
    return "\n".join(out) + "\n"


def cmd_plan(args: argparse.Namespace, out: TextIO) -> int:
    profile = _read_profile(args.profile)
    result = pathway.recommend(profile)
    if args.path is not None and args.path not in plan.paths_open(result.approach, result.safety):
        raise UsageError(
            f"--path {args.path}: the person is under 18, and Waymark drafts no adult path "
            f"for them; the plan's path is {result.approach}"
        )
    draft = plan.draft_plan(profile, result, args.path)
    if args.json:
        _dump(draft.as_dict(), out)
    else:
        out.write(plan_for_people(draft))
    return 0


# --- taper -----------------------------------------------------------------------------------


def _amount(text: str) -> float:
    try:
        value = float(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of drinks") from error
    if value != value or value in (float("inf"), float("-inf")):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of drinks")
    return value


def cmd_taper(args: argparse.Namespace, out: TextIO) -> int:
    profile = _read_profile(args.profile) if args.profile is not None else None
    try:
        result = taper.taper(args.start, args.target, substance=args.substance, profile=profile)
    except taper.TaperError as error:
        raise UsageError(str(error)) from error
    if args.json:
        _dump(result.as_dict(), out)
    elif result.refused:
        out.write(f"No home taper schedule: {result.reason}\n")
    else:
        out.write(
            "A gradual schedule, in US standard drinks a day. Hold each day's limit; if you get "
            "shaky, sweaty or anxious, stop cutting, go back to the last day that felt steady, "
            "and call a doctor. A seizure, confusion or hallucinations: call emergency "
            "services.\n"
        )
        for step in result.steps:
            out.write(f"  day {step.day:>3}: at most {step.limit:g}\n")
    return 0


# --- outcomes --------------------------------------------------------------------------------

OUTCOMES_HEADER = ("date", "amount")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_AMOUNT = re.compile(r"-?(\d+\.?\d*|\.\d+)", re.ASCII)


def _record_date(text: str, line: int) -> datetime.date:
    if _ISO_DATE.fullmatch(text):
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            pass
    raise UsageError(f"line {line}: {text or '(empty)'!r} is not a date (use YYYY-MM-DD)")


def _record_amount(text: str, line: int) -> float:
    if not _AMOUNT.fullmatch(text):
        raise UsageError(f"line {line}: the amount {text or '(empty)'!r} is not a number")
    amount = float(text)
    if amount == float("inf"):  # so many digits that no float holds them
        raise UsageError(f"line {line}: the amount is above {outcomes.MAX_AMOUNT:g}")
    return amount


def parse_days_csv(text: str) -> tuple[list[outcomes.DayRecord], list[int]]:
    """The records of a `date,amount` CSV, and the line each came from.

    The header is matched without regard to case or spaces around the names; a UTF-8 byte
    order mark and blank lines are ignored. Errors name the line.
    """
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), strict=True)
    records: list[outcomes.DayRecord] = []
    lines: list[int] = []
    header: tuple[str, ...] | None = None
    try:
        for row in reader:
            fields = tuple(field.strip() for field in row)
            if not any(fields):
                continue
            line = reader.line_num
            if header is None:
                header = tuple(field.lower() for field in fields)
                if header != OUTCOMES_HEADER:
                    raise UsageError(
                        f"line {line}: the header row must be 'date,amount', not {','.join(row)!r}"
                    )
                continue
            if len(fields) != len(OUTCOMES_HEADER):
                raise UsageError(f"line {line}: expected 2 fields (date,amount), got {len(fields)}")
            records.append(
                outcomes.DayRecord(_record_date(fields[0], line), _record_amount(fields[1], line))
            )
            lines.append(line)
    except csv.Error as error:
        raise UsageError(f"line {reader.line_num}: {error}") from error
    if header is None:
        raise UsageError("no header row: the first line must be 'date,amount'")
    return records, lines


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"


def _who_cutoffs(sex: scoring.Sex | None) -> str:
    low, medium, high = drinks.RISK_CUTOFFS[sex]
    who = "men" if sex == "male" else "women" if sex == "female" else "women (and sex not given)"
    return (
        f"for {who}: low up to {low:g} g a day, medium up to {medium:g}, high up to {high:g}, "
        f"very high above {high:g}"
    )


def outcomes_for_people(result: outcomes.Outcomes) -> str:
    """The outcomes in plain words; numbers rounded to one decimal."""
    if result.days_recorded == 0 or result.first is None or result.last is None:
        return "No days recorded: there is nothing to count yet.\n"
    lines = [
        f"From {result.first} to {result.last}: {_days(result.days_in_span)}.",
        f"Recorded: {_days(result.days_recorded)}. Missing (no row): {_days(result.days_missing)}.",
        f"Days without drinking (percent days abstinent): {result.percent_days_abstinent:.1f}% "
        "of recorded days.",
    ]
    if result.drinks_per_drinking_day is None:
        lines.append("Drinks per drinking day: none (no drinking days recorded).")
    else:
        lines.append(
            f"Drinks per drinking day: {result.drinks_per_drinking_day:.1f} US standard drinks "
            "on average, on the days with any drinking."
        )
    lines += [
        f"Heavy drinking days ({drinks.heavy_day_threshold(result.sex)} or more drinks in a day): "
        f"{result.percent_heavy_drinking_days:.1f}% of recorded days.",
        f"Alcohol per day: {result.grams_per_day:.1f} g of pure alcohol on average over "
        "recorded days (a US standard drink is 14 g).",
    ]
    if result.who_risk_level is not None:
        lines += [
            f"WHO risk drinking level: {drinks.RISK_LEVEL_LABEL[result.who_risk_level]} "
            f"({result.who_risk_level}).",
            "  The World Health Organization's levels group the average alcohol a day, "
            f"{_who_cutoffs(result.sex)}; abstinent is none at all. Dropping one or two levels "
            "goes with better day-to-day functioning.",
        ]
    if result.sex is None:
        lines.append("Sex was not given, so the more cautious cut-offs were used.")
    lines += [
        "Missing days were not counted as days without drinking, nor in any percentage or average.",
        "Amounts are read as US standard drinks; for another substance, only the days with and "
        "without use apply.",
    ]
    return "\n".join(lines) + "\n"


def cmd_outcomes(args: argparse.Namespace, out: TextIO) -> int:
    records, lines = parse_days_csv(_read_text(args.days))
    try:
        result = outcomes.outcomes(records, sex=args.sex)
    except outcomes.OutcomeError as error:
        raise UsageError(error.describe(lambda index: f"line {lines[index]}")) from error
    if args.json:
        _dump(result.as_dict(), out)
    else:
        out.write(outcomes_for_people(result))
    return 0


# --- the parser ------------------------------------------------------------------------------

# --- export / import (docs/data.md) ---------------------------------------------------------


def _start_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "waymark.settings")
    import django

    django.setup()


def _write(content: bytes, output: str | None, out: TextIO, binary: bool) -> None:
    if output is None or output == "-":
        if binary:
            raise UsageError("a CSV export is a zip file: give --output FILE.zip")
        out.write(content.decode())
        return
    try:
        with open(output, "wb") as handle:
            handle.write(content)
    except OSError as error:
        raise UsageError(f"cannot write {output}: {error.strerror}") from error


def cmd_export(args: argparse.Namespace, out: TextIO) -> int:
    if (args.person is None) == (args.program is None):
        raise UsageError("export needs PERSON or --program ID, not both")
    _start_django()
    from waymark.interop import people

    try:
        if args.program is not None:
            if args.format != "fhir":
                raise UsageError("a program's export is FHIR only: --format fhir")
            content, _, _ = people.program_export(args.program)
        else:
            content, _, _ = people.person_export(args.person, args.format)
    except people.NotFoundError as error:
        raise UsageError(str(error)) from error
    _write(content, args.output, out, binary=args.format == "csv")
    return 0


def cmd_import(args: argparse.Namespace, out: TextIO) -> int:
    text = _read_text(args.file)
    _start_django()
    from waymark.interop import people

    try:
        counts = people.import_new_account(text, args.username)
    except ValueError as error:
        raise UsageError(str(error)) from error
    made = ", ".join(f"{count} {name}" for name, count in counts.items())
    out.write(
        f"Imported {made} into the new account {args.username!r}.\n"
        f"Set its password with: waymark changepassword {args.username}\n"
    )
    return 0


Handler = Callable[[argparse.Namespace, TextIO], int]
# The commands answered by the pure core, without starting Django.
CLINICAL_COMMANDS = ("score", "instruments", "recommend", "plan", "taper", "outcomes")
# A person's data in and out (docs/data.md): these start Django themselves.
DATA_COMMANDS = ("export", "import")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser; with ``only``, just that command's (a clinical command run
    by a script builds no other: argparse looks up its translations for every parser it makes,
    a few milliseconds of every start, issue 14). Its help, usage and errors are the same."""
    parser = _Parser(
        prog="waymark",
        description=(
            "Waymark: recovery-path decision support and self-monitoring. "
            "It never diagnoses; results suggest, and point to people who can help."
        ),
        epilog=(
            "Every other command is a Django management command, for example "
            "'waymark migrate', 'waymark serve', 'waymark worker' (background jobs such as "
            "reminders: run one beside the server), 'waymark backup' and 'waymark restore' (the "
            "whole database), 'waymark check'; 'waymark help' lists them."
        ),
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, add in _COMMANDS.items():
        if only is None or name == only:
            add(commands)
    return parser


def _add_score(commands: Any) -> None:
    score = commands.add_parser("score", help="score one instrument's answers, or a batch file")
    score.add_argument("instrument", nargs="?", metavar="INSTRUMENT", help="an instrument id")
    score.add_argument("--answers", help="0-based option numbers, comma-separated; '-' = not asked")
    score.add_argument("--sex", choices=scoring.SEXES, help="for sex-specific cut-offs")
    score.add_argument("--prescribed", action="store_true", help="sud-11: taken only as prescribed")
    score.add_argument("--batch", metavar="FILE|-", help="one JSON request per line")
    score.add_argument("--json", action="store_true", help="print JSON instead of text")
    score.set_defaults(handler=cmd_score)


def _add_instruments(commands: Any) -> None:
    instruments = commands.add_parser("instruments", help="list the instruments Waymark scores")
    instruments.add_argument("--json", action="store_true", help="print JSON instead of text")
    instruments.set_defaults(handler=cmd_instruments)


def _add_recommend(commands: Any) -> None:
    recommend = commands.add_parser("recommend", help="recommend a path for a check-up profile")
    recommend.add_argument(
        "--profile", required=True, metavar="FILE|-", help="profile JSON (version 1 or 2)"
    )
    recommend.add_argument("--json", action="store_true", help="print JSON instead of text")
    recommend.set_defaults(handler=cmd_recommend)


def _add_plan(commands: Any) -> None:
    drafting = commands.add_parser("plan", help="draft the recovery plan for a check-up profile")
    drafting.add_argument(
        "--profile", required=True, metavar="FILE|-", help="profile JSON (version 1 or 2)"
    )
    drafting.add_argument(
        "--path",
        choices=APPROACHES,
        help="the path the plan is for (default: the recommended one; under 18, only that one)",
    )
    drafting.add_argument("--json", action="store_true", help="print JSON instead of text")
    drafting.set_defaults(handler=cmd_plan)


def _add_taper(commands: Any) -> None:
    schedule = commands.add_parser("taper", help="a gradual alcohol taper schedule, or why not")
    schedule.add_argument("--substance", required=True, choices=SUBSTANCES)
    schedule.add_argument(
        "--from",
        dest="start",
        required=True,
        type=_amount,
        metavar="DRINKS_PER_DAY",
        help="US standard drinks a day now",
    )
    schedule.add_argument(
        "--to",
        dest="target",
        required=True,
        type=_amount,
        metavar="TARGET",
        help="US standard drinks a day to reach",
    )
    schedule.add_argument("--profile", metavar="FILE|-", help="check the profile's safety too")
    schedule.add_argument("--json", action="store_true", help="print JSON instead of text")
    schedule.set_defaults(handler=cmd_taper)


def _add_outcomes(commands: Any) -> None:
    record = commands.add_parser(
        "outcomes", help="outcomes from a day-by-day drinking or use record (CSV)"
    )
    record.add_argument(
        "--days",
        required=True,
        metavar="FILE.csv|-",
        help="CSV with the header 'date,amount': one row per recorded day (YYYY-MM-DD, "
        "US standard drinks; 0 = none)",
    )
    record.add_argument("--sex", choices=scoring.SEXES, help="for sex-specific cut-offs")
    record.add_argument("--json", action="store_true", help="print JSON instead of text")
    record.set_defaults(handler=cmd_outcomes)


def _add_export(commands: Any) -> None:
    export = commands.add_parser(
        "export", help="everything one person has, as JSON, a CSV zip or FHIR R4"
    )
    export.add_argument(
        "person", nargs="?", metavar="PERSON", help="the person's nickname or public id"
    )
    export.add_argument(
        "--program", metavar="ID", help="instead: FHIR for each consenting patient of a program"
    )
    export.add_argument("--format", required=True, choices=("json", "csv", "fhir"))
    export.add_argument("--output", metavar="FILE", help="write here instead of to stdout")
    export.set_defaults(handler=cmd_export)


def _add_import_(commands: Any) -> None:
    restore = commands.add_parser("import", help="make a new account from a Waymark JSON export")
    restore.add_argument(
        "file", metavar="FILE|-", help="a file from 'waymark export --format json'"
    )
    restore.add_argument("--username", required=True, metavar="NEW", help="the new account's name")
    restore.set_defaults(handler=cmd_import)


_COMMANDS: dict[str, Callable[[Any], None]] = {
    "score": _add_score,
    "instruments": _add_instruments,
    "recommend": _add_recommend,
    "plan": _add_plan,
    "taper": _add_taper,
    "outcomes": _add_outcomes,
    "export": _add_export,
    "import": _add_import_,
}


def run_clinical(argv: Sequence[str], out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """Run a clinical command; usage errors become one line on stderr and exit 2."""
    try:
        args = build_parser(only=argv[0] if argv else None).parse_args(list(argv))
        handler: Handler = args.handler
        return handler(args, out)
    except UsageError as error:
        err.write(f"waymark: error: {error}\n")
        return USAGE_ERROR


def version() -> str:
    """The installed version (pyproject.toml; CHANGELOG.md says what each one changed)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("waymark")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


def run_django(argv: Sequence[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "waymark.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["waymark", *argv])


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] in (["--version"], ["-V"]):
        sys.stdout.write(f"waymark {version()}\n")
        return 0
    if not args or args[0] in ("-h", "--help"):
        build_parser().print_help()
        return 0
    if args[0] in CLINICAL_COMMANDS or args[0] in DATA_COMMANDS:
        return run_clinical(args)
    run_django(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())


def reference_markdown() -> str:
    """docs/cli.md, generated from the parsers' own help so the two cannot drift."""
    os.environ["COLUMNS"] = "100"
    parser = build_parser()
    parts = [
        "# Command-line reference\n",
        "Generated from `waymark --help` by `make docs`; a test fails when it is out of date.\n",
        "```\n" + parser.format_help() + "```\n",
    ]
    for command in CLINICAL_COMMANDS + DATA_COMMANDS:
        sub = parser._subparsers._group_actions[0].choices[command]  # type: ignore[union-attr,index]
        parts.append(f"## waymark {command}\n\n```\n{sub.format_help()}```\n")
    parts += [_management_reference(name) for name in ("worker", "backup", "restore")]
    return "\n".join(parts)


def _management_reference(name: str) -> str:
    """A management command's help, read from its parser (Django is not set up for this)."""
    from importlib import import_module

    command = import_module(f"waymark.management.commands.{name}").Command()
    help_text = command.create_parser("waymark", name).format_help()
    return f"## waymark {name}\n\n```\n{help_text}```\n"
