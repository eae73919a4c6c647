"""Reading a child's SDQs, oldest first: the trajectory a page draws and the API returns."""

from uuid import UUID

from tandem.audit.models import AuditAction
from tandem.outcomes import sdq
from tandem.outcomes.models import SdqRecord
from tandem.outcomes.services import health_grant


def sdq_trajectory(*, actor, child_id: UUID) -> list[SdqRecord]:
    grant = health_grant(actor=actor, child_id=child_id)
    records = list(SdqRecord.objects.filter(person_id=child_id).select_related("recorded_by"))
    grant.audit("sdq", action=AuditAction.LIST, detail={"records": len(records)})
    return records


def bands(record: SdqRecord) -> dict[str, str]:
    """Each score's four-band name, for the record's informant."""
    return {
        measure: sdq.band(record.informant, measure, getattr(record, measure))
        for measure in sdq.MEASURES
    }
