"""Database triggers that make the audit table append-only, on SQLite and on PostgreSQL.

Installed by migration 0003. `suspended()` lifts them for one block only: tests that must empty
the database between runs use it (and, later, the retention job that destroys expired audit rows
with a certificate). Nothing else may.
"""

from contextlib import contextmanager

INSTALL = {
    "sqlite": [
        """CREATE TRIGGER audit_accessevent_no_update BEFORE UPDATE ON audit_accessevent
           BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END""",
        """CREATE TRIGGER audit_accessevent_no_delete BEFORE DELETE ON audit_accessevent
           BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END""",
    ],
    "postgresql": [
        """CREATE FUNCTION audit_accessevent_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN RAISE EXCEPTION 'audit rows are append-only'; END $$""",
        """CREATE TRIGGER audit_accessevent_no_change BEFORE UPDATE OR DELETE ON audit_accessevent
           FOR EACH ROW EXECUTE FUNCTION audit_accessevent_refuse()""",
        """CREATE TRIGGER audit_accessevent_no_truncate BEFORE TRUNCATE ON audit_accessevent
           FOR EACH STATEMENT EXECUTE FUNCTION audit_accessevent_refuse()""",
    ],
}
REMOVE = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS audit_accessevent_no_update",
        "DROP TRIGGER IF EXISTS audit_accessevent_no_delete",
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS audit_accessevent_no_truncate ON audit_accessevent",
        "DROP TRIGGER IF EXISTS audit_accessevent_no_change ON audit_accessevent",
        "DROP FUNCTION IF EXISTS audit_accessevent_refuse()",
    ],
}


def install(connection) -> None:
    with connection.cursor() as cursor:
        for sql in INSTALL.get(connection.vendor, []):
            cursor.execute(sql)


def remove(connection) -> None:
    with connection.cursor() as cursor:
        for sql in REMOVE.get(connection.vendor, []):
            cursor.execute(sql)


@contextmanager
def suspended(connection):
    remove(connection)
    try:
        yield
    finally:
        install(connection)
