import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from tandem.access.models import InvolvementKind
from tandem.audit.models import AccessEvent, AuditAction, Purpose
from tandem.referrals.models import ReferralReason, ThresholdDecision
from tandem.returns import cin, selectors
from tests import factories

pytestmark = pytest.mark.django_db


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC)


def referral(la_team, child, day, decision, reasons=("neglect",)):
    front_door = factories.TeamFactory(partner=la_team.partner, receives_referrals=True)
    r = factories.ReferralFactory(child=child, to_team=front_door, received_at=at(day))
    for reason in reasons:
        ReferralReason.objects.create(referral=r, reason=reason)
    ThresholdDecision.objects.create(
        referral=r,
        decision=decision,
        reasons="Seen at the front door",
        decided_by=r.made_by,
        decided_at=at(day + dt.timedelta(days=1)),
    )
    return r


def census(analyst):
    return selectors.cin_prepare(actor=analyst, ending=2026, purpose=Purpose.STATUTORY_RETURN)


def test_a_referral_with_no_further_action_is_a_closed_nfa_episode(analyst, la_team):
    child = factories.ChildFactory()
    referral(la_team, child, dt.date(2025, 5, 1), "nfa", reasons=("poverty",))
    (c,) = census(analyst).children
    (e,) = c.episodes
    assert (e.referred_on, e.nfa, e.closed_on, e.closure_reason, e.primary_need) == (
        dt.date(2025, 5, 1),
        True,
        dt.date(2025, 5, 2),
        "RC7",
        "N7",
    )


def test_a_child_in_need_case_closes_when_the_last_owning_team_lets_go(analyst, la_team):
    child = factories.ChildFactory()
    referral(la_team, child, dt.date(2025, 5, 1), "child_in_need", reasons=("poverty", "neglect"))
    factories.InvolvementFactory(
        child=child,
        team=la_team,
        kind=InvolvementKind.OWNING_TEAM,
        started_on=dt.date(2025, 5, 2),
        ended_on=dt.date(2025, 11, 30),
    )
    (e,) = census(analyst).children[0].episodes
    assert (e.nfa, e.closed_on, e.closure_reason, e.primary_need) == (
        False,
        dt.date(2025, 11, 30),
        "RC7",
        "N1",  # neglect comes before poverty in the mapping's order
    )


def test_a_referral_while_the_case_is_open_is_not_a_second_episode(analyst, la_team):
    child = factories.ChildFactory()
    referral(la_team, child, dt.date(2025, 5, 1), "child_in_need")
    factories.InvolvementFactory(
        child=child, team=la_team, kind=InvolvementKind.OWNING_TEAM, started_on=dt.date(2025, 5, 2)
    )
    referral(la_team, child, dt.date(2025, 7, 1), "nfa")
    (c,) = census(analyst).children
    assert [(e.referred_on, e.closed_on) for e in c.episodes] == [(dt.date(2025, 5, 1), None)]


def test_referrals_before_the_year_that_led_nowhere_are_left_out(analyst, la_team):
    referral(la_team, factories.ChildFactory(), dt.date(2024, 5, 1), "nfa")
    assert census(analyst).children == []


def test_the_xml_has_the_census_header_and_each_childs_episodes(analyst, la_team):
    child = factories.ChildFactory(upn=None, date_of_birth=dt.date(2010, 1, 1))
    referral(la_team, child, dt.date(2025, 5, 1), "nfa")
    root = ET.fromstring(cin.xml_text(census(analyst)))
    assert root.findtext("Header/CollectionDetails/Year") == "2026"
    assert root.findtext("Header/CollectionDetails/ReferenceDate") == "2026-03-31"
    (c,) = root.findall("Children/Child")
    assert c.findtext("ChildIdentifiers/UPNunknown") == "UN7"
    assert c.findtext("CINdetails/ReferralNFA") == "true"
    event = AccessEvent.objects.get(action=AuditAction.EXPORT, record_type="cin_census")
    assert event.person_id == child.pk
    assert event.detail["lawful_basis"] == "legal_obligation"


def test_the_census_is_read_in_a_fixed_number_of_queries(
    analyst, la_team, django_assert_max_num_queries
):
    for i in range(20):  # more referrals than the query budget: an N+1 would show
        referral(la_team, factories.ChildFactory(), dt.date(2025, 5, 1 + i), "nfa")
    with django_assert_max_num_queries(12):
        census(analyst)


def test_one_childs_census_rows_are_read_in_a_fixed_number_of_queries(
    analyst, la_team, django_assert_max_num_queries
):
    from tandem.care.models import ChildProtectionPlan, ChildProtectionReview, CinAssessment

    child = factories.ChildFactory()
    for i in range(6):  # more episodes and work than the query budget: an N+1 would show
        r = referral(la_team, child, dt.date(2025, 4, 1) + dt.timedelta(days=40 * i), "nfa")
        ThresholdDecision.objects.filter(referral=r).update(decision="child_protection")
        CinAssessment.objects.create(
            child=child, referral=r, started_on=dt.date(2025, 4, 2) + dt.timedelta(days=40 * i)
        )
        plan = ChildProtectionPlan.objects.create(
            child=child,
            referral=r,
            started_on=dt.date(2025, 4, 3) + dt.timedelta(days=40 * i),
            initial_category="NEG",
            latest_category="NEG",
            previous_plans=i,
        )
        ChildProtectionReview.objects.create(
            plan=plan, held_on=dt.date(2025, 4, 20) + dt.timedelta(days=40 * i)
        )
    with django_assert_max_num_queries(16):
        found = selectors.return_child_get(
            actor=analyst, which="cin", ending=2026, child_id=child.pk, record_id="test"
        )
    assert len(found.tables["ChildProtectionPlans"]) == 6
    assert len(found.tables["Reviews"]) == 6
