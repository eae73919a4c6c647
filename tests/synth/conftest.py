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


def generated_children(as_of):
    """The generator's own children, all under 18 on `as_of`: not the older care leavers (18 to
    22) that `synth.leavers` makes for the SSDA903's OC3."""
    from tandem.people.models import Person
    from tandem.synth.leavers import _birthday

    return Person.objects.filter(is_child=True).exclude(date_of_birth__lte=_birthday(as_of, -18))
