"""A job's progress for programs that started one (an upload, a linkage run, a return)."""

from datetime import datetime
from uuid import UUID

from ninja import Field, Router, Schema

from tandem.config.api_support import responses
from tandem.jobs.selectors import job_get
from tandem.jobs.services import job_run_again

router = Router(tags=["jobs"])


class JobOut(Schema):
    id: UUID
    kind: str
    title: str
    status: str = Field(
        description="`queued`, `running`, `interrupted` (its worker stopped: it will run again "
        "from the start), `succeeded` or `failed`"
    )
    stage: str
    done: int
    total: int
    percent: int | None
    error: str
    result: dict
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    heartbeat_at: datetime | None = Field(description="When its worker last reported")
    stalled: bool = Field(description="Running, but its worker has not reported for too long")
    attempts: int = Field(description="How many times it has started")
    interrupted_at: datetime | None = Field(description="When its worker was last found stopped")
    can_run_again: bool = Field(description="Failed, and `POST .../run-again` may mend it")


@router.get("/jobs/{job_id}", response=responses({200: JobOut}))
def job_status(request, job_id: UUID):
    """How far one of your jobs has gone; `result` holds what it made once `status` is
    `succeeded`. Only the person who started a job can see it."""
    return job_get(actor=request.auth, job_id=job_id)


@router.post("/jobs/{job_id}/run-again", response=responses({200: JobOut}))
def job_again(request, job_id: UUID):
    """Queue again, from the start, one of your jobs that failed when its worker stopped or
    met an error (`can_run_again`). 422 for any other job."""
    return job_run_again(actor=request.auth, job_id=job_id)
