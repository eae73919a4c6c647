"""`tandem jobs`: what the background jobs are doing, for the person on call."""

import argparse
from uuid import UUID

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from tandem.formats import govuk_datetime
from tandem.jobs.models import Job, JobStatus
from tandem.jobs.services import job_queue_again, jobs_recover

EXAMPLES = """examples:
  tandem jobs                      the unfinished jobs and the last 20 that ended
  tandem jobs list --status failed --limit 50
  tandem jobs recover              deal now with jobs whose worker stopped (the worker does this
                                   every minute, and when it starts)
  tandem jobs run-again 3f2c9a1e   queue again a job that failed when its worker stopped

A job's title never names a child; the ids are for `tandem jobs run-again`.
"""


class Command(BaseCommand):
    help = "List background jobs and their states; recover or run again those a worker dropped."

    def create_parser(self, prog_name, subcommand, **kwargs):
        kwargs.update(epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", metavar="ACTION")
        listing = actions.add_parser("list", help="list jobs (the default)")
        listing.add_argument(
            "--status", choices=JobStatus.values, help="only the jobs in this state"
        )
        listing.add_argument("--limit", type=int, default=20, help="ended jobs to show (20)")
        actions.add_parser("recover", help="interrupt and queue again jobs whose worker stopped")
        again = actions.add_parser("run-again", help="queue again a job that failed")
        again.add_argument("job", help="the job's id, or its first 8 characters")

    def handle(self, *args, **options):
        action = options.get("action") or "list"
        try:
            getattr(self, "_" + action.replace("-", "_"))(options)
        except ValidationError as e:
            raise CommandError("; ".join(e.messages)) from e

    def _list(self, options):
        status, limit = options.get("status"), options.get("limit") or 20
        if status:
            jobs = list(Job.objects.filter(status=status).order_by("-created_at")[:limit])
        else:
            unfinished = Q(status__in=(JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.INTERRUPTED))
            jobs = list(Job.objects.filter(unfinished).order_by("-created_at"))
            jobs += list(Job.objects.exclude(unfinished).order_by("-created_at")[:limit])
        if not jobs:
            self.stdout.write("No jobs.")
            return
        for job in jobs:
            self.stdout.write(_line(job))

    def _recover(self, options):
        changed = jobs_recover()
        for job, what in changed:
            self.stdout.write(f"{str(job.pk)[:8]}  {job.title}: {what}")
        self.stdout.write(
            f"{len(changed)} job{'' if len(changed) == 1 else 's'} recovered."
            if changed
            else "No job has lost its worker."
        )

    def _run_again(self, options):
        key = options["job"].strip().lower()
        try:
            matches = [Job.objects.get(pk=UUID(key))]
        except (ValueError, Job.DoesNotExist):
            matches = [
                j for j in Job.objects.filter(status=JobStatus.FAILED) if str(j.pk).startswith(key)
            ]
        if len(matches) != 1:
            raise CommandError(f"No one failed job has an id starting {key!r}: see `tandem jobs`")
        job = job_queue_again(matches[0])
        self.stdout.write(f"{str(job.pk)[:8]}  {job.title}: queued again.")


def _line(job: Job) -> str:
    state = job.get_status_display()
    if job.stalled:
        state += f" (no word from its worker since {govuk_datetime(job.heartbeat_at)})"
    elif job.status == JobStatus.RUNNING:
        done = f"{job.done:,} of {job.total:,}" if job.total else ""
        state += f": {job.stage} {done}".rstrip()
    elif job.status == JobStatus.FAILED:
        state += f": {job.error}"
    owner = job.owner.username if job.owner else "-"
    when = govuk_datetime(job.finished_at or job.started_at or job.created_at)
    tries = f", started {job.attempts} times" if job.attempts > 1 else ""
    worker = job.worker or "no worker yet"
    return f"{str(job.pk)[:8]}  {when:<22} {owner:<22} {job.title} [{state}{tries}] ({worker})"
