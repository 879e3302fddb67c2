"""A person's export: one JSON document with everything they have (docs/data.md).

    {"format": "waymark-export", "version": 1, "exported_at": "…",
     "account": {…}, "checkups": […], "plans": […], "checkins": […], "outcomes": {…}}

Free text is decrypted: it is the person's own copy. The document is the source of the CSV zip
(waymark/interop/csvzip.py) and is read back by waymark/interop/importer.py.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from waymark.accounts.models import User
from waymark.interop.audit import audit
from waymark.interop.sections import SECTIONS

FORMAT = "waymark-export"
VERSION = 1
HEADER = ("format", "version", "exported_at")


def document(user: User) -> dict[str, Any]:
    data: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now().isoformat(),
    }
    for section in SECTIONS:
        data[section.name] = section.dump(user)
    return data


def to_json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def export(
    user: User, kind: str, *, actor: User | None, request: HttpRequest | None = None
) -> tuple[bytes, str, str]:
    """The export as (content, content type, file name), audited as export.<kind>."""
    from waymark.interop import csvzip, fhir

    data = document(user)
    day = timezone.localdate().isoformat()
    if kind == "json":
        result = (to_json(data).encode(), "application/json", f"waymark-{day}.json")
    elif kind == "csv":
        result = (csvzip.build(data), "application/zip", f"waymark-{day}.zip")
    elif kind == "fhir":
        bundle = fhir.bundle(user, data)
        result = (to_json(bundle).encode(), "application/fhir+json", f"waymark-fhir-{day}.json")
    else:
        raise ValueError(f"unknown export format {kind!r}")
    audit(f"export.{kind}", actor=actor, subject=user, request=request)
    return result
