"""Reading a whole return: the local authority's performance team, and only for their own
authority's children. Every child in a return gets an audit row as an export of their data."""

from django.core.exceptions import PermissionDenied

from tandem.access.checks import require_role
from tandem.access.policies import Action
from tandem.audit.models import AuditAction
from tandem.audit.services import access_events_record
from tandem.care import codelists
from tandem.partners.models import PartnerKind
from tandem.people.models import Person
from tandem.returns import cin, ssda903


def returning_authority(actor):
    """The local authority the actor makes returns for: their team's partner."""
    require_role(actor, Action.PREPARE_RETURN)
    team = actor.team
    if team is None or team.partner.kind != PartnerKind.LOCAL_AUTHORITY:
        raise PermissionDenied("Only a local authority's performance team makes these returns")
    return team.partner


def ssda903_prepare(*, actor, ending: int, purpose: str, record_id: str = "") -> ssda903.Ssda903:
    """The SSDA903 return for the collection ending in March of `ending`, for the actor's local
    authority. Audited as an export of each child in it."""
    la = returning_authority(actor)
    lists = codelists.for_year(ending)
    children = list(Person.objects.filter(ssda903.return_children_q(la, lists), is_child=True))
    built = ssda903.tables_build(children=children, la=la, lists=lists)
    access_events_record(
        actor=actor,
        action=AuditAction.EXPORT,
        purpose=purpose,
        record_type="ssda903",
        record_id=record_id or f"ssda903 {lists.year}",
        person_ids=[c.pk for c in children],
        basis="local authority's statutory return",
        detail={"year": lists.year},
    )
    return built


def cin_prepare(*, actor, ending: int, purpose: str, record_id: str = "") -> cin.CinCensus:
    """The Children in Need census for the collection ending in March of `ending`, for the
    actor's local authority, audited as an export of each child in it."""
    la = returning_authority(actor)
    lists = codelists.for_year(ending, "cin")
    children = list(
        Person.objects.filter(
            pk__in=cin.census_referrals(la, lists).values("child_id"), is_child=True
        )
    )
    built = cin.census_build(children=children, la=la, lists=lists)
    access_events_record(
        actor=actor,
        action=AuditAction.EXPORT,
        purpose=purpose,
        record_type="cin_census",
        record_id=record_id or f"cin {lists.year}",
        person_ids=[c.person.pk for c in built.children],
        basis="local authority's statutory return",
        detail={"year": lists.year},
    )
    return built
