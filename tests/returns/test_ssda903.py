import csv
import io
import xml.etree.ElementTree as ET

import pytest
from django.core.exceptions import PermissionDenied

from tandem.audit.models import AccessEvent, AuditAction, Purpose
from tandem.partners.models import PartnerKind, Role
from tandem.returns import selectors, ssda903
from tests import factories
from tests.grants import grant_for

pytestmark = pytest.mark.django_db


def prepare(actor):
    return selectors.ssda903_prepare(actor=actor, ending=2026, purpose=Purpose.STATUTORY_RETURN)


def rows(built, table):
    return list(csv.DictReader(io.StringIO(built.csv_text(table))))


def test_episodes_carry_the_dfe_columns_and_codes(analyst, looked_after):
    built = prepare(analyst)
    text = built.csv_text("Episodes")
    assert text.splitlines()[0] == ",".join(ssda903.COLUMNS["Episodes"])
    episodes = rows(built, "Episodes")
    assert [(e["DECOM"], e["RNE"], e["PLACE"], e["DEC"], e["REC"]) for e in episodes] == [
        ("01/06/2025", "S", "U4", "01/10/2025", "X1"),
        ("01/10/2025", "P", "U6", "", ""),
    ]
    assert episodes[0]["URN"] == ssda903.NO_URN
    assert episodes[0]["CHILD"] == rows(built, "Header")[0]["CHILD"]


def test_the_header_uses_the_recorded_reason_for_no_upn_and_the_mother_flag(analyst, looked_after):
    (header,) = rows(prepare(analyst), "Header")
    assert (header["SEX"], header["DOB"], header["UPN"], header["MOTHER"]) == (
        "F",
        "04/05/2012",
        "UN5",
        "0",
    )


def test_previous_permanence_only_for_children_who_started_in_the_year(analyst, looked_after):
    built = prepare(analyst)
    assert [r["PREV_PERM"] for r in rows(built, "PrevPerm")] == ["Z1"]
    assert [r["MIS_START"] for r in rows(built, "Missing")] == ["01/08/2025"]


def test_each_child_exported_is_audited_as_an_export(analyst, looked_after):
    prepare(analyst)
    event = AccessEvent.objects.get(action=AuditAction.EXPORT)
    assert (event.person_id, event.record_type, event.actor_id, event.purpose) == (
        looked_after.pk,
        "ssda903",
        analyst.pk,
        Purpose.STATUTORY_RETURN,
    )
    # A share with the DfE, with its lawful basis and Schedule 1 condition.
    assert (event.detail["lawful_basis"], event.detail["schedule1_condition"]) == (
        "legal_obligation",
        "statutory",
    )


def test_another_authoritys_children_are_not_in_the_return(looked_after):
    other_team = factories.TeamFactory()
    other = factories.UserFactory(role=Role.PARTNERSHIP_ANALYST, team=other_team)
    built = prepare(other)
    assert built.tables["Header"] == []
    assert not AccessEvent.objects.filter(action=AuditAction.EXPORT).exists()


@pytest.mark.parametrize("role", [Role.SOCIAL_WORKER, Role.TEAM_MANAGER, Role.IG_LEAD])
def test_only_the_performance_team_prepares_a_return(la_team, looked_after, role):
    with pytest.raises(PermissionDenied):
        prepare(factories.UserFactory(role=role, team=la_team))


def test_an_analyst_outside_a_local_authority_is_refused(looked_after):
    police = factories.TeamFactory(partner=factories.PartnerFactory(kind=PartnerKind.POLICE))
    with pytest.raises(PermissionDenied):
        prepare(factories.UserFactory(role=Role.PARTNERSHIP_ANALYST, team=police))


def test_the_xml_nests_the_childs_tables_under_its_header(analyst, looked_after):
    root = ET.fromstring(ssda903.xml_text(prepare(analyst)))
    (child,) = root.findall("CHILD")
    assert child.findtext("HEADER/UPN") == "UN5"
    assert [r.findtext("REVIEW_CODE") for r in child.findall("HEADER/AREVIEW")] == ["PN1"]
    assert [e.findtext("PL") for e in child.findall("EPISODE")] == ["U4", "U6"]


def test_the_return_is_read_in_a_fixed_number_of_queries(
    analyst, looked_after, la_team, django_assert_max_num_queries
):
    with django_assert_max_num_queries(20):
        prepare(analyst)


def test_ad1_holds_only_the_children_adopted_during_the_year(analyst, looked_after, la_team):
    import datetime as dt

    from tandem.care import services
    from tandem.care.models import CareEpisode

    worker = factories.UserFactory(role=Role.SOCIAL_WORKER, team=la_team)
    services.care_item_record(
        grant=grant_for(worker, looked_after.pk, Purpose.DIRECT_WORK),
        part="adoption_decision",
        decided_on=dt.date(2025, 7, 1),
        matched_on=dt.date(2025, 9, 1),
        foster_care=False,
        adopters_number=2,
        adopters_sex="MF",
        adopters_status="L11",
    )
    assert rows(prepare(analyst), "AD1") == []  # decided, not adopted: not in AD1 yet
    open_episode = CareEpisode.objects.get(child=looked_after, ended_on__isnull=True)
    services.care_episode_end(
        grant=grant_for(worker, looked_after.pk, Purpose.DIRECT_WORK),
        episode_id=open_episode.pk,
        ended_on=dt.date(2026, 2, 1),
        reason_ended="E11",
    )
    (ad1,) = rows(prepare(analyst), "AD1")
    assert (ad1["DATE_INT"], ad1["DATE_MATCH"], ad1["SEX_ADOPTR"]) == (
        "01/07/2025",
        "01/09/2025",
        "MF",
    )


def test_a_care_leaver_with_no_episode_in_the_year_is_returned_in_oc3_alone(
    analyst, looked_after, care_leaver
):
    from tandem.care.models import LookedAfterDetails
    from tandem.returns.validation import validate_ssda903

    # Asked only of children looked after in the year: whether unaccompanied, and motherhood.
    LookedAfterDetails.objects.filter(child_id=care_leaver.pk).update(uasc=True)
    built = prepare(analyst)
    headers = {h["DOB"]: h for h in rows(built, "Header")}
    leaver = headers["10/01/2008"]
    assert (leaver["UPN"], leaver["MOTHER"], leaver["MC_DOB"]) == (care_leaver.upn, "", "")
    assert headers["04/05/2012"]["MOTHER"] == "0"  # the child looked after this year
    (oc3,) = rows(built, "OC3")
    assert (oc3["CHILD"], oc3["IN_TOUCH"], oc3["ACTIV"], oc3["ACCOM"]) == (
        leaver["CHILD"],
        "YES",
        "F2",
        "D1",
    )
    # Social worker episodes and UASC are of children looked after in the year only.
    for table in ("SWEpisodes", "UASC", "Episodes", "Reviews"):
        assert leaver["CHILD"] not in {r["CHILD"] for r in rows(built, table)}, table
    assert validate_ssda903(built) == []


def test_a_care_leaver_of_another_authority_is_not_in_the_return(analyst, care_leaver):
    from tandem.care.models import CareLeaverContact

    CareLeaverContact.objects.update(local_authority=factories.PartnerFactory())
    assert rows(prepare(analyst), "OC3") == []
