"""On PostgreSQL the audit table is partitioned by month, keeps its indexes, and stays
append-only; on SQLite (the embedded default) it is one plain table. The suite runs on both, so
each test states what holds on the database it runs on."""

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from tandem.audit.models import AccessEvent
from tandem.audit.partitions import default_range
from tandem.audit.services import Audit

pytestmark = pytest.mark.django_db
POSTGRES = connection.vendor == "postgresql"
INDEXES = {
    "audit_person_time_idx",
    "audit_actor_time_idx",
    "audit_partner_time_idx",
    "audit_username_time_idx",
}


def _row(**kwargs):
    return Audit(None, "direct_work").row("view", "child")


def _partitions() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'audit_accessevent'"
        )
        return {r[0] for r in cursor.fetchall()}


def _partition_of(row_id) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableoid::regclass::text FROM audit_accessevent WHERE id = %s", [row_id]
        )
        return cursor.fetchone()[0]


def test_rows_land_in_their_month_and_read_back_through_the_model():
    row = _row()
    old = AccessEvent.objects.create(
        occurred_at=dt.datetime(2019, 5, 1, tzinfo=dt.UTC),
        actor_username="x",
        action="view",
        record_type="child",
        purpose="direct_work",
        channel="cli",
    )
    assert AccessEvent.objects.get(pk=row.pk).action == "view"
    assert old.pk > row.pk  # one sequence numbers every row, whichever partition
    if POSTGRES:
        assert _partition_of(row.pk) == f"audit_accessevent_p{timezone.now():%Y%m}"
        assert _partition_of(old.pk) == "audit_accessevent_default"
        first, last = default_range()
        assert f"audit_accessevent_p{first:%Y%m}" in _partitions()
        assert f"audit_accessevent_p{last:%Y%m}" in _partitions()
        assert len(_partitions()) == 25 + 1  # two years and a month, and the default
    else:
        tables = connection.introspection.table_names()
        assert not [t for t in tables if t.startswith("audit_accessevent_")]


def test_the_search_indexes_exist():
    with connection.cursor() as cursor:
        names = {
            i
            for i in connection.introspection.get_constraints(cursor, "audit_accessevent")
            if i in INDEXES
        }
    assert names == INDEXES
    if POSTGRES:  # and on each month's partition, where the rows are
        month = f"audit_accessevent_p{timezone.now():%Y%m}"
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_indexes WHERE tablename = %s", [month])
            assert cursor.fetchone()[0] == len(INDEXES) + 2  # occurred_at, the key


def test_still_append_only(append_only_audit):
    row = _row()
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessEvent.objects.filter(pk=row.pk).update(action="list")
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessEvent.objects.filter(pk=row.pk).delete()
    assert AccessEvent.objects.get(pk=row.pk).action == "view"


def test_the_command_makes_only_missing_months(capsys):
    from django.core.management import call_command

    call_command("audit_partitions")
    out = capsys.readouterr().out
    if POSTGRES:
        assert out.strip() == "Made 0 monthly partitions."
    else:
        assert "nothing to do" in out
