"""`make bench` (or `python -m bench.run`): every benchmark, its median, and the ratio to the
baseline measured in the same run — compare ratios between commits, not raw milliseconds."""

from __future__ import annotations

import argparse
import platform
import sys

from bench import core, timing, web


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer runs and smaller records")
    parser.add_argument("--only", choices=("core", "web"), help="run one group")
    args = parser.parse_args(argv)
    results = []
    if args.only in (None, "core"):
        results += core.run(args.quick)
    if args.only in (None, "web"):
        results += web.run(args.quick)
    print(f"Python {platform.python_version()} on {platform.machine()}; medians of each run")
    print(timing.table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
