import datetime as dt

import pytest

from tandem.access.models import InvolvementKind
from tandem.audit.models import Purpose
from tandem.care import services
from tandem.partners.models import Role
from tests import factories
from tests.grants import grant_for


@pytest.fixture
def la_team():
    return factories.TeamFactory(name="Children in care")


@pytest.fixture
def analyst(la_team):
    return performance_officer(la_team)


@pytest.fixture
def looked_after(la_team):
    return child_looked_after(la_team)


def performance_officer(la_team):
    """The local authority's performance officer."""
    team = factories.TeamFactory(partner=la_team.partner, name="Performance")
    return factories.UserFactory(role=Role.PARTNERSHIP_ANALYST, team=team)


def child_looked_after(la_team):
    """A child looked after by the authority in 2025-26: placed, then moved."""
    worker = factories.UserFactory(role=Role.SOCIAL_WORKER, team=la_team)
    child = factories.ChildFactory(
        sex="F", date_of_birth=dt.date(2012, 5, 4), ethnicity="WBRI", upn=None
    )
    factories.InvolvementFactory(child=child, team=la_team, kind=InvolvementKind.OWNING_TEAM)
    common = {
        "grant": grant_for(worker, child.pk, Purpose.DIRECT_WORK),
        "legal_status": "C2",
        "category_of_need": "N1",
        "placement_provider": "PR1",
        "home_postcode": "TW1 1ND",
    }
    services.care_episode_start(
        **common,
        started_on=dt.date(2025, 6, 1),
        reason_new="S",
        placement_type="U4",
        placement_postcode="TW1 2DA",
    )
    services.care_episode_start(
        **common,
        started_on=dt.date(2025, 10, 1),
        reason_new="P",
        placement_type="U6",
        placement_postcode="TW1 2NE",
        reason_place_change="CARPL",  # on the placement it ends (DfE rule 225)
    )
    for kind, fields in [
        ("review", {"held_on": dt.date(2025, 6, 20), "participation": "PN1"}),
        ("details", {"is_mother": False, "upn_unknown": "UN5"}),
        ("previous_permanence", {"option": "Z1"}),
        (
            "missing",
            {"kind": "M", "started_on": dt.date(2025, 8, 1), "ended_on": dt.date(2025, 8, 3)},
        ),
    ]:
        services.care_item_record(
            grant=grant_for(worker, child.pk, Purpose.DIRECT_WORK), part=kind, **fields
        )
    return child


@pytest.fixture
def care_leaver(la_team):
    return young_person_left_care(la_team)


def young_person_left_care(la_team):
    """A young person who left the authority's care at 17 (before 2025-26) and whom the
    authority reached around their 18th birthday in January 2026: OC3 alone that year."""
    adviser = factories.UserFactory(role=Role.SOCIAL_WORKER, team=la_team)
    person = factories.ChildFactory(
        sex="F", date_of_birth=dt.date(2008, 1, 10), ethnicity="BAFR", upn="Z318123490789"
    )
    factories.InvolvementFactory(child=person, team=la_team, kind=InvolvementKind.OWNING_TEAM)
    episode = services.care_episode_start(
        grant=grant_for(adviser, person.pk, Purpose.DIRECT_WORK),
        started_on=dt.date(2023, 5, 1),
        reason_new="S",
        legal_status="V2",
        category_of_need="N4",
        placement_type="U4",
        placement_provider="PR1",
        home_postcode="TW1 1ND",
        placement_postcode="TW1 2DA",
    )
    services.care_episode_end(
        grant=grant_for(adviser, person.pk, Purpose.DIRECT_WORK),
        episode_id=episode.pk,
        ended_on=dt.date(2025, 2, 1),
        reason_ended="E5",
    )
    for kind, fields in [
        ("details", {"is_mother": False}),
        ("social_worker", {"worker_ref": "SW1234", "started_on": dt.date(2023, 5, 1)}),
        (
            "care_leaver",
            {"year": "2025-26", "in_touch": "YES", "activity": "F2", "accommodation": "D1"},
        ),
    ]:
        services.care_item_record(
            grant=grant_for(adviser, person.pk, Purpose.DIRECT_WORK), part=kind, **fields
        )
    return person
