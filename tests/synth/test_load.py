"""Writing generated rows: dates and times as Django writes them, and columns packed to cross
from the drawing process to the writing one unchanged."""

import os
import pickle

import numpy as np
import pytest

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


COLUMNS = [
    ["a", "bb", "", "ccc"],
    ["a", None, "", None],
    [None, None],
    ["x"],
    [],
    ["has a \x00 in it", "b"],  # cannot be packed: sent as it is
    [1, 2, 3],
    ["a", 1],
]


@pytest.mark.parametrize("column", COLUMNS)
def test_a_packed_column_arrives_as_the_same_values(column):
    for form in (column, np.array(column, dtype=object)):
        assert list(pickle.loads(pickle.dumps(worker.pack(form)))) == column


def test_only_columns_of_strings_are_packed():
    assert isinstance(worker.pack(["a", None, "b"]), worker.Packed)
    assert not isinstance(worker.pack([1, 2]), worker.Packed)
    assert not isinstance(worker.pack(["a\x00b", "c"]), worker.Packed)
    dates = np.array(["2026-01-01"], dtype="datetime64[D]")
    assert worker.pack(dates) is dates


def test_a_chunk_crosses_in_a_file_that_is_removed_once_read(monkeypatch, tmp_path):
    class Maker:
        def rows(self, chunk, n):
            return [("model", {"name": np.array(["a", None] * n, dtype=object), "n": [chunk]})]

    monkeypatch.setattr(worker, "_maker", Maker())
    monkeypatch.setattr(worker, "_SHARED_MEMORY", str(tmp_path))
    path = worker.rows(7, 2)
    assert os.path.dirname(path) == str(tmp_path)
    assert worker.received(path) == [("model", {"name": ["a", None, "a", None], "n": [7]})]
    assert not os.path.exists(path)
