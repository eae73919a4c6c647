"""Reading extracts: only the uploading partner's analysts and team managers see an upload,
its problems (which quote the cells, so may name a child) and its records. Every read is
audited; anyone else's upload is "not found"."""

from uuid import UUID

from django.core.paginator import Page

from tandem.access.errors import NotFound
from tandem.access.related import restricted_from
from tandem.audit.models import AuditAction, Purpose
from tandem.audit.services import Audit
from tandem.linkage.ingest import uploader_partner
from tandem.linkage.models import ExtractUpload, QuarantinedRow, UploadStatus
from tandem.paging import page_of


def _audit(actor, action, upload_id, detail=None) -> None:
    Audit(actor, Purpose.SAFEGUARDING_CHECK).row(
        action, "extract_upload", upload_id, detail=detail or {}
    )


def uploads_of(*, actor, page: int = 1) -> Page:
    """The partner's uploads, newest first, a page at a time."""
    partner = uploader_partner(actor)
    found = page_of(
        ExtractUpload.objects.filter(partner=partner)
        .select_related("uploaded_by")
        .order_by("-created_at", "id"),
        page,
    )
    uploads = found.object_list
    if uploads:
        Audit(actor, Purpose.SAFEGUARDING_CHECK).row(
            AuditAction.LIST, "extract_upload", detail={"uploads": [str(u.pk) for u in uploads]}
        )
    return found


def upload_get(*, actor, upload_id: UUID) -> ExtractUpload:
    partner = uploader_partner(actor)
    upload = (
        ExtractUpload.objects.filter(pk=upload_id, partner=partner)
        .select_related("uploaded_by", "partner")
        .first()
    )
    if upload is None:
        raise NotFound("No extract with that id is yours to see")
    _audit(actor, AuditAction.VIEW, upload.pk)
    return upload


def upload_problems(*, actor, upload_id: UUID, export: bool = False) -> list[QuarantinedRow]:
    """Every problem of one upload, by row: each quotes the cell's value. None while the upload
    is still being checked (its problems are written a chunk at a time)."""
    upload = upload_get(actor=actor, upload_id=upload_id)
    if upload.status == UploadStatus.QUEUED:
        return []
    problems = list(QuarantinedRow.objects.filter(upload=upload))
    if export:
        _audit(actor, AuditAction.EXPORT, upload.pk, {"problems": len(problems)})
    return problems


# --- The clerical review queue ----------------------------------------------------------------


def _pairs_for(actor):
    """Pairs a reviewer may see: those with a record their own partner sent."""
    from django.db.models import Q

    from tandem.access.checks import require_role
    from tandem.access.policies import Action
    from tandem.linkage.models import MatchPair

    require_role(actor, Action.REVIEW_LINKS)
    partner = actor.team.partner
    hidden = restricted_from(actor).values("child_id")
    return (
        MatchPair.objects.filter(
            Q(left__upload__partner=partner) | Q(right__upload__partner=partner)
        )
        .exclude(left__linked_person__person_id__in=hidden)
        .exclude(right__linked_person__person_id__in=hidden)
        .select_related(
            "left__upload__partner",
            "right__upload__partner",
            "left__linked_person",
            "right__linked_person",
            "decided_by",
        )
    )


def _as_shown(actor, pairs: list) -> list:
    """Each pair with a protected address of the person its records are linked to withheld (a
    restricted record the reviewer is not named on is absent already, `_pairs_for`). In memory
    only: the records keep what the partner sent."""
    from tandem.access.related import people_shown

    records = [r for p in pairs for r in (p.left, p.right) if r.linked_person_id]
    shown = people_shown(actor, {r.linked_person.person_id for r in records} - {None})
    for record in records:
        if record.linked_person.person_id and not shown.shows_address(
            record.linked_person.person_id
        ):
            record.address, record.postcode = "", ""
    return pairs


def review_queue(*, actor, page: int = 1) -> Page:
    """Pairs waiting for a person's decision, surest first, a page at a time."""
    from tandem.linkage.models import PairStatus

    pending = _pairs_for(actor).filter(status=PairStatus.REVIEW)
    found = page_of(pending.order_by("-match_probability", "id"), page)
    found.object_list = pairs = _as_shown(actor, list(found.object_list))
    if pairs:
        Audit(actor, Purpose.SAFEGUARDING_CHECK).row(
            AuditAction.LIST, "match_pair", detail={"pairs": [str(p.pk) for p in pairs]}
        )
    return found


def pair_get(*, actor, pair_id: UUID):
    pair = _pairs_for(actor).filter(pk=pair_id).first()
    pair = (_as_shown(actor, [pair]) or [None])[0] if pair else None
    if pair is None:
        raise NotFound("No pair with that id is yours to review")
    Audit(actor, Purpose.SAFEGUARDING_CHECK).row(AuditAction.VIEW, "match_pair", pair.pk)
    return pair
