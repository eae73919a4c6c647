import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tandem.access.errors import NotFound
from tandem.access.models import RestrictionKind
from tandem.access.services import restriction_add
from tandem.audit.models import AccessEvent
from tandem.partners.models import Role
from tandem.people.models import Person
from tandem.referrals.codes import Status
from tandem.referrals.models import Referral
from tandem.referrals.selectors import referral_get, referrals_made_by
from tandem.referrals.services import referral_create, referral_decide, referral_feedback_give
from tests import factories
from tests.grants import access_basis
from tests.voices import VIEWS

pytestmark = pytest.mark.django_db

NEW_CHILD = {
    "given_name": "Jayden",
    "family_name": "Smith",
    "date_of_birth": "2011-07-03",
    "nhs_number": "943 476 5919",
    "sex": "M",
    "ethnicity": "WBRI",
}


def _refer(actor, to_team, **overrides):
    kwargs = dict(
        actor=actor,
        purpose="referral",
        to_team_id=to_team.pk,
        source="2A",
        reasons=["missing", "cse"],
        concerns="Missing twice this month.",
        family_aware="yes",
        new_child=dict(NEW_CHILD),
    )
    kwargs.update(overrides)
    return referral_create(**kwargs)


def test_whole_referral_journey(front_door):
    team, manager = front_door
    dsl = factories.UserFactory(role=Role.SCHOOL_DSL)
    referral = _refer(dsl, team)
    child = referral.child
    assert child.nhs_number == "9434765919"
    assert access_basis(manager, child.pk) == "open referral to your team"
    assert access_basis(dsl, child.pk) is None

    referral_decide(
        views=VIEWS,
        actor=manager,
        referral_id=referral.pk,
        decision="early_help",
        reasons="Needs a family support worker.",
        purpose="referral",
    )
    referral_feedback_give(
        actor=manager,
        referral_id=referral.pk,
        message="Early help offered; a worker will call the family.",
        purpose="referral",
    )
    referral.refresh_from_db()
    assert referral.status == Status.CLOSED
    # The deciding team keeps access through the case it opened; the referrer has the referral.
    assert access_basis(manager, child.pk) == "team owns or is involved in the case"
    assert access_basis(dsl, child.pk) is None
    seen, in_full = referral_get(actor=dsl, referral_id=referral.pk, purpose="referral")
    assert not in_full
    assert [
        f.message for f in referrals_made_by(actor=dsl, purpose="referral")[0].feedback.all()
    ] == ["Early help offered; a worker will call the family."]
    assert (
        AccessEvent.objects.filter(
            person_id=child.pk, action="create", record_type="referral"
        ).count()
        == 1
    )


def test_nfa_closes_access_for_the_front_door(front_door):
    team, manager = front_door
    referral = _refer(factories.UserFactory(role=Role.POLICE_SAFEGUARDING_OFFICER), team)
    referral_decide(
        views=VIEWS,
        actor=manager,
        referral_id=referral.pk,
        decision="nfa",
        reasons="No concerns.",
        purpose="referral",
    )
    referral_feedback_give(
        actor=manager, referral_id=referral.pk, message="No further action.", purpose="referral"
    )
    assert access_basis(manager, referral.child_id) is None


def test_bad_nhs_number_saves_nothing(front_door):
    team, _ = front_door
    dsl = factories.UserFactory(role=Role.SCHOOL_DSL)
    with pytest.raises(ValidationError) as e:
        _refer(dsl, team, new_child={**NEW_CHILD, "nhs_number": "9434765918"})
    assert "nhs_number" in e.value.message_dict
    assert not Person.objects.exists()
    assert not Referral.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"reasons": []}, "reasons"),
        ({"reasons": ["not-a-risk"]}, "reasons"),
        ({"source": "99"}, "source"),
        ({"family_aware": "maybe"}, "family_aware"),
        ({"concerns": ""}, "concerns"),
    ],
)
def test_bad_referral_names_the_field_and_saves_nothing(front_door, overrides, field):
    team, _ = front_door
    with pytest.raises(ValidationError) as e:
        _refer(factories.UserFactory(role=Role.SCHOOL_DSL), team, **overrides)
    assert field in e.value.message_dict
    assert not Person.objects.exists()
    assert not Referral.objects.exists()


def test_referral_to_a_team_that_does_not_take_referrals_is_refused():
    other = factories.TeamFactory(receives_referrals=False)
    with pytest.raises(ValidationError) as e:
        _refer(factories.UserFactory(role=Role.SCHOOL_DSL), other)
    assert "to_team_id" in e.value.message_dict


