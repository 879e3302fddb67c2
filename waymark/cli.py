"""The `waymark` command line.

The clinical commands (score, instruments, recommend, taper) call the pure core directly and
never start Django, so they answer fast. Every other command is a Django management command
(`waymark migrate`, `waymark serve`, `waymark demo`, ...).

Bad input exits 2 with one line on stderr and nothing on stdout (CONTRACTS.md §1).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn, TextIO

from waymark.clinical import scoring

USAGE_ERROR = 2


class UsageError(Exception):
    """Bad input: reported as one line on stderr, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


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
        elif token.isdigit():
            answers.append(int(token))
        else:
            shown = token or "(empty)"
            raise UsageError(f"answer {position}: {shown!r} is not an option number or '-'")
    return answers


def _score_for_people(result: scoring.Score) -> str:
    instrument = result.instrument
    lines = [
        f"{instrument.short_name} — {instrument.name} (version {instrument.version})",
        f"Total: {result.total} of {instrument.max_total}",
        f"Band: {result.band.label} ({result.band.id})",
        f"What it means: {result.band.meaning}",
    ]
    for rule in instrument.flag_rules:
        if rule.id in result.flags:
            lines.append(f"IMPORTANT ({rule.id}): {rule.meaning}")
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
        request = json.loads(line)
    except json.JSONDecodeError as error:
        return {"error": f"not valid JSON: {error.msg} at column {error.colno}"}
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
    for line in _read_text(args.batch).splitlines():
        if not line.strip():
            continue
        result = _batch_line(line)
        status = 1 if "error" in result else status
        _dump(result, out)
    return status


def cmd_score(args: argparse.Namespace, out: TextIO) -> int:
    return _score_batch(args, out) if args.batch is not None else _score_one(args, out)


# --- instruments -----------------------------------------------------------------------------


def cmd_instruments(args: argparse.Namespace, out: TextIO) -> int:
    rows = [
        {
            "id": i.id,
            "name": i.name,
            "items": len(i.items),
            "min": i.min_total,
            "max": i.max_total,
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
        out.write(
            f"{row['id']:<9} {row['name']} — {row['items']} items, "
            f"range {row['min']}–{row['max']}, {row['rater']}-rated\n"
            f"          Licence: {row['licence']}\n"
        )
    return 0


# --- the parser ------------------------------------------------------------------------------

Handler = Callable[[argparse.Namespace, TextIO], int]
# The commands answered by the pure core, without starting Django.
CLINICAL_COMMANDS = ("score", "instruments")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="waymark",
        description=(
            "Waymark: recovery-path decision support and self-monitoring. "
            "It never diagnoses; results suggest, and point to people who can help."
        ),
        epilog=(
            "Every other command is a Django management command, for example "
            "'waymark migrate', 'waymark serve', 'waymark demo'; 'waymark help' lists them."
        ),
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    score = commands.add_parser("score", help="score one instrument's answers, or a batch file")
    score.add_argument("instrument", nargs="?", metavar="INSTRUMENT", help="an instrument id")
    score.add_argument("--answers", help="0-based option numbers, comma-separated; '-' = not asked")
    score.add_argument("--sex", choices=scoring.SEXES, help="for sex-specific cut-offs")
    score.add_argument(
        "--prescribed", action="store_true", help="sud-11: taken only as prescribed"
    )
    score.add_argument("--batch", metavar="FILE|-", help="one JSON request per line")
    score.add_argument("--json", action="store_true", help="print JSON instead of text")
    score.set_defaults(handler=cmd_score)

    instruments = commands.add_parser("instruments", help="list the instruments Waymark scores")
    instruments.add_argument("--json", action="store_true", help="print JSON instead of text")
    instruments.set_defaults(handler=cmd_instruments)

    return parser


def run_clinical(argv: Sequence[str], out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """Run a clinical command; usage errors become one line on stderr and exit 2."""
    try:
        args = build_parser().parse_args(list(argv))
        handler: Handler = args.handler
        return handler(args, out)
    except UsageError as error:
        err.write(f"waymark: error: {error}\n")
        return USAGE_ERROR


def run_django(argv: Sequence[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "waymark.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["waymark", *argv])


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        build_parser().print_help()
        return 0
    if args[0] in CLINICAL_COMMANDS:
        return run_clinical(args)
    run_django(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
