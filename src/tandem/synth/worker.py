"""The process that draws chunks and prepares their rows while the main process writes.

It is started with "spawn" (a clean interpreter: no inherited database connection or threads),
so it sets Django up before it unpickles anything that refers to a model.
"""

import pickle

_maker = None


def start(state: bytes) -> None:
    import django

    django.setup()
    global _maker
    _maker = pickle.loads(state)


def rows(chunk: int, n: int):
    return _maker.rows(chunk, n)
