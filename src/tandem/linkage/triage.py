"""The triage worklist: children a flag rule fired for, whom the viewer may see (the access
policy's `visible_child_q`, cross-checked by `basis_of`) and who have no open referral yet —
each with the indicators that fired, which partner recorded each and when. A practitioner
decides (refer, offer early help, or no action, always with reasons) and the decision joins the
child's chronology."""

import datetime as dt
import logging
from dataclasses import dataclass
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from tandem.access.categories import NATIVE, Category
from tandem.access.checks import require_role
from tandem.access.errors import NotFound
from tandem.access.grants import child_grant, grants_for_children
from tandem.access.policies import Action, open_referrals, visible_child_q
from tandem.audit.models import AuditAction, Purpose
from tandem.audit.services import Audit
from tandem.formats import govuk_date
from tandem.linkage.models import ExtractRecord, Flag, FlagStatus, TriageDecision
from tandem.partners.models import Partner
from tandem.people.codes import EventKind
from tandem.people.services import event_record

logger = logging.getLogger(__name__)

SORTS = {
    "latest": ("-latest_on", "rule"),
    "partners": ("-partners", "-latest_on"),
    "oldest": ("latest_on", "rule"),
}


@dataclass(frozen=True)
class Filters:
    rule: str = ""
    partner: str = ""
    since: dt.date | None = None
    until: dt.date | None = None
    sort: str = "latest"


def _withhold(flags: list[Flag], grants: dict) -> list[Flag]:
    """Each indicator belongs to the category of the record its partner keeps by the nature of
    its work (police: police information, NHS: health, school: education, council and charity:
    casework), and the viewer sees only the categories shared with them for that child, as on
    every other page. The flag still proposes the child; `withheld` says how many indicators
    are not shown, so the practitioner knows to ask. In memory only: never saved."""
    if not flags:
        return flags
    names = {e["partner"] for f in flags for e in f.evidence}
    kinds = dict(Partner.objects.filter(name__in=names).values_list("name", "kind"))
    for f in flags:
        cats = grants[f.linked_person.person_id].categories
        shown = [
            e
            for e in f.evidence
            if NATIVE.get(kinds.get(e["partner"]), frozenset({Category.CASEWORK})) & cats
        ]
        f.withheld = len(f.evidence) - len(shown)
        f.evidence = shown
    return flags


CHILD = "linked_person__person"


def _open_flags(actor):
    """Open flags of children `actor` may triage and nobody has referred: every condition a
    correlated EXISTS on the flag's row, so that, ordered by the worklist's index, the database
    stops at the end of the page instead of building every visible child first."""
    require_role(actor, Action.TRIAGE)
    referred = open_referrals().filter(child_id=OuterRef(CHILD))
    return (
        Flag.objects.filter(status=FlagStatus.OPEN)
        .filter(visible_child_q(actor, Action.TRIAGE, child=CHILD))
        .filter(~Exists(referred))
        .select_related("linked_person__person")
    )


def _seen(flags: list[Flag], grants: dict) -> list[Flag]:
    """The grant of each flag's child (the same rules read from the facts) for each flag the
    query let through: should the two forms ever disagree, the child is hidden."""
    kept = [f for f in flags if f.linked_person.person_id in grants]
    if len(kept) != len(flags):
        logger.error(
            "The worklist query and the record check disagree on %d flags", len(flags) - len(kept)
        )
    return kept


