"""The clinical core imports nothing from Django and does no I/O beyond its own data."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import waymark.clinical

CORE = Path(waymark.clinical.__file__).parent
FORBIDDEN = ("django", "waymark.settings", "socket", "urllib", "requests", "sqlite3", "psycopg")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_module_of_the_core_imports_django_or_io_libraries() -> None:
    for path in sorted(CORE.rglob("*.py")):
        for name in _imports(path):
            assert not name.startswith(FORBIDDEN), f"{path.name} imports {name}"


def test_the_core_and_the_clinical_commands_load_without_django() -> None:
    code = (
        "import sys, waymark.cli, waymark.clinical.pathway, waymark.clinical.taper;"
        "sys.exit('django' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
