"""How long the clinical commands take from start to exit, against a bare Python from the same
environment (`python -c 'import json'`): the ratio is what Waymark adds to every call. Each
command runs as a subprocess on small, synthetic input, as a script or a pipeline calls it.
Targets (issue 14): `waymark score` at most 2× bare Python, `waymark recommend` at most 3×."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import tempfile
from datetime import date
from functools import partial
from pathlib import Path

from bench import synthetic
from bench.timing import Result, interleaved

BASELINE = "cli: python -c 'import json'"
TARGETS = {"score": 2.0, "recommend": 3.0}


def waymark_command() -> list[str]:
    """`waymark` as installed beside this Python (what people run), else `python -m waymark`."""
    script = Path(sys.executable).parent / "waymark"
    return [str(script)] if script.exists() else [sys.executable, "-m", "waymark"]


def _commands(folder: Path) -> dict[str, list[str]]:
    profile = folder / "profile.json"
    profile.write_text(json.dumps(synthetic.profiles(1, seed=3)[0]), encoding="utf-8")
    days = folder / "days.csv"
    with days.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(("date", "amount"))
        for record in synthetic.records(90, date(2026, 6, 30)):
            writer.writerow((record.date.isoformat(), record.amount))
    return {
        "score": ["score", "audit-c", "--answers", "1,1,1"],
        "instruments": ["instruments"],
        "recommend": ["recommend", "--profile", str(profile)],
        "plan": ["plan", "--profile", str(profile)],
        "taper": ["taper", "--substance", "alcohol", "--from", "12", "--to", "0"],
        "outcomes": ["outcomes", "--days", str(days)],
    }


def _run(command: list[str]) -> None:
    finished = subprocess.run(command, capture_output=True, check=False, timeout=60)
    if finished.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited {finished.returncode}: {finished.stderr!r}")


def _compiled() -> None:
    """Byte-compile Waymark as `pip install` does, so no run pays for compiling it (a machine
    with PYTHONDONTWRITEBYTECODE set would otherwise measure compiling on every start)."""
    import compileall

    import waymark

    compileall.compile_dir(str(Path(waymark.__file__).parent), quiet=1, workers=0)


def run(quick: bool = False, runs: int | None = None) -> list[Result]:
    runs = runs or (3 if quick else 10)
    _compiled()
    bare = [sys.executable, "-c", "import json"]
    with tempfile.TemporaryDirectory(prefix="waymark-bench-cli-") as folder:
        commands = _commands(Path(folder))
        # Each round starts the bare Python and every command once: a slow moment of the
        # machine falls on all of them alike.
        works = [partial(_run, bare)]
        works += [
            partial(_run, [*waymark_command(), *arguments]) for arguments in commands.values()
        ]
        bare_ms, *each_ms = interleaved(works, runs)
    results = [Result(BASELINE, bare_ms, runs)]
    for name, ms in zip(commands, each_ms, strict=True):
        note = ""
        if name in TARGETS:
            ratio, target = ms / bare_ms, TARGETS[name]
            note = f"target ≤ {target:.0f}×: {'met' if ratio <= target else 'missed'}"
        results.append(Result(f"cli: waymark {name}", ms, runs, baseline=BASELINE, note=note))
    return results
