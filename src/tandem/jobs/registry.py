"""The kinds of job, each a function `work(job, progress) -> dict` (the dict is kept as the job's
result). Apps register theirs with `@job_kind("app.name")` in a module their AppConfig imports.

A kind that leaves anything behind while it runs (rows written in chunks, not yet shown to
anyone) names a `reset(job, failed="")`: it removes what an unfinished attempt left and puts the
kind's own records back as they were when the job was queued, or, given `failed`, marks them
failed with that reason. It runs before a retry and when a job is given up."""

from collections.abc import Callable

_KINDS: dict[str, Callable] = {}
_RESETS: dict[str, Callable] = {}


def job_kind(name: str, *, reset: Callable | None = None):
    def register(work: Callable) -> Callable:
        if _KINDS.get(name, work) is not work:
            raise ValueError(f"Job kind {name!r} is registered twice")
        _KINDS[name] = work
        if reset is not None:
            _RESETS[name] = reset
        return work

    return register


def job_reset(job, failed: str = "") -> None:
    """Undo what an unfinished attempt of `job` left behind (nothing, for most kinds)."""
    if reset := _RESETS.get(job.kind):
        reset(job, failed)


def job_work(name: str) -> Callable:
    try:
        return _KINDS[name]
    except KeyError:
        raise ValueError(
            f"No job kind {name!r}: is its module imported in AppConfig.ready?"
        ) from None
