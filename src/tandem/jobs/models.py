"""A long piece of work (an upload, a linkage run, a return, a destruction run) and how far it
has gone, so a page and the CLI can show a progress bar while a worker does it."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Running"
    # The worker doing it stopped (killed, or its machine restarted); it will run again from
    # the start, because each kind of job saves nothing until it has finished.
    INTERRUPTED = "interrupted", "Interrupted: will run again"
    SUCCEEDED = "succeeded", "Finished"
    FAILED = "failed", "Failed"


class Job(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=80, help_text="The registered name of the work to do")
    title = models.CharField(max_length=200, help_text="What the owner sees; never a child's name")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, db_index=False
    )
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=JobStatus, default=JobStatus.QUEUED)
    done = models.PositiveBigIntegerField(default=0)
    total = models.PositiveBigIntegerField(default=0, help_text="0 while not yet known")
    stage = models.CharField(max_length=200, blank=True, help_text="The step under way")
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True, help_text="Why it failed, in words for the owner")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Surviving a dead worker (issue 28): the worker running a job writes `heartbeat_at` every
    # few seconds; one that has not beaten for TANDEM_JOB_STALE_SECONDS is taken to be dead.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=100, blank=True, help_text="host:process running it")
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Times it has started")
    interrupted_at = models.DateTimeField(null=True, blank=True)
    task_id = models.CharField(max_length=64, blank=True, help_text="Its row in the queue")
    can_run_again = models.BooleanField(
        default=False, help_text="Failed for a reason that running it again may mend"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["owner", "-created_at"]),
            # The recovery sweep reads the running and interrupted jobs only.
            models.Index(
                fields=["status"],
                name="jobs_job_unfinished",
                condition=models.Q(status__in=["queued", "running", "interrupted"]),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)

    @property
    def stalled(self) -> bool:
        """Running, but its worker has not reported for longer than a live one would."""
        beat = self.heartbeat_at or self.started_at
        limit = timedelta(seconds=settings.TANDEM_JOB_STALE_SECONDS)
        return self.status == JobStatus.RUNNING and bool(beat) and timezone.now() - beat > limit

    @property
    def percent(self) -> int | None:
        """Whole per cent done, or None while the size of the work is not known."""
        if self.status == JobStatus.SUCCEEDED:
            return 100
        if not self.total:
            return None
        return min(100, self.done * 100 // self.total)
