"""Every export, import, token made or revoked, and account deletion is written to the audit
trail (waymark.audit.log.record), under the actions "export.json", "export.csv",
"export.fhir", "import.json", "token.create", "token.revoke" and "account.delete". A program's
export by its staff reads many people's data at once: one "export.fhir" read for each, written
like every staff read (waymark.audit.log.record_reads), without the chain's lock."""

from __future__ import annotations

from waymark.audit.log import record as audit
from waymark.audit.log import record_reads as audit_reads

__all__ = ["audit", "audit_reads"]
