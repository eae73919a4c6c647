import datetime as dt

import pytest

from tandem.access.errors import NotFound
from tandem.people.models import HouseholdMember
from tandem.people.selectors import child_households, household_get
from tests import factories
from tests.grants import grant_for

pytestmark = pytest.mark.django_db


def test_a_household_the_child_has_left_is_not_shown(social_worker, child):
    """After a move into care, the birth family's home is other people's business."""
    old = factories.HouseholdFactory(name="Birth family", address="1 Old Road")
    HouseholdMember.objects.create(household=old, person=child, left_on=dt.date(2020, 1, 1))
    HouseholdMember.objects.create(household=old, person=factories.ChildFactory(given_name="Sib"))
    new = factories.HouseholdFactory(name="Foster home")
    HouseholdMember.objects.create(household=new, person=child)
    moved_out = factories.AdultFactory(given_name="Former")
    HouseholdMember.objects.create(household=new, person=moved_out, left_on=dt.date(2021, 1, 1))

    views = child_households(grant=grant_for(social_worker, child.pk, "direct_work"))
    assert [v.household.name for v in views] == ["Foster home"]
    assert [m.person for m in views[0].members] == [child]
    with pytest.raises(NotFound):
        household_get(actor=social_worker, household_id=old.pk, purpose="direct_work")
    assert household_get(actor=social_worker, household_id=new.pk, purpose="direct_work")


def test_known_lookup_names_only_partners_and_is_rate_limited(social_worker, child, team):
    from django.core.exceptions import PermissionDenied

    from tandem.audit.models import AccessEvent
    from tandem.people.selectors import LOOKUPS_PER_HOUR, known_to_partners

    child.nhs_number = "9434765919"
    child.save()
    answer = known_to_partners(actor=social_worker, nhs_number="943 476 5919")
    assert [k.partner for k in answer.partners] == [team.partner.name]
    event = AccessEvent.objects.get(action="lookup")
    assert event.person_id == child.pk
    assert event.detail == {
        "by": "nhs_number",
        "matched": "exact",
        "partners": [team.partner.name],
    }
    for _ in range(LOOKUPS_PER_HOUR - 1):
        known_to_partners(actor=social_worker, upn="A123456789012")
    with pytest.raises(PermissionDenied):
        known_to_partners(actor=social_worker, nhs_number="9434765919")
