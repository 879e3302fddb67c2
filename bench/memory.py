"""`python -m bench.memory PROGRAM_ID`: the peak memory one program report adds, and the CPU
time it takes, measured in a process of its own so that no earlier benchmark's garbage counts.
Run by bench/scale.py with its environment (the same scratch database); prints one line of
JSON.

On Linux the kernel's high-water mark of resident memory is reset just before the report
(`/proc/self/clear_refs`), so what start-up used and freed again does not count; elsewhere the
peak before the report is subtracted, which can only understate."""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

STATUS = Path("/proc/self/status")


def _status_kib(field: str) -> int:
    for line in STATUS.read_text(encoding="ascii").splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise LookupError(field)


def _reset_peak() -> int:
    """Reset the high-water mark where the kernel allows; the resident memory now (KiB)."""
    try:
        Path("/proc/self/clear_refs").write_text("5", encoding="ascii")
        return _status_kib("VmRSS")
    except (OSError, LookupError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def _peak() -> int:
    try:
        return _status_kib("VmHWM")
    except (OSError, LookupError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main(argv: list[str]) -> int:
    import django

    django.setup()
    from waymark.accounts.models import Organization
    from waymark.clinic.report import program_report_for

    program = Organization.objects.get(pk=int(argv[0]))  # the connection is open from here
    before = _reset_peak()
    start, cpu = time.perf_counter(), time.process_time()
    program_report_for(program)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    added = max(0, _peak() - before) / 1024
    print(json.dumps({"peak_added_mb": added, "seconds": seconds, "cpu_seconds": cpu}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
