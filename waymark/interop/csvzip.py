"""The export as a zip of CSV files, one per table, with README.txt saying what each column
holds. Built from the JSON document, so both always carry the same data."""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any

from waymark.interop.sections import SECTIONS, Table

README_HEAD = """Your Waymark export, as CSV files (UTF-8, comma-separated, one header row).

Times are ISO 8601 in UTC. Ids join the files: answers.csv's `checkup` is an `id` in
checkups.csv, and so on. The JSON export holds the same data and is the one Waymark can import.
So that a spreadsheet never runs your words as a formula, text that starts with =, +, -, @ or a
tab has a ' put in front of it here (the JSON export has it exactly as you wrote it).
"""
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    """Text a spreadsheet would run as a formula, made inert (OWASP's CSV injection advice)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def tables(data: dict[str, Any]) -> dict[str, Table]:
    found: dict[str, Table] = {}
    for section in SECTIONS:
        found.update(section.tables(data[section.name]))
    return found


def readme(found: dict[str, Table]) -> str:
    parts = [README_HEAD]
    for name, table in found.items():
        lines = [f"{name}: {table.about}"]
        lines += [f"  {column}: {meaning}" for column, meaning in table.columns]
        parts.append("\n".join(lines) + "\n")
    return "\n".join(parts)


def _csv(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([column for column, _ in table.columns])
    writer.writerows([_cell(value) for value in row] for row in table.rows)
    return out.getvalue()


def build(data: dict[str, Any]) -> bytes:
    found = tables(data)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", readme(found))
        for name, table in found.items():
            archive.writestr(name, _csv(table))
    return buffer.getvalue()
