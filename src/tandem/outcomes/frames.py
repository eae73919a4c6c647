"""Reading the record into Polars frames with the database doing the joins and the filtering:
one query, one frame, never a Python loop over rows. Ids come back as text (the database's own
form) and dates as dates, on SQLite and PostgreSQL alike."""

import contextlib
import uuid
from collections.abc import Iterator

import polars as pl
from django.db import connection


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def text(column: str) -> str:
    """A uuid column as text (PostgreSQL's uuid type; SQLite keeps uuids as text already)."""
    return f"CAST({column} AS TEXT)" if is_postgres() else column


def day(column: str) -> str:
    """The date of a timestamp column."""
    return f"CAST({column} AS DATE)" if is_postgres() else f"DATE({column})"


def uuid_param(value):
    """A uuid as a query parameter in the form the database keeps it."""
    return value if is_postgres() else value.hex


def table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def frame(sql: str, params, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """Run `sql` and return its rows as a frame of `schema` (its columns in the query's
    order)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    dates = [name for name, kind in schema.items() if kind == pl.Date]
    # SQLite gives a date column back as a date and a computed date as text: let Polars see.
    known = {name: kind for name, kind in schema.items() if name not in dates}
    out = pl.DataFrame(
        rows, schema=list(schema), schema_overrides=known, orient="row", infer_schema_length=None
    )
    return out.with_columns(
        pl.col(name).str.to_date("%Y-%m-%d")
        if out.schema[name] == pl.String
        else pl.col(name).cast(pl.Date)
        for name in dates
    )


def date_param() -> str:
    """A date parameter as a date in a select list (SQLite keeps dates as ISO text)."""
    return "CAST(%s AS DATE)" if is_postgres() else "%s"


@contextlib.contextmanager
def _dropped_after(create) -> Iterator[str]:
    """A temporary table (columns `id`, `idx`) that `create(cursor, name)` fills, indexed on
    `id`, for the block; dropped afterwards."""
    name = f"tandem_group_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        create(cursor, name)
        cursor.execute(f"CREATE INDEX {name}_id ON {name} (id)")
    try:
        yield name
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {name}")


def temporary(sql: str, params):
    """The rows of `sql` (columns `id`, `idx`: a person and the day they are read as of) as a
    temporary table, so that the several queries of one computation join a group of people
    once instead of working it out each time."""
    return _dropped_after(
        lambda cursor, name: cursor.execute(f"CREATE TEMPORARY TABLE {name} AS {sql}", params)
    )


def temporary_rows(rows: list[tuple[str, object]]):
    """`temporary` for people and days already in hand: (id as the database's text, day)."""
    kind, value = ("uuid", "CAST(%s AS uuid)") if is_postgres() else ("char(32)", "%s")

    def create(cursor, name):
        cursor.execute(f"CREATE TEMPORARY TABLE {name} (id {kind}, idx date)")
        cursor.executemany(f"INSERT INTO {name} VALUES ({value}, %s)", rows)

    return _dropped_after(create)
