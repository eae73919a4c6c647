"""The audit table on PostgreSQL, partitioned by month of `occurred_at`.

Tens of millions of rows stay fast because a search for a date range reads only its months'
partitions, each with its own small indexes, and a retention run can drop a whole month at once.
SQLite (the embedded default) keeps one plain table: nothing here runs there.

The migration makes the months from a year back to a year ahead; a DEFAULT partition catches
anything outside them, so an insert never fails. Every partition costs each query that cannot be
narrowed to some months ("who looked" at a child, over all time) a little planning and one index
probe, so months are not made far ahead: `tandem audit_partitions` adds the next ones (run it
monthly, as the retention job's schedule does).
"""

from datetime import date

from django.utils import timezone

TABLE = "audit_accessevent"
MONTHS_BACK = MONTHS_AHEAD = 12


def _shift(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def default_range(today: date | None = None) -> tuple[date, date]:
    this_month = (today or timezone.localdate()).replace(day=1)
    return _shift(this_month, -MONTHS_BACK), _shift(this_month, MONTHS_AHEAD)


def _months(first: date, last: date):
    month = first.replace(day=1)
    while month <= last:
        following = _shift(month, 1)
        yield month, following
        month = following


def is_partitioned(cursor) -> bool:
    cursor.execute("SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
                   "WHERE c.relname = %s", [TABLE])  # fmt: skip
    return cursor.fetchone() is not None


def ensure_months(cursor, first: date | None = None, last: date | None = None) -> int:
    """Create the monthly partitions that do not exist yet; returns how many were made. A month
    whose rows already sit in the default partition is skipped (PostgreSQL would refuse it)."""
    if first is None or last is None:
        first, last = default_range()
    made = 0
    for start, end in _months(first, last):
        name = f"{TABLE}_p{start:%Y%m}"
        cursor.execute("SELECT to_regclass(%s)", [name])
        exists = cursor.fetchone()[0] is not None
        cursor.execute(
            f"SELECT 1 FROM {TABLE}_default WHERE occurred_at >= %s AND occurred_at < %s LIMIT 1",
            [start, end],
        )
        if not exists and cursor.fetchone() is None:
            cursor.execute(
                f"CREATE TABLE {name} PARTITION OF {TABLE} "
                f"FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')"
            )
            made += 1
    return made


def partition(connection) -> None:
    """Turn the plain audit table into a partitioned one, keeping every row, id and index."""
    from tandem.audit import triggers

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        if is_partitioned(cursor):
            return
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
            "AND indexname NOT LIKE %s",
            [TABLE, "%pkey"],
        )
        indexes = cursor.fetchall()
        triggers.remove(connection)
        cursor.execute(f"CREATE SEQUENCE {TABLE}_part_id_seq")
        # A partitioned table's primary key must hold the partition key; the id alone stays
        # unique because one sequence numbers every row.
        cursor.execute(
            f"CREATE TABLE {TABLE}_part (LIKE {TABLE} INCLUDING DEFAULTS) "
            "PARTITION BY RANGE (occurred_at)"
        )
        cursor.execute(
            f"ALTER TABLE {TABLE}_part ALTER COLUMN id SET DEFAULT nextval('{TABLE}_part_id_seq')"
        )
        cursor.execute(f"ALTER TABLE {TABLE}_part ADD PRIMARY KEY (id, occurred_at)")
        cursor.execute(f"CREATE TABLE {TABLE}_default PARTITION OF {TABLE}_part DEFAULT")
        cursor.execute(f"INSERT INTO {TABLE}_part SELECT * FROM {TABLE}")
        cursor.execute(
            f"SELECT setval('{TABLE}_part_id_seq', COALESCE((SELECT max(id) FROM {TABLE}), 0) + 1,"
            " false)"
        )
        cursor.execute(f"DROP TABLE {TABLE}")
        cursor.execute(f"ALTER TABLE {TABLE}_part RENAME TO {TABLE}")
        cursor.execute(f"ALTER INDEX {TABLE}_part_pkey RENAME TO {TABLE}_pkey")
        cursor.execute(f"ALTER SEQUENCE {TABLE}_part_id_seq RENAME TO {TABLE}_id_seq")
        cursor.execute(f"ALTER SEQUENCE {TABLE}_id_seq OWNED BY {TABLE}.id")
        cursor.execute(
            f"ALTER TABLE {TABLE} ALTER COLUMN id SET DEFAULT nextval('{TABLE}_id_seq')"
        )
        for _, definition in indexes:
            cursor.execute(definition)  # the same names, now on every partition
        # Rows already in the default partition would block a month that covers them: move
        # them out, make the months, and put them back (they then land in their month).
        cursor.execute(f"CREATE TEMP TABLE audit_moving AS SELECT * FROM {TABLE}_default")
        cursor.execute(f"DELETE FROM {TABLE}_default")
        ensure_months(cursor)
        cursor.execute(f"INSERT INTO {TABLE} SELECT * FROM audit_moving")
        cursor.execute("DROP TABLE audit_moving")
    triggers.install(connection)