def test_strong_match_joins_the_existing_record(front_door):
    team, _ = front_door
    first = _refer(factories.UserFactory(role=Role.SCHOOL_DSL), team)
    second = _refer(factories.UserFactory(role=Role.HEALTH_PRACTITIONER), team)
    assert first.child_id == second.child_id
    # Same NHS number but a different date of birth is not a match: a new record is made.
    third = _refer(
        factories.UserFactory(role=Role.HEALTH_PRACTITIONER),
        team,
        new_child={**NEW_CHILD, "date_of_birth": "2011-03-07", "nhs_number": ""},
    )
    assert third.child_id != first.child_id


def test_only_the_receiving_team_can_decide(front_door):
    team, _ = front_door
    referral = _refer(factories.UserFactory(role=Role.SCHOOL_DSL), team)
    outsider = factories.UserFactory(role=Role.TEAM_MANAGER)
    with pytest.raises(NotFound):
        referral_decide(
            views=VIEWS,
            actor=outsider,
            referral_id=referral.pk,
            decision="nfa",
            reasons="x",
            purpose="referral",
        )
    dsl = factories.UserFactory(role=Role.SCHOOL_DSL, team=team)
    with pytest.raises(PermissionDenied):
        referral_decide(
            views=VIEWS,
            actor=dsl,
            referral_id=referral.pk,
            decision="nfa",
            reasons="x",
            purpose="referral",
        )


def test_feedback_needs_a_decision_and_decision_happens_once(front_door):
    team, manager = front_door
    referral = _refer(factories.UserFactory(role=Role.SCHOOL_DSL), team)
    with pytest.raises(ValidationError) as e:
        referral_feedback_give(
            actor=manager, referral_id=referral.pk, message="x", purpose="referral"
        )
    assert "message" in e.value.message_dict
    referral_decide(
        views=VIEWS,
        actor=manager,
        referral_id=referral.pk,
        decision="child_in_need",
        reasons="x",
        purpose="referral",
    )
    with pytest.raises(ValidationError):
        referral_decide(
            views=VIEWS,
            actor=manager,
            referral_id=referral.pk,
            decision="nfa",
            reasons="x",
            purpose="referral",
        )
    with pytest.raises(ValidationError) as e:
        referral_decide(
            views=VIEWS,
            actor=manager,
            referral_id=referral.pk,
            decision="bogus",
            reasons="x",
            purpose="referral",
        )


def test_a_referral_that_joins_an_existing_record_shows_the_referrer_only_what_they_said(
    front_door,
):
    """Knowing a child's NHS number and date of birth must not open their record: the referral
    joins it, for the front door, but the referrer sees their own words, not the record's."""
    team, manager = front_door
    known = factories.ChildFactory(
        given_name="Real",
        family_name="Name",
        nhs_number="9434765919",
        date_of_birth=dt.date(2011, 7, 3),
        address="1 Secret Road",
    )
    dsl = factories.UserFactory(role=Role.SCHOOL_DSL)
    referral = _refer(dsl, team, new_child={**NEW_CHILD, "given_name": "Guess"})
    assert referral.child == known
    assert access_basis(dsl, known.pk) is None
    seen, in_full = referral_get(actor=dsl, referral_id=referral.pk, purpose="referral")
    assert not in_full
    assert seen.stated_name == "Guess Smith"
    event = AccessEvent.objects.get(record_type="referral", action="create")
    assert event.detail["matched_existing_record"] is True
    _, in_full = referral_get(actor=manager, referral_id=referral.pk, purpose="referral")
    assert in_full


@pytest.mark.parametrize("named", [False, True], ids=["worker not named", "worker named"])
def test_a_referral_of_a_child_with_a_protected_address_never_carries_the_postcode(
    front_door, named
):
    team, _ = front_door
    child = factories.ChildFactory(postcode="ZZ99 1ZZ", address="2 Refuge Lane")
    worker = factories.UserFactory(role=Role.SOCIAL_WORKER)
    factories.InvolvementFactory(child=child, team=worker.team)
    restriction_add(
        actor=factories.UserFactory(role=Role.IG_LEAD),
        child_id=child.pk,
        kind=RestrictionKind.PROTECTED_ADDRESS,
        reason="Mother and child in a refuge",
        named_people=[worker] if named else [],
    )
    referral = _refer(worker, team, new_child=None, child_id=child.pk)
    assert referral.stated_child["given_name"] == child.given_name
    assert "postcode" not in referral.stated_child


def test_a_referral_of_a_known_child_carries_the_postcode_the_referrer_sees(front_door):
    team, _ = front_door
    child = factories.ChildFactory(postcode="ZZ99 1ZZ")
    worker = factories.UserFactory(role=Role.SOCIAL_WORKER)
    factories.InvolvementFactory(child=child, team=worker.team)
    referral = _refer(worker, team, new_child=None, child_id=child.pk)
    assert referral.stated_child["postcode"] == "ZZ99 1ZZ"
