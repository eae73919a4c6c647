"""Reading a child's SDQs, oldest first: the trajectory a page draws and the API returns."""

from uuid import UUID

from tandem.access.checks import require_role
from tandem.access.grants import child_grant
from tandem.access.policies import Action
from tandem.audit.models import AuditAction, Purpose
from tandem.outcomes import sdq
from tandem.outcomes.models import SdqRecord, Service, ServiceSpell
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


def services_all(*, actor) -> list[Service]:
    """The partnership's services, for practitioners recording who receives them."""
    require_role(actor, Action.VIEW_CHILD)
    return list(Service.objects.select_related("service_type", "aim", "partner"))


def spells_of(*, actor, child_id: UUID) -> list[ServiceSpell]:
    """The services a child has received, latest first."""
    grant = child_grant(actor=actor, child_id=child_id, purpose=Purpose.DIRECT_WORK)
    spells = list(
        ServiceSpell.objects.filter(person_id=child_id).select_related("service", "recorded_by")
    )
    grant.audit("service_spell", action=AuditAction.LIST, detail={"spells": len(spells)})
    return spells
