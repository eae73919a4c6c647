"""`tandem db_worker`: django-tasks-db's worker, which first deals with what a dead worker left
(its jobs interrupted and queued again, its temporary files removed) and keeps doing so every
half of TANDEM_JOB_STALE_SECONDS while it runs, so one live worker recovers for all of them."""

import logging
import threading
import time

from django.conf import settings
from django.db import connection
from django_tasks_db.management.commands.db_worker import Command as QueueWorker

from tandem.jobs.scratch import scratch_sweep
from tandem.jobs.services import jobs_recover

logger = logging.getLogger("tandem.jobs")


def sweep() -> None:
    for job, what in jobs_recover():
        logger.warning("Job %s (%s) was interrupted: %s", job.pk, job.kind, what)
    scratch_sweep()


class _Sweeper(threading.Thread):
    def __init__(self):
        super().__init__(name="job-sweeper", daemon=True)
        self.every = max(1.0, settings.TANDEM_JOB_STALE_SECONDS / 2)

    def run(self) -> None:
        while True:
            time.sleep(self.every)
            try:
                sweep()
            except Exception:  # noqa: BLE001 - the sweep tries again next time
                logger.exception("The sweep for interrupted jobs failed")
            finally:
                connection.close()


class Command(QueueWorker):
    help = (
        "Run the background worker (uploads, linkage runs, returns), first recovering the jobs "
        "and files a stopped worker left."
    )

    def handle(self, *args, **options):
        sweep()
        connection.close()
        _Sweeper().start()
        super().handle(*args, **options)
