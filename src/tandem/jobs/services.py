"""Starting a job, running it, recording its progress, and recovering from a worker that died.

A worker's job reports its progress through a thread with a database connection of its own
(`_Reporter`, at most twice a second), so the bar moves on the page whatever the work's own
connection is doing. Work that writes many records writes them in
short transactions that nobody reads until one last short transaction shows them (an upload's
records count once the upload is marked loaded): the embedded database is never held for long,
and a failed or killed attempt leaves nothing anyone sees; its kind's `reset` clears the rest.

A running job beats: the reporter writes `heartbeat_at` every TANDEM_JOB_STALE_SECONDS / 6. A job
whose heartbeat is older than TANDEM_JOB_STALE_SECONDS has lost its worker: `jobs_recover` (run
by every worker as it starts, then every half of that time) marks it interrupted and queues it
again, up to TANDEM_JOB_ATTEMPTS starts, then fails it with "Run again" for its owner.
"""

import logging
import os
import socket
import threading
import time
import traceback
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q
from django.tasks import TaskResultStatus
from django.utils import timezone

from tandem.formats import govuk_datetime
from tandem.jobs.models import Job, JobStatus
from tandem.jobs.registry import job_reset, job_work
from tandem.jobs.scratch import scratch_remove

logger = logging.getLogger(__name__)

UPDATE_EVERY = 0.5  # seconds between progress writes: enough for a bar, cheap for the database
CRASHED = "Something went wrong. Try again, or ask your administrator to read the log."


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


class Progress:
    """Handed to a job's work: `progress.stage("Checking rows", total=n)`, then
    `progress.advance(k)` or `progress.set(done)` as it goes. A job run by a worker hands what
    it reports to its `_Reporter`; one run inside a caller's transaction (a test) writes it
    there, at most every UPDATE_EVERY seconds."""

    def __init__(self, job: Job, listener=None, reporter: "_Reporter | None" = None):
        self.job = job
        self.listener = listener
        self.reporter = reporter
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
        if self.reporter:
            self.reporter.report(self.job.stage, self.job.done, self.job.total, force=force)
            return
        now = time.monotonic()
        if force or now - self._written >= UPDATE_EVERY:
            Job.objects.filter(pk=self.job.pk).update(
                stage=self.job.stage, done=self.job.done, total=self.job.total
            )
            self._written = now


class _Reporter(threading.Thread):
    """Writes a running job's progress and heartbeat on this thread's own database connection:
    never inside the job's data transaction (so the bar moves while records load), never on a
    connection in the middle of a read (on SQLite a write there fails at once when others
    have written since the read began), and on time while the work is busy elsewhere (DuckDB,
    a large file)."""

    def __init__(self, job: Job):
        super().__init__(name=f"job-reporter-{job.pk}", daemon=True)
        self.job_id, self.worker = job.pk, job.worker
        self.every = max(1.0, settings.TANDEM_JOB_STALE_SECONDS / 6)
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.pending: tuple | None = None
        self.stopping = False

    def report(self, stage: str, done: int, total: int, *, force: bool) -> None:
        with self.lock:
            self.pending = (stage, done, total)
        if force:
            self.wake.set()

    def run(self) -> None:
        beaten = time.monotonic()
        try:
            while not self.stopping:
                self.wake.wait(UPDATE_EVERY)
                self.wake.clear()
                with self.lock:
                    pending, self.pending = self.pending, None
                now = time.monotonic()
                if pending is None and now - beaten < self.every:
                    continue
                fields = {"heartbeat_at": timezone.now()}
                if pending:
                    fields.update(zip(("stage", "done", "total"), pending, strict=True))
                try:
                    Job.objects.filter(
                        pk=self.job_id, status=JobStatus.RUNNING, worker=self.worker
                    ).update(**fields)
                    beaten = now
                except DatabaseError:
                    logger.warning("Job %s: could not record its progress", self.job_id)
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopping = True
        self.wake.set()
        self.join(timeout=10)


