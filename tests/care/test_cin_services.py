"""Writing the children in need record: within the episode a referral to the authority opened,
validated against the CIN census code lists, audited; nobody without the child sees a thing."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tandem.access.errors import NotFound
from tandem.audit.models import AccessEvent, AuditAction, Purpose
from tandem.care import services
from tandem.care.models import CinAssessment
from tandem.partners.models import Role
from tests import factories
from tests.grants import grant_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def referral(child, team):
    return factories.ReferralFactory(
        child=child,
        to_team=team,
        received_at=dt.datetime(2025, 5, 1, 10, tzinfo=dt.UTC),
    )


def record(actor, child, referral, part, **fields):
    return services.cin_item_record(
        grant=grant_for(actor, child.pk, Purpose.DIRECT_WORK),
        referral_id=referral.pk,
        part=part,
        **fields,
    )


def test_an_assessment_is_recorded_within_the_referrals_episode(social_worker, child, referral):
    a = record(
        social_worker,
        child,
        referral,
        "assessment",
        started_on=dt.date(2025, 5, 2),
        authorised_on=dt.date(2025, 6, 1),
        factors=["3B", "4B"],
    )
    assert CinAssessment.objects.get().referral == referral
    event = AccessEvent.objects.get(record_type="cin_assessment")
    assert (event.person_id, event.action, event.record_id) == (
        child.pk,
        AuditAction.CREATE,
        str(a.pk),
    )


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"factors": ["3B", "99Z"]}, {"factors"}),
        ({"factors": ["21", "3B"]}, {"factors"}),
        ({"factors": ["3B", "3B"]}, {"factors"}),
        ({"authorised_on": None}, {"factors"}),  # factors only once authorised
        ({"started_on": dt.date(2025, 4, 30)}, {"started_on"}),  # before the referral
        ({"authorised_on": dt.date(2025, 5, 1)}, {"authorised_on"}),  # before the start
    ],
)
def test_a_wrong_assessment_names_the_field_and_saves_nothing(
    social_worker, child, referral, fields, errors
):
    good = {
        "started_on": dt.date(2025, 5, 2),
        "authorised_on": dt.date(2025, 6, 1),
        "factors": ["3B"],
    }
    with pytest.raises(ValidationError) as e:
        record(social_worker, child, referral, "assessment", **{**good, **fields})
    assert set(e.value.message_dict) == errors
    assert not CinAssessment.objects.exists()


def test_a_plan_with_a_review_and_a_category_from_the_list(social_worker, child, referral):
    plan = record(
        social_worker,
        child,
        referral,
        "protection_plan",
        started_on=dt.date(2025, 5, 12),
        initial_category="NEG",
        latest_category="EMO",
        previous_plans=0,
    )
    services.protection_review_record(
        actor=social_worker,
        plan_id=plan.pk,
        purpose=Purpose.DIRECT_WORK,
        held_on=dt.date(2025, 8, 11),
    )
    assert [r.held_on for r in plan.reviews.all()] == [dt.date(2025, 8, 11)]
    with pytest.raises(ValidationError) as e:
        services.protection_review_record(
            actor=social_worker,
            plan_id=plan.pk,
            purpose=Purpose.DIRECT_WORK,
            held_on=dt.date(2025, 5, 12),
        )
    assert set(e.value.message_dict) == {"held_on"}
    with pytest.raises(ValidationError) as e:
        record(
            social_worker,
            child,
            referral,
            "protection_plan",
            started_on=dt.date(2025, 5, 12),
            initial_category="XXX",
            latest_category="NEG",
            previous_plans=0,
        )
    assert set(e.value.message_dict) == {"initial_category"}


def test_a_conference_at_a_weekend_is_refused(social_worker, child, referral):
    with pytest.raises(ValidationError) as e:
        record(
            social_worker,
            child,
            referral,
            "section_47",
            started_on=dt.date(2025, 5, 2),
            conference_on=dt.date(2025, 5, 17),  # a Saturday
        )
    assert set(e.value.message_dict) == {"conference_on"}


def test_a_referral_of_another_child_is_refused(social_worker, child, team):
    other = factories.ReferralFactory(to_team=team)
    with pytest.raises(ValidationError) as e:
        record(social_worker, child, other, "cin_plan", started_on=dt.date(2025, 5, 2))
    assert set(e.value.message_dict) == {"referral"}


def test_a_disability_from_the_list_once(social_worker, child):
    services.disability_record(
        grant=grant_for(social_worker, child.pk, Purpose.DIRECT_WORK), code="AUT"
    )
    for code in ("AUT", "NONE", "XYZ"):
        with pytest.raises(ValidationError):
            services.disability_record(
                grant=grant_for(social_worker, child.pk, Purpose.DIRECT_WORK), code=code
            )


def test_someone_who_may_not_see_the_child_gets_not_found(child, referral):
    stranger = factories.UserFactory(role=Role.SOCIAL_WORKER)
    with pytest.raises(NotFound):
        record(stranger, child, referral, "cin_plan", started_on=dt.date(2025, 5, 2))
    assert not AccessEvent.objects.filter(person_id=child.pk).exists()
