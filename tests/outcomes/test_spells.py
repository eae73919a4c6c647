"""Who receives which service, and when: spells recorded by API (and so the service), every
problem named at once, one open spell of a service at a time, ended with a reason."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tandem.audit.models import AccessEvent, AuditAction
from tandem.outcomes.models import Service, ServiceSpell
from tandem.outcomes.services import spell_end
from tests import factories
from tests.api.support import ApiClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def service():
    return Service.objects.create(
        name="New Directions edge of care",
        service_type_id="edge-of-care",
        aim_id="stronger-families",
    )


def test_a_spell_is_recorded_listed_and_ended(social_worker, child, service):
    api = ApiClient(social_worker)
    listed = api.get("/api/services").json()
    assert listed == [
        {
            "id": str(service.pk),
            "name": "New Directions edge of care",
            "service_type": "edge-of-care",
            "aim": "stronger-families",
            "partner": None,
        }
    ]
    made = api.post(
        f"/api/children/{child.pk}/spells",
        {"service_id": str(service.pk), "started_on": "2025-02-03"},
    )
    assert made.status_code == 201, made.content
    again = api.post(
        f"/api/children/{child.pk}/spells",
        {"service_id": str(service.pk), "started_on": "2025-03-03"},
    )
    assert again.status_code == 422
    assert "already receiving this service" in again.json()["detail"][0]["msg"]
    spell = ServiceSpell.objects.get()
    with pytest.raises(ValidationError) as refused:
        spell_end(
            actor=social_worker,
            child_id=child.pk,
            spell_id=spell.pk,
            ended_on=dt.date(2025, 1, 1),
            reason="",
        )
    assert set(refused.value.message_dict) == {"ended_on", "reason"}  # both at once
    spell_end(
        actor=social_worker,
        child_id=child.pk,
        spell_id=spell.pk,
        ended_on=dt.date(2025, 6, 1),
        reason="completed",
    )
    spells = api.get(f"/api/children/{child.pk}/spells").json()
    assert (spells[0]["ended_on"], spells[0]["end_reason"]) == ("2025-06-01", "completed")
    assert AccessEvent.objects.filter(
        record_type="service_spell", action=AuditAction.CREATE
    ).exists()


def test_every_problem_at_once_and_a_stranger_gets_404(social_worker, child, service):
    api = ApiClient(social_worker)
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    missing = "00000000-0000-4000-8000-000000000000"
    answer = api.post(
        f"/api/children/{child.pk}/spells", {"service_id": missing, "started_on": tomorrow}
    )
    located = {e["loc"][-1] for e in answer.json()["detail"]}
    assert (answer.status_code, located) == (422, {"service_id", "started_on"})
    stranger = ApiClient(factories.UserFactory())
    body = {"service_id": str(service.pk), "started_on": "2025-01-01"}
    assert stranger.post(f"/api/children/{child.pk}/spells", body).status_code == 404
    assert stranger.get(f"/api/children/{child.pk}/spells").status_code == 404
    assert not ServiceSpell.objects.exists()


def test_a_parent_s_spell_is_recorded_through_the_child_and_only_for_their_parent(
    social_worker, child
):
    """Issue 23: a parent or carer receives a service too (a parenting programme); recorded
    through the child's record, for one of the child's parents or carers only."""
    from tandem.outcomes.models import ServiceType
    from tandem.people.models import Relationship

    kind = ServiceType.objects.get(pk="family-support")
    service = Service.objects.create(name="Parenting", service_type=kind, aim=kind.aim)
    mother, stranger = factories.AdultFactory(given_name="Mum"), factories.AdultFactory()
    Relationship.objects.create(person_a=mother, person_b=child, kind="parent")
    api = ApiClient(social_worker)
    body = {"service_id": str(service.pk), "started_on": "2025-02-03"}
    refused = api.post(f"/api/children/{child.pk}/spells", {**body, "person_id": str(stranger.pk)})
    assert refused.status_code == 422
    assert "person_id" in {tuple(e["loc"])[-1] for e in refused.json()["detail"]}
    made = api.post(f"/api/children/{child.pk}/spells", {**body, "person_id": str(mother.pk)})
    assert made.status_code == 201, made.content
    assert (made.json()["person_id"], made.json()["person"]) == (str(mother.pk), "Mum Example")
    assert ServiceSpell.objects.get().person == mother
    listed = api.get(f"/api/children/{child.pk}/spells").json()
    assert [s["person"] for s in listed] == ["Mum Example"]
    ended = api.post(
        f"/api/children/{child.pk}/spells/{made.json()['id']}/end",
        {"ended_on": "2025-05-01", "reason": "completed"},
    )
    assert ended.status_code == 200, ended.content
