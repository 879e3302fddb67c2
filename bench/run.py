"""`make bench` (or `python -m bench.run`): every benchmark, its median, and the ratio to the
baseline measured in the same run — compare ratios between commits, not raw milliseconds."""

from __future__ import annotations

import argparse
import platform
import sys

from bench import cli, core, database, lighthouse, scale, serve, timing, web

GROUPS = ("core", "cli", "web", "scale", "serve", "lighthouse")  # in the order they run
DATABASE_GROUPS = ("web", "scale", "serve", "lighthouse")


def _sizes(text: str) -> list[int]:
    try:
        sizes = sorted({int(part) for part in text.split(",")})
    except ValueError:
        raise argparse.ArgumentTypeError("a number of people, or several with commas") from None
    if not sizes or sizes[0] < 1:
        raise argparse.ArgumentTypeError("at least one person")
    return sizes


def parser() -> argparse.ArgumentParser:
    found = argparse.ArgumentParser(prog="bench", description=__doc__)
    found.add_argument("--quick", action="store_true", help="fewer runs and smaller data")
    found.add_argument(
        "--only",
        action="append",
        choices=GROUPS,
        help="run this group (repeat for several); every group when not given",
    )
    found.add_argument(
        "--people",
        type=_sizes,
        help="caseload and report sizes, with commas (default 1000,10000; --quick 100,1000)",
    )
    found.add_argument(
        "--days", type=int, help="days of check-ins a person (default 365; --quick 90)"
    )
    found.add_argument("--clients", type=int, default=32, help="serve: clients at once")
    found.add_argument(
        "--requests", type=int, help="serve: writes a client (default 25; --quick 5)"
    )
    return found


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    groups = [group for group in GROUPS if group in (args.only or GROUPS)]
    people = args.people or ([100, 1000] if args.quick else [1000, 10000])
    days = args.days or (90 if args.quick else 365)
    requests = args.requests or (5 if args.quick else 25)
    results = []
    if "core" in groups:
        results += core.run(args.quick)
    if "cli" in groups:
        results += cli.run(args.quick)
    vendor = ""
    if any(group in DATABASE_GROUPS for group in groups):
        with database.scratch() as folder:
            vendor = f", {database.vendor()}"
            if "web" in groups:
                results += web.run(args.quick)
            if "scale" in groups:
                results += scale.run(people, days, args.quick)
            if "serve" in groups:
                results += serve.run(folder, args.clients, requests, days)
            if "lighthouse" in groups:
                results += lighthouse.run(folder)
    print(f"Python {platform.python_version()} on {platform.machine()}{vendor}; medians")
    print(timing.table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
