"""Writing generated rows: dates and times as Django writes them, and chunks saved by the
drawing processes and loaded by the writing one whole or not at all."""

import contextlib
import datetime as dt
import json
import os
import sqlite3
import uuid

import numpy as np
import pytest
from django.db import IntegrityError, connection

from tandem.people.models import Household, HouseholdMember
from tandem.synth import load, worker


def _reference(values: np.ndarray, unit: str, suffix: str = "") -> list:
    """What Django stores, from numpy's own formatting, one value at a time."""
    out = []
    for v in values.astype(f"datetime64[{unit}]"):
        text = None if np.isnat(v) else np.datetime_as_string(v, unit=unit).replace("T", " ")
        out.append(None if text is None else text + suffix)
    return out


SPREADS = [0, 1, 86_400, 10**6, 10**9, 10**11]  # seconds: one instant to thousands of years


@pytest.mark.parametrize("spread", SPREADS)
@pytest.mark.parametrize("suffix", ["", "+00:00"])
def test_date_times_are_written_as_django_writes_them(spread, suffix):
    rng = np.random.default_rng(spread)
    for n in (0, 1, 2, 37):
        start = int(rng.integers(-(10**11), 10**11))
        values = (start + rng.integers(0, spread + 1, n)).astype("datetime64[s]")
        values[rng.random(n) < 0.2] = np.datetime64("NaT", "s")
        assert load._datetimes(values, suffix) == _reference(values, "s", suffix)
        days = values.astype("datetime64[D]")
        assert load._dates(days) == _reference(days, "D")


def test_a_constant_date_time_is_written_once_for_every_row():
    values = np.full(5, np.datetime64("2026-11-23T00:00:00"))
    assert load._datetimes(values, "") == ["2026-11-23 00:00:00"] * 5


def _households(*names: str) -> dict:
    return {
        "id": [uuid.uuid4().hex for _ in names],
        "name": list(names),
        "address": ["1 High Street"] * len(names),
        "postcode": ["TW9 1AA"] * len(names),
        "created_at": np.full(len(names), np.datetime64("2026-11-23T00:00:00")),
    }


def test_a_chunk_file_holds_each_table_once_with_its_rows(tmp_path):
    path = str(tmp_path / "chunk")
    rows = [(Household, _households("A", "B")), (Household, _households("C"))]
    load.save_chunk(rows, "sqlite", path)
    with contextlib.closing(sqlite3.connect(path)) as saved:
        listed = saved.execute("SELECT label, db_table, n FROM chunk_tables").fetchall()
        (constants,) = saved.execute("SELECT constants FROM chunk_tables").fetchone()
        names = saved.execute("SELECT name FROM people_household ORDER BY rowid").fetchall()
        stored = [row[1] for row in saved.execute("PRAGMA table_info(people_household)")]
    assert listed == [("people.Household", "people_household", 3)]
    assert names == [("A",), ("B",), ("C",)]
    # The same value in every row is kept once, not in every row.
    assert json.loads(constants) == {
        "address": "1 High Street",
        "postcode": "TW9 1AA",
        "created_at": "2026-11-23 00:00:00",
    }
    assert stored == ["id", "name"]


def test_an_auto_increment_id_left_out_is_numbered_by_the_database():
    data = {"household": ["h"], "person": ["p"], "joined_on": np.array(["2026-01-01"], "M8[D]")}
    prepared = load.prepare(HouseholdMember, data, "sqlite")
    assert "id" not in prepared.columns
    with pytest.raises(load.SchemaMismatch, match="people.Household.name"):
        load.prepare(Household, {"id": [uuid.uuid4().hex]}, "sqlite")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("names", [("A", "B"), ("A",)])
def test_a_loaded_chunk_is_written_and_its_file_removed(tmp_path, names):
    path = str(tmp_path / "chunk")
    load.save_chunk([(Household, _households(*names))], connection.vendor, path)
    writer = load.Writer()
    writer.load_chunk(path)
    written = Household.objects.order_by("name").values_list("name", "postcode", "created_at")
    made = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)
    assert list(written) == [(name, "TW9 1AA", made) for name in names]
    assert writer.rows == {"people.Household": len(names)}
    assert not os.path.exists(path)


@pytest.mark.django_db(transaction=True)
def test_a_chunk_that_cannot_be_loaded_leaves_nothing_half_written(tmp_path):
    path = str(tmp_path / "chunk")
    clash = _households("A", "B")
    Household.objects.create(id=uuid.UUID(clash["id"][1]), name="Already here")
    load.save_chunk([(Household, _households("C")), (Household, clash)], connection.vendor, path)
    with pytest.raises(IntegrityError):
        load.Writer().load_chunk(path)
    assert list(Household.objects.values_list("name", flat=True)) == ["Already here"]
    assert not os.path.exists(path)


def test_a_chunk_that_fails_to_draw_leaves_no_file(monkeypatch, tmp_path):
    class Maker:
        def rows(self, chunk, n):
            raise RuntimeError("drawing failed")

    monkeypatch.setattr(worker, "_maker", Maker())
    monkeypatch.setattr(worker, "_SHARED_MEMORY", str(tmp_path))
    with pytest.raises(RuntimeError, match="drawing failed"):
        worker.save(3, 10, "sqlite")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.django_db
def test_the_indexes_of_tables_still_to_be_written_are_built_last():
    from tandem.access.models import Involvement
    from tandem.people.models import Event

    def indexes(model) -> set[str]:
        with connection.cursor() as cursor:
            found = connection.introspection.get_constraints(cursor, model._meta.db_table)
        return {name for name, about in found.items() if about["index"] and not about["unique"]}

    before = {model: indexes(model) for model in (Event, Involvement)}
    writer = load.Writer()
    writer.begin_load([Event, Involvement])
    assert "involvement_child_idx" not in indexes(Involvement)
    built = []
    writer.build_indexes(on_index=built.append, leave=["access_involvement"])
    assert set(built) == before[Event]
    assert indexes(Event) == before[Event]
    assert "involvement_child_idx" not in indexes(Involvement)
    writer.end_load(on_index=built.append)
    assert {"involvement_child_idx", "involvement_team_idx"} <= set(built)
    assert indexes(Involvement) == before[Involvement]
    writer.end_load()  # again: nothing left to do
