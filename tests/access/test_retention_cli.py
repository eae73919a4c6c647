"""`tandem retention run`: the dry run counts and destroys nothing; the run destroys what is due
(not what is on hold) through the same job, and prints the certificate, never a name."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from freezegun import freeze_time

from tandem.access import retention
from tandem.access.models import DestructionCertificate
from tandem.jobs.models import Job
from tandem.partners.models import Role
from tandem.people.models import Person
from tests import factories
from tests.access.test_retention import TODAY, records  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def ig(records):  # noqa: F811
    lead = factories.UserFactory(username="ig.lead", role=Role.IG_LEAD)
    retention.legal_hold_place(
        actor=lead, child_id=records["eh_on_hold"].pk, reason="Subject of a court case"
    )
    return lead


def _command(*args) -> str:
    out = StringIO()
    call_command("retention", "run", *args, stdout=out)
    return out.getvalue()


@freeze_time(TODAY)
def test_a_dry_run_counts_and_destroys_nothing(ig, records):  # noqa: F811
    before = Person.objects.count()
    out = _command("--user", "ig.lead", "--dry-run")
    assert "dry run" in out
    assert "early_help" in out
    assert "social_care" in out
    lines = {
        line.split("│")[1].strip(): line.split("│")[2].strip()
        for line in out.splitlines()
        if line.count("│") == 3
    }
    assert lines["early_help"] == "1"  # Cal (Fay is on hold)
    assert lines["social_care"] == "1"  # Ada
    assert lines["Kept on legal hold"] == "1"
    assert Person.objects.count() == before
    assert not Job.objects.exists()
    assert not DestructionCertificate.objects.exists()


@freeze_time(TODAY)
def test_a_run_destroys_what_is_due_and_prints_the_certificate(ig, records):  # noqa: F811
    out = _command("--user", "ig.lead")
    certificate = DestructionCertificate.objects.get()
    assert str(certificate.pk) in out
    assert certificate.run_by == ig
    assert certificate.total == 2
    assert certificate.held_back == 1
    assert not Person.objects.filter(
        pk__in=[records["cp_past_75"].pk, records["eh_closed_long_ago"].pk]
    ).exists()
    assert Person.objects.filter(pk=records["eh_on_hold"].pk).exists()
    for name in ("Ada", "Cal", "Retained", "Gone Street"):
        assert name not in out
    assert Job.objects.get().status == "succeeded"


def test_only_an_ig_lead_may_run_it(records):  # noqa: F811
    factories.UserFactory(username="sam", role=Role.SOCIAL_WORKER)
    with pytest.raises(CommandError, match="not an information-governance lead"):
        _command("--user", "sam", "--dry-run")
    with pytest.raises(CommandError, match="No active user"):
        _command("--user", "nobody")
    assert not Job.objects.exists()
