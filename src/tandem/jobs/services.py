"""Starting a job, running it, and recording its progress.

A job's work runs outside any transaction, so its progress (written in autocommit, at most a few
times a second) shows on the page while it runs. Work that writes records does its checks first
and its writes in one `transaction.atomic()` at the end: a failed job saves nothing.
"""

import logging
import time
import traceback
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tandem.jobs.models import Job, JobStatus
from tandem.jobs.registry import job_work

logger = logging.getLogger(__name__)

UPDATE_EVERY = 0.5  # seconds between progress writes: enough for a bar, cheap for the database


class Progress:
    """Handed to a job's work: `progress.stage("Checking rows", total=n)`, then
    `progress.advance(k)` or `progress.set(done)` as it goes."""

    def __init__(self, job: Job, listener: Callable[[Job], None] | None = None):
        self.job = job
        self.listener = listener
        self._written = 0.0

    def stage(self, text: str, *, total: int = 0) -> None:
        self.job.stage, self.job.total, self.job.done = text[:200], total, 0
        self._write(force=True)

    def set(self, done: int) -> None:
        self.job.done = done
        self._write()

    def advance(self, n: int = 1) -> None:
        self.set(self.job.done + n)

    def _write(self, force: bool = False) -> None:
        if self.listener:
            self.listener(self.job)
        now = time.monotonic()
        if force or now - self._written >= UPDATE_EVERY:
            Job.objects.filter(pk=self.job.pk).update(
                stage=self.job.stage, done=self.job.done, total=self.job.total
            )
            self._written = now


def job_start(*, owner, kind: str, title: str, params: dict | None = None, enqueue=True) -> Job:
    """Record a job and, once the caller's transaction commits, queue it for the worker.
    `enqueue=False` is for the CLI, which runs the job itself with `job_run`."""
    job_work(kind)  # an unknown kind fails here, not later in the worker
    job = Job(owner=owner, kind=kind, title=title, params=params or {})
    job.full_clean()
    job.save()
    if enqueue:
        from tandem.jobs.tasks import run_job

        transaction.on_commit(lambda: run_job.enqueue(str(job.pk)))
    return job


def job_run(job: Job, *, listener: Callable[[Job], None] | None = None) -> Job:
    """Do a queued job's work now, in this process, and record how it ended."""
    claimed = Job.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now()
    )
    if not claimed:  # another worker has it, or it is over
        job.refresh_from_db()
        return job
    job.refresh_from_db()
    progress = Progress(job, listener)
    try:
        result = job_work(job.kind)(job, progress) or {}
    except ValidationError as exc:
        _end(job, JobStatus.FAILED, error=" ".join(exc.messages))
    except Exception as exc:  # noqa: BLE001 - a job's failure is recorded, not raised
        # Frames only, never the message: it may hold a child's details.
        logger.error(
            "Job %s (%s) failed with %s\n%s",
            job.pk,
            job.kind,
            type(exc).__name__,
            "".join(traceback.format_tb(exc.__traceback__)),
        )
        _end(
            job,
            JobStatus.FAILED,
            error="Something went wrong. Try again, or ask your administrator to read the log.",
        )
    else:
        job.done = job.total or job.done
        _end(job, JobStatus.SUCCEEDED, result=result)
    if listener:
        listener(job)
    return job


def _end(job: Job, status: str, *, error: str = "", result: dict | None = None) -> None:
    job.status, job.error, job.result = status, error, result or {}
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "result", "finished_at", "done", "stage", "total"])
