"""Planning over the API: a forecast started and read, scenarios checked and compared, budgets
as decimal text, capacity, and the roles."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from tandem.jobs.services import job_run
from tandem.partners.models import Role
from tandem.planning.models import Forecast, FundingStream
from tests import factories
from tests.api.support import ApiClient

TODAY = timezone.localdate()


def analyst():
    return ApiClient(factories.UserFactory(role=Role.PARTNERSHIP_ANALYST))


def episodes_in_the_record(n=40):
    """Children in care in the record: half still there, half gone home, a few entering."""
    from tandem.care.models import CareEpisode
    from tandem.partners.models import Partner, PartnerKind

    la = Partner.objects.filter(
        kind=PartnerKind.LOCAL_AUTHORITY
    ).first() or factories.PartnerFactory(kind=PartnerKind.LOCAL_AUTHORITY)
    for i in range(n):
        child = factories.ChildFactory(date_of_birth=TODAY - timedelta(days=365 * (3 + i % 14)))
        start = TODAY - timedelta(days=400 - i * 7)
        CareEpisode.objects.create(
            child=child, local_authority=la, started_on=start, reason_new="S", legal_status="C2",
            category_of_need="N1", placement_type="U4" if i % 3 else "K2",
            placement_provider="PR1",
            ended_on=start + timedelta(days=200) if i % 2 else None,
            reason_ended="E11" if i % 2 else "",
        )  # fmt: skip


def started(client) -> Forecast:
    response = client.post(
        "/api/forecasts",
        {
            "name": "API forecast",
            "window_start": str(TODAY - timedelta(days=365)),
            "window_end": str(TODAY - timedelta(days=1)),
            "months": 24,
        },  # fmt: skip
    )
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["ready"] is False
    forecast = Forecast.objects.get(pk=body["id"])
    job_run(forecast.job)
    forecast.refresh_from_db()
    return forecast


def test_a_forecast_is_started_then_read(db):
    episodes_in_the_record()
    client = analyst()
    forecast = started(client)
    body = client.get(f"/api/forecasts/{forecast.pk}").json()
    assert body["ready"] is True
    assert body["in_care_now"] == forecast.result["in_care_now"]
    assert [y["year"] for y in body["years"]] == [1, 2]
    assert len(body["months_table"]) == 24
    assert all(Decimal(c["total"]) >= 0 for c in body["costs"])
    listed = client.get("/api/forecasts").json()
    assert [f["id"] for f in listed] == [str(forecast.pk)]


def test_bad_forecasts_and_scenarios_are_refused_naming_each_fault(db):
    episodes_in_the_record()
    client = analyst()
    response = client.post(
        "/api/forecasts",
        {"name": "x", "window_start": str(TODAY), "window_end": str(TODAY - timedelta(days=9))},
    )
    assert response.status_code == 422
    assert "The reference window must end after it starts" in str(response.json())
    forecast = started(client)
    response = client.post(
        f"/api/forecasts/{forecast.pk}/scenarios",
        {
            "name": "Odd",
            "changes": [
                {"kind": "entrants", "bands": ["teens"], "factor": 0.5},
                {"kind": "moves", "from_categories": ["x"], "to": "leaving", "factor": 1},
            ],
        },  # fmt: skip
    )
    assert response.status_code == 422
    detail = str(response.json())
    assert "change 1: no band 'teens'" in detail
    assert "change 2: no category 'x'" in detail
    claimed = {
        "kind": "prevented", "service": "Made up", "outcome": "care-12", "matched": 400,
        "effect": {"estimate": -0.5, "low": -0.6, "high": -0.4}, "children_a_year": 100,
    }  # fmt: skip
    response = client.post(
        f"/api/forecasts/{forecast.pk}/scenarios", {"name": "Claimed", "changes": [claimed]}
    )
    assert response.status_code == 422
    assert "made from its matched comparison" in str(response.json())
    response = client.post(
        f"/api/forecasts/{forecast.pk}/scenarios",
        {"name": "Fewer entries", "changes": [{"kind": "entrants", "factor": 0.5}]},
    )
    assert response.status_code == 201
    body = response.json()
    assert Decimal(body["saving"]) > 0
    assert body["scenario"][-1]["in_care"] < body["baseline"][-1]["in_care"]
    again = client.get(f"/api/scenarios/{body['id']}").json()
    assert again["saving"] == body["saving"]
    missing = client.post(
        f"/api/forecasts/{forecast.pk}/scenarios/evidence",
        {"name": "x", "service_id": "8d1f7c55-0000-4000-8000-000000000000", "children_a_year": 10},
    )
    assert missing.status_code == 404


def test_budgets_come_as_decimal_text_that_adds_up(db):
    council = factories.PartnerFactory(name="Council")
    nhs = factories.PartnerFactory(name="NHS")
    year = "2026-27"
    FundingStream.objects.create(partner=council, name="Core", kind="core", year=year,
                                 amount=Decimal("1000.10"))  # fmt: skip
    FundingStream.objects.create(partner=nhs, name="ICB", kind="nhs", year=year,
                                 amount=Decimal("2000.25"))  # fmt: skip
    body = analyst().get("/api/budgets", {"year": year}).json()
    assert body["total"] == "3000.35"
    assert body["by_partner"] == {"Council": "1000.10", "NHS": "2000.25"}
    assert body["reconciles"] is True


def test_only_analysts_plan_and_practitioners_read_nothing(db, social_worker):
    board = ApiClient(factories.UserFactory(role=Role.BOARD_MEMBER))
    response = board.post(
        "/api/forecasts",
        {
            "name": "x",
            "window_start": str(TODAY - timedelta(days=30)),
            "window_end": str(TODAY - timedelta(days=1)),
        },  # fmt: skip
    )
    assert response.status_code == 403
    assert board.get("/api/capacity").status_code == 200
    worker = ApiClient(social_worker)
    for path in ("/api/forecasts", "/api/budgets", "/api/capacity"):
        assert worker.get(path).status_code == 403
