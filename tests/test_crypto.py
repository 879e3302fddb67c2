"""Free text is encrypted at rest: the fields, the keys, their rotation and the check.

The model is `tests.crypto_app.Secret`, in an app installed only while this module runs; its
table is made once for the module with the schema editor (outside any test's transaction, so
that SQLite allows it), and each test still runs in a transaction that is rolled back.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.conf import settings as django_settings
from django.core.exceptions import FieldError, ImproperlyConfigured, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, models, transaction
from django.db.models.functions import Concat
from django.test.utils import isolate_apps, override_settings

from tests.crypto_app.models import Secret
from waymark import checks, crypto
from waymark.fields import EncryptedTextField
from waymark.settings import fernet_keys

KEY_A, KEY_B, KEY_C = (Fernet.generate_key().decode() for _ in range(3))
APP = "tests.crypto_app"
NOTES = ["a short note", "naïve café — 日本語, עברית 🙂", "", "two\nlines\ttabbed", "x" * 5000]
DATA: list[Any] = [
    {"b": [1, 2.5, {"c": None, "d": "ü"}], "a": True, "nested": {"deep": {"er": ["🙂"]}}},
    ["a", 1, None],
    "just a string",
    0,
    False,
    {},
]


@pytest.fixture(scope="module")
def _installed_app(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    with override_settings(INSTALLED_APPS=[*django_settings.INSTALLED_APPS, APP]):
        with django_db_blocker.unblock(), connection.schema_editor() as editor:
            editor.create_model(Secret)
        try:
            yield
        finally:
            with django_db_blocker.unblock(), connection.schema_editor() as editor:
                editor.delete_model(Secret)


@pytest.fixture
def secret_table(_installed_app: None, db: Any) -> None:
    """The app is installed and its table exists; the test runs in a transaction."""


@pytest.fixture(autouse=True)
def _keys(settings: Any) -> None:
    settings.WAYMARK_FIELD_KEYS = [KEY_A]


def stored(pk: Any) -> tuple[Any, ...]:
    """The row as the database holds it, read with plain SQL."""
    table = connection.ops.quote_name(Secret._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT note, data FROM {table} WHERE id = %s", [pk])
        row = cursor.fetchone()
    assert row is not None
    return tuple(row)


def rotatekeys(*args: str) -> str:
    out = StringIO()
    call_command("rotatekeys", *args, stdout=out)
    return out.getvalue()


# --- waymark.crypto ------------------------------------------------------------------------


@pytest.mark.parametrize("text", NOTES)
def test_text_round_trips_and_is_never_stored_plain(text: str) -> None:
    token = crypto.encrypt(text)
    assert crypto.decrypt(token) == text
    assert token.startswith("gAAAAA") and (text == "" or text not in token)


def test_the_same_text_gives_a_different_token_every_time() -> None:
    assert crypto.encrypt("same") != crypto.encrypt("same")


def test_a_token_from_another_key_raises_and_never_returns_a_value() -> None:
    other = Fernet(KEY_C).encrypt(b"secret").decode()
    with pytest.raises(crypto.DecryptionError, match="no key in WAYMARK_FIELD_KEYS opens it"):
        crypto.decrypt(other)


@pytest.mark.parametrize("token", ["", "not a token", "ünïcode", "gAAAAA", "gAAAAA" + "A" * 100])
def test_anything_that_is_not_a_token_raises(token: str) -> None:
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token)


def test_a_changed_token_raises() -> None:
    token = crypto.encrypt("do not touch")
    flipped = token[:-10] + ("A" if token[-10] != "A" else "B") + token[-9:]
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(flipped)


def test_older_keys_still_decrypt_and_rotate_moves_a_token_to_the_newest(settings: Any) -> None:
    token = crypto.encrypt("written under A")
    settings.WAYMARK_FIELD_KEYS = [KEY_B, KEY_A]  # the cached keys are rebuilt
    assert crypto.decrypt(token) == "written under A"
    assert not crypto.is_current(token)
    rotated = crypto.rotate(token)
    assert crypto.is_current(rotated)
    settings.WAYMARK_FIELD_KEYS = [KEY_B]
    assert crypto.decrypt(rotated) == "written under A"
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token)
    with pytest.raises(crypto.DecryptionError):
        crypto.rotate(token)


def test_new_text_is_encrypted_under_the_first_key(settings: Any) -> None:
    settings.WAYMARK_FIELD_KEYS = [KEY_B, KEY_A]
    assert Fernet(KEY_B).decrypt(crypto.encrypt("new").encode()) == b"new"


def test_no_keys_or_a_bad_key_is_a_configuration_error(settings: Any) -> None:
    settings.WAYMARK_FIELD_KEYS = []
    with pytest.raises(ImproperlyConfigured, match="WAYMARK_FIELD_KEYS is empty"):
        crypto.encrypt("x")
    settings.WAYMARK_FIELD_KEYS = [KEY_A, "not-a-key"]
    with pytest.raises(ImproperlyConfigured, match="key 2 is not a Fernet key") as raised:
        crypto.encrypt("x")
    assert "not-a-key" not in str(raised.value)
    settings.WAYMARK_FIELD_KEYS = KEY_A  # a str, not a list
    with pytest.raises(ImproperlyConfigured, match="must be a list"):
        crypto.encrypt("x")


# --- the fields ----------------------------------------------------------------------------


@pytest.mark.parametrize("text", [*NOTES, None])
@pytest.mark.usefixtures("secret_table")
def test_a_note_round_trips_through_the_database(text: str | None) -> None:
    secret = Secret.objects.create(note=text)
    secret.refresh_from_db()
    assert secret.note == text
    assert Secret.objects.values_list("note", flat=True).get(pk=secret.pk) == text


@pytest.mark.parametrize("data", [*DATA, None])
@pytest.mark.usefixtures("secret_table")
def test_json_round_trips_through_the_database(data: Any) -> None:
    secret = Secret.objects.create(data=data)
    assert Secret.objects.get(pk=secret.pk).data == data


@pytest.mark.usefixtures("secret_table")
def test_the_database_holds_tokens_never_the_text() -> None:
    secret = Secret.objects.create(
        note="I drank on Tuesday", data={"person": "Sam", "phone": "555-0100"}
    )
    note, data = stored(secret.pk)
    assert note.startswith("gAAAAA") and data.startswith("gAAAAA")
    for plain in ("drank", "Tuesday", "Sam", "555", "person", "phone"):
        assert plain not in note and plain not in data
    assert crypto.decrypt(data) == '{"person": "Sam", "phone": "555-0100"}'  # sorted keys


@pytest.mark.usefixtures("secret_table")
def test_empty_text_is_encrypted_and_stays_apart_from_null() -> None:
    empty, null = Secret.objects.create(note=""), Secret.objects.create(note=None)
    assert stored(empty.pk)[0].startswith("gAAAAA")
    assert stored(null.pk)[0] is None
    assert list(Secret.objects.filter(note__isnull=True)) == [null]
    assert list(Secret.objects.filter(note=None)) == [null]
    assert list(Secret.objects.exclude(note=None)) == [empty]
    assert Secret.objects.get(pk=empty.pk).note == ""


@pytest.mark.usefixtures("secret_table")
def test_updates_and_bulk_writes_are_encrypted() -> None:
    first, second = Secret.objects.bulk_create([Secret(note="one"), Secret(note="two")])
    Secret.objects.filter(pk=first.pk).update(note="updated", data={"k": "v"})
    second.note = "bulk updated"
    Secret.objects.bulk_update([second], ["note"])
    for pk, text in ((first.pk, "updated"), (second.pk, "bulk updated")):
        note, _data = stored(pk)
        assert text not in note and crypto.decrypt(note) == text
    assert Secret.objects.get(pk=first.pk).data == {"k": "v"}


@pytest.mark.usefixtures("secret_table")
def test_a_row_under_a_removed_key_raises_on_load_naming_the_field(settings: Any) -> None:
    secret = Secret.objects.create(note="under A")
    settings.WAYMARK_FIELD_KEYS = [KEY_B]
    with pytest.raises(crypto.DecryptionError, match=r"crypto_app\.Secret\.note"):
        Secret.objects.get(pk=secret.pk)


@pytest.mark.usefixtures("secret_table")
def test_a_plain_value_written_behind_the_fields_back_raises_on_load() -> None:
    secret = Secret.objects.create(note="x")
    table = connection.ops.quote_name(Secret._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET note = %s WHERE id = %s", ["plain", secret.pk])
    with pytest.raises(crypto.DecryptionError):
        Secret.objects.get(pk=secret.pk)


@pytest.mark.parametrize(
    "lookup",
    [{"note": "x"}, {"note__icontains": "x"}, {"note__in": ["x"]}, {"note__startswith": "x"},
     {"data__key": "x"}, {"data": {"a": 1}}, {"note__lower": "x"}],
)  # fmt: skip
@pytest.mark.usefixtures("secret_table")
def test_lookups_other_than_isnull_are_refused(lookup: dict[str, Any]) -> None:
    with pytest.raises(FieldError, match="is encrypted, so the database cannot use it"):
        list(Secret.objects.filter(**lookup))


@pytest.mark.usefixtures("secret_table")
def test_expressions_that_would_store_plain_text_are_refused() -> None:
    secret = Secret.objects.create(note="a")

    def refused(write: Any) -> None:
        # atomic(): a refused save() marks the transaction it runs in as failed.
        with (
            pytest.raises(FieldError, match="would store the result unencrypted"),
            transaction.atomic(),
        ):
            write()

    refused(lambda: Secret.objects.update(note=models.Value("plain")))
    refused(lambda: Secret.objects.update(note=Concat(models.F("note"), models.Value("!"))))
    refused(lambda: Secret.objects.create(note=models.Value("plain")))
    secret.note = models.Value("plain")  # type: ignore[assignment]  # mypy refuses it too
    refused(secret.save)
    # An encrypted output field is fine: the value goes through the field.
    Secret.objects.update(note=models.Value("via value", output_field=EncryptedTextField()))
    assert Secret.objects.get(pk=secret.pk).note == "via value"


@isolate_apps("tests.crypto_app")
@pytest.mark.parametrize(
    "options", [{"unique": True}, {"db_index": True}, {"primary_key": True}, {"db_default": "x"}]
)
def test_unique_indexed_or_database_defaults_are_refused(options: dict[str, Any]) -> None:
    with pytest.raises(FieldError, match="is encrypted, so it cannot"):

        class Refused(models.Model):
            note = EncryptedTextField(**options)

            class Meta:
                app_label = "crypto_app"

            def __str__(self) -> str:
                return "refused"


@pytest.mark.usefixtures("secret_table")
def test_json_that_cannot_be_serialised_fails_validation() -> None:
    with pytest.raises(ValidationError):
        Secret(data={1, 2}).full_clean()
    with pytest.raises(ValidationError):
        Secret(data=float("nan")).full_clean()


@pytest.mark.usefixtures("secret_table")
def test_the_fields_deconstruct_cleanly_for_migrations() -> None:
    field = Secret._meta.get_field("note")
    assert field.deconstruct() == (
        "note", "waymark.fields.EncryptedTextField", [], {"null": True, "blank": True}
    )  # fmt: skip
    # The app's migration matches its model: no change left to make.
    call_command("makemigrations", "crypto_app", check=True, dry_run=True, stdout=StringIO())


# --- waymark rotatekeys --------------------------------------------------------------------


@pytest.mark.usefixtures("secret_table")
def test_rotatekeys_moves_everything_to_the_newest_key(settings: Any) -> None:
    texts = ["first", "second", "", "fourth"]
    made = [Secret.objects.create(note=text, data={"n": n}) for n, text in enumerate(texts)]
    made.append(Secret.objects.create())  # NULLs stay NULL
    before = [stored(secret.pk) for secret in made]
    settings.WAYMARK_FIELD_KEYS = [KEY_B, KEY_A]

    assert "crypto_app.Secret: 8 to re-encrypt, 0 already current" in rotatekeys("--dry-run")
    assert [stored(secret.pk) for secret in made] == before

    assert "crypto_app.Secret: 8 re-encrypted, 0 already current" in rotatekeys("--batch-size", "2")
    settings.WAYMARK_FIELD_KEYS = [KEY_B]  # A is gone: everything still reads
    for n, (secret, text) in enumerate(zip(made, texts, strict=False)):
        assert Secret.objects.get(pk=secret.pk).note == text
        assert Secret.objects.get(pk=secret.pk).data == {"n": n}
    assert stored(made[-1].pk) == (None, None)

    again = rotatekeys()  # safe to run again: nothing left to do
    assert "crypto_app.Secret: 0 re-encrypted, 8 already current" in again


@pytest.mark.usefixtures("secret_table")
def test_rotatekeys_reports_values_no_key_opens_and_rotates_the_rest(settings: Any) -> None:
    lost = Secret.objects.create(note="under C")
    settings.WAYMARK_FIELD_KEYS = [KEY_A]
    kept = Secret.objects.create(note="under A")
    table = connection.ops.quote_name(Secret._meta.db_table)
    with connection.cursor() as cursor:
        token = Fernet(KEY_C).encrypt(b"under C").decode()
        cursor.execute(f"UPDATE {table} SET note = %s WHERE id = %s", [token, lost.pk])
    settings.WAYMARK_FIELD_KEYS = [KEY_B, KEY_A]
    out = StringIO()
    with pytest.raises(
        CommandError, match=rf"1 stored value\(s\) .* crypto_app\.Secret pk={lost.pk} note"
    ):
        call_command("rotatekeys", stdout=out)
    assert "crypto_app.Secret: 1 re-encrypted, 0 already current, 1 unreadable" in out.getvalue()
    assert stored(lost.pk)[0] == token  # left as it was
    settings.WAYMARK_FIELD_KEYS = [KEY_B]
    assert Secret.objects.get(pk=kept.pk).note == "under A"


@pytest.mark.usefixtures("secret_table")
def test_rotatekeys_without_good_keys_refuses(settings: Any) -> None:
    settings.WAYMARK_FIELD_KEYS = []
    with pytest.raises(CommandError, match="WAYMARK_FIELD_KEYS is empty"):
        rotatekeys()
    settings.WAYMARK_FIELD_KEYS = ["not-a-key"]
    with pytest.raises(CommandError, match="key 1 is not a Fernet key"):
        rotatekeys()


# --- configuration -------------------------------------------------------------------------


def test_no_field_keys_with_debug_off_is_an_error(settings: Any) -> None:
    settings.DEBUG, settings.WAYMARK_FIELD_KEYS = False, []
    (error,) = checks.check_field_keys()
    assert error.id == "waymark.E006"
    assert error.hint is not None and "WAYMARK_FIELD_KEYS_FILE" in error.hint


@pytest.mark.parametrize(("debug", "keys"), [(False, [KEY_A]), (True, []), (True, [KEY_A])])
def test_field_keys_or_debug_on_pass(settings: Any, debug: bool, keys: list[str]) -> None:
    settings.DEBUG, settings.WAYMARK_FIELD_KEYS = debug, keys
    assert checks.check_field_keys() == []


def test_the_hint_makes_a_working_key() -> None:
    hint = checks.FIELD_KEYS_HINT
    program = hint[hint.index("python -c '") + len("python -c '") :].split("'")[0]
    made = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    ).stdout.strip()
    Fernet(made)  # raises if it is not a key
    assert fernet_keys("test", made) == [made]


def test_keys_are_read_newest_first_from_commas_or_lines() -> None:
    assert fernet_keys("X", f" {KEY_B},{KEY_A} ") == [KEY_B, KEY_A]
    assert fernet_keys("X", f"{KEY_B}\n{KEY_A}\n") == [KEY_B, KEY_A]
    assert fernet_keys("X", "") == []


def test_a_malformed_key_stops_waymark_without_showing_it() -> None:
    with pytest.raises(ImproperlyConfigured, match="X: key 2 is not a Fernet key") as raised:
        fernet_keys("X", f"{KEY_A},short-secret")
    assert "short-secret" not in str(raised.value)


def _settings_in_a_new_process(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DEBUG", "WAYMARK_"))}
    program = "from waymark import settings; print(','.join(settings.WAYMARK_FIELD_KEYS))"
    return subprocess.run(
        [sys.executable, "-c", program], env={**clean, **env}, capture_output=True, text=True,
        check=False,
    )  # fmt: skip


def test_keys_come_from_a_file_named_by_the_file_variable(tmp_path: Path) -> None:
    key_file = tmp_path / "field-keys"
    key_file.write_text(f"{KEY_B}\n{KEY_A}\n")
    done = _settings_in_a_new_process(
        {"WAYMARK_FIELD_KEYS_FILE": str(key_file), "WAYMARK_DATA_DIR": str(tmp_path)}
    )
    assert done.stdout.strip() == f"{KEY_B},{KEY_A}", done.stderr


def test_debug_makes_one_private_development_key_and_keeps_it(tmp_path: Path) -> None:
    env = {"DEBUG": "True", "WAYMARK_DATA_DIR": str(tmp_path)}
    first, second = _settings_in_a_new_process(env), _settings_in_a_new_process(env)
    assert first.returncode == 0, first.stderr
    key = first.stdout.strip()
    Fernet(key)
    assert second.stdout.strip() == key
    assert stat.S_IMODE((tmp_path / "field-keys").stat().st_mode) == 0o600


def test_debug_off_makes_no_key(tmp_path: Path) -> None:
    done = _settings_in_a_new_process({"DEBUG": "False", "WAYMARK_DATA_DIR": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""
    assert not (tmp_path / "field-keys").exists()
