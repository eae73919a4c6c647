from io import StringIO

import pytest
from django.core.management import call_command

from tandem.access.policies import PRACTITIONERS, visible_children_q
from tandem.partners.models import Role, User
from tandem.people.models import Person
from tandem.referrals.models import Referral
from tandem.synth import demo


@pytest.fixture
def demo_partnership(db, settings, tmp_path):
    settings.VAR_DIR = tmp_path  # each test's extracts and uploads of its own
    out = StringIO()
    call_command("demo", children=600, stdout=out)
    return out.getvalue()


def test_demo_prints_a_sign_in_for_every_role_and_the_password(demo_partnership):
    for spec in demo.DEMO_USERS:
        assert spec.username in demo_partnership
    assert demo.PASSWORD in demo_partnership
    assert {u.role for u in User.objects.filter(username__startswith="demo-")} == set(Role.values)


def test_demo_users_sign_in_with_the_demo_password_and_others_cannot(demo_partnership):
    for spec in demo.DEMO_USERS:
        assert User.objects.get(username=spec.username).check_password(demo.PASSWORD)
    assert (
        not User.objects.exclude(username__startswith="demo-")
        .filter(password__startswith="md5$")
        .exists()
    )
    assert not any(
        u.has_usable_password() for u in User.objects.exclude(username__startswith="demo-")[:50]
    )


def test_every_demo_practitioner_has_children_to_see(demo_partnership):
    practitioners = User.objects.filter(username__startswith="demo-", role__in=PRACTITIONERS)
    for user in practitioners.exclude(username="demo-ae-nurse"):
        assert Person.objects.filter(visible_children_q(user)).exists(), user.username
    # The practitioner without access, the board, governance and the analysts see no child.
    for username in (
        "demo-ae-nurse", "demo-board-member", "demo-analyst", "demo-ig-lead", "demo-admin",
    ):  # fmt: skip
        user = User.objects.get(username=username)
        assert not Person.objects.filter(visible_children_q(user)).exists()


def test_the_children_in_care_social_worker_holds_children_looked_after_now(demo_partnership):
    from tandem.care.models import CareEpisode

    user = User.objects.get(username="demo-care-social-worker")
    looked_after = CareEpisode.objects.filter(ended_on__isnull=True).values("child_id")
    assert Person.objects.filter(visible_children_q(user), pk__in=looked_after).exists()


def test_the_front_door_has_a_queue_and_the_school_has_answers(demo_partnership):
    manager = User.objects.get(username="demo-mash-manager")
    to_team = Referral.objects.filter(to_team=manager.team)
    assert to_team.filter(status="submitted").exists()
    assert to_team.filter(status="decided").exists()
    dsl = User.objects.get(username="demo-school-dsl")
    assert Referral.objects.filter(made_by=dsl, status="closed").exists()


def test_the_demo_case_fills_two_partners_work_trays(demo_partnership):
    from tandem.casework.selectors import work_tray
    from tandem.partners.models import User

    # The synthetic partnership has casework of its own (issue 6): the demo case's actions
    # are among each tray's, and some trays have reviews due as well.
    trays = {}
    for username, text in (
        ("demo-family-support", "Help with a morning routine"),
        ("demo-school-dsl", "Check attendance each Friday"),
    ):
        user = User.objects.get(username=username)
        trays[username] = work_tray(actor=user, purpose="direct_work", limit=1000)
        texts = [row["text"] for row in trays[username].actions]
        assert [t for t in texts if t.startswith(text)] != [], (username, texts)
    assert trays["demo-family-support"].actions.total > 1


def test_every_demo_sign_in_has_a_demo_authenticator_and_says_so(demo_partnership):
    """Sign-in security (issue 4): the printed sign-ins say how to get the code."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tandem.security.two_factor import DEMO_DEVICE

    assert "tandem otp" in demo_partnership
    for spec in demo.DEMO_USERS:
        device = TOTPDevice.objects.get(user__username=spec.username)
        assert (device.name, device.confirmed) == (DEMO_DEVICE, True)
    assert not TOTPDevice.objects.exclude(user__username__startswith="demo-").exists()


def test_the_practitioner_without_access_is_told_whom_to_try(demo_partnership):
    """The demo names a child of the child protection team's for emergency access."""
    cp = User.objects.get(username="demo-cp-social-worker")
    printed = " ".join(demo_partnership.split())
    named = [
        c for c in Person.objects.filter(visible_children_q(cp))
        if f"ask for {c.given_name} {c.family_name}, born" in printed
    ]  # fmt: skip
    assert len(named) == 1


def test_the_worklist_has_flags_from_the_demo_s_own_extracts(demo_partnership, settings):
    from tandem.linkage.models import ExtractUpload, Flag, LinkedPerson
    from tandem.linkage.triage import worklist

    folder = settings.VAR_DIR / "demo-extracts"
    assert {"police.csv", "school.csv", "health.csv", "mapping.toml"} <= {
        p.name for p in folder.iterdir()
    }
    assert str(folder) in " ".join(demo_partnership.split())
    assert ExtractUpload.objects.filter(status__in=["loaded", "quarantined"]).count() == 4
    # The extracts are of the demo's own children: most records link to someone in the record.
    linked = LinkedPerson.objects.filter(person__isnull=False).count()
    assert linked > LinkedPerson.objects.count() / 2
    assert Flag.objects.filter(status="open").exists()
    practitioners = User.objects.filter(username__startswith="demo-", role__in=PRACTITIONERS)
    assert sum(len(worklist(actor=u, limit=500)) for u in practitioners) > 0


def test_the_demo_plants_failures_to_follow_in_the_returns(demo_partnership):
    from tests.synth.test_cin import census_failures

    _, failures = census_failures()
    assert failures