def job_start(*, owner, kind: str, title: str, params: dict | None = None, enqueue=True) -> Job:
    """Record a job and, once the caller's transaction commits, queue it for the worker.
    `enqueue=False` is for the CLI, which runs the job itself with `job_run`."""
    job_work(kind)  # an unknown kind fails here, not later in the worker
    job = Job(owner=owner, kind=kind, title=title, params=params or {})
    job.full_clean()
    job.save()
    if enqueue:
        transaction.on_commit(lambda: _enqueue(job))
    return job


def _enqueue(job: Job) -> None:
    from tandem.jobs.tasks import run_job

    # Recorded first, so the job row names its queue row even if the task runs at once.
    task = run_job.enqueue(str(job.pk))
    Job.objects.filter(pk=job.pk).update(task_id=str(task.id))
    job.task_id = str(task.id)


def job_run(job: Job, *, listener: Callable[[Job], None] | None = None) -> Job:
    """Do a queued (or interrupted) job's work now, in this process, and record how it ended."""
    now = timezone.now()
    claimed = Job.objects.filter(
        pk=job.pk, status__in=(JobStatus.QUEUED, JobStatus.INTERRUPTED)
    ).update(
        status=JobStatus.RUNNING,
        started_at=now,
        heartbeat_at=now,
        worker=worker_name(),
        attempts=F("attempts") + 1,
    )
    if not claimed:  # another worker has it, or it is over
        job.refresh_from_db()
        return job
    job.refresh_from_db()
    if job.attempts > 1:
        job_reset(job)  # whatever the interrupted attempt left behind
    # Inside a caller's transaction (a test) nobody else could see the progress anyway.
    reporter = None if connection.in_atomic_block else _Reporter(job)
    if reporter:
        reporter.start()
    progress = Progress(job, listener, reporter)
    result, error, can_run_again = None, "", False
    try:
        result = job_work(job.kind)(job, progress) or {}
    except ValidationError as exc:
        error = " ".join(exc.messages)
    except Exception as exc:  # noqa: BLE001 - a job's failure is recorded, not raised
        # Frames only, never the message: it may hold a child's details.
        logger.error(
            "Job %s (%s) failed with %s\n%s",
            job.pk,
            job.kind,
            type(exc).__name__,
            "".join(traceback.format_tb(exc.__traceback__)),
        )
        error, can_run_again = CRASHED, True
    finally:
        if reporter:  # stopped before the end is written, so no progress lands after it
            reporter.stop()
        scratch_remove(job)
    if result is None:
        _fail(job, error, can_run_again=can_run_again)
    else:
        job.done = job.total or job.done
        _end(job, JobStatus.SUCCEEDED, result=result)
    if listener:
        listener(job)
    return job


def _reset_or_log(job: Job, failed: str = "") -> None:
    """`job_reset`, where the job must go on to end or be queued whatever it says."""
    try:
        job_reset(job, failed=failed)
    except Exception:  # noqa: BLE001 - logged; the next attempt or sweep clears it
        logger.exception("Job %s (%s): could not clear what it left", job.pk, job.kind)


def _fail(job: Job, error: str, *, can_run_again: bool = False) -> None:
    _reset_or_log(job, failed=error)
    _end(job, JobStatus.FAILED, error=error, can_run_again=can_run_again)


def _end(job: Job, status: str, *, error="", result=None, can_run_again=False) -> None:
    job.status, job.error, job.can_run_again = status, error, can_run_again
    job.finished_at = timezone.now()
    fields = {"status": status, "error": error, "can_run_again": can_run_again}
    fields.update(finished_at=job.finished_at, done=job.done, stage=job.stage, total=job.total)
    if result is not None:  # a failed job keeps what its work kept (a run's partial counts)
        job.result = fields["result"] = result
    ended = Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, worker=job.worker).update(
        **fields
    )
    if not ended:
        # Taken for dead (its heartbeat could not be written for too long) and handed on.
        logger.warning("Job %s ended here after it was handed to another worker", job.pk)


# --- Recovery --------------------------------------------------------------------------------


