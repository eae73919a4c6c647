"""The demand forecast's engine (issue 24, first step): a stock-and-flow (Markov) step over
states (age band × placement category), as the analysts' `cs-demand-model` steps it, so its
test oracles hold here exactly (`shared/research/uk-childrens-data-tools.md` §3.1).

One step of `days` days from population `pop`:
- each daily rate r becomes 1 − (1 − r)^days;
- out of state i go pop_i × Σ_j r_ij (never more than pop_i), shared among the j by r_ij; a
  rate from a state to itself (a new placement in the same category) counts towards the cap and
  flows back, as in cs-demand-model;
- fixed numbers a day (`moves[i, j]`, an adjustment or a planned change) move as well, never
  more than is there;
- entrants a day (`entrants[j]`) arrive, × days.
A forecast steps a day at a time with the same arithmetic written as a matrix
(`daily_matrix`), which also carries the variance (`forecast.py`)."""

import numpy as np


def step(
    pop: np.ndarray,
    rates: np.ndarray,
    *,
    days: int = 1,
    moves: np.ndarray | None = None,
    entrants: np.ndarray | None = None,
) -> np.ndarray:
    """The population after `days` days. `rates[i, j]`: the daily chance of moving from state i
    to state j (the diagonal is ignored)."""
    pop = np.asarray(pop, dtype=float)
    rates = np.array(rates, dtype=float)
    if (rates < 0).any() or (rates > 1).any():
        raise ValueError("a daily rate is between 0 and 1")
    period = 1 - (1 - rates) ** days
    leaving = period.sum(axis=1)
    out = np.minimum(pop * leaving, pop)
    share = np.divide(
        period, leaving[:, None], out=np.zeros_like(period), where=leaving[:, None] > 0
    )
    flows = out[:, None] * share
    if moves is not None:
        wanted = np.array(moves, dtype=float) * days
        np.fill_diagonal(wanted, 0.0)
        room = pop - out
        total = wanted.sum(axis=1)
        scale = np.divide(
            np.minimum(room, total), total, out=np.zeros_like(total), where=total > 0
        )
        flows = flows + wanted * scale[:, None]
    after = pop - flows.sum(axis=1) + flows.sum(axis=0)
    if entrants is not None:
        after = after + np.asarray(entrants, dtype=float) * days
    return after


def run(pop, rates, *, steps: int, days: int = 1, **kwargs) -> list[np.ndarray]:
    """The population after each of `steps` steps of `days` days (the start first)."""
    out = [np.asarray(pop, dtype=float)]
    for _ in range(steps):
        out.append(step(out[-1], rates, days=days, **kwargs))
    return out


def daily_matrix(rates: np.ndarray) -> np.ndarray:
    """`step` over one day as a matrix: `m[i, j]` is the share of state i in state j a day later
    (rows of a square `rates` sum to one; with extra columns, such as leaving care, to one at
    most).
    Where the day's rates out of a state sum to more than one, all of the state moves, shared by
    rate, as `step` caps it."""
    rates = np.array(rates, dtype=float)
    n = rates.shape[0]
    leaving = rates.sum(axis=1)
    share = rates / np.maximum(leaving, 1.0)[:, None]
    idx = np.arange(n)
    share[idx, idx] = 0.0
    share[idx, idx] = 1.0 - share.sum(axis=1)
    return share
