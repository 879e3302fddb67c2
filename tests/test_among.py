"""`waymark.among.AmongIds`: the same rows as Django's ``__in``, with the ids sent as one
parameter however many there are."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from waymark.accounts.models import User
from waymark.among import AmongIds

pytestmark = pytest.mark.django_db


@pytest.fixture
def people() -> list[User]:
    return [User.objects.create_user(f"among-{n}", password=None) for n in range(6)]


def test_it_selects_what_in_selects(people: list[User]) -> None:
    ids = [p.pk for p in people]
    chosen = [ids[0], ids[2], ids[5], max(ids) + 1000]  # and one nobody has
    expected = set(User.objects.filter(pk__in=chosen).values_list("pk", flat=True))
    assert set(User.objects.filter(AmongIds("id", chosen)).values_list("pk", flat=True)) == (
        expected
    )
    assert expected == {ids[0], ids[2], ids[5]}
    with CaptureQueriesContext(connection) as captured:
        assert not User.objects.filter(AmongIds("id", [])).exists()
    assert captured.captured_queries == []  # known empty without asking, like `__in=[]`
    assert User.objects.exclude(AmongIds("id", [])).filter(pk__in=ids).count() == len(ids)
    either = User.objects.filter(Q(AmongIds("id", ids[:1])) | Q(AmongIds("id", ids[-1:])))
    assert set(either.values_list("pk", flat=True)) == {ids[0], ids[-1]}
    assert (
        User.objects.exclude(AmongIds("id", ids)).filter(username__startswith="among").count() == 0
    )


def test_thousands_of_ids_are_one_parameter(people: list[User]) -> None:
    """Small ids among large ones, too: on PostgreSQL the array is cast to the column's type
    (psycopg would type a list of small numbers as smallint[])."""
    ids = [p.pk for p in people] + list(range(10**9, 10**9 + 20_000))
    sent: list[tuple[str, Any]] = []

    def watch(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        sent.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        found = set(User.objects.filter(AmongIds("id", ids)).values_list("pk", flat=True))
    assert found == {p.pk for p in people}
    [(sql, params)] = sent
    marker = {"postgresql": "= ANY(CAST(", "sqlite": "json_each("}[connection.vendor]
    assert marker in sql and len(params) == 1, (sql[:200], len(params))


def test_ids_in_a_slot_are_given_each_run(people: list[User]) -> None:
    """A query written once (`rows.Prepared`) takes other ids, as one parameter, each time."""
    from waymark.among import IdsSlot
    from waymark.rows import Prepared

    ids = sorted(p.pk for p in people)
    query = User.objects.filter(AmongIds("id", IdsSlot("people"))).order_by("pk").values("pk")
    written = Prepared(query, connection)
    assert [r["pk"] for r in written.run(connection, people=ids[:2])] == ids[:2]
    assert [r["pk"] for r in written.run(connection, people=[ids[5], ids[3]])] == [
        ids[3],
        ids[5],
    ]
    assert written.run(connection, people=[]) == []
    assert written.run(connection, people=[max(ids) + 1000]) == []
    sent: list[Any] = []

    def watch(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        sent.append(params)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        written.run(connection, people=ids)
    assert [len(params) for params in sent] == [1]
