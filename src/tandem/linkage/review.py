"""A practitioner's decision on a pair the model was unsure of. It binds every later linking
run (`linking.constrained_people`): a rejected pair is never one person, a confirmed pair
always is."""

from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tandem.audit.models import AuditAction, Purpose
from tandem.audit.services import Audit
from tandem.linkage.models import DECIDED, MatchPair
from tandem.linkage.selectors import pair_get


@transaction.atomic
def pair_decide(*, actor, pair_id: UUID, decision: str) -> MatchPair:
    pair = pair_get(actor=actor, pair_id=pair_id)
    if decision not in DECIDED:
        raise ValidationError({"decision": "Choose whether these are the same person"})
    pair = MatchPair.objects.select_for_update().get(pk=pair.pk)
    before = pair.status
    pair.status, pair.decided_by, pair.decided_at = decision, actor, timezone.now()
    pair.full_clean()
    pair.save(update_fields=["status", "decided_by", "decided_at"])
    Audit(actor, Purpose.SAFEGUARDING_CHECK).row(
        AuditAction.UPDATE, "match_pair", pair.pk, detail={"from": before, "to": decision}
    )
    return pair
