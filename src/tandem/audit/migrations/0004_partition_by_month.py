"""PostgreSQL: partition the audit table by month (see `tandem.audit.partitions`), and index it
for the partnership-wide search by partner. SQLite keeps its plain table."""

from django.db import migrations, models
from django.db.models.functions import Upper


def forwards(apps, schema_editor):
    from tandem.audit.partitions import partition

    partition(schema_editor.connection)


class Migration(migrations.Migration):
    atomic = True

    dependencies = [("audit", "0003_append_only")]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False),
        migrations.AddIndex(
            model_name="accessevent",
            index=models.Index(
                fields=["actor_partner", "occurred_at"], name="audit_partner_time_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="accessevent",
            index=models.Index(
                Upper("actor_username"), "occurred_at", name="audit_username_time_idx"
            ),
        ),
    ]
