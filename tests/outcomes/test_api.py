"""A service's outcomes over the API: counts (small ones null) for those who read reports,
children named only as the record allows, the period checked whole."""

from decimal import Decimal

import pytest
from django.utils import timezone

from tandem.access.models import InvolvementKind
from tandem.outcomes.models import Service, ServiceSpell
from tandem.partners.models import Role
from tandem.synth import build
from tandem.synth import services as synth_services
from tests import factories
from tests.api.support import ApiClient


@pytest.fixture
def edge(db):
    build.build(seed=8, children=3000, as_of=timezone.localdate(), replace=True, parallel=False)
    synth_services.draw_services(seed=8, as_of=timezone.localdate())
    return Service.objects.get(name=synth_services.EDGE)


def analyst():
    return ApiClient(factories.UserFactory(role=Role.PARTNERSHIP_ANALYST))


def test_the_outcomes_are_counts_for_the_framework(edge):
    response = analyst().get(f"/api/services/{edge.pk}/outcomes")
    assert response.status_code == 200
    body = response.json()
    assert (body["framework"], body["framework_version"]) == ("edge-of-care", 1)
    care = next(f for f in body["figures"] if f["outcome"] == "care-12")
    # The children not in care when it started: the synthetic ones have an end date.
    assert care["of"] == ServiceSpell.objects.filter(service=edge, ended_on__isnull=False).count()
    assert care["rate"] == pytest.approx(0.04, abs=0.01)
    assert care["higher_is_better"] is False
    ifs = Service.objects.get(name=synth_services.IFS)
    sdq = analyst().get(f"/api/services/{ifs.pk}/outcomes").json()["sdq"]
    assert sdq["first_n"] >= 5
    assert sdq["change_mean"] == pytest.approx(sdq["both_last_mean"] - sdq["both_first_mean"])


def test_the_children_behind_a_figure_are_named_only_where_the_record_allows(edge):
    spells = list(ServiceSpell.objects.filter(service=edge).select_related("person")[:2])
    manager = factories.UserFactory(role=Role.TEAM_MANAGER)
    factories.InvolvementFactory(
        child=spells[0].person, team=manager.team, kind=InvolvementKind.OWNING_TEAM
    )
    body = ApiClient(manager).get(f"/api/services/{edge.pk}/outcomes/breakdown-12/children").json()
    assert [c["name"] for c in body["children"]] == [spells[0].person.full_name]
    assert body["hidden"] == body["total"] - 1
    body = analyst().get(f"/api/services/{edge.pk}/outcomes/breakdown-12/children").json()
    assert body["children"] == []


def test_a_bad_period_names_each_field(edge):
    response = analyst().get(
        f"/api/services/{edge.pk}/outcomes",
        {"started_from": "2025-06-01", "started_to": "2025-01-01"},
    )
    assert response.status_code == 422
    fields = {tuple(e["loc"])[-1] for e in response.json()["detail"]}
    assert "started_from" in fields
    response = analyst().get(f"/api/services/{edge.pk}/outcomes", {"started_to": "3000-01-01"})
    assert response.status_code == 422


def test_unknown_services_and_outcomes_are_404_and_practitioners_403(edge, social_worker):
    assert analyst().get(f"/api/services/{edge.pk}/outcomes/nope/children").status_code == 404
    assert analyst().get(f"/api/services/{social_worker.pk}/outcomes").status_code == 404
    worker = ApiClient(social_worker)
    for path in ("outcomes", "comparison", "outcomes/care-12/children"):
        assert worker.get(f"/api/services/{edge.pk}/{path}").status_code == 403


def test_the_comparison_gives_an_estimate_or_says_why_not(edge):
    body = analyst().get(f"/api/services/{edge.pk}/comparison").json()
    assert body["outcome"] == "care-12"
    assert (body["effect"] is None) == bool(body["withheld"])
    assert body["balance"]
    assert "Matching makes the two groups alike" in body["caution"]


def test_value_for_money_is_exact_money_gross_and_net(edge):
    ifs = Service.objects.get(name=synth_services.IFS)
    body = analyst().get(f"/api/services/{ifs.pk}/value").json()
    assert body["per_success_ratio"] == "64.00"
    assert [r["basis"] for r in body["results"]] == ["gross", "net"]
    gross, net = body["results"]
    assert Decimal(net["public_value_roi"]) < Decimal(gross["public_value_roi"])
    assert body["problem"] == ""
    leaving = Service.objects.get(name=synth_services.LEAVING)
    assert analyst().get(f"/api/services/{leaving.pk}/value").status_code == 404
