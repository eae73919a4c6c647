"""The people shown beside a child are checked for themselves (issue 21, findings 1, 2 and 8).

A sibling's refuge address, a restricted sibling or parent, and the whole record of a child
for someone who is only a member of the team around the family: each was shown on e4caa22.
"""

import datetime as dt

import pytest
from django.utils import timezone

from tandem.access import services as access_services
from tandem.access.models import InvolvementKind, RestrictionKind, SensitiveNote
from tandem.audit.models import AccessEvent
from tandem.partners.models import PartnerKind, Role
from tandem.people.models import HouseholdMember, Relationship
from tests import factories
from tests.api.support import ApiClient
from tests.grants import access_basis, categories_for
from tests.signing_in import VerifiedClient

pytestmark = pytest.mark.django_db

REFUGE = "9 Sntlrefuge Close"
REFUGE_POSTCODE = "ZX9 9RF"


def _relate(a, b, kind="sibling"):
    a, b = sorted([a, b], key=lambda p: str(p.pk))
    return Relationship.objects.create(person_a=a, person_b=b, kind=kind)


@pytest.fixture
def family(team, social_worker):
    """Child A, whom the social worker's team owns, living with sibling P and their mother in
    one household at the refuge; P also has a brother R elsewhere in the record."""
    a = factories.ChildFactory(given_name="Ayla", address=REFUGE, postcode=REFUGE_POSTCODE)
    factories.InvolvementFactory(child=a, team=team, kind=InvolvementKind.OWNING_TEAM)
    p = factories.ChildFactory(given_name="Sntlsibling", address=REFUGE, postcode=REFUGE_POSTCODE)
    mother = factories.AdultFactory(given_name="Sntlmother", address=REFUGE)
    home = factories.HouseholdFactory(
        name="The refuge household", address=REFUGE, postcode=REFUGE_POSTCODE
    )
    for person in (a, p, mother):
        HouseholdMember.objects.create(household=home, person=person)
    _relate(a, p)
    _relate(mother, a, "parent")
    ig = factories.UserFactory(role=Role.IG_LEAD, team=team)
    named = factories.UserFactory(role=Role.SOCIAL_WORKER, team=team)
    return {"a": a, "p": p, "mother": mother, "home": home, "ig": ig, "named": named}


def _restrict(family, person, kind):
    access_services.restriction_add(
        actor=family["ig"],
        child_id=person.pk,
        kind=kind,
        reason="Fled domestic abuse",
        named_people=[family["named"]],
    )


def _reads(user, family) -> dict[str, str]:
    """Every channel that shows A's family: the household page, the API's relationships,
    households and household, A's own record."""
    a, home = family["a"], family["home"]
    client = VerifiedClient()
    client.force_login(user)
    api = ApiClient(user)
    return {
        "household page": client.get(f"/children/{a.pk}/household").content.decode(),
        "child page": client.get(f"/children/{a.pk}").content.decode(),
        "api child": api.get(f"/api/children/{a.pk}").content.decode(),
        "api relationships": api.get(f"/api/children/{a.pk}/relationships").content.decode(),
        "api households": api.get(f"/api/children/{a.pk}/households").content.decode(),
        "api household": api.get(f"/api/households/{home.pk}").content.decode(),
    }


def test_a_sibling_s_refuge_address_is_shown_to_nobody_it_does_not_name(family, social_worker):
    _restrict(family, family["p"], RestrictionKind.PROTECTED_ADDRESS)
    leaks = {
        channel: body
        for channel, body in _reads(social_worker, family).items()
        if "Sntlrefuge" in body or REFUGE_POSTCODE in body
    }
    assert not leaks, list(leaks)
    # Everyone still there: only the address is withheld.
    assert "Sntlsibling" in _reads(social_worker, family)["household page"]


def test_the_people_named_on_the_refuge_address_see_it(family):
    _restrict(family, family["p"], RestrictionKind.PROTECTED_ADDRESS)
    reads = _reads(family["named"], family)
    assert REFUGE in reads["household page"]
    assert REFUGE in reads["api household"]


def test_emergency_access_never_opens_a_sibling_s_refuge_address(family):
    _restrict(family, family["p"], RestrictionKind.PROTECTED_ADDRESS)
    nurse = factories.UserFactory(role=Role.HEALTH_PRACTITIONER)
    access_services.break_glass_open(
        actor=nurse, child_id=family["a"].pk, reason="Unconscious at A&E, need the next of kin"
    )
    reads = _reads(nurse, family)
    assert "Sntlsibling" in reads["household page"]  # the emergency did open the family
    assert not [c for c, body in reads.items() if "Sntlrefuge" in body]


