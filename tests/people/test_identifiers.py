import pytest
from hypothesis import given
from hypothesis import strategies as st

from tandem.people.identifiers import (
    nhs_number_check_digit,
    nhs_number_is_valid,
    upn_check_letter,
    upn_is_valid,
)


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("9434765919", True),
        ("9434765918", False),  # wrong check digit
        ("943476591", False),  # nine digits
        ("94347659190", False),
        ("943476591A", False),
        ("", False),
        ("4010232137", True),
    ],
)
def test_nhs_number_check_digit(value, valid):
    assert nhs_number_is_valid(value) is valid


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_every_nhs_number_with_its_check_digit_is_valid(first_nine):
    check = nhs_number_check_digit(first_nine)
    if check is None:
        assert not any(nhs_number_is_valid(first_nine + str(d)) for d in range(10))
    else:
        assert nhs_number_is_valid(first_nine + str(check))
        assert not nhs_number_is_valid(first_nine + str((check + 1) % 10))


@given(st.text(alphabet="0123456789", min_size=12, max_size=12))
def test_every_upn_with_its_check_letter_is_valid(last_twelve):
    upn = upn_check_letter(last_twelve) + last_twelve
    assert upn_is_valid(upn)
    other = "A" if upn[0] != "A" else "B"
    assert not upn_is_valid(other + last_twelve)


@pytest.mark.parametrize(
    "value", ["", "A12345678901", "a123456789012", "I123456789012", "A1234567890I2"]
)
def test_malformed_upns_are_invalid(value):
    assert not upn_is_valid(value)


def test_known_upn():
    # Worked example: weights 2..13 over 201 3000 00100 1 -> check letter
    body = "201300001001"
    total = sum(int(c) * w for c, w in zip(body, range(2, 14), strict=True))
    assert upn_check_letter(body) == "ABCDEFGHJKLMNPQRTUVWXYZ"[total % 23]
