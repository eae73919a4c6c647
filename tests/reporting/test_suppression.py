"""Small numbers in reports: 1 to 4 hidden, and whatever else a total would give them back by."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.reporting.suppression import shown, suppress


def test_one_small_cell_in_a_row_takes_the_next_smallest_with_it():
    hidden, rows, cols = suppress([[3, 10, 40]], column_totals=False)
    assert hidden.tolist() == [[True, True, False]]
    assert not rows.any()


def test_a_zero_is_never_hidden_to_cover_another():
    hidden, rows, _ = suppress([[3, 0, 0]], column_totals=False)
    assert hidden.tolist() == [[True, False, False]]
    assert rows.tolist() == [True]  # the total (3) is small itself


def test_a_line_with_nothing_else_to_hide_hides_its_total():
    hidden, rows, _ = suppress([[3, 0, 0], [2, 0, 9]], column_totals=False)
    assert hidden.tolist() == [[True, False, False], [True, False, True]]


def test_rows_and_columns_both_protected():
    cells = [
        [20, 3, 15],
        [12, 30, 8],
        [9, 11, 25],
    ]
    hidden, rows, cols = suppress(cells)
    # Row 0 hides 3 and then 15; column 1 then holds 3 hidden with 30 and 11 shown: hide 11;
    # column 2 has 15 hidden: hide 8; row 1 and row 2 then each hold two.
    for line in list(hidden) + list(hidden.T):
        assert line.sum() != 1
    assert hidden[0, 1]
    assert not rows.any()
    assert not cols.any()


def test_bad_tables_are_refused():
    with pytest.raises(ValueError, match="0 or more"):
        suppress([[1, -2]])
    with pytest.raises(ValueError, match="grid"):
        suppress([1, 2])


def test_how_a_hidden_count_is_printed():
    assert shown(3, True) == "fewer than 5"
    assert shown(12, True) == "[c]"
    assert shown(1200, False) == "1,200"


@settings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=1, max_value=6).flatmap(
        lambda width: st.lists(
            st.lists(st.integers(min_value=0, max_value=40), min_size=width, max_size=width),
            min_size=1,
            max_size=6,
        )
    )
)
def test_no_shown_total_gives_a_hidden_count_back(cells):
    grid = np.array(cells)
    hidden, rows, cols = suppress(cells)
    assert (hidden[(grid > 0) & (grid < 5)]).all()  # every 1 to 4 hidden
    assert not hidden[grid == 0].any()  # a zero is never hidden
    for i in range(grid.shape[0]):
        assert rows[i] or hidden[i].sum() != 1
    for j in range(grid.shape[1]):
        assert cols[j] or hidden[:, j].sum() != 1
    assert (rows[(grid.sum(axis=1) > 0) & (grid.sum(axis=1) < 5)]).all()