def worklist(
    *,
    actor,
    filters: Filters = Filters(),  # noqa: B008 - frozen
    limit: int = 50,
    offset: int = 0,
) -> list[Flag]:
    flags = _open_flags(actor)
    if filters.rule:
        flags = flags.filter(rule=filters.rule)
    if filters.since:
        flags = flags.filter(latest_on__gte=filters.since)
    if filters.until:
        flags = flags.filter(latest_on__lte=filters.until)
    if filters.partner:  # a record of the partner's among the linked person's
        flags = flags.filter(
            Exists(
                ExtractRecord.objects.filter(
                    linked_person_id=OuterRef("linked_person_id"),
                    upload__partner__name=filters.partner,
                )
            )
        )
    # One page in the list's order; the record check then reads the facts of its children
    # once, for both whether each may be seen and which of its indicators.
    ordered = flags.order_by(*SORTS.get(filters.sort, SORTS["latest"]), "pk")
    flags = list(ordered[offset : offset + limit])
    grants = grants_for_children(
        actor=actor,
        child_ids=[f.linked_person.person_id for f in flags],
        purpose=Purpose.SAFEGUARDING_CHECK,
        action=Action.TRIAGE,
    )
    flags = _withhold(_seen(flags, grants), grants)
    if filters.partner:  # the partner must be in the evidence, not only among the records
        flags = [f for f in flags if any(e["partner"] == filters.partner for e in f.evidence)]
    if flags:
        Audit(actor, Purpose.SAFEGUARDING_CHECK).rows(
            AuditAction.LIST,
            "flag",
            [f.linked_person.person_id for f in flags],
            detail={"worklist": len(flags)},
        )
    return flags


def worklist_choices(*, actor) -> tuple[list[tuple[str, str]], list[str]]:
    """The flag rules (name, title) and the partners that sent extracts, for the filters (rules
    and organisations only: nothing about a child)."""
    from tandem.linkage.flags import default_rules
    from tandem.linkage.models import ExtractUpload, UploadStatus
    from tandem.partners.models import Partner

    require_role(actor, Action.TRIAGE)
    rules = [(r.name, r.title) for r in default_rules().rules]
    loaded = ExtractUpload.objects.filter(
        status__in=(UploadStatus.LOADED, UploadStatus.QUARANTINED)
    ).values("partner_id")
    partners = list(Partner.objects.filter(pk__in=loaded).values_list("name", flat=True))
    return rules, partners


def flag_get(*, actor, flag_id: UUID) -> Flag:
    require_role(actor, Action.TRIAGE)
    flag = Flag.objects.filter(pk=flag_id).select_related("linked_person__person").first()
    if flag is None or flag.linked_person.person_id is None:
        raise NotFound("No flag with that id is in your records")
    grant = child_grant(
        actor=actor,
        child_id=flag.linked_person.person_id,
        purpose=Purpose.SAFEGUARDING_CHECK,
        action=Action.TRIAGE,
    )
    grant.audit("flag", flag.pk)
    flag.grant = grant  # in memory: the decision on the flag writes under it
    return _withhold([flag], {grant.child_id: grant})[0]


@transaction.atomic
def flag_decide(*, actor, flag_id: UUID, decision: str, reasons: str) -> Flag:
    seen = flag_get(actor=actor, flag_id=flag_id)  # NotFound for a child the actor cannot see
    errors = {}
    if decision not in TriageDecision.values:
        errors["decision"] = "Choose a decision"
    if not (reasons or "").strip():
        errors["reasons"] = "Enter the reasons for the decision"
    if seen.status != FlagStatus.OPEN:
        errors["decision"] = "This flag has already been decided"
    if errors:
        raise ValidationError(errors)
    flag = Flag.objects.select_for_update().get(pk=seen.pk)
    flag.status, flag.decision, flag.reasons = FlagStatus.DECIDED, decision, reasons.strip()
    flag.decided_by, flag.decided_at = actor, timezone.now()
    flag.full_clean()
    flag.save()
    indicators = "; ".join(
        f"{e['partner']}: {e['event_type']} on {govuk_date(dt.date.fromisoformat(e['date']))}"
        for e in seen.evidence  # what the decider may see: the chronology is no wider
    )
    event_record(
        grant=seen.grant,
        kind=EventKind.NOTE,
        occurred_at=flag.decided_at,
        summary=(
            f"Early identification: {TriageDecision(decision).label}. "
            f"Flag: {flag.title} ({indicators}). Reasons: {flag.reasons}"
        )[:2000],
    )
    # Answer with what the decider was shown (in memory only: the flag keeps all its evidence).
    flag.evidence, flag.withheld = seen.evidence, seen.withheld
    return flag
