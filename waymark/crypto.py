"""Encryption at rest for notes and free text, under keys of our own.

A value is encrypted into a Fernet token (AES-128-CBC with an HMAC-SHA256 over it, from
`cryptography`) under the first key in `settings.WAYMARK_FIELD_KEYS`; any key in the list
decrypts it. So a key is rotated by putting a new one first, running `waymark rotatekeys`, and
then removing the old one. The keys are not `SECRET_KEY` and nothing is derived from it: either
can change without the other.

A token that no key opens raises `DecryptionError`. Nothing here ever returns garbage, "" or
None in place of a value it could not decrypt.
"""

from __future__ import annotations

from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

SETTING = "WAYMARK_FIELD_KEYS"
NO_KEYS = (
    "WAYMARK_FIELD_KEYS is empty, so notes and free text can be neither encrypted nor "
    "decrypted. Set WAYMARK_FIELD_KEYS (or WAYMARK_FIELD_KEYS_FILE); see docs/configuration.md."
)


class DecryptionError(Exception):
    """A stored value that no key in WAYMARK_FIELD_KEYS opens."""

    def __init__(self, where: str = "") -> None:
        super().__init__(
            f"{where + ': ' if where else ''}cannot decrypt a stored value: no key in "
            "WAYMARK_FIELD_KEYS opens it. It was encrypted under a key that has since been "
            "removed, or it was changed or written without encryption. Restore the old key "
            "(last in the list) and run `waymark rotatekeys`."
        )


# (every key, newest first; the newest alone), built on first use and again when the setting
# changes.
_cache: tuple[MultiFernet, Fernet] | None = None


def keys() -> list[str]:
    """The configured keys, newest first; ImproperlyConfigured when there are none or one is
    not a Fernet key."""
    value = getattr(settings, SETTING, None)
    if not isinstance(value, list | tuple) or not all(isinstance(key, str) for key in value):
        raise ImproperlyConfigured(f"{SETTING} must be a list of strings")
    if not value:
        raise ImproperlyConfigured(NO_KEYS)
    for number, key in enumerate(value, start=1):
        try:
            Fernet(key)
        except ValueError:  # the message would not say which key, and must not show it
            raise ImproperlyConfigured(
                f"{SETTING}: key {number} is not a Fernet key (32 bytes in url-safe base64)"
            ) from None
    return list(value)


def _fernets() -> tuple[MultiFernet, Fernet]:
    global _cache
    if _cache is None:
        fernets = [Fernet(key) for key in keys()]
        _cache = (MultiFernet(fernets), fernets[0])
    return _cache


@receiver(setting_changed)
def _forget_keys(*, setting: str, **kwargs: Any) -> None:
    """Tests override the keys with `settings`/`override_settings`: build them again."""
    global _cache
    if setting == SETTING:
        _cache = None


def encrypt(text: str) -> str:
    """A token for `text` under the newest key: ASCII, 4/3 of the UTF-8 length plus ~100."""
    if not isinstance(text, str):
        raise TypeError(f"encrypt() takes a str, not {type(text).__name__}")
    multi, _newest = _fernets()
    return multi.encrypt(text.encode("utf-8")).decode("ascii")


def _token_bytes(token: str, where: str) -> bytes:
    if not isinstance(token, str):
        raise TypeError(f"a token is a str, not {type(token).__name__}")
    try:
        return token.encode("ascii")
    except UnicodeEncodeError:  # tokens are ASCII: this is not one
        raise DecryptionError(where) from None


def decrypt(token: str, *, where: str = "") -> str:
    """The text in `token`, opened with any configured key; DecryptionError otherwise.

    `where` (say, "accounts.Note.text") is put in the error's message.
    """
    multi, _newest = _fernets()
    try:
        return multi.decrypt(_token_bytes(token, where)).decode("utf-8")
    except (InvalidToken, UnicodeDecodeError):
        raise DecryptionError(where) from None


def rotate(token: str, *, where: str = "") -> str:
    """The same text as `token`, encrypted under the newest key; DecryptionError otherwise."""
    multi, _newest = _fernets()
    try:
        return multi.rotate(_token_bytes(token, where)).decode("ascii")
    except InvalidToken:
        raise DecryptionError(where) from None


def is_current(token: str) -> bool:
    """Whether `token` is already under the newest key (so rotating it would change nothing)."""
    _multi, newest = _fernets()
    try:
        newest.decrypt(_token_bytes(token, ""))
    except (InvalidToken, DecryptionError):
        return False
    return True
