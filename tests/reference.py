"""The shared reference data (../shared/reference/ beside the repository)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


def load(name: str) -> Any:
    path = SHARED / "reference" / name
    if not path.exists():
        raise FileNotFoundError(
            f"the shared reference data is missing: {path}. Waymark's tests expect the "
            "design folder `shared/` beside the repository (../shared/reference/)."
        )
    return json.loads(path.read_text(encoding="utf-8"))