@pytest.mark.parametrize("who", ["p", "mother"])
def test_a_restricted_sibling_or_parent_is_absent_everywhere(family, social_worker, who):
    _restrict(family, family[who], RestrictionKind.RESTRICTED_RECORD)
    person = family[who]
    reads = _reads(social_worker, family)
    leaks = [c for c, body in reads.items() if person.given_name in body or str(person.pk) in body]
    assert not leaks
    # Absent, not hidden: no "1 person withheld", and no audit row names them.
    assert "withheld" not in reads["household page"].lower()
    assert not AccessEvent.objects.filter(actor=social_worker, person_id=person.pk).exists()
    # The named social worker sees them.
    assert person.given_name in _reads(family["named"], family)["household page"]


def test_a_restricted_sibling_cannot_be_related_or_added_by_id(family, social_worker):
    _restrict(family, family["p"], RestrictionKind.RESTRICTED_RECORD)
    api = ApiClient(social_worker)
    other = factories.HouseholdFactory()
    HouseholdMember.objects.create(household=other, person=family["a"])
    added = api.post(f"/api/households/{other.pk}/members", {"person_id": str(family["p"].pk)})
    assert added.status_code == 404
    related = api.post(
        f"/api/children/{family['a'].pk}/relationships",
        {"kind": "other", "other_person_id": str(family["mother"].pk)},
    )
    assert related.status_code in (201, 422)  # the mother is not restricted: a fair control


@pytest.fixture
def team_around_the_family(team, social_worker, child):
    """A council case; a school's safeguarding lead added to the team around the family; police
    intelligence and every sensitive note on the child; a front door's internal reasons."""
    from tandem.casework import services as casework
    from tandem.referrals.models import ThresholdDecision
    from tests.grants import grant_for

    school = factories.PartnerFactory(kind=PartnerKind.SCHOOL)
    dsl = factories.UserFactory(role=Role.SCHOOL_DSL, team=factories.TeamFactory(partner=school))
    case = casework.case_open(
        grant=grant_for(social_worker, child.pk),
        level="early_help",
        lead_professional_id=social_worker.pk,
    )
    casework.case_member_add(
        actor=social_worker, case_id=case.pk, practitioner_id=dsl.pk, purpose="direct_work"
    )
    police = factories.PartnerFactory(kind=PartnerKind.POLICE)
    from tandem.people.models import Event

    Event.objects.create(
        person=child,
        partner=police,
        kind="police_incident",
        occurred_at=timezone.now(),
        summary="SNTL-POLICE",
    )
    for category in ("sexual_health", "gender_identity", "adoption"):
        SensitiveNote.objects.create(
            child=child,
            partner=team.partner,
            category=category,
            summary=f"SNTL-{category}",
            occurred_at=timezone.now(),
            recorded_by=social_worker,
        )
    referral = factories.ReferralFactory(child=child, to_team=team, status="decided")
    ThresholdDecision.objects.create(
        referral=referral,
        decision="early_help",
        reasons="SNTL-FRONT-DOOR-REASONS",
        decided_by=social_worker,
        decided_at=timezone.now() - dt.timedelta(hours=1),
    )
    return {"dsl": dsl, "case": case}


def test_a_member_of_the_team_around_the_family_is_involved_not_allocated(
    team_around_the_family, child
):
    dsl = team_around_the_family["dsl"]
    assert access_basis(dsl, child.pk) == "team owns or is involved in the case"
    assert not {"police_intelligence", "sexual_health", "gender_identity", "adoption"} & set(
        categories_for(dsl, child.pk)
    )
    client = VerifiedClient()
    client.force_login(dsl)
    seen = client.get(f"/children/{child.pk}/chronology").content.decode()
    assert client.get(f"/children/{child.pk}/chronology").status_code == 200
    assert "SNTL-" not in seen
    assert (
        "SNTL-" not in ApiClient(dsl).get(f"/api/children/{child.pk}/chronology").content.decode()
    )
    basis = AccessEvent.objects.filter(actor=dsl, record_type="chronology").values_list(
        "basis", flat=True
    )
    assert "allocated worker" not in set(basis)
