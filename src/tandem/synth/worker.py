"""The process that draws chunks and sends their rows back while the main process writes.

It is started with "spawn" (a clean interpreter: no inherited database connection or threads),
so it sets Django up before it unpickles anything that refers to a model. The main process
converts the rows (`load.prepare`) as it writes them: that shares the work of the two cores about
evenly (see bench/RESULTS.md).
"""

import gc
import os
import pickle
import tempfile

import numpy as np

_maker = None
_SHARED_MEMORY = "/dev/shm"
_SEPARATOR = "\x00"  # generated text never holds a NUL (`pack` checks)


class Packed:
    """A column of strings (or None) sent as one string: pickle copies it in one piece, where a
    list of strings costs a memo entry per string (most of the time of sending a chunk back).
    It unpickles as the list again, in the thread that receives the chunk, not the one writing."""

    def __init__(self, text: str, missing: np.ndarray | None):
        self.text, self.missing = text, missing

    def __reduce__(self):
        return unpack, (self.text, self.missing)


def pack(column):
    """`column` as `Packed` if it holds only strings and None, else unchanged."""
    if isinstance(column, np.ndarray) and column.dtype == object:
        column = column.tolist()
    if not isinstance(column, list) or not column:
        return column
    missing = None
    try:
        text = _SEPARATOR.join(column)
    except TypeError:  # None among the strings, or not strings at all
        missing = np.fromiter((v is None for v in column), dtype=bool, count=len(column))
        try:
            text = _SEPARATOR.join(["" if v is None else v for v in column])
        except TypeError:
            return column
    if text.count(_SEPARATOR) != len(column) - 1:
        return column
    return Packed(text, missing if missing is not None and missing.any() else None)


def unpack(text: str, missing: np.ndarray | None) -> list:
    values = text.split(_SEPARATOR)
    if missing is not None:
        for i in np.flatnonzero(missing).tolist():
            values[i] = None
    return values


def start(state: bytes) -> None:
    import django

    django.setup()
    gc.disable()  # the rows hold no reference cycles: collecting through them is wasted work
    global _maker
    _maker = pickle.loads(state)


def rows(chunk: int, n: int) -> str:
    """The chunk's rows, pickled to a temporary file (in memory where there is /dev/shm): its
    path is all that crosses the pipe, which would hand tens of megabytes over 64 KiB at a time,
    each piece waiting for the busy writing process to read it."""
    packed = [
        (model, {name: pack(column) for name, column in data.items()})
        for model, data in _maker.rows(chunk, n)
    ]
    with tempfile.NamedTemporaryFile(
        dir=_SHARED_MEMORY if os.path.isdir(_SHARED_MEMORY) else None,
        prefix="tandem-chunk-",
        delete=False,
    ) as out:
        pickle.dump(packed, out, protocol=pickle.HIGHEST_PROTOCOL)
    return out.name


def received(path: str) -> list[tuple]:
    """The rows `rows` wrote to `path`, which it removes."""
    try:
        with open(path, "rb") as saved:
            return pickle.load(saved)
    finally:
        os.remove(path)
