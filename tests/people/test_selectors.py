import datetime as dt

import pytest

from tandem.access.errors import NotFound
from tandem.people.models import HouseholdMember
from tandem.people.selectors import child_households, household_get
from tests import factories

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

    views = child_households(actor=social_worker, child_id=child.pk, purpose="direct_work")
    assert [v.household.name for v in views] == ["Foster home"]
    assert [m.person for m in views[0].members] == [child]
    with pytest.raises(NotFound):
        household_get(actor=social_worker, household_id=old.pk, purpose="direct_work")
    assert household_get(actor=social_worker, household_id=new.pk, purpose="direct_work")
