"""Model rows read by a statement written once, loaded exactly as a queryset loads them.

Only for the few statements every API write runs (the token's lookup, the check-in's upsert)
and the caseload's ranking, where composing the query with the ORM costs more than running
it. The statement's text is made once per connection (`once`); each column goes through the
converters a queryset applies to it (dates and UUIDs on SQLite, decrypting an encrypted
field), looked up once per connection and model.

`Prepared` does this for a whole ``values()`` queryset: the ORM composes it once, with a
`Slot` wherever a value changes from one run to the next (the viewer, the time), and each run
sends the same SQL with the slots filled in.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar, cast

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Expression, Field, Model, QuerySet

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
    return {
        field.attname: _converter(connection, field.get_col(model._meta.db_table)) or _as_is
        for field in model._meta.concrete_fields
    }


def _converter(connection: BaseDatabaseWrapper, column: Any) -> Converter | None:
    """The function a queryset turns a selected column's raw value into its value with (the
    backend's converters, then the field's); None where the raw value is the value."""
    steps = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
    if not steps:
        return None

    def convert(value: Any) -> Any:
        for step in steps:
            value = step(value, column, connection)
        return value

    return convert


def _as_is(value: Any) -> Any:
    return value


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


# Querysets composed once ------------------------------------------------------------------


class Slot(Expression):
    """A value given each time a `Prepared` query runs (``run(name=value)``): in the query it
    stands where the value would, as one parameter, prepared as ``output_field`` prepares it."""

    def __init__(self, name: str, output_field: Field[Any, Any]) -> None:
        super().__init__(output_field=output_field)
        self.name = name

    def __repr__(self) -> str:
        return f"Slot({self.name!r})"

    def as_sql(self, compiler: Any, connection: BaseDatabaseWrapper) -> Any:
        return "%s", [self]

    def get_group_by_cols(self) -> list[Any]:
        return []

    def bind(self, value: Any, connection: BaseDatabaseWrapper) -> Any:
        return self.output_field.get_db_prep_value(value, connection, prepared=False)


class Prepared:
    """A ``values()`` queryset written as SQL once, with `Slot`s for what changes from one run
    to the next: each run sends the same text with the slots filled, and gives the rows as
    the queryset would (dicts, each column through the converters the queryset applies).
    For the few queries a busy page runs each time, whose composing costs more than running
    them (the caseload's ranking: about 5 ms of Python a page, against a query of 10)."""

    def __init__(self, queryset: QuerySet[Any], connection: BaseDatabaseWrapper) -> None:
        query = queryset.query
        compiler = query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        self.sql, self.params = sql, list(params)
        self.names = [*query.extra_select, *query.values_select, *query.annotation_select]
        selected = [expression for expression, _sql, _alias in compiler.select]
        if len(selected) != len(self.names):
            raise ValueError("a Prepared query is a values() queryset, each column named")
        found = [_converter(connection, each) for each in selected]
        self.converters = [(index, each) for index, each in enumerate(found) if each is not None]
        self.slots = {each.name for each in self.params if isinstance(each, Slot)}

    def run(self, connection: BaseDatabaseWrapper, **values: Any) -> list[dict[str, Any]]:
        """The rows, with each slot given by name (every one, and nothing else)."""
        if set(values) != self.slots:
            raise TypeError(f"the slots are {sorted(self.slots)}, given {sorted(values)}")
        params = [
            each.bind(values[each.name], connection) if isinstance(each, Slot) else each
            for each in self.params
        ]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            found = cursor.fetchall()
        rows = []
        for raw in found:
            row = list(raw)
            for index, convert in self.converters:
                row[index] = convert(row[index])
            rows.append(dict(zip(self.names, row, strict=True)))
        return rows


MOST_PREPARED = 64  # kept a connection: a search's text is part of its query


def prepared(key: Hashable, make: Callable[[], QuerySet[Any]]) -> Prepared:
    """The query ``make()`` gives, prepared once per connection and kept under ``key`` (at
    most MOST_PREPARED of them: past that the least recently used go). A key names every
    choice ``make`` depends on: its code is the same from one call to the next."""
    connection = database()
    kept: dict[Hashable, Prepared] = once(connection, "prepared", dict)
    found = kept.pop(key, None)
    if found is None:
        while len(kept) >= MOST_PREPARED:
            del kept[next(iter(kept))]
        found = Prepared(make(), connection)
    kept[key] = found  # the most recently used last
    return found
