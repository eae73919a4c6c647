import datetime as dt

import pytest

from tandem.synth import build

AS_OF = dt.date(2026, 3, 2)


@pytest.fixture
def make_partnership(db):
    """Build a small synthetic partnership in the test database (in this process)."""

    def make(children=300, seed=11, **options):
        options.setdefault("as_of", AS_OF)
        options.setdefault("parallel", False)
        return build.build(seed=seed, children=children, replace=True, **options)

    return make
