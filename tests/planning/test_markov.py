"""The forecast's step holds every test oracle of data-to-insight's cs-demand-model that
needs no fitted data (research notes §3.1): two states, fixed numbers, steps of several days,
and ageing through the default age bands."""

import numpy as np
import pytest

from tandem.planning.markov import daily_matrix, run, step

ONE = np.array([[0, 0.1], [0, 0]])
BOTH = np.array([[0, 0.1], [0.05, 0]])


def rounded(pops, digits=1):
    return [tuple(round(float(x), digits) for x in p) for p in pops]


def test_one_rate_day_by_day():
    pops = run([100, 0], ONE, steps=25)
    assert [round(float(p[0])) for p in pops[:11]] == [100, 90, 81, 73, 66, 59, 53, 48, 43, 39, 35]
    assert rounded([pops[1], pops[2], pops[5], pops[25]]) == [
        (90.0, 10.0), (81.0, 19.0), (59.0, 41.0), (7.2, 92.8),
    ]  # fmt: skip


def test_one_rate_in_five_day_steps_gives_the_same():
    pops = run([100, 0], ONE, steps=5, days=5)
    assert rounded([pops[1], pops[5]]) == [(59.0, 41.0), (7.2, 92.8)]


def test_rates_both_ways():
    pops = run([100, 0], BOTH, steps=25)
    assert rounded([pops[1], pops[2], pops[5], pops[25]]) == [
        (90.0, 10.0), (81.5, 18.5), (62.9, 37.1), (34.5, 65.5),
    ]  # fmt: skip
    steps = run([100, 0], BOTH, steps=5, days=5)
    assert rounded([steps[1]]) == [(59.0, 41.0)]
    assert rounded([steps[5]], 0) == [(36.0, 64.0)]


def test_fixed_numbers_never_more_than_is_there():
    one_way = np.array([[0, 10], [0, 0]])
    pops = run([100, 0], np.zeros((2, 2)), steps=25, moves=one_way)
    assert rounded([pops[1], pops[2], pops[5], pops[25]]) == [
        (90.0, 10.0), (80.0, 20.0), (50.0, 50.0), (0.0, 100.0),
    ]  # fmt: skip
    both = np.array([[0, 10], [5, 0]])
    pops = run([100, 0], np.zeros((2, 2)), steps=25, moves=both)
    assert rounded([pops[1], pops[2], pops[5], pops[25]]) == [
        (90.0, 10.0), (85.0, 15.0), (70.0, 30.0), (5.0, 95.0),
    ]  # fmt: skip


def test_ageing_through_the_default_bands():
    """Under 1 (365 days), 1-5, 5-10, 10-16, 16+: a child ages on with a daily chance of one
    over the band's length in days, as cs-demand-model's default configuration does."""
    lengths = [365, 4 * 365, 5 * 365, 6 * 365]
    ageing = np.zeros((5, 5))
    for band, length in enumerate(lengths):
        ageing[band, band + 1] = 1 / length
    pops = run([100, 0, 0, 0, 0], ageing, steps=365)
    assert rounded([pops[1]]) == [(99.7, 0.3, 0.0, 0.0, 0.0)]
    assert rounded([pops[30]])[0][:3] == (92.1, 7.8, 0.1)
    assert rounded([pops[90]])[0][:3] == (78.1, 21.2, 0.7)
    assert rounded([pops[365]])[0][:4] == (36.7, 54.8, 7.8, 0.6)
    months = run([100, 0, 0, 0, 0], ageing, steps=12, days=30)
    assert rounded([months[12]])[0][:4] == (37.2, 55.1, 7.2, 0.4)


def test_a_rate_out_of_range_is_refused():
    with pytest.raises(ValueError, match="between 0 and 1"):
        step([1, 1], np.array([[0, 1.5], [0, 0]]))


def test_the_daily_matrix_is_the_same_step():
    """The forecast's matrix gives what a one-day step gives, capping included (one state's
    rates sum to more than one) and with a rate from a state to itself."""
    rng = np.random.default_rng(7)
    rates = rng.uniform(0, 0.05, size=(4, 4))
    rates[2] = [0.6, 0.5, 0.3, 0.2]
    pop = np.array([10.0, 20.0, 30.0, 40.0])
    m = daily_matrix(rates)
    assert np.allclose(pop @ m, step(pop, rates))
    assert np.allclose(m.sum(axis=1), 1.0)
    assert m[2, 2] == pytest.approx(0.3 / 1.6)


def test_six_states_conserve_the_total():
    """cs-demand-model's six-state example: two age bins of three placement types, rates 0.3,
    0.1, 0.1 and 0.05 within the first bin."""
    rates = np.zeros((6, 6))
    rates[0, 1], rates[1, 0], rates[1, 2], rates[2, 0] = 0.3, 0.1, 0.1, 0.05
    pop = np.array([100.0, 200, 300, 400, 500, 600])
    after = step(pop, rates)
    assert list(np.round(after[:3], 9)) == [105, 190, 305]
    assert after.sum() == pytest.approx(pop.sum())


def test_ten_days_at_once_and_many_small_rates_over_thirty():
    assert [round(float(x)) for x in step([100, 0], ONE, days=10)] == [35, 65]
    rates = np.zeros((6, 6))
    rates[0, 1], rates[1, 0], rates[1, 2], rates[2, 0] = 0.0003, 0.0001, 0.0001, 0.00005
    pop = [10000, 20000, 30000, 40000, 500, 600]
    brute = run(pop, rates, steps=30)[-1]
    assert np.round(step(pop, rates, days=30)[:2]).tolist() == np.round(brute[:2]).tolist()


def test_small_fixed_numbers_and_entrants():
    moves = np.zeros((3, 3))
    moves[0, 1] = moves[0, 2] = moves[2, 1] = 0.001
    one = step([100, 0, 200], np.zeros((3, 3)), moves=moves)
    assert one == pytest.approx([99.998, 0.002, 200.0], abs=0.0005)
    ten = step([100, 0, 200], np.zeros((3, 3)), moves=moves, days=10)
    assert ten == pytest.approx([99.98, 0.02, 200.0], abs=0.005)
    arriving = step([100, 0, 200], np.zeros((3, 3)), entrants=[0.05, 0, 0])
    assert list(arriving) == [100.05, 0, 200]
    assert step([100, 0, 200], np.zeros((3, 3)), entrants=[0.05, 0, 0], days=10) == (
        pytest.approx([100.5, 0, 200], abs=0.005)
    )


def test_rates_out_of_a_state_over_one_drain_it_by_share():
    rates = np.zeros((3, 3))
    rates[0, 1], rates[0, 2] = 0.6, 0.7
    after = step([100, 0, 200], rates)
    assert after[0] == 0
    assert after[1:] == pytest.approx([46.15, 253.85], abs=0.01)
