"""The kinds of job, each a function `work(job, progress) -> dict` (the dict is kept as the job's
result). Apps register theirs with `@job_kind("app.name")` in a module their AppConfig imports."""

from collections.abc import Callable

_KINDS: dict[str, Callable] = {}


def job_kind(name: str):
    def register(work: Callable) -> Callable:
        if _KINDS.get(name, work) is not work:
            raise ValueError(f"Job kind {name!r} is registered twice")
        _KINDS[name] = work
        return work

    return register


def job_work(name: str) -> Callable:
    try:
        return _KINDS[name]
    except KeyError:
        raise ValueError(
            f"No job kind {name!r}: is its module imported in AppConfig.ready?"
        ) from None
