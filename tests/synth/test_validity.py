"""Every generated row passes the models' own validation and the database's constraints."""

import random
import re

import pytest
from django.db import connection
from django.db.models import Count, F, Q

from tandem.access.models import Involvement
from tandem.partners.models import Partner, Team, User
from tandem.people.identifiers import nhs_number_is_valid, upn_is_valid
from tandem.people.models import (
    AgencyIdentifier,
    Event,
    Household,
    HouseholdMember,
    Person,
    Relationship,
)
from tandem.referrals.models import Feedback, Referral, ReferralReason, ThresholdDecision
from tandem.synth import cases
from tandem.synth.models import SynthRun
from tests.synth.conftest import AS_OF

MODELS = [
    Partner,
    Team,
    User,
    Person,
    Household,
    HouseholdMember,
    Relationship,
    AgencyIdentifier,
    Event,
    Referral,
    ReferralReason,
    ThresholdDecision,
    Feedback,
    Involvement,
    *cases.MODELS,  # casework (issue 6)
]


def test_a_sample_of_every_table_passes_full_clean(make_partnership):
    make_partnership(children=400)
    pick = random.Random(4)
    for model in MODELS:
        pks = list(model.objects.values_list("pk", flat=True))
        assert pks, f"no {model.__name__} rows"
        for obj in model.objects.filter(pk__in=pick.sample(pks, min(60, len(pks)))):
            obj.full_clean()


def test_identifiers_are_valid_and_unique(make_partnership):
    make_partnership(children=400)
    nhs = list(Person.objects.exclude(nhs_number=None).values_list("nhs_number", flat=True))
    upn = list(Person.objects.exclude(upn=None).values_list("upn", flat=True))
    assert all(nhs_number_is_valid(n) for n in nhs)
    assert len(set(nhs)) == len(nhs)
    assert all(upn_is_valid(u) for u in upn)
    assert len(set(upn)) == len(upn)
    assert not Person.objects.filter(is_child=False).exclude(upn=None).exists()
    assert not Person.objects.filter(nhs_number="").exists()  # unknown is NULL, never blank
    duplicated = (
        AgencyIdentifier.objects.values("partner", "local_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert not duplicated.exists()


def test_agency_ids_are_written_in_the_order_of_their_unique_key(make_partnership):
    # One chunk: its rows go in (partner, local id) order, so each insert appends to the
    # unique index instead of landing at random in it (3x slower at 1M children).
    make_partnership(children=400)
    rows = list(AgencyIdentifier.objects.order_by("id").values_list("partner_id", "local_id"))
    assert len({p for p, _ in rows}) > 2
    assert rows == sorted(rows, key=lambda r: (r[0].hex, r[1]))


def test_dates_make_sense(make_partnership):
    make_partnership(children=400)
    assert not Person.objects.filter(
        date_of_birth__isnull=False, expected_due_date__isnull=False
    ).exists()
    assert not Person.objects.filter(
        date_of_birth__isnull=True, expected_due_date__isnull=True
    ).exists()
    unborn = Person.objects.filter(date_of_birth__isnull=True)
    assert unborn.exists()
    assert not unborn.filter(expected_due_date__lte=AS_OF).exists()
    assert not unborn.filter(is_child=False).exists()
    assert not Person.objects.filter(date_of_birth__gte=AS_OF).exists()
    assert not Involvement.objects.filter(ended_on__lt=F("started_on")).exists()
    assert not Involvement.objects.filter(started_on__gt=AS_OF).exists()
    assert not Involvement.objects.filter(kind="allocated", practitioner=None).exists()
    assert not Event.objects.filter(occurred_at__date__lt=F("person__date_of_birth")).exists()
    assert not Referral.objects.filter(received_at__date__lt=F("child__date_of_birth")).exists()
    assert not ThresholdDecision.objects.filter(decided_at__lt=F("referral__received_at")).exists()
    assert not Feedback.objects.filter(given_at__lt=F("referral__decision__decided_at")).exists()
    adults = Person.objects.filter(is_child=False)
    assert not adults.filter(date_of_birth__gt=AS_OF.replace(year=AS_OF.year - 18)).exists()


def test_postcodes_are_in_the_uk_format(make_partnership):
    make_partnership(children=200)
    pattern = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}")
    postcodes = set(Person.objects.values_list("postcode", flat=True))
    assert postcodes
    assert all(pattern.fullmatch(p) for p in postcodes)


def test_statuses_agree_with_decisions_and_feedback(make_partnership):
    make_partnership(children=400)
    assert not Referral.objects.filter(status="submitted", decision__isnull=False).exists()
    assert not Referral.objects.filter(~Q(status="submitted"), decision__isnull=True).exists()
    assert not Referral.objects.filter(status="decided", feedback__isnull=False).exists()
    assert not Referral.objects.filter(status="closed", feedback__isnull=True).exists()
    assert not Referral.objects.filter(reasons__isnull=True).exists()
    assert not Referral.objects.exclude(to_team__receives_referrals=True).exists()
    assert set(ReferralReason.objects.values_list("reason", flat=True)) >= {"domestic_abuse"}


def test_each_referral_keeps_the_child_as_the_referrer_described_them(make_partnership):
    from tandem.referrals.services import _as_stated

    make_partnership(children=300)
    referrals = list(Referral.objects.select_related("child"))
    assert referrals
    for referral in referrals:
        assert referral.stated_child == _as_stated(referral.child)
        assert referral.stated_name != "Name not given"


def _check_foreign_keys():
    """Every foreign key points at a row (SQLite lists the ones that do not; PostgreSQL raises)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA foreign_key_check")
            assert cursor.fetchall() == []
        else:  # the constraints are deferred: check them now rather than at commit
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def test_every_foreign_key_points_at_a_row(make_partnership):
    make_partnership(children=300)
    _check_foreign_keys()


def _schema():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name")
        else:
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                "UNION ALL SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "ORDER BY 1, 2"
            )
        return cursor.fetchall()


@pytest.mark.django_db(transaction=True)
def test_the_load_puts_back_every_index_constraint_and_setting(make_partnership):
    before = _schema()
    make_partnership(children=150)
    assert _schema() == before
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA foreign_keys")
            assert cursor.fetchone()[0] == 1
            cursor.execute("PRAGMA synchronous")
            assert cursor.fetchone()[0] != 0


@pytest.mark.django_db(transaction=True)
def test_replacing_a_partnership_leaves_only_the_new_one(make_partnership):
    """Outside a test transaction the wipe runs as it does for a user: inside the load, with the
    indexes and SQLite's foreign-key checks off."""
    before = _schema()
    make_partnership(children=200, seed=1)
    run = make_partnership(children=150, seed=2)
    assert _schema() == before
    assert list(SynthRun.objects.values_list("seed", flat=True)) == [2]
    assert Person.objects.count() == run.rows["people.Person"]
    assert Referral.objects.count() == run.rows["referrals.Referral"]
    _check_foreign_keys()
