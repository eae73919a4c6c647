"""Each foreign key is indexed once: by its own index, or as the first column of a composite
one (a second index on the same leading column costs every write and the synth's load)."""

import pytest
from django.apps import apps
from django.db import connection, models
from django.db.migrations.loader import MigrationLoader


def _serves_every_lookup(index) -> bool:
    """Whole, or leaving out only rows where its first column is NULL (which a lookup by value
    never reads)."""
    first = index.fields[0].lstrip("-")
    return index.condition is None or index.condition == models.Q(**{f"{first}__isnull": False})


def _leading(model) -> set[str]:
    """The fields that lead a composite index or unique constraint of `model`."""
    firsts = [
        index.fields[0]
        for index in model._meta.indexes
        if index.fields and _serves_every_lookup(index)
    ]
    firsts += [
        c.fields[0]
        for c in model._meta.constraints
        if isinstance(c, models.UniqueConstraint) and c.fields and c.condition is None
    ]
    firsts += [fields[0] for fields in model._meta.unique_together]
    return {model._meta.get_field(name.lstrip("-")).name for name in firsts}


FOREIGN_KEYS = [
    (model, field)
    for model in apps.get_models()
    if model.__module__.startswith("tandem.")
    for field in model._meta.local_fields
    if isinstance(field, models.ForeignKey) and not field.primary_key and not field.unique
]


@pytest.mark.parametrize(
    ("model", "field"), FOREIGN_KEYS, ids=[f"{m._meta.label}.{f.name}" for m, f in FOREIGN_KEYS]
)
def test_foreign_key_indexed_once(model, field):
    leads = field.name in _leading(model)
    if field.db_index:
        assert not leads, f"{field} leads a composite index: give it db_index=False"
    else:
        assert leads, f"{field} has no index: lookups by it would read the whole table"


def test_the_check_sees_both_kinds():
    indexed = {f.db_index for _, f in FOREIGN_KEYS}
    assert indexed == {True, False}


def _indexes(table: str) -> set[str]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, table)
    return {name for name, info in found.items() if info["index"] and not info["unique"]}


def _triggers() -> int:
    if connection.vendor != "sqlite":
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_dropping_a_foreign_key_index_keeps_the_table_and_can_be_undone():
    """The audit migration drops only `actor`'s own index, both ways, and the audit table keeps
    its append-only triggers (a rebuilt SQLite table would lose them)."""
    loader = MigrationLoader(connection)
    migration = loader.get_migration("audit", "0006_one_index_per_foreign_key")
    before = loader.project_state(("audit", "0005_purpose_statutory_return"))
    after = loader.project_state(("audit", "0006_one_index_per_foreign_key"))
    (operation,) = migration.operations
    name = "audit_accessevent_actor_id_69b33196"
    triggers = _triggers()
    assert name not in _indexes("audit_accessevent")
    with connection.schema_editor() as editor:
        operation.database_backwards("audit", editor, after, before)
    try:
        assert name in _indexes("audit_accessevent")
    finally:
        with connection.schema_editor() as editor:
            operation.database_forwards("audit", editor, before, after)
    assert name not in _indexes("audit_accessevent")
    assert _triggers() == triggers
    assert "audit_actor_time_idx" in _indexes("audit_accessevent")


@pytest.mark.django_db
def test_a_practitioners_open_involvements_are_read_through_their_index():
    """The caseload's look-up uses the partial index (only rows naming a practitioner)."""
    from tandem.access.models import Involvement

    lookup = Involvement.objects.filter(practitioner_id=1, ended_on__isnull=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")  # an empty table is read whole
    assert "involvement_practitioner_idx" in lookup.explain()
