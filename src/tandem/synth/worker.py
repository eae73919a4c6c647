"""The processes that draw chunks while the main process writes them.

They are started with "spawn" (a clean interpreter: no inherited database connection or
threads), so each sets Django up before it unpickles anything that refers to a model. Each
chunk is saved to a file (`load.save_chunk`), in memory where there is /dev/shm, and only its
path crosses back: the main process loads it without touching each value in Python.
"""

import gc
import os
import pickle
import tempfile

from tandem.synth import load

_maker = None
_SHARED_MEMORY = "/dev/shm"


def start(state: bytes) -> None:
    import django

    django.setup()
    gc.disable()  # the rows hold no reference cycles: collecting through them is wasted work
    global _maker
    _maker = pickle.loads(state)


def save(chunk: int, n: int, vendor: str) -> str:
    """Draws chunk `chunk` (of `n` children) and saves its rows for `vendor`; returns the
    file's path, which `load.Writer.load_chunk` removes once it has loaded it."""
    fd, path = tempfile.mkstemp(
        dir=_SHARED_MEMORY if os.path.isdir(_SHARED_MEMORY) else None, prefix="tandem-chunk-"
    )
    os.close(fd)
    try:
        load.save_chunk(_maker.rows(chunk, n), vendor, path)
    except BaseException:
        os.remove(path)
        raise
    return path
