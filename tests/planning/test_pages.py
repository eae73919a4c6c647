"""The planning pages: a forecast started from SSDA903 files or the record and run as a job, its
fan chart beside its tables and downloads, scenarios beside their baseline, budgets to the penny,
capacity with the gap, every bad form named at once, and the roles."""

import csv
import io
import math
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tandem.jobs.models import JobStatus
from tandem.jobs.services import job_run
from tandem.outcomes.models import Service, ServiceSpell, UnitCost
from tandem.partners.models import PartnerKind, Role
from tandem.planning.budgets import financial_year, report
from tandem.planning.models import Capacity, Forecast
from tandem.planning.services import uploads_folder
from tandem.synth.history903 import write_history
from tests import factories
from tests.web.support import error_summary, text_of

TODAY = timezone.localdate()


def analyst():
    return factories.UserFactory(role=Role.PARTNERSHIP_ANALYST)


def dates(name, day):
    return {f"{name}-day": day.day, f"{name}-month": day.month, f"{name}-year": day.year}


def form(**extra):
    return {
        "name": "Sufficiency 2027",
        "source": "ssda903",
        "months": 60,
        "method": "tandem",
        **dates("window_start", TODAY - timedelta(days=183)),
        **dates("window_end", TODAY - timedelta(days=1)),
        **extra,
    }


def history_files(tmp_path, entrants=120) -> list:
    folder = tmp_path / "903"
    write_history(folder, entrants_a_year=entrants, years=3, last_year=TODAY.year + 1, seed=5)
    return [
        SimpleUploadedFile(p.name, p.read_bytes(), content_type="text/csv")
        for p in sorted(folder.glob("*.csv"))
    ]


def run_forecast(client, tmp_path, **extra) -> Forecast:
    response = client.post(
        reverse("planning:forecast-new"), {**form(**extra), "files": history_files(tmp_path)}
    )
    assert response.status_code == 302, error_summary(response)
    forecast = Forecast.objects.latest("created_at")
    assert response["Location"] == reverse("web:job", args=[forecast.job_id])
    job_run(forecast.job)
    forecast.refresh_from_db()
    return forecast


def test_an_analyst_forecasts_from_ssda903_files_and_reads_the_fan_chart(signed_in, db, tmp_path):
    client = signed_in(analyst())
    forecast = run_forecast(client, tmp_path)
    assert forecast.job.status == JobStatus.SUCCEEDED
    assert not uploads_folder(forecast).exists()  # the children's details went once read
    response = client.get(reverse("planning:forecast", args=[forecast.pk]))
    page = response.content.decode()
    assert re.search(r'<img src="data:image/svg\+xml;base64,[^"]+" alt="Fan chart', page)
    text = text_of(response)
    result = forecast.result
    year = result["months"][11]
    assert f"In a year {year['in_care']:,.0f} children in care" in text
    assert f"(95% band {year['low_95']:,.0f} to {year['high_95']:,.0f})" in text
    assert "Year 5" in text
    assert "Placement costs by financial year" in text
    assert "Care leavers by age, a year apart" in text


def test_every_table_downloads_as_csv_and_xlsx(signed_in, db, tmp_path):
    client = signed_in(analyst())
    forecast = run_forecast(client, tmp_path)
    for table in ("months", "costs", "care-leavers", "moves"):
        url = reverse("planning:forecast-download", args=[forecast.pk, table, "csv"])
        rows = list(csv.reader(io.StringIO(client.get(url).content.decode())))
        book = load_workbook(
            io.BytesIO(
                client.get(
                    reverse("planning:forecast-download", args=[forecast.pk, table, "xlsx"])
                ).content
            )
        )
        sheet = list(book.active.values)
        assert len(rows) == len(sheet) > 1
        assert tuple(rows[0]) == sheet[0]
    months = client.get(reverse("planning:forecast-download", args=[forecast.pk, "months", "csv"]))
    assert len(months.content.decode().splitlines()) == 1 + len(forecast.result["months"])
    assert (
        client.get(
            reverse("planning:forecast-download", args=[forecast.pk, "months", "pdf"])
        ).status_code
        == 404
    )


def test_every_missing_field_is_named_at_once(signed_in, db):
    client = signed_in(analyst())
    response = client.post(reverse("planning:forecast-new"), {"source": "ssda903"})
    messages = [m for _, m in error_summary(response)]
    assert "Enter a name for the forecast" in messages
    assert "Enter the first day of the reference window" in messages
    assert "Enter the last day of the reference window" in messages
    assert "Enter the number of months to forecast" in messages
    response = client.post(
        reverse("planning:forecast-new"),
        form(months=121, **dates("window_end", TODAY - timedelta(days=400))),
    )
    messages = [m for _, m in error_summary(response)]
    assert "Enter a number of months from 1 to 120" in messages
    response = client.post(reverse("planning:forecast-new"), form())
    assert [m for _, m in error_summary(response)] == [
        "Choose the SSDA903 Header and Episodes files (CSV) to forecast from"
    ]
    response = client.post(
        reverse("planning:forecast-new"),
        form(
            **dates("window_start", TODAY - timedelta(days=2)),
            **dates("window_end", TODAY - timedelta(days=9)),
        ),
    )
    assert "The reference window must end after it starts" in [
        m for _, m in error_summary(response)
    ]
    assert not Forecast.objects.exists()


