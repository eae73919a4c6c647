"""Running a job from a `tandem` command, with a rich progress bar on the terminal."""

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from tandem.jobs.models import Job, JobStatus
from tandem.jobs.services import job_run


def job_run_with_bar(job: Job, *, console=None) -> Job:
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn()]
    with Progress(*columns, TimeElapsedColumn(), console=console, transient=False) as bar:
        task = bar.add_task(job.title, total=None)

        def show(j: Job) -> None:
            bar.update(
                task, description=j.stage or j.title, completed=j.done, total=j.total or None
            )

        job = job_run(job, listener=show)
    if job.status == JobStatus.FAILED and console is not None:
        console.print(f"[red]{job.error}")
    return job
