"""Random numbers drawn one at a time in Python loops, from blocks numpy draws at once.

The stages that draw a few rows per child in Python (children in need, care) make hundreds of
thousands of single draws a build; each of numpy's scalar calls costs a microsecond or more,
reading the next number of a block costs a tenth of that. Same seed, same numbers.
"""

import bisect
import functools
import itertools

import numpy as np

BLOCK = 4096


class Scalars:
    """`random()` and `integers(low, high)` as `numpy.random.Generator` draws one value, from
    blocks of `rng.random(BLOCK)`."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self._next = iter(())

    def random(self) -> float:
        """Uniform on [0, 1)."""
        for value in self._next:
            return value
        self._next = iter(self.rng.random(BLOCK).tolist())
        return next(self._next)

    def integers(self, low: int, high: int) -> int:
        """Uniform on low, low + 1, ..., high - 1."""
        return low + int(self.random() * (high - low))

    def pick(self, names, weights) -> str:
        """One of `names`, by weight."""
        return weighted(names, weights, self.random())


def weighted(names, weights, uniform: float) -> str:
    """The name a uniform draw on [0, 1) falls to, each taking a share of the range its weight
    gives it (`rng.choice(names, p=...)` without its checks, which cost 20 µs a call)."""
    return names[bisect.bisect_right(_cumulative(tuple(weights)), uniform)]


@functools.cache
def _cumulative(weights: tuple[float, ...]) -> list[float]:
    total = sum(weights)
    cdf = [w / total for w in itertools.accumulate(weights)]
    cdf[-1] = 1.0  # rounding never leaves a draw past the last name
    return cdf