def _task_stopped(task_id: str) -> None:
    """The queue's own row for a task whose worker died: failed, so nothing waits on it."""
    from django_tasks_db.models import DBTaskResult

    if task_id:
        DBTaskResult.objects.filter(pk=task_id, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.FAILED,
            finished_at=timezone.now(),
            exception_class_path="tandem.jobs.WorkerStopped",
            traceback="The worker running this task stopped before it finished.",
        )


def _give_up(job: Job, error: str) -> None:
    _reset_or_log(job, failed=error)
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.FAILED, error=error, can_run_again=True, finished_at=timezone.now()
    )


def jobs_recover() -> list[tuple[Job, str]]:
    """Find the jobs whose worker stopped and deal with each: queued again (`interrupted`), or
    failed once started TANDEM_JOB_ATTEMPTS times or run by a command that has gone. Returns
    (job, what happened) for each. Safe to run from several workers at once."""
    now = timezone.now()
    before = now - timedelta(seconds=settings.TANDEM_JOB_STALE_SECONDS)
    changed = []
    stale = Job.objects.filter(status=JobStatus.RUNNING).filter(
        Q(heartbeat_at__lt=before) | Q(heartbeat_at__isnull=True, started_at__lt=before)
    )
    for job in stale:
        # Only the sweep that moves it on deals with it.
        if not Job.objects.filter(
            pk=job.pk, status=JobStatus.RUNNING, heartbeat_at=job.heartbeat_at
        ).update(status=JobStatus.INTERRUPTED, interrupted_at=now, stage="", done=0, total=0):
            continue
        _task_stopped(job.task_id)
        when = govuk_datetime(job.heartbeat_at or job.started_at)
        if not job.task_id:
            _give_up(
                job,
                f"The command running this job stopped before it finished (last heard from at "
                f"{when}). Nothing from it was saved. You can run it again.",
            )
            changed.append((job, "failed"))
        elif job.attempts >= settings.TANDEM_JOB_ATTEMPTS:
            _give_up(
                job,
                f"The background worker stopped while doing this job, {job.attempts} times "
                f"(last at {when}), so it was not started again. Nothing from it was saved. You "
                f"can run it again; if it stops again, ask your administrator to check the "
                f"background worker.",
            )
            changed.append((job, "failed"))
        else:
            _reset_or_log(job)
            _enqueue(job)
            changed.append((job, "queued again"))
    changed += _orphaned_tasks(before)
    return changed


def _orphaned_tasks(before) -> list[tuple[Job, str]]:
    """Tasks a worker took from the queue and died holding before its job began."""
    from django_tasks_db.models import DBTaskResult

    from tandem.jobs.tasks import run_job

    changed = []
    running = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, task_path=run_job.module_path, started_at__lt=before
    )
    for task in running:
        job = Job.objects.filter(pk=task.args_kwargs["args"][0]).first()
        if job is None or job.status == JobStatus.RUNNING:
            continue  # its job runs (and beats), or is gone
        _task_stopped(str(task.pk))
        if job.status in (JobStatus.QUEUED, JobStatus.INTERRUPTED):
            _enqueue(job)
            changed.append((job, "queued again"))
    return changed


def job_run_again(*, actor, job_id) -> Job:
    """Queue again one of the actor's jobs that failed for a reason running it again may mend."""
    from tandem.jobs.selectors import job_get

    return job_queue_again(job_get(actor=actor, job_id=job_id))


def job_queue_again(job: Job) -> Job:
    """Queue again a job that failed for a reason running it again may mend (`tandem jobs
    run-again`, for an operator, and the owner's "Run again")."""
    if job.status != JobStatus.FAILED or not job.can_run_again:
        raise ValidationError({"job": "Only a job that stopped before it finished can run again"})
    job_reset(job)
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.QUEUED,
        error="",
        can_run_again=False,
        attempts=0,
        stage="",
        done=0,
        total=0,
        started_at=None,
        finished_at=None,
        heartbeat_at=None,
        interrupted_at=None,
    )
    job.refresh_from_db()
    transaction.on_commit(lambda: _enqueue(job))
    return job
