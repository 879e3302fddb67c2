"""The shared reference data (../shared/reference/ beside the repository)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


def load(name: str) -> Any:
    return json.loads((SHARED / "reference" / name).read_text(encoding="utf-8"))
