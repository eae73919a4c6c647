"""Reading jobs: each is seen only by the person who started it (its title, progress and result
may describe children they work with)."""

from uuid import UUID

from django.core.paginator import Page

from tandem.access.errors import NotFound
from tandem.jobs.models import Job
from tandem.paging import page_of


def job_get(*, actor, job_id: UUID) -> Job:
    job = Job.objects.filter(pk=job_id, owner=actor).first()
    if job is None:
        raise NotFound("job")
    return job


def jobs_of(*, actor, kinds=None, page: int = 1) -> Page:
    """The actor's own jobs (of `kinds`, if given), newest first, a page at a time."""
    jobs = Job.objects.filter(owner=actor)
    if kinds is not None:
        jobs = jobs.filter(kind__in=kinds)
    return page_of(jobs.order_by("-created_at", "id"), page)
