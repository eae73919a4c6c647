"""Retention: a destruction run on synthetic data removes exactly the records due, skips those on
legal hold, certifies counts (never names), and leaves the audit with nothing identifying."""

import datetime as dt
import json
import uuid

import pytest
from django.utils import timezone
from freezegun import freeze_time

import tandem.config.urls  # noqa: F401 - builds the API's schemas before any clock is frozen
from tandem.access import retention
from tandem.access.models import DestructionCertificate, InvolvementKind, SharingPurpose
from tandem.audit.models import AccessEvent
from tandem.jobs.models import Job
from tandem.jobs.services import job_run, jobs_recover
from tandem.partners.models import Role
from tandem.people.models import Event, Household, HouseholdMember, Person
from tests import factories
from tests.grants import grant_for

pytestmark = pytest.mark.django_db
TODAY = "2026-11-23"


def _child(name, born, *, purpose=None, ended=None, address="9 Gone Street"):
    child = factories.ChildFactory(
        given_name=name, family_name="Retained", date_of_birth=born, address=address
    )
    if purpose:
        factories.InvolvementFactory(
            child=child,
            kind=InvolvementKind.OWNING_TEAM,
            purpose=purpose,
            started_on=born.replace(year=born.year + 1),
            ended_on=ended,
        )
    return child


@pytest.fixture
def records():
    """One child of each kind, due or not."""
    cp = SharingPurpose.CHILD_PROTECTION
    eh = SharingPurpose.EARLY_HELP
    return {
        # Child protection: kept to the 75th birthday.
        "cp_past_75": _child("Ada", dt.date(1950, 1, 1), purpose=cp, ended=dt.date(1968, 1, 1)),
        "cp_under_75": _child("Bea", dt.date(1990, 1, 1), purpose=cp, ended=dt.date(2008, 1, 1)),
        # Early help: six years after the case closed.
        "eh_closed_long_ago": _child(
            "Cal", dt.date(2005, 1, 1), purpose=eh, ended=dt.date(2018, 6, 1)
        ),
        "eh_closed_recently": _child(
            "Dot", dt.date(2010, 1, 1), purpose=eh, ended=dt.date(2024, 6, 1)
        ),
        "eh_open": _child("Eve", dt.date(2005, 1, 1), purpose=eh, ended=None),
        "eh_on_hold": _child("Fay", dt.date(2005, 1, 1), purpose=eh, ended=dt.date(2018, 6, 1)),
    }


def _run(ig):
    job = retention.destruction_start(actor=ig, enqueue=False)
    return job_run(job)


def test_a_run_destroys_exactly_what_is_due_and_certifies_it(records):
    ig = factories.UserFactory(role=Role.IG_LEAD)
    retention.legal_hold_place(
        actor=ig, child_id=records["eh_on_hold"].pk, reason="Subject of a court case"
    )
    gone = records["cp_past_75"]
    home = factories.HouseholdFactory(address="9 Gone Street")
    HouseholdMember.objects.create(household=home, person=gone)
    Event.objects.create(
        person=gone,
        partner=factories.PartnerFactory(),
        kind="note",
        occurred_at=timezone.now(),
        summary="A note",
    )
    factories.ReferralFactory(
        child=records["eh_closed_long_ago"],
        status="closed",
        received_at=dt.datetime(2018, 5, 1, tzinfo=dt.UTC),
    )
    # A recent referral is recent activity: the six years start again.
    factories.ReferralFactory(child=records["eh_closed_recently"], status="closed")
    # Someone looked at them before: their audit rows must survive, with nothing identifying.
    viewer = factories.UserFactory(team=gone.involvements.get().team)
    factories.InvolvementFactory(child=gone, team=viewer.team)  # open now, so the read works
    from tandem.people.selectors import child_get

    child_get(grant=grant_for(viewer, gone.pk, "direct_work"))
    gone.involvements.filter(ended_on__isnull=True).delete()

    with freeze_time(TODAY):
        job = _run(ig)
    assert job.status == "succeeded", job.error
    remaining = set(Person.objects.values_list("given_name", flat=True))
    assert remaining == {"Bea", "Dot", "Eve", "Fay"}
    assert not Household.objects.filter(pk=home.pk).exists()
    certificate = DestructionCertificate.objects.get()
    assert certificate.counts == {"social_care": 1, "early_help": 1, "other": 0}
    assert (certificate.total, certificate.held_back, certificate.run_by_id) == (2, 1, ig.pk)
    # The audit keeps its rows about the destroyed child, and nothing that names them.
    rows = list(AccessEvent.objects.filter(person_id=gone.pk).values())
    assert rows
    dumped = json.dumps(list(AccessEvent.objects.values()), default=str)
    for identifying in ("Ada", "Cal", "1950-01-01", "9 Gone Street", "Retained"):
        assert identifying not in dumped
    row = AccessEvent.objects.get(record_type="destruction_certificate")
    assert row.detail["total"] == 2


