"""The access decision as one object per request (issue 21): both levels checked once, carried
to every selector and service, refusing what it does not allow, and writing the audit rows."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tandem.access.errors import NotFound
from tandem.access.grants import FieldsNotShared, child_grant, grants_for_children
from tandem.access.models import InvolvementKind
from tandem.access.policies import Action
from tandem.audit.models import AccessEvent
from tandem.partners.models import Role
from tandem.people.models import HouseholdMember
from tandem.people.services import child_update
from tests import factories
from tests.signing_in import VerifiedClient
from tests.web.support import text_of

pytestmark = pytest.mark.django_db


def _facts_queries(context) -> int:
    return sum("WITH kids AS" in q["sql"] for q in context.captured_queries)


def test_the_role_is_refused_first_then_the_child(social_worker, child, stranger):
    analyst = factories.UserFactory(role=Role.PARTNERSHIP_ANALYST, team=social_worker.team)
    with pytest.raises(PermissionDenied):
        child_grant(actor=analyst, child_id=child.pk, purpose="direct_work")
    with pytest.raises(NotFound):
        child_grant(actor=stranger, child_id=child.pk, purpose="direct_work")
    grant = child_grant(actor=social_worker, child_id=child.pk, purpose="direct_work")
    assert grant.basis == "team owns or is involved in the case"
    assert grant.whole_record


def test_another_action_on_the_same_child_asks_the_database_nothing(social_worker, child):
    grant = child_grant(actor=social_worker, child_id=child.pk, purpose="direct_work")
    with CaptureQueriesContext(connection) as context:
        assert grant.to(Action.EDIT_CHILD).action == Action.EDIT_CHILD
    assert not context.captured_queries
    with pytest.raises(PermissionDenied):
        grant.to(Action.PREPARE_RETURN)


def test_a_service_refuses_a_field_the_grant_does_not_show(child, front_door):
    """The front door sees who the child is, not where they live: the service refuses the
    change itself, whoever calls it, naming the fields."""
    team, manager = front_door
    factories.ReferralFactory(child=child, to_team=team)
    grant = child_grant(actor=manager, child_id=child.pk, purpose="referral")
    with pytest.raises(FieldsNotShared) as refused:
        child_update(grant=grant, changes={"address": "1 New Road", "given_name": "Amy"})
    assert refused.value.fields == ["address"]
    child.refresh_from_db()
    assert child.given_name != "Amy"  # refused whole


def test_the_edit_page_offers_only_the_fields_shared(child, front_door):
    team, manager = front_door
    factories.ReferralFactory(child=child, to_team=team)
    client = VerifiedClient()
    client.force_login(manager)
    page = client.get(f"/children/{child.pk}/edit").content.decode()
    assert 'name="given_name"' in page
    assert 'name="address"' not in page
    assert 'name="postcode"' not in page


def test_the_audit_row_says_basis_purpose_and_categories(social_worker, child):
    grant = child_grant(actor=social_worker, child_id=child.pk, purpose="direct_work")
    grant.audit("chronology")
    row = AccessEvent.objects.get(record_type="chronology")
    assert (row.person_id, row.purpose, row.basis) == (
        child.pk,
        "direct_work",
        "team owns or is involved in the case",
    )
    assert "police_intelligence" in row.detail["categories"]


def test_a_list_decides_every_child_in_one_query(social_worker, team):
    children = [factories.ChildFactory() for _ in range(8)]
    for c in children[:5]:
        factories.InvolvementFactory(child=c, team=team, kind=InvolvementKind.OWNING_TEAM)
    with CaptureQueriesContext(connection) as context:
        grants = grants_for_children(
            actor=social_worker, child_ids=[c.pk for c in children], purpose="direct_work"
        )
    assert set(grants) == {c.pk for c in children[:5]}
    assert _facts_queries(context) == 1


def test_the_household_page_asks_for_the_facts_once(social_worker, child):
    home = factories.HouseholdFactory()
    HouseholdMember.objects.create(household=home, person=child)
    for _ in range(3):
        HouseholdMember.objects.create(household=home, person=factories.ChildFactory())
    client = VerifiedClient()
    client.force_login(social_worker)
    with CaptureQueriesContext(connection) as context:
        page = client.get(f"/children/{child.pk}/household")
    assert page.status_code == 200
    assert child.given_name in text_of(page)
    assert _facts_queries(context) == 1
