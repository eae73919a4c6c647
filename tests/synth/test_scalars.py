"""Single random draws taken from blocks: the same numbers for the same seed, in range, and
weighted as asked."""

from collections import Counter

import numpy as np

from tandem.synth.scalars import BLOCK, Scalars


def _draws(seed: int) -> list:
    rng = Scalars(np.random.default_rng(seed))
    return [(rng.random(), rng.integers(3, 9), rng.pick(("a", "b"), (1, 3))) for _ in range(BLOCK)]


def test_the_same_seed_gives_the_same_draws_across_blocks():
    assert _draws(5) == _draws(5)
    assert _draws(5) != _draws(6)


def test_integers_cover_the_range_and_never_its_end():
    rng = Scalars(np.random.default_rng(1))
    seen = Counter(rng.integers(-2, 3) for _ in range(20_000))
    assert sorted(seen) == [-2, -1, 0, 1, 2]
    assert min(seen.values()) > 3_500  # about 4,000 each


def test_picks_follow_their_weights():
    rng = Scalars(np.random.default_rng(2))
    seen = Counter(rng.pick(("never", "rare", "common"), (0, 0.1, 0.9)) for _ in range(20_000))
    assert "never" not in seen
    assert 1_700 < seen["rare"] < 2_300