def test_bad_files_fail_the_job_naming_each_row_and_are_deleted(signed_in, db):
    client = signed_in(analyst())
    header = SimpleUploadedFile("h.csv", b"CHILD,DOB\nA1,31/02/2010\n", content_type="text/csv")
    episodes = SimpleUploadedFile(
        "e.csv",
        b"CHILD,DECOM,DEC,PLACE\nA1,,,U4\nA1,01/01/2024,soon,U4\n",
        content_type="text/csv",
    )
    client.post(reverse("planning:forecast-new"), {**form(), "files": [header, episodes]})
    forecast = Forecast.objects.get()
    job = job_run(forecast.job)
    assert job.status == JobStatus.FAILED
    assert "row 2: DECOM is empty" in job.error
    assert "row 3: DEC is not a date" in job.error
    assert "row 2: DOB is not a date" in job.error
    assert not uploads_folder(forecast).exists()


def test_readers_read_plans_but_only_analysts_make_them(signed_in, db, tmp_path, social_worker):
    forecast = run_forecast(signed_in(analyst()), tmp_path)
    board = signed_in(factories.UserFactory(role=Role.BOARD_MEMBER))
    assert board.get(reverse("planning:forecast", args=[forecast.pk])).status_code == 200
    assert board.get(reverse("planning:board")).status_code == 200
    for name in ("planning:forecast-new", "planning:stream-new", "planning:capacity-new"):
        assert board.get(reverse(name)).status_code == 403
    assert board.post(reverse("planning:scenario-new", args=[forecast.pk]), {}).status_code == 403
    worker = signed_in(social_worker)
    for name in ("planning:index", "planning:board", "planning:budgets", "planning:capacity"):
        assert worker.get(reverse(name)).status_code == 403


def test_a_scenario_by_hand_sits_beside_its_baseline_with_the_saving(signed_in, db, tmp_path):
    client = signed_in(analyst())
    forecast = run_forecast(client, tmp_path)
    url = reverse("planning:scenario-new", args=[forecast.pk])
    response = client.post(url, {"name": "Edge of care", "kind": "entrants"})
    assert [m for _, m in error_summary(response)] == ["Enter the change in per cent, like -30"]
    response = client.post(
        url,
        {"name": "Edge of care", "kind": "entrants", "bands": ["10_to_15"], "percent": "-30"},
    )
    assert response.status_code == 302
    page = client.get(response["Location"])
    text = text_of(page)
    assert "Children entering care aged 10 to 15: -30%" in text
    assert re.search(r"Saves £[\d,]+ in placement costs over the 60 months", text)
    assert (
        'alt="Line chart of children in care under the baseline forecast' in page.content.decode()
    )


def test_budgets_add_up_to_the_penny(signed_in, db):
    client = signed_in(analyst())
    council = factories.PartnerFactory(name="Redbridge Council", kind=PartnerKind.LOCAL_AUTHORITY)
    nhs = factories.PartnerFactory(name="North East London NHS", kind=PartnerKind.NHS_TRUST)
    police = factories.PartnerFactory(name="Metropolitan Police", kind=PartnerKind.POLICE)
    service = Service.objects.create(
        name="Joint family support",
        service_type_id="family-support",
        aim_id="stronger-families",
    )
    year = financial_year(TODAY)
    UnitCost.objects.create(
        code="T1", description="Family support worker week", unit="per week",
        value=Decimal("100.00"), price_year=year, agency="LA", source="test",
    )  # fmt: skip
    response = client.post(
        reverse("planning:budget-new"),
        {"name": "Family support pool", "year": year, "service": service.pk, "unit_cost": "T1"},
    )
    assert response.status_code == 302
    budget = service.pooledbudget_set.get()
    for partner, amount in ((council, "100000.00"), (nhs, "100000.00"), (police, "100000.00")):
        response = client.post(
            reverse("planning:stream-new"),
            {
                "partner": partner.pk,
                "name": "Pool",
                "kind": "core",
                "year": year,
                "amount": amount,
                "pooled_budget": budget.pk,
            },  # fmt: skip
        )
        assert response.status_code == 302, error_summary(response)
    # One child's spell of exactly one week in the year: £100.00 to share three ways.
    child = factories.ChildFactory()
    start = TODAY - timedelta(days=30)
    ServiceSpell.objects.create(
        service=service, person=child, started_on=start, ended_on=start + timedelta(days=6),
        recorded_by=factories.UserFactory(),
    )  # fmt: skip
    got = report(actor=factories.UserFactory(role=Role.BOARD_MEMBER), year=year)
    pooled = got.pooled[0]
    assert pooled.total == Decimal("300000.00")
    assert got.reconciles
    assert pooled.units == 1  # a week
    assert pooled.spend == Decimal("100.00")
    assert sorted(pooled.spend_by_partner.values()) == [
        Decimal("33.33"), Decimal("33.33"), Decimal("33.34")
    ]  # fmt: skip
    text = text_of(client.get(reverse("planning:budgets") + f"?year={year}"))
    assert "All partners £300,000.00" in text
    assert "Metropolitan Police £100,000.00 33.33%" in text
    bad = client.post(
        reverse("planning:stream-new"),
        {"partner": council.pk, "name": "", "kind": "core", "year": "2026-28", "amount": "1.005"},
    )
    messages = [m for _, m in error_summary(bad)]
    assert "Enter the stream's name" in messages
    assert "Enter the financial year as 2026-27: the second year follows" in messages
    assert "Enter the amount to the penny (at most 2 decimal places)" in messages


