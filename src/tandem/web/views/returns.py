"""The performance team's returns page: build and check the SSDA903 and the CIN census for a
collection year as background jobs, read the failures (each linking to the child's record), and
download the files. Only the local authority's performance team (Action.PREPARE_RETURN)."""

import csv
import mimetypes
from pathlib import Path
from uuid import UUID

from django import forms
from django.conf import settings
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render

from tandem.access.errors import NotFound
from tandem.audit.models import AuditAction, Purpose
from tandem.audit.services import Audit
from tandem.care import codelists
from tandem.jobs.models import JobStatus
from tandem.jobs.selectors import job_get, jobs_of
from tandem.jobs.services import job_start
from tandem.returns import jobs as return_jobs
from tandem.returns.selectors import RETURN_SHARE, return_child_get, returning_authority
from tandem.web.decorators import page
from tandem.web.govuk import GovukForm
from tandem.web.views.common import page_number, paged

KINDS = {
    return_jobs.SSDA903: "SSDA903: children looked after, adoptions and care leavers",
    return_jobs.CIN: "Children in Need census",
}


class ReturnForm(GovukForm):
    kind = forms.ChoiceField(
        label="Which return",
        choices=list(KINDS.items()),
        widget=forms.RadioSelect,
        error_messages={"required": "Choose which return to build"},
    )
    ending = forms.TypedChoiceField(
        label="Collection year",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the collection year"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        years = sorted({y.ending for y in codelists.all_years()}, reverse=True)
        self.fields["ending"].choices = [
            (y, f"{y - 1} to {y} (1 April {y - 1} to 31 March {y})") for y in years
        ]
        # The latest year is the one almost always wanted: chosen until the user says otherwise.
        self.fields["ending"].initial = years[0] if years else None


@page
def returns_page(request):
    returning_authority(request.user)  # 403 for anyone but the performance team
    form = ReturnForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        kind, ending = form.cleaned_data["kind"], form.cleaned_data["ending"]
        name = "SSDA903" if kind == return_jobs.SSDA903 else "CIN census"
        job = job_start(
            owner=request.user,
            kind=kind,
            title=f"{name} return {ending - 1}-{str(ending)[2:]}",
            params={"ending": ending},
        )
        # Where the files go is decided here, not by the browser.
        out = Path(settings.VAR_DIR) / "returns" / str(job.pk)
        job.params["out"] = str(out if kind == return_jobs.SSDA903 else out / "cin.xml")
        job.save(update_fields=["params"])
        return redirect("web:job", job_id=job.pk)
    jobs = jobs_of(actor=request.user, kinds=list(KINDS), page=page_number(request))
    return render(
        request,
        "web/returns/index.html",
        {"form": form, "jobs": jobs, "pagination": paged(request, jobs)["pagination"]},
    )


def _files(job) -> list[Path]:
    folder = _folder(job)
    return sorted(p for p in folder.iterdir() if p.is_file()) if folder and folder.is_dir() else []


def _failures(job, child_id=None) -> list[dict]:
    """The failures the job wrote beside the return; `child_id`: only that child's."""
    folder = _folder(job)
    name = job.result.get("errors_file", return_jobs.ERRORS_FILE)
    report = folder / name if folder else None
    if report is None or not report.exists():
        return []
    with report.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        row["child"] = row.get("CHILD") or row.get("LAchildID", "")
    return [r for r in rows if child_id is None or r["child"] == child_id]


def _folder(job) -> Path | None:
    out = job.params.get("out")
    if not out:
        return None
    return Path(out) if job.kind == return_jobs.SSDA903 else Path(out).parent


@page
def return_detail(request, job_id: UUID):
    job = job_get(actor=request.user, job_id=job_id)  # someone else's job: 404
    returning_authority(request.user)
    if job.kind not in KINDS:
        raise NotFound("return")
    failures = _failures(job) if job.status == JobStatus.SUCCEEDED else []
    return render(
        request,
        "web/returns/detail.html",
        {
            "job": job,
            "failures": failures,
            "files": _files(job),
        },
    )


@page
def return_download(request, job_id: UUID):
    """`?file=episodes.csv`: one of the files the job wrote. Each download is audited."""
    job = job_get(actor=request.user, job_id=job_id)
    returning_authority(request.user)
    wanted = request.GET.get("file", "")
    match = next((p for p in _files(job) if p.name == wanted), None) if job.kind in KINDS else None
    if match is None:
        raise Http404("Not found")
    Audit(request.user, Purpose.STATUTORY_RETURN).row(
        AuditAction.EXPORT,
        "return_file",
        job.pk,
        detail={"file": match.name, "year": job.result.get("year", ""), **RETURN_SHARE},
    )
    content_type = mimetypes.guess_type(match.name)[0] or "application/octet-stream"
    return FileResponse(
        match.open("rb"), as_attachment=True, filename=match.name, content_type=content_type
    )


@page
def return_child(request, job_id: UUID, child_id: UUID):
    """What the return says about one child, for the performance team following a failure to
    fix it: the child's rows in the return, the failures, and who owns the case. Not the
    child's record: a child who is not in the job's return is not found."""
    job = job_get(actor=request.user, job_id=job_id)  # someone else's job: 404
    if job.kind not in KINDS or job.status != JobStatus.SUCCEEDED:
        raise NotFound("return")
    which = "ssda903" if job.kind == return_jobs.SSDA903 else "cin"
    child = return_child_get(
        actor=request.user,
        which=which,
        ending=int(job.params["ending"]),
        child_id=child_id,
        record_id=str(job.pk),
    )
    return render(
        request,
        "web/returns/child.html",
        {"job": job, "child": child, "failures": _failures(job, child.return_id)},
    )
