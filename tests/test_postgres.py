"""Runs only against PostgreSQL (DATABASE_URL); CI's second pass sets WAYMARK_EXPECT_POSTGRES=1
so that a misconfigured run fails here instead of quietly testing SQLite twice."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction

User = get_user_model()

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_the_database_is_postgresql() -> None:
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        row = cursor.fetchone()
    assert row is not None
    assert str(row[0]).startswith("PostgreSQL")


def test_a_migrated_table_can_be_written_and_read_in_a_transaction() -> None:
    with transaction.atomic():
        User.objects.create_user("pg-check", password=None)
        assert User.objects.filter(username="pg-check").exists()
    user = User.objects.get(username="pg-check")
    assert not user.has_usable_password()
    # A rolled-back write leaves nothing behind.
    with pytest.raises(RuntimeError), transaction.atomic():
        User.objects.create_user("pg-rolled-back", password=None)
        raise RuntimeError("roll back")
    assert not User.objects.filter(username="pg-rolled-back").exists()