def test_capacity_shows_the_gap_the_forecast_opens(signed_in, db, tmp_path):
    client = signed_in(analyst())
    forecast = run_forecast(client, tmp_path)
    team = factories.TeamFactory(name="Leaving care team")
    response = client.post(
        reverse("planning:capacity-new"),
        {
            "name": "Personal advisers",
            "kind": "caseload",
            "team": team.pk,
            "workers": 1,
            "worker_title": "personal advisers",
            "caseload": 20,
            "measure": "care_leavers",
            "share": "1",
        },  # fmt: skip
    )
    assert response.status_code == 302, error_summary(response)
    need = sum(forecast.result["leavers"][5][f"age_{a}"] for a in range(17, 26))
    short = max(0, math.ceil(need / 20) - 1)
    text = text_of(client.get(reverse("planning:capacity")))
    assert short  # the synthetic history's care leavers need more than one adviser
    assert re.search(
        rf"In 6 months \(\w+ \d{{4}}\) Leaving care team needs {short} more personal advisers, "
        r"each with a caseload of 20",
        text,
    )
    assert Capacity.objects.get().holds == 20
    bad = client.post(
        reverse("planning:capacity-new"), {"name": "Beds", "kind": "places", "share": "1"}
    )
    messages = [m for _, m in error_summary(bad)]
    assert "Choose the service whose places these are" in messages
    assert "Enter the number of places" in messages


@pytest.fixture
def partnership(db):
    from tandem.synth import build
    from tandem.synth import services as synth_services

    build.build(seed=7, children=3000, as_of=TODAY, replace=True, parallel=False)
    return synth_services.draw_services(seed=7, as_of=TODAY)


def test_a_forecast_from_the_record_names_no_child_and_takes_a_measured_effect(
    partnership, signed_in
):
    from tandem.care.models import CareEpisode
    from tandem.synth import services as synth_services

    client = signed_in(analyst())
    response = client.post(
        reverse("planning:forecast-new"),
        form(source="record", months=24, **dates("window_start", TODAY - timedelta(days=730))),
    )
    forecast = Forecast.objects.get()
    assert response.status_code == 302
    job_run(forecast.job)
    forecast.refresh_from_db()
    assert forecast.result["episodes"] > 0
    page = client.get(reverse("planning:forecast", args=[forecast.pk])).content.decode()
    for episode in CareEpisode.objects.select_related("child")[:50]:
        assert str(episode.child_id) not in page
        assert episode.child.full_name not in page
    edge = Service.objects.get(name=synth_services.EDGE)
    url = reverse("planning:scenario-evidence", args=[forecast.pk])
    response = client.post(
        url,
        {
            "name": "More edge of care",
            "service": edge.pk,
            "children_a_year": "200",
            "bands": ["10_to_15"],
        },  # fmt: skip
    )
    assert response.status_code == 302, error_summary(response)
    text = text_of(client.get(response["Location"]))
    assert "percentage points on entering care (95% interval" in text
    assert re.search(r"across the measured effect’s 95% interval", text)


