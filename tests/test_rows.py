"""`waymark.rows.Prepared`: a values() queryset written once with `Slot`s gives, run with any
values, the rows the queryset itself gives with those values (converted as it converts them:
dates and UUIDs come back as such on SQLite too), and `prepared` keeps a bounded number of them
per connection."""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial
from typing import Any

import pytest
from django.db.models import DateField, F, IntegerField, Max, OuterRef, Subquery

from tests.programs import make_person
from waymark import rows
from waymark.accounts.models import User
from waymark.rows import Prepared, Slot
from waymark.tracking.models import CheckIn

pytestmark = pytest.mark.django_db

SINCE = Slot("since", DateField())
OWNER = Slot("owner", IntegerField())


def days_since(owner: Any, since: Any) -> Any:
    """Each day of `owner`'s check-ins from `since` on, with the owner's alias and id and the
    last day (a subquery): dates, text, a UUID and an aggregate to convert."""
    last = CheckIn.objects.filter(owner=OuterRef("owner")).order_by("-day").values("day")[:1]
    return (
        CheckIn.objects.filter(owner=owner, day__gte=since)
        .values("day", "used", "owner__username", "owner__public_id")
        .annotate(latest=Subquery(last), most=Max("cravings"), twice=F("cravings") * 2)
        .order_by("-day")
    )


@pytest.fixture
def people() -> list[User]:
    today = date(2026, 3, 31)
    found = [make_person(), make_person()]
    for number, person in enumerate(found):
        for back in range(5 + number):
            CheckIn.objects.create(
                owner=person, day=today - timedelta(days=back), used=back % 2 == 0,
                cravings=back + number,
            )  # fmt: skip
    return found


def test_it_gives_what_the_queryset_gives_for_any_values(people: list[User]) -> None:
    from django.db import connection

    ready = Prepared(days_since(OWNER, SINCE), connection)
    assert ready.slots == {"owner", "since"}
    for person in people:
        for since in (date(2026, 3, 29), date(2026, 3, 1), date(2027, 1, 1)):
            expected = list(days_since(person.pk, since))
            assert ready.run(connection, owner=person.pk, since=since) == expected
    found = ready.run(connection, owner=people[1].pk, since=date(2026, 3, 1))
    assert len(found) == 6
    assert isinstance(found[0]["day"], date)
    assert found[0]["owner__public_id"] == people[1].public_id
    assert found[0]["latest"] == date(2026, 3, 31)


def test_every_slot_is_given_and_nothing_else(people: list[User]) -> None:
    from django.db import connection

    ready = Prepared(days_since(OWNER, SINCE), connection)
    with pytest.raises(TypeError, match="slots"):
        ready.run(connection, owner=people[0].pk)
    with pytest.raises(TypeError, match="slots"):
        ready.run(connection, owner=people[0].pk, since=date(2026, 3, 1), extra=1)


def test_only_a_values_queryset_can_be_prepared() -> None:
    from django.db import connection

    with pytest.raises(ValueError, match="values"):
        Prepared(CheckIn.objects.filter(owner=OWNER), connection)


def test_prepared_makes_each_once_per_connection_and_keeps_a_bounded_number(
    people: list[User], monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[Any] = []

    def make(key: Any) -> Any:
        made.append(key)
        return days_since(OWNER, SINCE)

    monkeypatch.setattr(rows, "MOST_PREPARED", 3)
    rows.database().__dict__.get(rows.KEPT, {}).pop("prepared", None)  # earlier tests' own
    first = rows.prepared(("test", 1), lambda: make(1))
    assert rows.prepared(("test", 1), lambda: make(1)) is first
    for key in (2, 3, 4):  # the fourth pushes out the oldest
        rows.prepared(("test", key), partial(make, key))
    assert rows.prepared(("test", 4), lambda: make(4)).run(
        rows.database(), owner=people[0].pk, since=date(2026, 3, 30)
    ) == list(days_since(people[0].pk, date(2026, 3, 30)))
    rows.prepared(("test", 1), lambda: make(1))
    assert made == [1, 2, 3, 4, 1]
    # The least recently used goes first: 3 was used, so adding 5 pushes out 4.
    rows.prepared(("test", 3), lambda: make(3))
    rows.prepared(("test", 5), lambda: make(5))
    rows.prepared(("test", 3), lambda: make(3))
    rows.prepared(("test", 4), lambda: make(4))
    assert made == [1, 2, 3, 4, 1, 5, 4]