def test_a_second_run_finds_nothing_more(records):
    ig = factories.UserFactory(role=Role.IG_LEAD)
    with freeze_time(TODAY):
        _run(ig)
        _run(ig)
    assert [c.total for c in DestructionCertificate.objects.order_by("run_at")] == [3, 0]


def test_only_ig_leads_start_a_run(records, social_worker):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        retention.destruction_start(actor=social_worker, enqueue=False)


def test_a_run_whose_worker_died_certifies_what_it_destroyed_before_and_after(
    records, monkeypatch
):
    ig = factories.UserFactory(role=Role.IG_LEAD)
    real, calls = retention._destroy_child, []

    def dies_on_the_second(child_id):
        calls.append(child_id)
        if len(calls) == 2:
            raise KeyboardInterrupt  # as good as SIGKILL: no handler runs, the job stays running
        return real(child_id)

    monkeypatch.setattr(retention, "_destroy_child", dies_on_the_second)
    with freeze_time(TODAY):
        job = retention.destruction_start(actor=ig, enqueue=False)
        with pytest.raises(KeyboardInterrupt):
            job_run(job)
    assert Person.objects.count() == 5  # one child went, in its own transaction
    assert not DestructionCertificate.objects.exists()
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - dt.timedelta(hours=1))
    Job.objects.filter(pk=job.pk).update(task_id=str(uuid.uuid4()))  # as if a worker ran it
    jobs_recover()
    monkeypatch.setattr(retention, "_destroy_child", real)
    with freeze_time(TODAY):
        job = job_run(Job.objects.get(pk=job.pk))
    assert (job.status, job.attempts) == ("succeeded", 2)
    certificate = DestructionCertificate.objects.get()
    assert certificate.total == 3  # the first attempt's child is certified too
    assert certificate.records["people.Person"] == 3


def test_a_parent_who_received_a_service_is_kept_when_their_child_goes(records):
    from tandem.outcomes.models import Service, ServiceSpell
    from tandem.people.models import Relationship

    ig = factories.UserFactory(role=Role.IG_LEAD)
    gone = records["cp_past_75"]
    mother = factories.AdultFactory(given_name="Mona")
    father = factories.AdultFactory(given_name="Fred")
    for parent in (mother, father):
        Relationship.objects.create(person_a=parent, person_b=gone, kind="parent")
    service = Service.objects.create(
        name="Parenting programme", service_type_id="family-support", aim_id="stronger-families"
    )
    ServiceSpell.objects.create(
        service=service, person=mother, started_on=dt.date(2020, 1, 1), recorded_by=ig
    )
    with freeze_time(TODAY):
        job = _run(ig)
    assert job.status == "succeeded", job.error
    assert Person.objects.filter(pk=mother.pk).exists()  # her own service keeps her record
    assert not Person.objects.filter(pk=father.pk).exists()  # recorded only as family
