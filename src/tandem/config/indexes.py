"""A migration operation for a foreign key whose own index is redundant."""

from django.db import migrations


class DropForeignKeyIndex(migrations.AlterField):
    """`AlterField` to `db_index=False` for a foreign key that leads a composite index (which
    serves its lookups): drops only the key's single-column index, by the name Django gave it.
    Plain `AlterField` rebuilds the whole table on SQLite, which would also drop the audit
    table's append-only triggers."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            column = model._meta.get_field(self.name).column
            name = schema_editor._create_index_name(model._meta.db_table, [column])
            schema_editor.execute(schema_editor._delete_index_sql(model, name))

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            field = model._meta.get_field(self.name)
            schema_editor.execute(schema_editor._create_index_sql(model, fields=[field]))
