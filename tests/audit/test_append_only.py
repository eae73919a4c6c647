import pytest
from django.db import DatabaseError, connection, transaction

from tandem.audit.models import AccessEvent
from tandem.people.selectors import child_get, child_list
from tests import factories
from tests.grants import grant_for

pytestmark = pytest.mark.usefixtures("append_only_audit")


@pytest.fixture
def event(social_worker, child):
    child_get(grant=grant_for(social_worker, child.pk, "direct_work"))
    return AccessEvent.objects.get(person_id=child.pk)


def test_reading_a_child_writes_who_what_why_when_where(event, social_worker, child):
    assert event.actor == social_worker
    assert event.actor_username == social_worker.username
    assert event.actor_team == social_worker.team.name
    assert event.actor_partner == social_worker.team.partner.name
    assert (event.action, event.record_type, event.purpose) == ("view", "child", "direct_work")
    assert event.basis == "team owns or is involved in the case"
    assert event.channel == "cli"  # no request: called from code
    assert event.occurred_at is not None


def test_model_refuses_update_and_delete(event):
    event.purpose = "something else"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()


def test_database_refuses_bulk_update_and_delete(event):
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessEvent.objects.filter(pk=event.pk).update(purpose="tampered")
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessEvent.objects.filter(pk=event.pk).delete()
    statements = ["DELETE FROM audit_accessevent", "UPDATE audit_accessevent SET purpose = 'x'"]
    if connection.vendor == "postgresql":
        statements.append("TRUNCATE audit_accessevent")
    for sql in statements:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    event.refresh_from_db()
    assert event.purpose == "direct_work"


def test_a_list_writes_one_row_per_child_returned(social_worker, team):
    children = [factories.ChildFactory() for _ in range(3)]
    for c in children:
        factories.InvolvementFactory(child=c, team=team)
    factories.ChildFactory()  # not visible: must not be logged
    page = child_list(actor=social_worker, purpose="direct_work")
    logged = AccessEvent.objects.filter(action="list", actor=social_worker)
    assert sorted(logged.values_list("person_id", flat=True)) == sorted(c.pk for c in page.items)
    assert {c.pk for c in page.items} == {c.pk for c in children}
