"""Writing generated columns to the database fast: multi-row INSERTs on SQLite, COPY on PostgreSQL.

Table and column names come from each model's `_meta`, and every concrete field must be either
given by the generator or have a default (or allow NULL), so a schema change fails loudly here
instead of writing a half-filled row. Values arrive as columns in the generator's own forms (hex
UUID strings, datetime64 dates and times, booleans); `prepare` turns them into what the database
expects, and needs no connection, so it can run in another process while `Writer.insert` writes.

Rows drawn in another process cross over as a chunk file (`save_chunk`) in the database's own
bulk form: for SQLite a small database of plain tables, which `Writer.load_chunk` copies with
one INSERT ... SELECT per table, so the writing process spends no Python time on each value.
"""

import contextlib
import functools
import json
import os
import pickle
import sqlite3
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, models, transaction

# What the generator writes, and so what `--replace` wipes (with everything that depends on it).
SYNTHETIC_ROOTS = [
    "partners.Partner",
    "partners.Team",
    "partners.User",
    "people.Person",
    "people.Household",
    "synth.SynthRun",
]


class SchemaMismatch(Exception):
    pass


@dataclass
class Prepared:
    """One table's rows, ready for the database: columns of values for SQLite's INSERT, or
    the text of a COPY for PostgreSQL (built where the rows are drawn, so that the process
    that writes only has to send it)."""

    label: str
    table: str
    columns: list[str]
    n: int
    values: list[list] | None = None
    copy_text: str | None = None


# Dates and times are written as Django writes them ("2024-01-31", "2024-01-31 09:30:00"): a
# million rows' worth through `np.datetime_as_string` costs seconds, so each day in the column's
# range is formatted once and each row's text is put together from bytes.
_FIRST_DAY, _LAST_DAY = np.datetime64("1000-01-01", "D"), np.datetime64("9999-12-31", "D")
_WIDEST_CALENDAR = np.timedelta64(1_000_000, "D")  # wider (never in generated data): each value


