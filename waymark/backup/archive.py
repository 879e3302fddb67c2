"""The backup file: a gzipped tar of a manifest and the database dump, optionally encrypted.

Inside (format `waymark-backup/1`):

- `manifest.json`: the Waymark version that made it, the database vendor, the migrations
  applied in the dump (per app, in order), when it was made, the audit chain's head (entry
  number and hash) in the dump, and the dump's name, size and SHA-256.
- `database.sqlite3` (SQLite: the database file) or `database.pgdump` (PostgreSQL:
  `pg_dump --format=custom`).

Encrypted, the file is the line `waymark-backup-encrypted/1` and then one Fernet token (AES-CBC
with an HMAC-SHA256, from `cryptography`) of the whole tar. Fernet encrypts in one piece, in
memory: fine for the databases Waymark is made for (a backup of a few hundred megabytes needs
a few times that in memory while it is written or read). Keys are Fernet keys, newest first,
like WAYMARK_FIELD_KEYS: the first encrypts, any of them decrypts.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import tempfile
import time
import zlib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.core.exceptions import ImproperlyConfigured

from waymark.backup import BackupError

FORMAT = "waymark-backup/1"
ENCRYPTED = b"waymark-backup-encrypted/1\n"
GZIP = b"\x1f\x8b"
MANIFEST = "manifest.json"
KEY_SETTING = "WAYMARK_BACKUP_KEY"
# The databases a backup can be of (Django's connection.vendor), and the dump's name in each.
VENDORS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
DUMP_NAMES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


@dataclass(frozen=True)
class Manifest:
    waymark_version: str
    vendor: str  # "sqlite" or "postgresql" (Django's connection.vendor)
    created_at: str
    migrations: dict[str, list[str]]
    audit_seq: int
    audit_hash: str
    dump_name: str
    dump_bytes: int
    dump_sha256: str

    def as_dict(self) -> dict[str, Any]:
        fields = asdict(self)
        return {
            "format": FORMAT,
            **{k: v for k, v in fields.items() if not k.startswith(("audit_", "dump_"))},
            "audit_head": {"seq": self.audit_seq, "hash": self.audit_hash},
            "dump": {"name": self.dump_name, "bytes": self.dump_bytes, "sha256": self.dump_sha256},
        }

    @classmethod
    def from_dict(cls, data: Any) -> Manifest:
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            found = data.get("format") if isinstance(data, dict) else None
            raise BackupError(f"the backup's format is {found!r}; this Waymark reads {FORMAT}")
        try:
            migrations = {
                str(app): [str(name) for name in names] for app, names in data["migrations"].items()
            }
            return cls(
                str(data["waymark_version"]), str(data["vendor"]), str(data["created_at"]),
                migrations, int(data["audit_head"]["seq"]), str(data["audit_head"]["hash"]),
                str(data["dump"]["name"]), int(data["dump"]["bytes"]), str(data["dump"]["sha256"]),
            )  # fmt: skip
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise BackupError(f"the backup's manifest is incomplete ({error})") from error


def pack(manifest: Manifest, dump: bytes) -> bytes:
    """The tar.gz of the manifest and the dump."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        text = json.dumps(manifest.as_dict(), indent=2, ensure_ascii=False).encode()
        for name, content in ((MANIFEST, text), (manifest.dump_name, dump)):
            member = tarfile.TarInfo(name)
            member.size, member.mode, member.mtime = len(content), 0o600, int(time.time())
            tar.addfile(member, io.BytesIO(content))
    return buffer.getvalue()


def unpack(data: bytes) -> tuple[Manifest, bytes]:
    """The manifest and the dump, once the dump's SHA-256 matches the manifest's."""
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            manifest = Manifest.from_dict(json.loads(_member(tar, MANIFEST)))
            dump = _member(tar, manifest.dump_name)
    except (tarfile.TarError, EOFError, OSError, zlib.error, ValueError) as error:
        raise BackupError(f"this is not a Waymark backup, or it is damaged ({error})") from error
    if len(dump) != manifest.dump_bytes or sha256(dump) != manifest.dump_sha256:
        raise BackupError("the backup is damaged: its dump does not match its manifest's SHA-256")
    return manifest, dump


def _member(tar: tarfile.TarFile, name: str) -> bytes:
    # Read into memory, never extracted to disk: a crafted name cannot write anywhere.
    handle = tar.extractfile(name)
    if handle is None:
        raise ValueError(f"{name} is not a file")
    return handle.read()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def encrypt(data: bytes, keys: list[str]) -> bytes:
    return ENCRYPTED + Fernet(keys[0]).encrypt(data)


def is_encrypted(data: bytes) -> bool:
    return data.startswith(ENCRYPTED)


def decrypt(data: bytes, keys: list[str]) -> bytes:
    try:
        return MultiFernet([Fernet(key) for key in keys]).decrypt(data[len(ENCRYPTED) :])
    except InvalidToken as error:
        raise BackupError(
            "the key does not open this backup: it was encrypted under another key, or the "
            "file was changed"
        ) from error


def read(path: Path, keys: list[str] | None) -> tuple[Manifest, bytes]:
    """Open a backup file (decrypting it with `keys` when it is encrypted)."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise BackupError(f"cannot read {path}: {error.strerror}") from error
    if is_encrypted(data):
        if not keys:
            raise BackupError(
                f"{path} is encrypted: give its key with --decrypt-key-file FILE or "
                f"{KEY_SETTING} (or {KEY_SETTING}_FILE)"
            )
        data = decrypt(data, keys)
    elif not data.startswith(GZIP):
        raise BackupError(f"{path} is not a Waymark backup")
    return unpack(data)


def keys_from(key_file: str | None) -> list[str] | None:
    """The backup keys: from the file given, else WAYMARK_BACKUP_KEY (or _FILE); None if
    neither is set. Messages name where a bad key came from, never the key."""
    from waymark.settings import env_text, fernet_keys

    try:
        if key_file is not None:
            try:
                text = Path(key_file).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as error:
                raise BackupError(f"cannot read the key file {key_file}: {error}") from error
            found = fernet_keys(key_file, text)
            if not found:
                raise BackupError(f"the key file {key_file} holds no key")
            return found
        return fernet_keys(KEY_SETTING, env_text(KEY_SETTING)) or None
    except ImproperlyConfigured as error:
        raise BackupError(str(error)) from error


def write_private(path: Path, data: bytes, *, replace: bool) -> None:
    """Write `data` to `path`, readable by its owner only (0600) from the moment it exists,
    never half-written under its own name, and never over a file unless `replace`."""
    if path.exists() and not replace:
        raise BackupError(f"{path} already exists: give --force to replace it")
    try:
        # mkstemp creates the file with os.open(..., 0o600), before anything is written.
        descriptor, temporary = tempfile.mkstemp(
            prefix=f".{path.name}.", suffix=".partial", dir=path.parent
        )
    except OSError as error:
        raise BackupError(f"cannot write {path}: {error.strerror}") from error
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o600)
        if replace:
            os.replace(temporary, path)
        else:
            _place_new(Path(temporary), path)
    except OSError as error:
        raise BackupError(f"cannot write {path}: {error.strerror}") from error
    finally:
        Path(temporary).unlink(missing_ok=True)


def _place_new(temporary: Path, path: Path) -> None:
    try:
        os.link(temporary, path)  # fails if the name was taken meanwhile: nothing overwritten
    except FileExistsError as error:
        raise BackupError(f"{path} already exists: give --force to replace it") from error
    except OSError:  # a file system without hard links
        if path.exists():
            raise BackupError(f"{path} already exists: give --force to replace it") from None
        os.replace(temporary, path)
