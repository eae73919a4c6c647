"""Reading jobs: each is seen only by the person who started it (its title, progress and result
may describe children they work with)."""

from uuid import UUID

from tandem.access.errors import NotFound
from tandem.jobs.models import Job


def job_get(*, actor, job_id: UUID) -> Job:
    job = Job.objects.filter(pk=job_id, owner=actor).first()
    if job is None:
        raise NotFound("job")
    return job


def jobs_of(*, actor, limit: int = 20) -> list[Job]:
    return list(Job.objects.filter(owner=actor)[:limit])
