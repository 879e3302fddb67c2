"""The audit trail's keys: HMAC-SHA256 over each entry, under keys kept outside the database.

`settings.WAYMARK_AUDIT_KEYS` lists 32-byte keys (url-safe base64), newest first. New entries
and checkpoints are signed with the newest; each records the id of its key (the first 16 hex
digits of the key's SHA-256, which says nothing about the key), so after a rotation older
entries are still checked with the key they were signed with. A key that signed entries must
stay listed for as long as those entries are kept.

Entries written before the trail was keyed carry no key id: they are checked with plain
SHA-256, which shows an edit but not an edit whose hashes were recomputed. A checkpoint taken
after keying covers them too (docs/operations.md).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

SETTING = "WAYMARK_AUDIT_KEYS"


def key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:16]


@lru_cache(maxsize=8)
def _decoded(configured: tuple[str, ...]) -> tuple[tuple[str, bytes], ...]:
    return tuple((key_id(raw := base64.urlsafe_b64decode(key)), raw) for key in configured)


def _keys() -> tuple[tuple[str, bytes], ...]:
    configured = getattr(settings, SETTING, None) or []
    return _decoded(tuple(configured))


def current() -> tuple[str, bytes] | None:
    """The key new entries are signed with, as (id, key); None when none is configured."""
    keys = _keys()
    return keys[0] if keys else None


def by_id(wanted: str) -> bytes | None:
    for found_id, key in _keys():
        if found_id == wanted:
            return key
    return None


def sign(key: bytes, message: str) -> str:
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def require_current() -> tuple[str, bytes]:
    found = current()
    if found is None:
        raise ImproperlyConfigured(
            f"{SETTING} is empty: the audit trail cannot be signed. Set {SETTING} (or "
            f"{SETTING}_FILE); see docs/configuration.md."
        )
    return found
