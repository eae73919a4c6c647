"""The background task the worker (`tandem db_worker`, started by `tandem serve`) runs."""

from django.tasks import task

from tandem.jobs.models import Job


@task
def run_job(job_id: str) -> None:
    from tandem.jobs.services import job_run

    job_run(Job.objects.get(pk=job_id))
