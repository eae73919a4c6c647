"""Background jobs: how far one has gone. The page refreshes itself every two seconds while the
job runs (a meta refresh, so it works without JavaScript)."""

from uuid import UUID

from django.shortcuts import render

from tandem.jobs.selectors import job_get, jobs_of
from tandem.web.decorators import page
from tandem.web.views.common import page_number, paged


@page
def job_list(request):
    jobs = jobs_of(actor=request.user, page=page_number(request))
    return render(request, "web/jobs/list.html", {"jobs": jobs, **paged(request, jobs)})


@page
def job_detail(request, job_id: UUID):
    job = job_get(actor=request.user, job_id=job_id)
    return render(request, "web/jobs/detail.html", {"job": job})
