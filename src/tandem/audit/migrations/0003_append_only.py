"""Make the audit table append-only in the database itself, on SQLite and on PostgreSQL."""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER audit_accessevent_no_update BEFORE UPDATE ON audit_accessevent
       BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END""",
    """CREATE TRIGGER audit_accessevent_no_delete BEFORE DELETE ON audit_accessevent
       BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER audit_accessevent_no_update",
    "DROP TRIGGER audit_accessevent_no_delete",
]
POSTGRES = [
    """CREATE FUNCTION audit_accessevent_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'audit rows are append-only'; END $$""",
    """CREATE TRIGGER audit_accessevent_no_change BEFORE UPDATE OR DELETE ON audit_accessevent
       FOR EACH ROW EXECUTE FUNCTION audit_accessevent_refuse()""",
    """CREATE TRIGGER audit_accessevent_no_truncate BEFORE TRUNCATE ON audit_accessevent
       FOR EACH STATEMENT EXECUTE FUNCTION audit_accessevent_refuse()""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER audit_accessevent_no_truncate ON audit_accessevent",
    "DROP TRIGGER audit_accessevent_no_change ON audit_accessevent",
    "DROP FUNCTION audit_accessevent_refuse()",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}),
        )
    ]
