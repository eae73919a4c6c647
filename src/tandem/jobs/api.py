"""A job's progress for programs that started one (an upload, a linkage run, a return)."""

from datetime import datetime
from uuid import UUID

from ninja import Router, Schema

from tandem.config.api_support import responses
from tandem.jobs.selectors import job_get

router = Router(tags=["jobs"])


class JobOut(Schema):
    id: UUID
    kind: str
    title: str
    status: str
    stage: str
    done: int
    total: int
    percent: int | None
    error: str
    result: dict
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


@router.get("/jobs/{job_id}", response=responses({200: JobOut}))
def job_status(request, job_id: UUID):
    """How far one of your jobs has gone; `result` holds what it made once `status` is
    `succeeded`. Only the person who started a job can see it."""
    return job_get(actor=request.auth, job_id=job_id)
