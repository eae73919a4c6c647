"""A child's services and SDQs on their record: the services they received (started and ended
on a form, every problem named at once), and their SDQs typed from the paper form by item
number, shown as a trajectory (a chart beside its table) to those who see health information."""

import datetime as dt

import pytest
from django.urls import reverse

from tandem.access.models import InvolvementKind
from tandem.outcomes.models import SdqRecord, Service, ServiceSpell, ServiceType
from tandem.partners.models import PartnerKind, Role
from tests import factories
from tests.web.support import error_summary, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def service():
    kind = ServiceType.objects.get(pk="family-support")
    return Service.objects.create(name="Family help", service_type=kind, aim=kind.aim)


def date_fields(name: str, day: dt.date) -> dict:
    return {f"{name}-day": day.day, f"{name}-month": day.month, f"{name}-year": day.year}


def test_a_worker_records_a_service_and_ends_it(signed_in, social_worker, child, service):
    client = signed_in(social_worker)
    page = reverse("outcomes:child", args=[child.pk])
    assert "No service is recorded for this child" in text_of(client.get(page))
    new = reverse("outcomes:spell-new", args=[child.pk])
    response = client.post(new, {})
    assert [m for _, m in error_summary(response)] == [
        "Choose who received it", "Choose the service", "Enter the start date",
    ]  # fmt: skip
    response = client.post(
        new,
        {
            "person": str(child.pk),
            "service": str(service.pk),
            **date_fields("started_on", dt.date(2025, 1, 6)),
        },
    )
    assert response.status_code == 302
    spell = ServiceSpell.objects.get()
    # A second open spell of the same service is refused on the field.
    response = client.post(
        new,
        {
            "person": str(child.pk),
            "service": str(service.pk),
            **date_fields("started_on", dt.date(2025, 2, 6)),
        },
    )
    assert [m for _, m in error_summary(response)] == [
        "They are already receiving this service: end that spell first"
    ]
    end = reverse("outcomes:spell-end", args=[child.pk, spell.pk])
    response = client.post(
        end, {**date_fields("ended_on", dt.date(2024, 12, 1)), "reason": "completed"}
    )
    assert [m for _, m in error_summary(response)] == [
        "The end date must be on or after the start date"
    ]
    client.post(end, {**date_fields("ended_on", dt.date(2025, 6, 30)), "reason": "completed"})
    text = text_of(client.get(page))
    assert "Family help The child 6 January 2025 30 June 2025 Completed the service" in text
    # An ended spell cannot be ended again.
    assert client.get(end).status_code == 404


def test_an_sdq_is_typed_by_item_number_and_shown_as_a_trajectory(signed_in, social_worker, child):
    client = signed_in(social_worker)
    new = reverse("outcomes:sdq-new", args=[child.pk])
    form = client.get(new).content.decode()
    assert "Item 25" in form
    assert "Tandem reverses items 7, 11, 14, 21 and 25" in form
    response = client.post(
        new, {"informant": "parent", **date_fields("completed_on", dt.date(2025, 3, 1))}
    )
    assert [m for _, m in error_summary(response)] == [
        "Type the answers to the items, or the scores"
    ]
    both = {"item_1": "1", "score_emotional": "3"}
    response = client.post(
        new, {"informant": "parent", **date_fields("completed_on", dt.date(2025, 3, 1)), **both}
    )
    assert "Type the item answers or the scores of a form scored by hand, not both" in [
        m for _, m in error_summary(response)
    ]
    items = {f"item_{i}": "0" for i in range(1, 26)}
    client.post(
        new, {"informant": "parent", **date_fields("completed_on", dt.date(2025, 3, 1)), **items}
    )
    client.post(new, {
        "informant": "parent", **date_fields("completed_on", dt.date(2025, 9, 1)),
        **{f"score_{n}": "2" for n in ("emotional", "conduct", "hyperactivity", "peer")},
        "score_prosocial": "9",
    })  # fmt: skip
    assert SdqRecord.objects.count() == 2
    first = SdqRecord.objects.order_by("completed_on").first()
    assert (first.total, first.answers["7"]) == (10, 0)  # all "not true": the reversed score 2
    response = client.get(reverse("outcomes:child", args=[child.pk]))
    text = text_of(response)
    assert "1 March 2025 Parent 10 (Close to average) 0 2 4 4 0" in text
    assert "1 September 2025 Parent 8 (Close to average)" in text
    assert 'alt="Line chart of total difficulties' in response.content.decode()


def test_without_the_health_category_the_sdq_is_not_shown_nor_recorded(signed_in, child, service):
    # A school's safeguarding lead on the case: a reason to see the child, not their health.
    school = factories.TeamFactory(partner=factories.PartnerFactory(kind=PartnerKind.SCHOOL))
    school_dsl = factories.UserFactory(role=Role.SCHOOL_DSL, team=school)
    factories.InvolvementFactory(child=child, team=school, kind=InvolvementKind.INVOLVED)
    SdqRecord.objects.create(
        person=child, informant="parent", completed_on=dt.date(2025, 1, 1), total=21,
        recorded_by=school_dsl,
    )  # fmt: skip
    client = signed_in(school_dsl)
    text = text_of(client.get(reverse("outcomes:child", args=[child.pk])))
    assert "health information is not shared with you" in text
    assert "21" not in text.split("Strengths and Difficulties")[-1]
    assert client.get(reverse("outcomes:sdq-new", args=[child.pk])).status_code == 403


def test_a_stranger_gets_404_everywhere(signed_in, child, service):
    stranger = factories.UserFactory(role=Role.TEAM_MANAGER)
    client = signed_in(stranger)
    for name in ("outcomes:child", "outcomes:spell-new", "outcomes:sdq-new"):
        assert client.get(reverse(name, args=[child.pk])).status_code == 404


def test_an_outcomes_star_assessment_is_typed_area_by_area(signed_in, social_worker, child):
    client = signed_in(social_worker)
    new = reverse("outcomes:star-new", args=[child.pk])
    response = client.post(
        new, {**date_fields("read_on", dt.date(2025, 3, 1)), "area_home-money": "11"}
    )
    assert [m for _, m in error_summary(response)] == ["Home money: a reading is from 1 to 10"]
    response = client.post(new, date_fields("read_on", dt.date(2025, 3, 1)))
    assert [m for _, m in error_summary(response)] == ["Type at least one area's reading"]
    client.post(
        new,
        {
            **date_fields("read_on", dt.date(2025, 3, 1)),
            "area_home-money": "4",
            "area_wellbeing": "7",
        },
    )
    text = text_of(client.get(reverse("outcomes:child", args=[child.pk])))
    assert "family-star-plus 1 March 2025 Home money 4 of 10" in text
    assert "family-star-plus 1 March 2025 Wellbeing 7 of 10" in text
