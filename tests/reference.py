"""The reference data the tests read, vendored into tests/reference_data/.

The design folder `../shared/` beside the repository is where it comes from; the tests never
need it. `tests/test_reference_data.py` checks the vendored copies are identical to it when it
is there (and fails under CI when it is not).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "reference_data"
SHARED = ROOT.parent / "shared"
# Vendored file -> its origin under ../shared/.
ORIGINS = {
    "scoring.json": "reference/scoring.json",
    "scoring-assist.json": "reference/scoring-assist.json",
    "vignettes.json": "reference/vignettes.json",
    "profile.schema.v1.json": "design/profile.schema.json",
    "FACTS.md": "clinical/FACTS.md",  # which LOINC codes are verified (tests/interop)
}


def path(name: str) -> Path:
    return DATA / name


def load(name: str) -> Any:
    return json.loads(path(name).read_text(encoding="utf-8"))
