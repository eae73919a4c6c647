"""Small-number suppression for the reports (issue 25, first step): a count from 1 to 4 is never
shown (primary suppression), and neither is any other cell that, with a total beside it, would
give one back (secondary suppression).

A table is a grid of counts with, optionally, a total for each row and for each column. A line
(a row or a column) whose total is shown must hide none of its cells or at least two: with one
hidden, the total minus the rest is the hidden count. Where a line hides exactly one, the
smallest other cell in it above zero is hidden too (a zero tells nothing, so hiding it would
not help); where there is none, the line's total is hidden instead. This is repeated until no
line gives a count back, since hiding a cell for its row may leave its column with one."""

import numpy as np

SMALL = 5


def suppress(
    cells, *, row_totals: bool = True, column_totals: bool = True, small: int = SMALL
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which cells, row totals and column totals to hide (True: hidden). A total is hidden
    when it is itself 1 to 4, or when hiding it is the only way to protect its line."""
    grid = np.asarray(cells, dtype=np.int64)
    if grid.ndim != 2:
        raise ValueError("a table is a grid of counts: rows of the same length")
    if (grid < 0).any():
        raise ValueError("a count is 0 or more")
    hidden = (grid > 0) & (grid < small)
    rows_hidden = ~np.full(grid.shape[0], row_totals)
    cols_hidden = ~np.full(grid.shape[1], column_totals)
    sums = grid.sum(axis=1), grid.sum(axis=0)
    rows_hidden |= (sums[0] > 0) & (sums[0] < small)
    cols_hidden |= (sums[1] > 0) & (sums[1] < small)
    changed = True
    while changed:
        changed = False
        for axis, total_hidden in ((1, rows_hidden), (0, cols_hidden)):
            for i in range(grid.shape[1 - axis]):
                line = hidden[i] if axis == 1 else hidden[:, i]
                values = grid[i] if axis == 1 else grid[:, i]
                if total_hidden[i] or line.sum() != 1:
                    continue
                others = np.flatnonzero(~line & (values > 0))
                if others.size:
                    j = others[np.argmin(values[others])]
                    if axis == 1:
                        hidden[i, j] = True
                    else:
                        hidden[j, i] = True
                else:
                    total_hidden[i] = True
                changed = True
    return hidden, rows_hidden, cols_hidden


def shown(count: int, hidden: bool) -> str:
    """A count as a report prints it."""
    if hidden:
        return "fewer than 5" if 0 < count < SMALL else "[c]"
    return f"{count:,}"