def _calendar(days: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """('YYYY-MM-DD' for every day from the first of `days` to the last, each day's place in
    it), or None if that is not a short run of four-digit years."""
    first, last = days.min(), days.max()
    if not (first >= _FIRST_DAY and last <= _LAST_DAY and last - first < _WIDEST_CALENDAR):
        return None
    names = np.datetime_as_string(np.arange(first, last + np.timedelta64(1, "D")), unit="D")
    return names, (days - first).astype(int)


@functools.cache
def _clock() -> np.ndarray:
    """' HH:MM:SS' for every second of a day, as rows of bytes."""
    text = np.datetime_as_string(np.arange(86_400).astype("datetime64[s]"), unit="s")
    clock = text.astype("S19").view(np.uint8).reshape(-1, 19)[:, 10:].copy()
    clock[:, 0] = ord(" ")
    return clock


def _with_missing(text: list, missing: np.ndarray) -> list:
    if not missing.any():
        return text
    out = np.full(len(missing), None, dtype=object)
    out[~missing] = text
    return out.tolist()


def _datetimes(values: np.ndarray, suffix: str) -> list:
    values = values.astype("datetime64[s]")
    missing = np.isnat(values)
    present = values[~missing]
    if len(values) > 1 and not missing.any() and present.min() == present.max():
        return [_datetimes(values[:1], suffix)[0]] * len(values)  # a constant, like created_at
    days = present.astype("datetime64[D]")
    calendar = _calendar(days) if len(present) else None
    if calendar is None:
        text = [t.replace("T", " ") + suffix for t in np.datetime_as_string(present, unit="s")]
        return _with_missing(text, missing)
    names, day = calendar
    width = 19 + len(suffix)
    chars = np.empty((len(present), width), dtype=np.uint8)
    chars[:, :10] = names.astype("S10").view(np.uint8).reshape(-1, 10)[day]
    chars[:, 10:19] = _clock()[(present - days).astype(int)]
    chars[:, 19:] = np.frombuffer(suffix.encode(), dtype=np.uint8)
    joined = chars.tobytes().decode("ascii")
    return _with_missing([joined[i : i + width] for i in range(0, len(joined), width)], missing)


def _dates(values: np.ndarray) -> list:
    values = values.astype("datetime64[D]")
    missing = np.isnat(values)
    present = values[~missing]
    calendar = _calendar(present) if len(present) else None
    if calendar is None:
        return _with_missing(np.datetime_as_string(present, unit="D").tolist(), missing)
    names, day = calendar
    return _with_missing(names.astype(object)[day].tolist(), missing)  # one string per day


def _plain(values, null: bool) -> list:
    if isinstance(values, np.ndarray):
        values = values.tolist()
    if null:
        return [v if v != "" else None for v in values]
    return list(values)


def _convert(field, raw, vendor: str) -> list:
    kind = field.get_internal_type()
    if isinstance(field, models.ForeignKey):
        kind = field.target_field.get_internal_type()
    if kind == "DateTimeField":
        return _datetimes(np.asarray(raw), "+00:00" if vendor == "postgresql" else "")
    if kind == "DateField":
        return _dates(np.asarray(raw))
    if kind == "BooleanField":
        if field.null and any(v is None for v in raw):
            true, false = ("t", "f") if vendor == "postgresql" else (1, 0)
            return [None if v is None else (true if v else false) for v in raw]
        values = np.asarray(raw, dtype=bool)
        if vendor == "postgresql":
            return np.where(values, "t", "f").tolist()
        return values.astype(int).tolist()
    if kind == "JSONField":  # text arrives serialised already; lists and dicts do not
        return [v if isinstance(v, str) else json.dumps(v, cls=field.encoder) for v in raw]
    if kind == "UUIDField" and len(raw) and isinstance(raw[0], uuid.UUID):
        return [v.hex for v in raw]  # ids read back from the database
    return _plain(raw, field.null)


_COPY_SPECIAL = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_column(values: list) -> list[str]:
    """One column in COPY's text format: NULL as \\N, numbers as text, and the four characters
    COPY gives a meaning to escaped (generated text rarely has any, so look before escaping)."""
    present = [v for v in values if v is not None]
    if present and not isinstance(present[0], str):
        values = [None if v is None else str(v) for v in values]
        present = values
    joined = "".join(v for v in present if v is not None)
    if any(ch in joined for ch in "\\\t\n\r"):
        values = [None if v is None else v.translate(_COPY_SPECIAL) for v in values]
    if None in values:
        values = ["\\N" if v is None else v for v in values]
    return values


def _constant(field, value, vendor: str):
    """A field's default, as the database stores it."""
    if field.get_internal_type() == "JSONField":
        return json.dumps(value, cls=field.encoder)
    return _convert(field, [value], vendor)[0]


def prepare(model, data: dict, vendor: str) -> Prepared:
    """Check `data` ({field name: column}) against the model and convert it for `vendor`."""
    fields = model._meta.concrete_fields
    names = {f.name for f in fields} | {f.attname for f in fields}
    unknown = set(data) - names
    if unknown:
        raise SchemaMismatch(f"{model._meta.label} has no field {', '.join(sorted(unknown))}")
    n = len(next(iter(data.values()))) if data else 0
    columns, values = [], []
    for f in fields:
        raw = data.get(f.name, data.get(f.attname))
        if raw is None and isinstance(f, models.AutoField):
            continue  # numbered by the database, in the order the rows are written
        if raw is None:
            if f.has_default():
                raw = [_constant(f, f.get_default(), vendor)] * n
            elif f.null:
                raw = [None] * n
            else:
                raise SchemaMismatch(
                    f"The synthetic generator does not fill {model._meta.label}.{f.name}: "
                    "give it a value in tandem.synth"
                )
        else:
            if len(raw) != n:
                raise SchemaMismatch(f"{model._meta.label}.{f.name}: {len(raw)} values, not {n}")
            raw = _convert(f, raw, vendor)
        columns.append(f.column)
        values.append(raw)
    prepared = Prepared(model._meta.label, model._meta.db_table, columns, n)
    if vendor == "postgresql":
        lines = map("\t".join, zip(*(_copy_column(v) for v in values), strict=True))
        prepared.copy_text = "\n".join(lines) + "\n" if n else ""
    else:
        prepared.values = values
    return prepared


def columns_of(model, objects: list) -> dict:
    """Model instances as columns for `Writer.write`, as they stand (nothing like `save` fills
    a field in: give auto_now fields their values)."""
    fields = model._meta.concrete_fields
    return {f.attname: [getattr(o, f.attname) for o in objects] for f in fields}


class Rows:
    """One table's rows drawn one at a time, kept as columns for `Writer.write`: for the stages
    that draw a handful of rows for a few children in Python (care, children in need)."""

    def __init__(self, model, *fields: str):
        self.model = model
        self.columns: dict[str, list] = {name: [] for name in fields}
        self._n = 0

    def add(self, **row) -> int:
        """Append a row, every field named; returns its index."""
        columns = self.columns
        if row.keys() != columns.keys():
            raise SchemaMismatch(f"{self.model._meta.label}: a row of {sorted(row)}")
        for name, value in row.items():
            columns[name].append(value)
        self._n += 1
        return self._n - 1

    def __len__(self) -> int:
        return self._n

    def row(self, i: int) -> dict:
        return {name: column[i] for name, column in self.columns.items()}


def rows_field(model, *fields: str):
    """A dataclass field holding empty `Rows`."""
    return field(default_factory=lambda: Rows(model, *fields))


def _names(columns: list[str]) -> str:
    return ", ".join(f'"{c}"' for c in columns)


def _sqlite_insert(db: sqlite3.Connection, rows: Prepared) -> None:
    """Many rows per INSERT: binding parameters is most of the cost in Python, and a multi-row
    statement saves much of the per-row overhead."""
    n, width = rows.n, len(rows.columns)
    per = max(1, min(100, 32766 // width))
    flat: list = [None] * (n * width)
    for j, column in enumerate(rows.values):
        flat[j::width] = column
    insert = f'INSERT INTO "{rows.table}" ({_names(rows.columns)}) VALUES '
    one = "(" + ", ".join("?" * width) + ")"
    full = n // per * per
    if full:
        step = per * width
        db.executemany(
            insert + ", ".join([one] * per),
            (flat[i : i + step] for i in range(0, full * width, step)),
        )
    if n > full:
        db.execute(insert + ", ".join([one] * (n - full)), flat[full * width :])


def save_chunk(rows: list[tuple], vendor: str, path: str) -> None:
    """`rows` ((model, columns), as `Writer.write` takes them) converted for `vendor` and saved
    in `path` for `Writer.load_chunk`: for PostgreSQL the text of each COPY; for SQLite a
    database with one plain table (no keys, no indexes) for each table written, and their list
    in `chunk_tables`. A column with one value in every row (a creation time, a NULL) is kept
    there once, not bound for every row."""
    prepared = [p for p in (prepare(model, data, vendor) for model, data in rows) if p.n]
    if vendor == "postgresql":
        with open(path, "wb") as out:
            pickle.dump(prepared, out, protocol=pickle.HIGHEST_PROTOCOL)
        return
    tables: dict[str, Prepared] = {}
    for p in prepared:  # a table can come in several parts, each with all its columns
        if p.table in tables:
            whole = tables[p.table]
            for column, more in zip(whole.values, p.values, strict=True):
                column.extend(more)
            whole.n += p.n
        else:
            tables[p.table] = p
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as db:
        for pragma in ("page_size = 16384", "journal_mode = OFF", "synchronous = OFF"):
            db.execute(f"PRAGMA {pragma}")
        db.execute("BEGIN")
        db.execute("CREATE TABLE chunk_tables (label, db_table, columns, constants, n)")
        for p in tables.values():
            constants = {
                name: column[0]
                for name, column in zip(p.columns, p.values, strict=True)
                if column[0] == column[-1] == column[p.n // 2]  # else no need to count
                and column.count(column[0]) == p.n
            }
            if len(constants) == len(p.columns):  # a table needs a column to hold its rows
                del constants[p.columns[0]]
            kept = [(c, v) for c, v in zip(p.columns, p.values, strict=True) if c not in constants]
            stored = Prepared(p.label, p.table, [c for c, _ in kept], p.n, [v for _, v in kept])
            db.execute(f'CREATE TABLE "{p.table}" ({_names(stored.columns)})')
            _sqlite_insert(db, stored)
            db.execute(
                "INSERT INTO chunk_tables VALUES (?, ?, ?, ?, ?)",
                (p.label, p.table, json.dumps(p.columns), json.dumps(constants), p.n),
            )
        db.execute("COMMIT")


class Writer:
    """Inserts prepared rows on the current connection and counts them."""

    def __init__(self):
        self.vendor = connection.vendor
        self.rows: dict[str, int] = {}
        self.seconds: dict[str, float] = {}
        self._saved_pragmas: dict[str, object] = {}
        self._dropped_indexes: list[tuple[str, str, str]] = []  # (table, name, definition)
        self._dropped_foreign_keys: list[tuple[str, str, str]] = []

    def write(self, model, data: dict) -> int:
        return self.insert(prepare(model, data, self.vendor))

    def insert(self, rows: Prepared) -> int:
        n = rows.n
        if not n:
            return 0
        started = time.perf_counter()
        if self.vendor == "postgresql":
            self._copy(rows)
        else:
            _sqlite_insert(connection.connection, rows)
        self._count(rows.label, n, started)
        return n

    def _copy(self, rows: Prepared) -> None:
        quote = connection.ops.quote_name
        sql = f"COPY {quote(rows.table)} ({', '.join(quote(c) for c in rows.columns)}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            copy.write(rows.copy_text)

    def load_chunk(self, path: str) -> None:
        """Load the rows `save_chunk` left in `path` (written by another process), in one
        transaction, and remove the file."""
        try:
            with connection.wrap_database_errors:  # as Django's own errors, whichever the driver
                if self.vendor == "postgresql":
                    with open(path, "rb") as saved, transaction.atomic():
                        for rows in pickle.load(saved):
                            self.insert(rows)
                else:
                    self._sqlite_copy(path)
        finally:
            os.remove(path)

    def _sqlite_copy(self, path: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute("ATTACH DATABASE %s AS chunk", [path])  # not inside a transaction
            try:
                with transaction.atomic():
                    cursor.execute(
                        "SELECT label, db_table, columns, constants, n FROM chunk.chunk_tables "
                        "ORDER BY rowid"
                    )
                    for label, table, columns, constants, n in cursor.fetchall():
                        started = time.perf_counter()
                        columns, constants = json.loads(columns), json.loads(constants)
                        values = ", ".join("%s" if c in constants else f'"{c}"' for c in columns)
                        cursor.execute(
                            f'INSERT INTO main."{table}" ({_names(columns)}) '
                            f'SELECT {values} FROM chunk."{table}"',
                            [constants[c] for c in columns if c in constants],
                        )
                        self._count(label, n, started)
            finally:
                cursor.execute("DETACH DATABASE chunk")

    def _count(self, label: str, n: int, started: float) -> None:
        self.rows[label] = self.rows.get(label, 0) + n
        self.seconds[label] = self.seconds.get(label, 0.0) + time.perf_counter() - started

    # --- bulk-load settings -------------------------------------------------------------
    def begin_load(self, models_: Iterable) -> None:
        """SQLite: no fsync, the rollback journal in memory, a big cache, no per-row foreign-key
        or CHECK constraint checks (the generator makes consistent rows; the tests check them,
        and PostgreSQL checks every CHECK as it loads the same rows), and secondary indexes
        built once at the end instead of row by row. Always call `end_load` after."""
        if self.vendor == "postgresql":
            self._postgres_begin(models_)
            return
        connection.ensure_connection()
        raw = connection.connection
        settings = (
            ("journal_mode", "MEMORY"),
            ("synchronous", "OFF"),
            ("cache_size", "-65536"),
            ("foreign_keys", "OFF"),
            ("ignore_check_constraints", "ON"),
            ("temp_store", "DEFAULT"),
            ("threads", "0"),
        )
        for pragma, value in settings:
            self._saved_pragmas[pragma] = raw.execute(f"PRAGMA {pragma}").fetchone()[0]
            # Inside a transaction (as in tests) some cannot change; that is only slower.
            with contextlib.suppress(sqlite3.OperationalError):
                raw.execute(f"PRAGMA {pragma} = {value}")
        for model in models_:
            self._dropped_indexes += raw.execute(
                "SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'index' "
                "AND tbl_name = ? AND sql IS NOT NULL ORDER BY name",
                (model._meta.db_table,),
            ).fetchall()
        for _, name, _ in self._dropped_indexes:
            raw.execute(f'DROP INDEX "{name}"')

    def _postgres_begin(self, models_: Iterable) -> None:
        """PostgreSQL: the usual bulk load. Foreign keys and secondary indexes (not primary keys
        or unique constraints) go before COPY and come back after it: one index build and one
        validating join per constraint cost far less than a check and an index entry per row."""
        with connection.cursor() as cursor:
            # Foreign-key checks still pending in this transaction would block ALTER TABLE.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            for model in models_:
                table = model._meta.db_table
                cursor.execute(
                    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
                    [table],
                )
                for name, definition in cursor.fetchall():
                    self._dropped_foreign_keys.append((table, name, definition))
                cursor.execute(
                    "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = "
                    "current_schema() AND tablename = %s AND indexname NOT IN (SELECT conname "
                    "FROM pg_constraint WHERE conrelid = %s::regclass) ORDER BY indexname",
                    [table, table],
                )
                self._dropped_indexes += cursor.fetchall()
            quote = connection.ops.quote_name
            for table, name, _ in self._dropped_foreign_keys:
                cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
            for _, name, _ in self._dropped_indexes:
                cursor.execute(f"DROP INDEX {quote(name)}")

    @property
    def pending_indexes(self) -> int:
        """Indexes and constraints `end_load` will build."""
        return len(self._dropped_indexes) + len(self._dropped_foreign_keys)

    def build_indexes(self, on_index=None, *, leave: Iterable[str] = ()) -> None:
        """Build the dropped indexes, but those of the tables in `leave` (still to be written);
        `on_index(name)` after each."""
        leave = set(leave)
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                cursor.execute("SET maintenance_work_mem = '256MB'")
            elif self._saved_pragmas:  # sorts go fastest with the usual small cache, every core
                cursor.execute(f"PRAGMA cache_size = {self._saved_pragmas['cache_size']}")
                cursor.execute(f"PRAGMA threads = {os.cpu_count() or 1}")
            for index in list(self._dropped_indexes):
                table, name, definition = index
                if table not in leave:
                    cursor.execute(definition)
                    self._dropped_indexes.remove(index)  # built: not again after an error
                    if on_index:
                        on_index(name)
            if self.vendor == "postgresql":
                cursor.execute("RESET maintenance_work_mem")

    def end_load(self, on_index=None) -> None:
        """Build what `begin_load` dropped and restore its settings; again, does nothing."""
        self.build_indexes(on_index)
        if self.vendor == "postgresql":
            quote = connection.ops.quote_name
            with connection.cursor() as cursor:
                while self._dropped_foreign_keys:
                    table, name, definition = self._dropped_foreign_keys[0]
                    cursor.execute(
                        f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}"
                    )
                    self._dropped_foreign_keys.pop(0)
                    if on_index:
                        on_index(name)
            return
        raw = connection.connection
        for pragma, value in self._saved_pragmas.items():
            with contextlib.suppress(sqlite3.OperationalError):
                raw.execute(f"PRAGMA {pragma} = {value}")
        self._saved_pragmas = {}

    def reset_sequences(self, models_: Iterable) -> None:
        """PostgreSQL: move each auto-id sequence past the ids the generator chose."""
        if self.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), list(models_)):
                cursor.execute(sql)


def synthetic_models() -> list:
    """The generator's tables and every table that depends on them through a database-level
    foreign key, children before parents. The audit log is not among them: its actor column
    has no database constraint, and its rows are never deleted."""
    roots = {apps.get_model(label) for label in SYNTHETIC_ROOTS}
    everything = [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy
    ]
    found = set(roots)
    changed = True
    while changed:
        changed = False
        for model in everything:
            if model not in found and any(
                f.is_relation and f.db_constraint and f.related_model in found
                for f in model._meta.concrete_fields
            ):
                found.add(model)
                changed = True
    ordered, placed = [], set()
    while len(ordered) < len(found):  # a table only after every table that points at it
        left = sorted(found - placed, key=lambda m: m._meta.label)
        ready = [
            model
            for model in left
            if not any(
                other is not model
                and any(
                    f.is_relation and f.related_model is model for f in other._meta.concrete_fields
                )
                for other in left
            )
        ]
        ready = ready or left  # a cycle: any order will do, the constraints are deferred
        ordered += ready
        placed.update(ready)
    return ordered


def wipe() -> list[str]:
    """Delete every synthetic row (and rows that depend on them); returns the tables wiped."""
    tables = [m._meta.db_table for m in synthetic_models()]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # TRUNCATE refuses while foreign-key checks of this transaction are still pending.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                "TRUNCATE "
                + ", ".join(connection.ops.quote_name(t) for t in tables)
                + " RESTART IDENTITY"
            )
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            for table in tables:
                cursor.execute(f'DELETE FROM "{table}"')
            cursor.execute(
                f"DELETE FROM sqlite_sequence WHERE name IN ({', '.join(['%s'] * len(tables))})",
                tables,
            )
    return tables
