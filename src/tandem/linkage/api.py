"""Partners' extracts over the API (issue 5): upload one (multipart), follow its job, read its
problems. Only the uploading partner's analysts and team managers; every read is audited."""

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from tandem.config.api_support import InputSchema, IsoDate, coded, responses, text
from tandem.linkage import ingest, triage
from tandem.linkage.models import TriageDecision
from tandem.linkage.selectors import upload_get, upload_problems

router = Router(tags=["extracts"])


class UploadOut(Schema):
    id: UUID
    extract_type: str
    file_name: str
    bad_rows: str
    status: str
    reason: str
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    error_count: int
    job_id: UUID | None
    created_at: datetime
    finished_at: datetime | None


class ProblemOut(Schema):
    row: int
    column: str
    value: str
    reason: str
    quarantined: bool


@router.post("/extracts", response=responses({202: UploadOut}))
def extract_upload(
    request,
    extract_type: Form[Literal["police", "school", "health", "council", "charity"]],
    file: File[UploadedFile],
    bad_rows: Form[Literal["reject", "quarantine"]] = "reject",
    mapping: Form[str] = "",
):
    """Upload a CSV or XLSX extract of your organisation (multipart/form-data). `mapping` is
    the TOML column mapping (a `[sources.TYPE]` table); without it the mapping saved for this
    extract type is used. The file is checked whole in a background job (`job_id`): with
    `bad_rows=reject` a file with any problem loads nothing; with `quarantine` the good rows
    load and the bad rows are kept aside. Poll `GET /api/extracts/{id}` for the outcome."""
    upload = ingest.upload_start(
        actor=request.auth,
        extract_type=extract_type,
        file_name=file.name or "",
        chunks=file.chunks(),
        bad_rows=bad_rows,
        mapping_text=mapping,
    )
    return Status(202, upload)


@router.get("/extracts/{upload_id}", response=responses({200: UploadOut}))
def extract_get(request, upload_id: UUID):
    """One of your organisation's uploads: its status and counts."""
    return upload_get(actor=request.auth, upload_id=upload_id)


@router.get("/extracts/{upload_id}/problems", response=responses({200: list[ProblemOut]}))
def extract_problems(request, upload_id: UUID):
    """Every problem found in an upload, by row: the column, the value and the reason."""
    return upload_problems(actor=request.auth, upload_id=upload_id, export=True)


# --- The triage worklist --------------------------------------------------------------------


class IndicatorOut(Schema):
    indicator: str
    event_type: str
    partner: str
    date: date


class FlagOut(Schema):
    id: UUID
    child_id: UUID = Field(alias="linked_person.person_id")
    rule: str
    title: str
    indicators: list[IndicatorOut] = Field(
        description="The indicators in the categories shared with you for this child"
    )
    withheld: int = Field(description="How many indicators are not shared with you")
    partners: int
    latest_on: date
    raised_on: date
    status: str
    decision: str
    reasons: str


class WorklistFilters(Schema):
    rule: str = Field("", max_length=100, description="Only this rule's flags")
    partner: str = Field("", max_length=200, description="Only flags with this partner's data")
    since: IsoDate | None = Field(None, description="Latest indicator on or after")
    until: IsoDate | None = Field(None, description="Latest indicator on or before")
    sort: Literal["latest", "partners", "oldest"] = "latest"
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=1_000_000)


class FlagDecisionIn(InputSchema):
    decision: coded(TriageDecision, "What to do")
    reasons: text(1500, description="Why: joins the child's chronology")


@router.get("/worklist", response=responses({200: list[FlagOut]}))
def worklist_list(request, filters: Query[WorklistFilters]):
    """Flagged children you may see whom nobody has referred yet, each with the indicators
    that raised the flag (partner and date). Every child listed is audited."""
    return triage.worklist(
        actor=request.auth,
        filters=triage.Filters(
            rule=filters.rule,
            partner=filters.partner,
            since=filters.since,
            until=filters.until,
            sort=filters.sort,
        ),
        limit=filters.limit,
        offset=filters.offset,
    )


@router.post("/worklist/{flag_id}/decision", response=responses({200: FlagOut}))
def worklist_decide(request, flag_id: UUID, payload: FlagDecisionIn):
    """Decide on a flag: refer, offer early help or no action, with reasons. The decision is
    added to the child's chronology. A flag about a child you may not see is a 404."""
    return triage.flag_decide(
        actor=request.auth,
        flag_id=flag_id,
        decision=payload.decision.value,
        reasons=payload.reasons,
    )
