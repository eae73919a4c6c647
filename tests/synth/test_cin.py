"""Synthetic children in need work: drawn for the generator's own episodes, so the census of a
synthetic partnership passes every CIN rule Tandem checks; errors injected on purpose trip the
rules they should, and only those."""

import datetime as dt
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from tandem.access.models import Involvement
from tandem.audit.models import Purpose
from tandem.care.models import ChildProtectionPlan, CinAssessment, Section47Enquiry
from tandem.partners.models import PartnerKind, Role, User
from tandem.referrals.models import Referral, ThresholdDecision
from tandem.returns import cin, selectors
from tandem.returns.cin_tables import tables_from_xml
from tandem.returns.validation import validate_cin
from tandem.synth import cin as synth_cin
from tandem.synth.cin import weekday_on_or_after, working_days_after

AS_OF = dt.date(2026, 11, 23)


def census_failures():
    analyst = (
        User.objects.filter(
            role=Role.PARTNERSHIP_ANALYST, team__partner__kind=PartnerKind.LOCAL_AUTHORITY
        )
        .order_by("username")
        .first()
    )
    built = selectors.cin_prepare(actor=analyst, ending=2026, purpose=Purpose.STATUTORY_RETURN)
    tables = tables_from_xml(ET.fromstring(cin.xml_text(built)), built.lists)
    return tables, validate_cin(tables)


@pytest.mark.django_db
def test_the_synthetic_census_is_clean_and_holds_every_kind_of_work(make_partnership):
    make_partnership(children=2000, as_of=AS_OF)
    tables, failures = census_failures()
    assert failures == []
    for table in ("Assessments", "CINplanDates", "Section47", "ChildProtectionPlans", "Reviews"):
        assert tables.tables[table], table
    enquiries = Section47Enquiry.objects.all()
    no_conference = enquiries.filter(conference_not_required=True).count() / enquiries.count()
    assert 0.25 < no_conference < 0.6  # about 4 in 10 lead to no conference (DfE)
    # Every plan starts at its conference; every assessment within its episode's referral.
    for plan in ChildProtectionPlan.objects.all():
        assert Section47Enquiry.objects.filter(
            referral_id=plan.referral_id, conference_on=plan.started_on
        ).exists()
    assert not CinAssessment.objects.filter(referral__decision__decision="nfa").exists()


@pytest.mark.django_db
def test_injected_errors_trip_their_rules(make_partnership):
    make_partnership(children=2000, as_of=AS_OF, care_errors=True)
    _, failures = census_failures()
    assert {f.code for f in failures} <= {"8898", "8910", "8875", "8790"}
    assert {"8898", "8910"} <= {f.code for f in failures}


@pytest.mark.parametrize(
    ("day", "n", "expected"),
    [
        (dt.date(2025, 11, 3), 15, dt.date(2025, 11, 24)),  # Monday + 15 weekdays
        (dt.date(2025, 11, 7), 1, dt.date(2025, 11, 10)),  # Friday + 1: Monday
    ],
)
def test_working_days_skip_the_weekend(day, n, expected):
    assert working_days_after(day, n) == expected


def test_working_days_are_counted_one_by_one_for_any_start_and_count():
    for start in (dt.date(2025, 11, 10) + dt.timedelta(days=i) for i in range(7)):
        day = start
        for n in range(1, 40):
            day += dt.timedelta(days=1)
            while day.weekday() >= 5:
                day += dt.timedelta(days=1)
            assert working_days_after(start, n) == day, (start, n)


def test_a_conference_moves_off_a_weekend():
    assert weekday_on_or_after(dt.date(2025, 11, 15)) == dt.date(2025, 11, 17)
    assert weekday_on_or_after(dt.date(2025, 11, 16)) == dt.date(2025, 11, 17)
    assert weekday_on_or_after(dt.date(2025, 11, 14)) == dt.date(2025, 11, 14)


def test_episodes_come_from_the_chunks_own_rows():
    """Only decided referrals to the authority's teams make episodes; an owning involvement of
    the authority (care's, given with attribute names) closes the case it opened."""
    la, other = "la-team", "school-team"
    at = np.array(["2025-01-06T10:00", "2025-03-03T10:00", "2025-05-05T10:00"], "datetime64[s]")
    rows = [
        (
            Referral,
            {
                "id": np.array(["r1", "r2", "r3"], dtype=object),
                "child": np.array(["c1", "c1", "c2"], dtype=object),
                "to_team": np.array([la, la, other], dtype=object),
                "received_at": at,
            },
        ),
        (
            ThresholdDecision,
            {
                "referral": np.array(["r1", "r3"], dtype=object),  # r2 is not decided yet
                "decision": np.array(["child_in_need", "child_in_need"], dtype=object),
                "decided_at": at[[0, 2]] + np.timedelta64(3600, "s"),
            },
        ),
        (
            Involvement,
            {
                "child_id": ["c1", "c1"],
                "team_id": [la, other],
                "kind": ["owning_team", "owning_team"],
                "started_on": [dt.date(2025, 1, 6), dt.date(2025, 1, 6)],
                "ended_on": [dt.date(2025, 2, 1), None],
            },
        ),
    ]
    spans = synth_cin.spans_of(rows, {la})
    assert list(spans) == ["c1"]
    (span,) = spans["c1"]
    assert span.referral_ids == ["r1"]
    assert (span.referred_on, span.closed_on) == (dt.date(2025, 1, 6), dt.date(2025, 2, 1))
