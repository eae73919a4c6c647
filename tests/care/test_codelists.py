import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tandem.care import codelists


def test_each_year_file_loads_with_its_window():
    lists = codelists.for_year(2026)
    assert (lists.year, lists.start, lists.end) == (
        "2025-26",
        dt.date(2025, 4, 1),
        dt.date(2026, 3, 31),
    )


def test_placement_codes_follow_the_2025_26_change():
    lists = codelists.for_year(2026)
    assert lists.valid("PLACE", "K3")
    assert not lists.valid("PLACE", "H5")  # removed in 2025/26


def test_an_unknown_year_is_refused_naming_the_years_held():
    with pytest.raises(ValidationError, match="known: 2026"):
        codelists.for_year(1999)


def test_code_errors_name_the_model_field_and_the_dfe_list():
    errors = codelists.code_errors(
        {"legal_status:LS": "Q9", "placement_type:PLACE": "U4"}, dt.date(2025, 6, 1)
    )
    assert errors == {"legal_status": "'Q9' is not a LS code in the DfE's 2025-26 list"}


def test_a_date_outside_every_year_uses_the_nearest_list():
    assert codelists.for_date(dt.date(2030, 1, 1)).year == "2025-26"


def test_ranges_in_a_list_file_hold_every_number_in_them_and_no_other():
    numbers = codelists.for_year(2026, "cin").codes["UPN_LA"]
    assert {"001", "005", "201", "213", "318", "420", "941", "943"} <= set(numbers)
    assert not {"006", "200", "214", "990", "1", "000"} & set(numbers)
    assert len(numbers) == 195