def test_the_places_care_leavers_will_need_by_kind_against_the_places_there_are(
    signed_in, db, tmp_path
):
    from tandem.care.models import CareLeaverContact
    from tandem.planning.models import Accommodation, CapacityKind

    client = signed_in(analyst())
    forecast = run_forecast(client, tmp_path)
    # 6 in supported lodgings, 5 semi-independent, 5 staying put, 2 in a foyer (joining
    # "somewhere else", which then takes the smallest kind too), and one not in touch.
    for code in ["E1"] * 6 + ["D1"] * 5 + ["Z1", "Z2", "Z1", "Z1", "Z1"] + ["T1", "T1"] + ["0"]:
        child = factories.ChildFactory()
        CareLeaverContact.objects.create(
            child=child, year="2024-25", in_touch="YES", activity="F2", accommodation="U1"
        )
        CareLeaverContact.objects.create(
            child=child, year="2025-26", in_touch="YES" if code != "0" else "NO",
            activity="F2", accommodation=code,
        )  # fmt: skip
    lodgings = Service.objects.create(
        name="Supported lodgings", service_type_id="leaving-care", aim_id="positive-futures"
    )
    Capacity.objects.create(
        name="Supported lodgings", kind=CapacityKind.PLACES, service=lodgings, places=5,
        measure=Capacity.Measure.LEAVERS_18_21, accommodation=Accommodation.SUPPORTED_LODGINGS,
    )  # fmt: skip
    text = text_of(client.get(reverse("planning:forecast", args=[forecast.pk])))
    at = forecast.result["leavers"][11]
    need = sum(at[f"age_{a}"] for a in range(18, 22)) * 6 / 18
    assert "the young people in touch" in text
    assert f"Supported lodgings 33% {need:,.0f}" in text
    assert re.search(r"Supported lodgings 33% [\d,]+ [\d,]+ [\d,]+ 5", text)
    table = text[text.find("Places care leavers will need Accommodation") :][:400]
    assert "Semi-independent accommodation" not in table  # it joined the foyer's two
    assert "Staying put with former foster carers 28%" in text
    assert "Somewhere else 39%" in text
    capacity_text = text_of(client.get(reverse("planning:capacity")))
    short = max(
        0,
        math.ceil(
            sum(forecast.result["leavers"][5][f"age_{a}"] for a in range(18, 22)) * 6 / 18 - 1e-9
        )
        - 5,
    )
    if short:
        assert re.search(
            rf"In 6 months \(\w+ \d{{4}}\) Supported lodgings needs {short} more places",
            capacity_text,
        )


def test_a_window_past_the_files_end_is_refused_by_the_job(signed_in, db, tmp_path):
    """The files end on 31 March; a window to yesterday would see nobody enter or leave."""
    client = signed_in(analyst())
    folder = tmp_path / "old"
    write_history(folder, entrants_a_year=60, years=2, last_year=TODAY.year - 1, seed=2)
    files = [
        SimpleUploadedFile(p.name, p.read_bytes(), content_type="text/csv")
        for p in sorted(folder.glob("*.csv"))
    ]
    client.post(reverse("planning:forecast-new"), {**form(), "files": files})
    job = job_run(Forecast.objects.get().job)
    assert job.status == JobStatus.FAILED
    assert "The SSDA903 files record nothing after" in job.error
    assert "end the reference window on or before it" in job.error


def test_capacity_before_any_forecast_says_so(signed_in, db):
    client = signed_in(analyst())
    team = factories.TeamFactory(name="Leaving care team")
    Capacity.objects.create(
        name="Personal advisers", kind="caseload", team=team, workers=2, caseload=20,
        measure=Capacity.Measure.CARE_LEAVERS,
    )  # fmt: skip
    text = text_of(client.get(reverse("planning:capacity")))
    assert "No finished forecast reaches 6 months ahead yet" in text
    assert client.get(reverse("planning:board")).status_code == 200


def test_placement_costs_come_at_this_year_s_prices_once_deflators_are_loaded(
    signed_in, db, tmp_path
):
    from tandem.outcomes.models import Deflator
    from tandem.planning.budgets import financial_year

    client = signed_in(analyst())
    before = run_forecast(client, tmp_path)
    text = text_of(client.get(reverse("planning:forecast", args=[before.pk])))
    assert "These totals are not at today’s prices" in text
    now = financial_year(TODAY)
    for year, index in (("2020-21", "90.0000"), ("2022-23", "96.0000"), ("2023-24", "100.0000"),
                        (now, "108.0000")):  # fmt: skip
        Deflator.objects.update_or_create(year=year, defaults={"index": index, "release": "t"})
    after = run_forecast(client, tmp_path / "again")
    weekly = {c["category"].split(" (")[0]: c for c in after.result["costs_note"]}
    assert weekly["Fostering"]["price_year"] == now
    assert Decimal(weekly["Fostering"]["weekly"]) == (
        Decimal("820.00") * Decimal(108) / Decimal(90)
    ).quantize(Decimal("0.01"))
    assert Decimal(weekly["Residential"]["weekly"]) == Decimal("6612.84")  # 6,123 × 1.08
    text = text_of(client.get(reverse("planning:forecast", args=[after.pk])))
    assert "These totals are not at today’s prices" not in text
