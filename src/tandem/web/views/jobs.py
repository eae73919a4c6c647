"""Background jobs: how far one has gone, and running again one that stopped. While a job runs
its page follows it through the API (app.mjs); without JavaScript it offers a link to look
again (a page that refreshed itself would fail WCAG 2.2.1)."""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from tandem.jobs.selectors import job_get, jobs_of
from tandem.jobs.services import job_run_again
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


@page
def job_run_again_view(request, job_id: UUID):
    job_get(actor=request.user, job_id=job_id)  # someone else's job: 404, whatever the method
    if request.method != "POST":
        return redirect("web:job", job_id=job_id)
    try:
        job_run_again(actor=request.user, job_id=job_id)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, "The job is queued to run again from the beginning.")
    return redirect("web:job", job_id=job_id)
