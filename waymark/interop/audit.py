"""Every export, import, token made or revoked, and account deletion is written to the audit
trail (waymark.audit.log.record), under the actions "export.json", "export.csv",
"export.fhir", "import.json", "token.create", "token.revoke" and "account.delete"."""

from __future__ import annotations

from waymark.audit.log import record as audit

__all__ = ["audit"]
