"""`waymark backup` and `waymark restore`: the whole database in one file, and back.

A backup is a consistent snapshot taken while Waymark runs (SQLite's online backup API, or
`pg_dump` in one repeatable-read snapshot), packed with a manifest that says what it is
(`archive.py`). It is written mode 0600 and can be encrypted with a key of the operator's. A
restore goes only into an empty database of the same kind, from a backup whose migrations this
code knows; it then migrates what is newer and proves the audit trail (`databases.py`,
`state.py`). docs/operations.md says how to run both.
"""


class BackupError(Exception):
    """A backup or restore that cannot go on: one line that says why, and what to do."""


def one_line(error: BaseException) -> str:
    """An error's message on one line (a database driver's often runs to several)."""
    return " ".join(str(error).split())
