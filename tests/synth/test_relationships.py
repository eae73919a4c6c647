from collections import Counter

from tandem.people.codes import INVERSE_RELATIONSHIP
from tandem.people.models import HouseholdMember, Person, Relationship
from tests.synth.conftest import generated_children


def test_each_pair_is_stored_once_with_the_lower_id_first(make_partnership):
    make_partnership(children=400)
    pairs = list(Relationship.objects.values_list("person_a_id", "person_b_id"))
    assert pairs
    assert all(str(a) < str(b) for a, b in pairs)
    assert len(set(pairs)) == len(pairs)


def test_kinds_say_what_person_a_is_to_person_b(make_partnership):
    make_partnership(children=400)
    people = {p.pk: p for p in Person.objects.all()}
    household = dict(HouseholdMember.objects.values_list("person_id", "household_id"))
    kinds = Counter()
    for a_id, b_id, kind in Relationship.objects.values_list("person_a_id", "person_b_id", "kind"):
        a, b = people[a_id], people[b_id]
        kinds[kind] += 1
        assert household[a_id] == household[b_id]
        if kind in ("parent", "partner_of_parent"):
            assert not a.is_child
            assert b.is_child
        elif kind in ("child", "child_of_partner"):
            assert a.is_child
            assert not b.is_child
        else:
            assert kind in ("sibling", "half_sibling")
            assert a.is_child
            assert b.is_child
        if kind == "parent" and b.date_of_birth:
            assert (b.date_of_birth - a.date_of_birth).days > 15 * 365
        assert INVERSE_RELATIONSHIP[INVERSE_RELATIONSHIP[kind]] == kind
    # Both directions occur, blended families and half-siblings too.
    assert {
        "parent",
        "child",
        "sibling",
        "half_sibling",
        "partner_of_parent",
        "child_of_partner",
    } <= set(kinds)


def test_every_child_has_a_parent_in_their_household(make_partnership):
    run = make_partnership(children=300)
    children = set(generated_children(run.as_of).values_list("pk", flat=True))
    with_parent = set(
        Relationship.objects.filter(kind="parent").values_list("person_b", flat=True)
    )
    with_parent |= set(
        Relationship.objects.filter(kind="child").values_list("person_a", flat=True)
    )
    assert children == with_parent


def test_households_hold_one_to_four_children_and_one_or_two_adults(make_partnership):
    make_partnership(children=300)
    sizes = Counter()
    for household, is_child in HouseholdMember.objects.values_list(
        "household", "person__is_child"
    ):
        sizes[household, is_child] += 1
    households = {h for h, _ in sizes}
    assert all(1 <= sizes[h, False] <= 2 for h in households)
    assert all(sizes[h, True] <= 4 for h in households)
    assert sum(sizes[h, True] for h in households) == 300
