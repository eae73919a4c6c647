from django.db import migrations, models


def first_row(apps, schema_editor):
    apps.get_model("partners", "AccessRevision").objects.create(pk=1, number=0)


class Migration(migrations.Migration):
    dependencies = [("partners", "0002_one_index_per_foreign_key")]

    operations = [
        migrations.CreateModel(
            name="AccessRevision",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False)),
                ("number", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(first_row, migrations.RunPython.noop),
    ]
