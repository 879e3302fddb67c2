"""Model fields encrypted at rest: `EncryptedTextField` and `EncryptedJSONField`.

Each value is stored as a Fernet token (waymark/crypto.py) in a text column: encrypted when
written (`get_prep_value`), decrypted when read (`from_db_value`). A token that no key opens
raises `waymark.crypto.DecryptionError` when the row is loaded; it is never read as "" or None.

Decisions, so that nobody has to rediscover them:

- None is SQL NULL. "" is encrypted like any other text, so "" and None stay distinct and the
  database does not show which notes are empty. It does show which are NULL.
- The database cannot compare encrypted values: every token has a fresh random IV, so equal
  texts give different tokens. Only `isnull` works (and `field=None`, which Django turns into
  `isnull`); every other lookup or transform raises FieldError, as do `unique`, `db_index`,
  `primary_key` and `db_default` (that would write the plain text into the schema). A field
  cannot refuse `order_by()`: ordering by an encrypted field sorts by ciphertext, which means
  nothing. Load the rows and compare in Python.
- An expression written to an encrypted field (`F()`, `Value()`, `Concat()`, ...) would skip
  encryption, so it is refused unless its own output field is encrypted (`F()` of another
  encrypted field, or what `bulk_update()` builds). `Ciphertext` writes a token as it is.
- The database still shows a value's length (to within 16 bytes) and when it was encrypted
  (a Fernet token carries its time in clear).
- `dumpdata` writes decrypted values: a dump is as sensitive as the data itself.
- Changing a plain `TextField` into an encrypted one leaves the rows as they were, which then
  fail to decrypt: add a new encrypted field and copy into it in a data migration instead.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, TypeVar

from django import forms
from django.core.exceptions import FieldError, ValidationError
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.fields.mixins import CheckFieldDefaultMixin
from django.db.models.lookups import Exact, Lookup, Transform
from django.utils.translation import gettext_lazy as _

from waymark import crypto

_ST = TypeVar("_ST", contravariant=True)
_GT = TypeVar("_GT", covariant=True)

if TYPE_CHECKING:
    _TextField = models.TextField
    _Exact = Exact[Any]
else:
    _Exact = Exact

    class _TextField(models.TextField):
        # django-stubs makes Django's fields generic; at run time they are not, so
        # `Field[...]` returns the class itself (as Django's own ForeignKey does).
        def __class_getitem__(cls, *args, **kwargs):
            return cls


class Ciphertext(models.Value):
    """A token that is already encrypted, written as it is (`waymark rotatekeys` uses it)."""

    def __init__(self, token: str) -> None:
        super().__init__(token, output_field=models.TextField())


class _ExactNone(_Exact):
    """`field=None`, which Django turns into `field__isnull=True`; any other value is refused."""

    def __init__(self, lhs: Any, rhs: Any) -> None:
        if rhs is not None:
            field = lhs.output_field
            where = field.where if isinstance(field, EncryptedField) else "an encrypted field"
            raise FieldError(_unsearchable(where, "'=' (exact)"))
        super().__init__(lhs, rhs)


def _unsearchable(where: str, what: str) -> str:
    return (
        f"{where} is encrypted, so the database cannot use it for {what}: only isnull works. "
        "Load the rows and compare in Python."
    )


class EncryptedField(_TextField[_ST, _GT]):
    """What the encrypted fields share: a text column holding a Fernet token."""

    def to_text(self, value: Any) -> str:
        """The text that is encrypted for a (non-None) value."""
        raise NotImplementedError

    def from_text(self, text: str) -> Any:
        """The value for decrypted text."""
        raise NotImplementedError

    @property
    def where(self) -> str:
        """`app_label.Model.field`, for messages."""
        model = getattr(self, "model", None)
        if model is None:
            return self.name or type(self).__name__
        return f"{model._meta.label}.{self.name}"

    def contribute_to_class(
        self, cls: type[models.Model], name: str, private_only: bool = False
    ) -> None:
        super().contribute_to_class(cls, name, private_only)
        if self.primary_key or self.unique or getattr(self, "db_index", False):
            raise FieldError(
                f"{self.where} is encrypted, so it cannot be a primary key, unique or indexed: "
                "equal values have different tokens."
            )
        if self.has_db_default():
            raise FieldError(
                f"{self.where} is encrypted, so it cannot have a db_default: the database "
                "would hold it unencrypted. Use default= instead."
            )

    def from_db_value(
        self, value: str | None, expression: Any, connection: BaseDatabaseWrapper
    ) -> Any:
        if value is None:
            return None
        return self.from_text(crypto.decrypt(value, where=self.where))

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None:
            return None
        return crypto.encrypt(self.to_text(value))

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = super().pre_save(model_instance, add)
        self._refuse_plain_expression(value)
        return value

    def get_placeholder(self, value: Any, compiler: Any, connection: BaseDatabaseWrapper) -> str:
        """Django asks for this on every UPDATE, expressions included: a last check."""
        self._refuse_plain_expression(value)
        return "%s"

    def _refuse_plain_expression(self, value: Any) -> None:
        if not hasattr(value, "resolve_expression") or isinstance(value, Ciphertext):
            return
        try:
            output_field = value.output_field
        except (AttributeError, FieldError):  # F() and friends, before they are resolved
            output_field = None
        if not isinstance(output_field, EncryptedField):
            raise FieldError(
                f"{self.where} is encrypted, so it cannot be set to the expression "
                f"{value!r}: the database would store the result unencrypted. Set the value "
                "itself instead."
            )

    def get_lookup(self, lookup_name: str) -> type[Lookup[Any]] | None:
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        if lookup_name == "exact":
            return _ExactNone
        raise FieldError(_unsearchable(self.where, f"the lookup {lookup_name!r}"))

    def get_transform(self, lookup_name: str) -> type[Transform] | None:
        raise FieldError(_unsearchable(self.where, f"the lookup {lookup_name!r}"))


class EncryptedTextField(EncryptedField[_ST, _GT]):
    """Text encrypted at rest: a TextField that cannot be searched (see the module's notes)."""

    description = _("Text (encrypted)")
    _pyi_private_set_type: str
    _pyi_private_get_type: str

    def to_text(self, value: Any) -> str:
        return str(value)

    def from_text(self, text: str) -> str:
        return text


class EncryptedJSONField(CheckFieldDefaultMixin, EncryptedField[_ST, _GT]):
    """JSON encrypted at rest, serialised with sorted keys, and strictly (no NaN/Infinity).

    Python's None is SQL NULL: a JSON `null` cannot be stored apart from it.
    """

    description = _("A JSON object (encrypted)")
    empty_strings_allowed = False
    default_error_messages = {"invalid": _("Value must be valid JSON.")}  # noqa: RUF012 (as Django's)
    _default_hint = ("dict", "{}")  # CheckFieldDefaultMixin: default=dict, never default={}
    _pyi_private_set_type: Any
    _pyi_private_get_type: Any

    def to_text(self, value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, sort_keys=True, allow_nan=False)

    def from_text(self, text: str) -> Any:
        return json.loads(text)

    def to_python(self, value: Any) -> Any:
        return value  # already Python (TextField's would turn it into a str)

    def validate(self, value: Any, model_instance: models.Model | None) -> None:
        super().validate(value, model_instance)
        try:
            self.to_text(value)
        except (TypeError, ValueError):
            raise ValidationError(
                self.error_messages["invalid"], code="invalid", params={"value": value}
            ) from None

    def value_to_string(self, obj: models.Model) -> Any:
        return self.value_from_object(obj)  # serialisers write the structure, as for JSONField

    def formfield(self, **kwargs: Any) -> Any:
        return super().formfield(**{"form_class": forms.JSONField, **kwargs})
