"""Synthetic care leavers: who counts as one (the DfE's definition), a contact at each birthday
from 17 to 21 after leaving and never before, at national rates, and a synthetic partnership's
SSDA903 with them in OC3 that passes every rule Tandem checks."""

import datetime as dt
import uuid
from collections import Counter

import numpy as np
import pytest

from tandem.access.models import Involvement
from tandem.audit.models import Purpose
from tandem.care.models import CareEpisode, CareLeaverContact
from tandem.partners.models import Partner, PartnerKind, Role, User
from tandem.people.models import Person
from tandem.returns import selectors
from tandem.returns.validation import validate_ssda903
from tandem.synth import leavers

DOB = dt.date(2006, 6, 15)  # 14 on 15 June 2020, 16 in 2022, 18 in 2024
AS_OF = dt.date(2026, 11, 23)
NEET = {"F5", "P5", "G4", "G5", "G6"}


def episode(start, end, legal="V2", reason="E5"):
    return CareEpisode(
        started_on=start, ended_on=end, legal_status=legal, reason_ended=reason if end else ""
    )


D = dt.date
# (case, episodes, a care leaver?)
DEFINITION = [
    ("13 weeks after 14, some after 16", [episode(D(2022, 3, 1), D(2022, 9, 1))], True),
    ("only 90 days after 14", [episode(D(2022, 6, 1), D(2022, 8, 30))], False),
    ("left before 16", [episode(D(2019, 1, 1), D(2022, 6, 15))], False),
    (
        "two periods adding up",
        [episode(D(2020, 5, 1), D(2020, 9, 1)), episode(D(2022, 6, 1), D(2022, 7, 20))],
        True,
    ),
    ("short breaks only", [episode(D(2021, 1, 1), D(2023, 1, 1), legal="V4")], False),
    ("died", [episode(D(2022, 1, 1), D(2023, 1, 1), reason="E2")], False),
    ("another authority took over", [episode(D(2022, 1, 1), D(2023, 1, 1), reason="E3")], False),
    ("still looked after", [episode(D(2022, 1, 1), None)], False),
]


@pytest.mark.parametrize(
    ("case", "episodes", "leaver"), DEFINITION, ids=[c[0] for c in DEFINITION]
)
def test_who_is_a_care_leaver(case, episodes, leaver):
    assert (leavers.left_care(episodes, DOB) is not None) == leaver


def young_person(left: dt.date, reason="E5"):
    person = Person(id=uuid.uuid4(), date_of_birth=DOB)
    return person, episode(D(2021, 1, 1), left, reason=reason)


def test_a_contact_at_each_birthday_after_leaving_and_none_to_come():
    person, last = young_person(D(2023, 1, 10))  # left at 16
    contacts = leavers.draw_contacts(
        np.random.default_rng(1), person.pk, DOB, last, Partner(), AS_OF
    )
    # 17 in June 2023 ... 20 in June 2026; 21 is still to come.
    assert [c.year for c in contacts] == ["2023-24", "2024-25", "2025-26", "2026-27"]


def test_no_contact_on_the_birthday_they_left_care():
    person, last = young_person(D(2024, 6, 15), reason="E17")  # left on their 18th birthday
    contacts = leavers.draw_contacts(
        np.random.default_rng(1), person.pk, DOB, last, Partner(), AS_OF
    )
    assert [c.year for c in contacts] == ["2025-26", "2026-27"]  # 19 and 20


@pytest.fixture(scope="module")
def many():
    """(age, contact, left staying put) for 6,000 young people who left at 16 or at 18."""
    rng = np.random.default_rng(5)
    out = []
    for i in range(6000):
        reason = "E17" if i % 3 == 0 else "E5"
        person, last = young_person(D(2022, 11, 1) if i % 2 else D(2024, 6, 15), reason)
        for c in leavers.draw_contacts(rng, person.pk, DOB, last, Partner(), D(2027, 7, 1)):
            age = int(c.year[:4]) - DOB.year  # the birthday falls in June of the first year
            out.append((age, c, reason == "E17"))
    return out


def test_contacts_are_consistent_with_the_dfe_rules(many):
    for age, c, staying_put in many:
        # Every code in the list of its year.
        c.full_clean(
            exclude=["child", "local_authority"], validate_unique=False, validate_constraints=False
        )
        in_touch = c.in_touch == "YES"
        assert (c.activity != "0") == in_touch
        assert (c.accommodation != "0") == in_touch
        if c.accommodation.startswith("Z"):
            assert staying_put
            assert 18 <= age <= 20
        if c.accommodation.startswith("T"):
            assert age >= 19  # no Foyer under 18 (rule 347)


def test_contacts_follow_national_rates(many):
    older = [c for age, c, _ in many if age >= 19]
    touch = Counter(c.in_touch for c in older)
    assert touch["YES"] / len(older) == pytest.approx(0.91, abs=0.02)  # DfE 2020/21
    neet = sum(c.activity in NEET for c in older) / len(older)
    assert neet == pytest.approx(0.39, abs=0.04)  # DfE 2024: 39% of 19-21s
    reached = [c for c in older if c.in_touch == "YES"]
    suitable = sum(c.accommodation.endswith("1") for c in reached) / len(reached)
    assert 0.85 <= suitable <= 0.95  # about 9 in 10 of those in touch


@pytest.mark.django_db
def test_a_synthetic_return_holds_care_leavers_and_passes_every_rule(make_partnership):
    make_partnership(children=2000, as_of=AS_OF)
    contacts = CareLeaverContact.objects.filter(year="2025-26")
    assert contacts.exists()
    la = Partner.objects.get(kind=PartnerKind.LOCAL_AUTHORITY)
    assert not contacts.exclude(local_authority=la).exists()
    # Every care leaver is the leaving care team's, from the day they left.
    leaver_ids = set(CareLeaverContact.objects.values_list("child_id", flat=True))
    supported = set(
        Involvement.objects.filter(team__name="Leaving care team").values_list(
            "child_id", flat=True
        )
    )
    assert leaver_ids <= supported
    analyst = (
        User.objects.filter(role=Role.PARTNERSHIP_ANALYST, team__partner=la)
        .order_by("username")
        .first()
    )
    built = selectors.ssda903_prepare(actor=analyst, ending=2026, purpose=Purpose.STATUTORY_RETURN)
    assert len(built.tables["OC3"]) == contacts.count()
    assert validate_ssda903(built) == []


def test_injected_errors_break_contacts_of_the_year_and_say_which_rule():
    rng = np.random.default_rng(3)
    contacts = []
    for _ in range(40):
        person, last = young_person(D(2022, 11, 1))
        contacts += leavers.draw_contacts(rng, person.pk, DOB, last, Partner(), AS_OF)
    injected = leavers.inject_errors(contacts, "2025-26")
    assert [rule for rule, _ in injected] == ["345", "345", "344"]
    broken = [c for c in contacts if c.activity == "0" and c.in_touch == "YES"]
    assert len(broken) == 2
    assert all(c.year == "2025-26" for c in broken)
