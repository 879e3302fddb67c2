"""Model rows read by a statement written once, loaded exactly as a queryset loads them.

Only for the few statements every API write runs (the token's lookup, the check-in's upsert),
where composing the query with the ORM costs more than running it. The statement's text is
made once per connection (`once`); each column goes through the converters a queryset applies
to it (dates and UUIDs on SQLite, decrypting an encrypted field), looked up once per connection
and model.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar, cast

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model

M = TypeVar("M", bound=Model)
T = TypeVar("T")
Converter = Callable[[Any], Any]
KEPT = "waymark_rows"


def database() -> BaseDatabaseWrapper:
    """This thread's connection itself (`django.db.connection` is a proxy to it, which cannot
    key a cache)."""
    return connections[DEFAULT_DB_ALIAS]


def once(connection: BaseDatabaseWrapper, key: Hashable, make: Callable[[], T]) -> T:
    """``make()``, made once per connection and kept on it under ``key``: it lives as long
    as the connection (one a thread), so a server's finished threads leave nothing behind."""
    kept: dict[Hashable, Any] = connection.__dict__.setdefault(KEPT, {})
    if key not in kept:
        kept[key] = make()
    return cast("T", kept[key])


def _converters(connection: BaseDatabaseWrapper, model: type[Model]) -> dict[str, Converter]:
    return once(connection, ("converters", model), lambda: _find_converters(connection, model))


def _find_converters(connection: BaseDatabaseWrapper, model: type[Model]) -> dict[str, Converter]:
    """Per concrete field's attname: the function that turns its raw column into the value."""
    found: dict[str, Converter] = {}
    for field in model._meta.concrete_fields:
        column = field.get_col(model._meta.db_table)
        steps = connection.ops.get_db_converters(column) + column.get_db_converters(connection)

        def convert(value: Any, steps: Sequence[Any] = steps, column: Any = column) -> Any:
            for step in steps:
                value = step(value, column, connection)
            return value

        found[field.attname] = convert
    return found


def table(connection: BaseDatabaseWrapper, model: type[Model]) -> str:
    """The model's table, quoted."""
    return connection.ops.quote_name(model._meta.db_table)


def column(connection: BaseDatabaseWrapper, model: type[Model], name: str) -> str:
    """The column of the model's concrete field ``name``, quoted."""
    field = cast("Field[Any, Any]", model._meta.get_field(name))
    return connection.ops.quote_name(str(field.column))


def columns(connection: BaseDatabaseWrapper, model: type[Model], alias: str) -> str:
    """Every concrete column of ``model`` under the table alias ``alias``, in field order:
    what `load` takes back."""
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(str(f.column))}" for f in model._meta.concrete_fields)


def value(connection: BaseDatabaseWrapper, model: type[Model], attname: str, raw: Any) -> Any:
    """One returned column as a queryset would load it."""
    return _converters(connection, model)[attname](raw)


def load(connection: BaseDatabaseWrapper, model: type[M], raw: Sequence[Any]) -> M:
    """An instance of ``model`` from the values of `columns`, as a queryset makes it."""
    converters = _converters(connection, model)
    values = [convert(each) for convert, each in zip(converters.values(), raw, strict=True)]
    return model.from_db(connection.alias, list(converters), values)
