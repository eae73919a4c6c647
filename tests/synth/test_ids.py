import numpy as np
import pytest

from tandem.people.identifiers import nhs_number_is_valid, upn_is_valid
from tandem.synth import ids


def test_nhs_numbers_are_valid_distinct_and_never_issued():
    index = np.arange(0, ids.NHS_INDEX_SPACE, 97)
    numbers = ids.nhs_numbers(index, seed=5).tolist()
    assert all(nhs_number_is_valid(n) for n in numbers)
    assert len(set(numbers)) == len(numbers)
    assert {n[0] for n in numbers} == {"9"}  # the range not issued to patients


def test_nhs_numbers_depend_on_the_seed():
    index = np.arange(1000)
    assert ids.nhs_numbers(index, seed=1).tolist() != ids.nhs_numbers(index, seed=2).tolist()


def test_upns_are_valid_and_distinct():
    numbers = ids.upns(np.arange(0, 3_000_000, 13), seed=5).tolist()
    assert all(upn_is_valid(n) for n in numbers)
    assert len(set(numbers)) == len(numbers)
    assert {n[1:4] for n in numbers} == {ids.UPN_LA}
    # Allocated in academic year 1990, before UPNs existed: never a real pupil's number.
    assert {n[8:10] for n in numbers} == {ids.UPN_YEAR}


def test_upns_refuse_an_index_outside_their_space():
    with pytest.raises(ValueError, match="UPN index"):
        ids.upns(np.array([ids.UPN_INDEX_SPACE]), seed=1)


def test_uuids_sort_in_the_order_made_and_carry_version_8():
    rng = np.random.default_rng(3)
    first = ids.uuids(rng, 500, table=0xBEEF, chunk=0)
    second = ids.uuids(rng, 500, table=0xBEEF, chunk=1)
    made = first + second
    assert made == sorted(made)
    assert len(set(made)) == len(made)
    assert all(len(u) == 32 and u[12] == "8" and u[16] in "89ab" for u in made)
