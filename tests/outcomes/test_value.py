"""Unit costs at their own prices, uprated in one place by GDP deflators loaded from HM
Treasury's release; value models read whole, every problem named."""

from decimal import Decimal

import pytest

from tandem.outcomes import value
from tandem.outcomes.frameworks import FrameworkError
from tandem.outcomes.models import Deflator, UnitCost

# HM Treasury's CSV as published: titles, notes, then financial years and calendar years side
# by side. The numbers here are made up for the test.
RELEASE = """GDP DEFLATORS AT MARKET PRICES, AND MONEY GDP,,,,,,,,,
Outturn data are the latest National Accounts figures from ONS,,,,,,,,,
Financial year,,,,,,Calendar year,,,
,GDP deflator at market prices,,Money GDP,,,,GDP deflator at market prices,,
Financial year,2016-17 = 100,per cent change,Cash £ million,,,Calendar year,2016 = 100,,
2012-13,92.000,1.5,"1,650,000",,,2012,91.5,,
2013-14,93.840,2.0,"1,710,000",,,2013,93.2,,
2016-17,100.000,1.9,"1,950,000",,,2016,100,,
"""


@pytest.mark.django_db
def test_the_register_is_seeded_with_sourced_costs_at_their_own_prices():
    care = UnitCost.objects.get(code="SS1.0")
    assert (care.value, care.price_year, care.unit) == (Decimal("51080.00"), "2013-14", "per year")
    assert "Unit Cost Database v1.4" in care.source
    assert UnitCost.objects.get(code="NAO-CH").price_year == "2023-24"


@pytest.mark.django_db
def test_deflators_load_from_the_treasury_release_and_uprate_exactly():
    assert value.deflators_load(RELEASE, "test release") == 3
    assert list(Deflator.objects.values_list("year", flat=True)) == [
        "2012-13", "2013-14", "2016-17",
    ]  # fmt: skip
    assert value.uprate(Decimal("51080"), "2013-14", "2016-17") == Decimal("51080") * Decimal(
        "100"
    ) / Decimal("93.84")
    assert value.uprate(Decimal("10"), "2013-14", "2013-14") == Decimal("10")
    with pytest.raises(value.DeflatorMissing, match="No GDP deflator for 2024-25: load"):
        value.uprate(Decimal("10"), "2013-14", "2024-25")


@pytest.mark.django_db
def test_a_bad_deflator_file_names_every_row_and_keeps_the_old_table():
    value.deflators_load(RELEASE, "first")
    bad = "2013-14,abc\n2013-15,90\n2014-15,95\n2014-15,96\n2015-16,-1\n"
    with pytest.raises(value.DeflatorFileError) as e:
        value.deflators_load(bad, "second")
    assert e.value.problems == [
        "row 1: the deflator for 2013-14 is not a positive number",
        "row 2: 2013-15 is not a financial year",
        "row 4: 2014-15 is given twice",
        "row 5: the deflator for 2015-16 is not a positive number",
    ]
    assert set(Deflator.objects.values_list("release", flat=True)) == {"first"}
    with pytest.raises(value.DeflatorFileError, match="no financial year"):
        value.deflators_load("a,b\n1,2\n", "empty")


def test_every_shipped_value_model_reads_and_names_a_framework_outcome():
    models = value.value_models()
    assert set(models) == {"edge-of-care", "integrated-family-support"}
    assert models["integrated-family-support"].comparison_service


def test_a_bad_value_model_names_each_problem(tmp_path):
    path = tmp_path / "edge-of-care.toml"
    path.write_text(
        'code = "edge-of-care"\nname = "x"\nversion = 1\nprice_year = "2013"\n'
        'outcome = "care-12"\ndeadweight = "guess"\nevidence_grade = 9\n'
        '[[cost]]\nname = "c"\nunit_cost = "SS1.0"\nquantity = 0\nagency = "LA"\n'
    )
    with pytest.raises(FrameworkError) as e:
        value.read(path)
    for part in ("price_year", "deadweight", "evidence_grade", "cost.0.quantity", "benefit"):
        assert part in str(e.value)
    path.write_text(
        'code = "edge-of-care"\nname = "x"\nversion = 1\nprice_year = "2013-14"\n'
        'outcome = "nope"\ndeadweight = "matched"\nevidence_grade = 1\n'
        '[[cost]]\nname = "c"\nunit_cost = "SS1.0"\nquantity = 1\nagency = "LA"\n'
        '[[benefit]]\nname = "b"\nunit_cost = "SS1.0"\nquantity = 1\n'
    )
    with pytest.raises(FrameworkError, match="'nope' is not an outcome of framework"):
        value.read(path)
