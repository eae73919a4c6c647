"""Reading a whole return: the local authority's performance team, and only for their own
authority's children. Every child in a return gets an audit row as an export of their data."""

import xml.etree.ElementTree as ET
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

from tandem.access.checks import require_role
from tandem.access.errors import NotFound
from tandem.access.models import InvolvementKind, LawfulBasis, Schedule1Condition
from tandem.access.policies import Action, active_involvements
from tandem.audit.models import AuditAction, Purpose
from tandem.audit.services import Audit
from tandem.care import codelists
from tandem.partners.models import PartnerKind
from tandem.people.models import Person
from tandem.returns import cin, ssda903
from tandem.returns.cin_tables import tables_from_xml


def returning_authority(actor):
    """The local authority the actor makes returns for: their team's partner."""
    require_role(actor, Action.PREPARE_RETURN)
    team = actor.team
    if team is None or team.partner.kind != PartnerKind.LOCAL_AUTHORITY:
        raise PermissionDenied("Only a local authority's performance team makes these returns")
    return team.partner


# A return is a share with the Department for Education, recorded with each export of it: the
# collection is the authority's legal obligation, and it holds special category data
# (ethnicity, disability, health), processed under DPA 2018 Schedule 1 paragraph 6.
RETURN_SHARE = {
    "lawful_basis": LawfulBasis.LEGAL_OBLIGATION.value,
    "schedule1_condition": Schedule1Condition.STATUTORY.value,
    "gateway": "Children Act 1989, section 83",
    "shared_with": "Department for Education",
}


def ssda903_prepare(*, actor, ending: int, purpose: str, record_id: str = "") -> ssda903.Ssda903:
    """The SSDA903 return for the collection ending in March of `ending`, for the actor's local
    authority. Audited as an export of each child in it."""
    la = returning_authority(actor)
    lists = codelists.for_year(ending)
    children = list(Person.objects.filter(ssda903.return_children_q(la, lists), is_child=True))
    built = ssda903.tables_build(children=children, la=la, lists=lists)
    Audit(actor, purpose, "local authority's statutory return").rows(
        AuditAction.EXPORT,
        "ssda903",
        [c.pk for c in children],
        record_id=record_id or f"ssda903 {lists.year}",
        detail={"year": lists.year, **RETURN_SHARE},
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
    Audit(actor, purpose, "local authority's statutory return").rows(
        AuditAction.EXPORT,
        "cin_census",
        [c.person.pk for c in built.children],
        record_id=record_id or f"cin {lists.year}",
        detail={"year": lists.year, **RETURN_SHARE},
    )
    return built


@dataclass
class ReturnChild:
    """What a return says about one child, and nothing more: the child's rows in it, by table,
    and the teams that own the child's case at the authority (who can fix the record)."""

    person_id: object
    return_id: str  # CHILD in the SSDA903, LAchildID in the CIN census
    year: str
    tables: dict[str, list[dict]]
    owners: list[str]


def return_child_get(*, actor, which: str, ending: int, child_id, record_id: str) -> ReturnChild:
    """One child of the actor's authority's `which` return ("ssda903" or "cin") for the
    collection ending `ending`, for the performance team following a rule failure. A child who
    is not in that return is not found: this is no way to read anyone else's record. Audited
    as a view with the purpose of the statutory return."""
    la = returning_authority(actor)
    lists = codelists.for_year(ending, which)
    if which == "ssda903":
        found = Person.objects.filter(
            ssda903.return_children_q(la, lists), pk=child_id, is_child=True
        ).first()
    else:
        in_census = cin.census_referrals(la, lists).filter(child_id=child_id).values("child_id")
        found = Person.objects.filter(pk__in=in_census, is_child=True).first()
    if found is None:
        raise NotFound("child")
    if which == "ssda903":
        built = ssda903.tables_build(children=[found], la=la, lists=lists)
        tables = {name: rows for name, rows in built.tables.items() if rows}
        return_id = tables["Header"][0]["CHILD"]
    else:
        census = cin.census_build(children=[found], la=la, lists=lists)
        if not census.children:
            raise NotFound("child")
        read = tables_from_xml(ET.fromstring(cin.xml_text(census)), lists)
        tables = {name: rows for name, rows in read.tables.items() if rows}
        return_id = census.children[0].la_child_id
    owners = sorted(
        active_involvements()
        .filter(child_id=found.pk, team__partner=la, kind=InvolvementKind.OWNING_TEAM)
        .values_list("team__name", flat=True)
        .distinct()
    )
    Audit(actor, Purpose.STATUTORY_RETURN, "local authority's statutory return").row(
        AuditAction.VIEW,
        "return_child",
        record_id,
        found.pk,
        detail={"return": which, "year": lists.year},
    )
    return ReturnChild(found.pk, return_id, lists.year, tables, owners)
